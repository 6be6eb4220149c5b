// The world the stand-in CLIs answer from for the local environment (test/standins.ts): the stacks as
// the program would leave them after `pulumi up` (their outputs, as contract.ts types them, with
// kubeAccess naming the kubeconfigs local:up writes), and a healthy mesh on the k3d clusters' kube
// contexts: Linkerd, the Link from edge to cloud with its gateway alive, the demo answering from both
// clusters through the frontend, mTLS to the mirror. Tests start from it and break what they test.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as https from "node:https";
import type * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, afterEach, beforeAll } from "vitest";
import { localPaths, prepareLocalDirectory } from "../scripts/flows/localEnv";
import { issueTestPki } from "./fakeApiServer";
import { ROOT } from "./harness";
import { KubeWorld, StandIns, standIns } from "./standins";

/** A copy of the checkout to run the operator commands in: Pulumi.yaml (the project, its defaults), nothing written into the real one. */
export function checkoutCopy(root: string): string {
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), "checkout-"));
    fs.copyFileSync(path.join(root, "Pulumi.yaml"), path.join(copy, "Pulumi.yaml"));
    return copy;
}

/** The messages of the edge's frontend on / (split 50/50) and on /cloud/. */
export const BOTH = ["edge", "cloud"];

/** The outputs `pulumi up` leaves on the local stacks (contract.ts), kubeAccess naming the kubeconfigs local:up writes. */
export function localOutputs(root: string): { cloud: Record<string, unknown>; edge: Record<string, unknown> } {
    const paths = localPaths(root);
    return {
        cloud: {
            clusterName: "cloud",
            edgeSiteNames: ["edge"],
            exportedServices: ["test/podinfo"],
            apiEndpoint: "https://k3d-cloud-server-0:6443",
            kubeAccess: { kubeconfig: paths.kubeconfig("cloud"), context: "k3d-cloud" },
        },
        edge: {
            linkedCluster: "cloud",
            mirroredServices: ["test/podinfo-cloud"],
            kubeAccess: { kubeconfig: paths.kubeconfig("edge"), context: "k3d-edge" },
            frontendCommand: `kubectl --kubeconfig ${paths.kubeconfig("edge")} --context k3d-edge -n test port-forward svc/frontend 8080:8080`,
        },
    };
}

/** The local stacks as `pulumi stack init` will create them, and what their `up` leaves. */
export function describeLocalStacks(cli: StandIns, root: string): void {
    const outputs = localOutputs(root);
    cli.pulumiStack("local-cloud", { upOutputs: outputs.cloud }, { uncreated: true });
    cli.pulumiStack("local-edge", { upOutputs: outputs.edge }, { uncreated: true });
}

/** What a test changes of the working local mesh: the clusters' worlds, the edge stack's config. */
export interface LocalMeshWorld {
    edge?: Partial<KubeWorld>;
    cloud?: Partial<KubeWorld>;
    edgeConfig?: Record<string, unknown>;
}

/**
 * The local stacks after local:up, on a working mesh: their state and kubeconfigs in a copy of the
 * checkout, the clusters as k3d made them, the cloud's API server at `cloudApi` (cloudApiServer).
 */
export function localStacks(cloudApi: { port: number; caPem: string }, world: LocalMeshWorld = {}) {
    const cli = standIns(["pulumi", "k3d", "kubectl", "linkerd"]);
    const root = checkoutCopy(ROOT);
    prepareLocalDirectory(root);
    const paths = localPaths(root);
    cli.k3dCluster("cloud", { network: "edge-cloud-mesh", apiPort: cloudApi.port });
    cli.k3dCluster("edge", { network: "edge-cloud-mesh", apiPort: 40001 });
    for (const cluster of ["cloud", "edge"] as const)
        fs.writeFileSync(
            paths.kubeconfig(cluster),
            execFileSync(path.join(cli.bin, "k3d"), ["kubeconfig", "get", cluster], { env: cli.env() }),
        );
    const outputs = localOutputs(root);
    cli.pulumiStack("local-cloud", { outputs: outputs.cloud }, { backend: paths.state });
    cli.pulumiStack("local-edge", { config: world.edgeConfig ?? {}, outputs: outputs.edge }, { backend: paths.state });
    healthyMesh(cli, { cloudCaPem: cloudApi.caPem, edge: world.edge, cloud: world.cloud });
    return { cli, root, paths };
}

/** The HTTPRoute's backends in each split mode (components/trafficSplit.ts): the local podinfo and the relay to the mirror. */
export const WEIGHTED_ROUTE = [
    { name: "podinfo", weight: 50 },
    { name: "podinfo-cloud-relay", weight: 50 },
];
export const FAILOVER_ROUTE = [
    { name: "podinfo", weight: 1000000 },
    { name: "podinfo-cloud-relay", weight: 1 },
];

/** The frontend proxy's metrics: its responses from both podinfos, mTLS. */
export const FRONTEND_METRICS = [
    "# TYPE response_total counter",
    'response_total{direction="outbound",dst_namespace="test",dst_service="podinfo",tls="true",status_code="200",classification="success"} 40',
    'response_total{direction="outbound",dst_namespace="test",dst_service="podinfo-cloud",server_id="linkerd-gateway.linkerd-multicluster.serviceaccount.identity.linkerd.cluster.local",tls="true",status_code="200",classification="success"} 60',
    "",
].join("\n");

/** A working mesh on the contexts k3d-cloud and k3d-edge; `cloudCaPem` signs the cloud API server's certificate (the Link's CA). */
export function healthyMesh(cli: StandIns, options: { cloudCaPem: string; edge?: Partial<KubeWorld>; cloud?: Partial<KubeWorld> }): void {
    cli.kube("k3d-cloud", {
        services: { "test/podinfo": { labels: { "mirror.linkerd.io/exported": "true" } } },
        ...options.cloud,
    });
    cli.kube("k3d-edge", {
        services: {
            "test/podinfo": {},
            "test/podinfo-cloud": { labels: { "mirror.linkerd.io/mirrored-service": "true" } },
            "test/podinfo-cloud-relay": {},
        },
        // The split weighted, 50/50, its remote backend the relay to the mirror.
        routes: { "test/podinfo": WEIGHTED_ROUTE },
        pods: [{ namespace: "test", name: "frontend-7d9f8", labels: { app: "frontend" } }],
        workloads: { "test/deploy/frontend": { name: "frontend-7d9f8", containers: ["nginx", "traffic", "linkerd-proxy"] } },
        raw: { "/api/v1/namespaces/test/pods/frontend-7d9f8:4191/proxy/metrics": FRONTEND_METRICS },
        frontend: { "/": BOTH, "/cloud/": ["cloud"] },
        linkerd: {
            links: [{ target: "cloud", server: "https://k3d-cloud-server-0:6443", caPem: options.cloudCaPem, targetContext: "k3d-cloud" }],
            gateways: [{ clusterName: "cloud", alive: true, numberOfServices: 1, latency: 2 }],
        },
        ...options.edge,
    });
}

/**
 * The local cloud's API server as the edges' Link names it: a loopback HTTPS server whose certificate
 * names k3d-cloud-server-0 (k3d's --tls-san) and 127.0.0.1, answering /version as Kubernetes does.
 */
export async function cloudApiServer(): Promise<{ port: number; caPem: string; requests: string[]; close(): Promise<void> }> {
    // k3s also names 127.0.0.1 in its certificate, as a kubeconfig on the node uses it.
    const pki = issueTestPki("DNS:k3d-cloud-server-0,IP:127.0.0.1");
    const requests: string[] = [];
    const server = https.createServer({ cert: pki.serverCertPem, key: pki.serverKeyPem }, (request, response) => {
        requests.push(`${request.headers.host} ${request.method} ${request.url}`);
        response.writeHead(request.url === "/version" ? 200 : 404, { "Content-Type": "application/json" });
        response.end(JSON.stringify({ major: "1", minor: "35", gitVersion: "v1.35.6+k3s1" }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return {
        port: (server.address() as net.AddressInfo).port,
        caPem: pki.caPem,
        requests,
        close: () => new Promise((resolve) => server.close(() => resolve())),
    };
}

export type CloudApi = Awaited<ReturnType<typeof cloudApiServer>>;

/**
 * For a file whose tests run the Pulumi port in this process: this process's environment put back
 * after each test (the port makes it the CLI's, automation.ts useEnvironment).
 */
export function restoreEnvironmentAfterEach(): void {
    const saved = { ...process.env };
    afterEach(() => {
        for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
        Object.assign(process.env, saved);
    });
}

/**
 * For a file whose tests run the operator commands on the local stacks in this process: the local
 * cloud's API server (cloudApiServer), served from before its first test to after its last, and this
 * process's environment put back after each test (restoreEnvironmentAfterEach). The object is filled
 * in before the first test.
 */
export function localCloudApi(): CloudApi {
    restoreEnvironmentAfterEach();
    const api = {} as CloudApi;
    beforeAll(async () => {
        Object.assign(api, await cloudApiServer());
    });
    afterAll(() => api.close());
    return api;
}
