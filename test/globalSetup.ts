// The edge stack talks to its API server before declaring anything: a TCP reachability check, then a
// read of the Gateway API CRDs. Tests point the edge kubeconfig at two loopback HTTPS servers that
// answer like k3s API servers, the only addresses they ever dial: one with the route CRDs Traefik
// installs, one without (k3s started with --disable traefik). Workers inherit the ports and the
// throwaway PKI through the environment.
import { issueTestPki, k3sTraefikRouteCrds, startFakeApiServer } from "./fakeApiServer";

export default async function startFakeEdgeApiServers(): Promise<() => Promise<void>> {
    const pki = issueTestPki();
    const withTraefik = await startFakeApiServer({ pki, crds: k3sTraefikRouteCrds() });
    const withoutGatewayApi = await startFakeApiServer({ pki, crds: [] });
    process.env.FAKE_EDGE_API_PORT = String(withTraefik.port);
    process.env.FAKE_EDGE_NO_GATEWAY_API_PORT = String(withoutGatewayApi.port);
    process.env.FAKE_EDGE_PKI = JSON.stringify(pki);
    return async () => {
        await withTraefik.close();
        await withoutGatewayApi.close();
    };
}
