// The edge stack talks to its API server before declaring anything: a TCP reachability check, then a
// read of the Gateway API CRDs. Tests point the edge kubeconfig at two loopback HTTPS servers that
// answer like k3s API servers, the only addresses they ever dial: one with the route CRDs Traefik
// installs, one without (k3s started with --disable traefik). Workers inherit the ports and the
// throwaway PKI through the environment, and the folder the run compiles the operator commands into
// once, when a test first needs them (test/compiledScripts.ts).
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { TestProject } from "vitest/node";
import { issueTestPki, k3sTraefikRouteCrds, startFakeApiServer } from "./fakeApiServer";

export default async function startFakeEdgeApiServers(project: TestProject): Promise<() => Promise<void>> {
    const pki = issueTestPki();
    const withTraefik = await startFakeApiServer({ pki, crds: k3sTraefikRouteCrds() });
    const withoutGatewayApi = await startFakeApiServer({ pki, crds: [] });
    process.env.FAKE_EDGE_API_PORT = String(withTraefik.port);
    process.env.FAKE_EDGE_NO_GATEWAY_API_PORT = String(withoutGatewayApi.port);
    process.env.FAKE_EDGE_PKI = JSON.stringify(pki);
    const compiled = fs.mkdtempSync(path.join(os.tmpdir(), "edge-cloud-mesh-scripts-"));
    process.env.COMPILED_SCRIPTS_DIR = compiled;
    // In watch mode, a rerun compiles the scripts as they are now.
    project.onTestsRerun(() => {
        for (const entry of fs.readdirSync(compiled)) fs.rmSync(path.join(compiled, entry), { recursive: true, force: true });
    });
    return async () => {
        await withTraefik.close();
        await withoutGatewayApi.close();
        fs.rmSync(compiled, { recursive: true, force: true });
    };
}
