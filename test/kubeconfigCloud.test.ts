// The cloud role on an existing cluster (`cluster: kubeconfig`), as the local environment runs it on
// k3d: under mocks, with the cluster's API server played by the tests' loopback k3s-like servers.
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { KUBECONFIG_CLUSTER_TYPES } from "../components/kubeconfigCluster";
import { MESH_IDENTITY_ANNOTATION } from "../components/trustPhases";
import { KubeconfigCloudConfig, parseConfig } from "../config";
import { FAKE_EDGE_API_SERVER, FAKE_EDGE_PKI, K3S_KUBECONFIG, configContext, runEdge } from "./fixtures";
import { SECRET, RunOptions, StackRun, configError, helmChart, ofType, providerRef, runStack, single } from "./harness";
import { mocks, mockServiceAccountToken } from "./mocks";

/** The cloud's address on the shared Docker network, where the edge's link controller reaches it. */
const IN_NETWORK_API = "https://k3d-cloud-server-0:6443";
/** What k3s's ServiceLB writes into the gateway Service: the node's address on that network. */
const SERVICELB_INGRESS = [{ ip: "172.18.0.3" }];
const LOCAL_CLOUD = {
    cluster: "kubeconfig",
    kubeconfig: K3S_KUBECONFIG,
    apiServerAddress: IN_NETWORK_API,
    gatewaySourceCidrs: ["172.18.0.0/16"],
};
const b64 = (text: string) => Buffer.from(text).toString("base64");

function runKubeconfigCloud(config: Record<string, unknown> = {}, options: RunOptions = {}): Promise<StackRun> {
    return runStack("cloud", {
        config: { ...LOCAL_CLOUD, ...config },
        secretKeys: ["kubeconfig"],
        gatewayIngress: SERVICELB_INGRESS,
        ...options,
    });
}

/** Runs `action` recording the provider functions (invokes) the program calls. */
async function recordingCalls<T>(action: () => Promise<T>): Promise<{ result: T; calls: string[] }> {
    const calls: string[] = [];
    const call = mocks.call;
    mocks.call = (args) => {
        calls.push(args.token);
        return call(args);
    };
    try {
        return { result: await action(), calls };
    } finally {
        mocks.call = call;
    }
}

describe("the cloud role on an existing cluster (cluster: kubeconfig)", () => {
    let run: StackRun;
    let calls: string[];
    beforeAll(async () => {
        ({ result: run, calls } = await recordingCalls(() => runKubeconfigCloud()));
    });

    it("declares no AWS or EKS resource and calls no AWS function", async () => {
        expect(run.resources.length).toBeGreaterThan(10);
        expect(run.resources.filter((resource) => /^(aws|eks):|^pulumi:providers:(aws|eks)$/.test(resource.type))).toEqual([]);
        expect(calls).toEqual([]);
        // The same check catches the EKS stack's calls.
        expect((await recordingCalls(() => runStack("cloud"))).calls).toEqual(
            expect.arrayContaining(["aws:index/getPartition:getPartition", "aws:index/getRegion:getRegion"]),
        );
    });

    it("declares the same mesh as on EKS: identity, Linkerd, each site's credential, the demo", async () => {
        const eks = await runStack("cloud");
        const mesh = (cloud: StackRun) =>
            cloud.resources
                .filter((resource) => /^(kubernetes|tls):/.test(resource.type))
                .map((resource) => `${resource.type} ${resource.name}`)
                .sort();
        expect(mesh(run)).toEqual(mesh(eks));
        const values = (cloud: StackRun, chart: string) => helmChart(cloud, chart).inputs.values;
        for (const chart of ["linkerd-control-plane", "linkerd-viz"]) {
            expect(Object.keys(values(run, chart)).sort(), chart).toEqual(Object.keys(values(eks, chart)).sort());
        }
        const gateway = (cloud: StackRun) => ({ ...values(cloud, "linkerd-multicluster"), gateway: undefined });
        expect(gateway(run)).toEqual(gateway(eks));
    });

    it("reaches the cluster through its kubeconfig, with the provider everything in it uses", () => {
        const provider = single(run, "pulumi:providers:kubernetes");
        expect(provider.inputs.kubeconfig).toBe(K3S_KUBECONFIG);
        expect(provider.rawInputs.kubeconfig).toMatchObject({ value: K3S_KUBECONFIG });
        expect(provider.inputs.clusterIdentifier).toBe("cloud");
        expect(provider.inputs).not.toHaveProperty("context");
        expect(provider.parent).toBe(single(run, KUBECONFIG_CLUSTER_TYPES.cloud).urn);
        const kubernetes = run.resources.filter((resource) => resource.custom && resource.type.startsWith("kubernetes:"));
        expect(kubernetes.length).toBeGreaterThan(10);
        for (const resource of kubernetes) expect(resource.provider, resource.name).toBe(providerRef(provider));
    });

    it("puts the gateway behind a plain LoadBalancer Service: no AWS annotations, open to gatewaySourceCidrs only", () => {
        expect(helmChart(run, "linkerd-multicluster").inputs.values.gateway).toEqual({
            enabled: true,
            serviceType: "LoadBalancer",
            serviceAnnotations: {},
            loadBalancerSourceRanges: ["172.18.0.0/16"],
            deploymentAnnotations: { [MESH_IDENTITY_ANNOTATION]: run.outputs.trust.value.issuers.cloud.meshIdentityChecksum },
        });
        expect(run.outputs.gateway.value.address).toBe("172.18.0.3");
    });

    it("gives each edge site a link kubeconfig for apiServerAddress, with the kubeconfig's CA and the site's token", () => {
        const link = parse(run.outputs.edgeSites.value.edge.linkKubeconfig);
        expect(link.clusters).toEqual([
            { name: "cloud", cluster: { server: IN_NETWORK_API, "certificate-authority-data": b64(FAKE_EDGE_PKI.caPem) } },
        ]);
        expect(link.users).toEqual([
            {
                name: "linkerd-service-mirror-remote-access-edge",
                user: { token: mockServiceAccountToken("linkerd-service-mirror-remote-access-edge") },
            },
        ]);
        expect(run.outputs.edgeSites.secret).toBe(true);
    });

    it("exports what every cloud stack exports, and nothing of EKS", () => {
        expect(Object.keys(run.outputs).sort()).toEqual(
            [
                "apiEndpoint",
                "certificateAuthorityData",
                "clusterName",
                "destroyOrder",
                "edgeSiteNames",
                "edgeSites",
                "exportedServices",
                "frontendCommand",
                "gateway",
                "kubeAccess",
                "trust",
                "trustBundlePem",
                "vizDashboardCommand",
            ].sort(),
        );
        expect(run.outputs.apiEndpoint.value).toBe(IN_NETWORK_API);
        expect(run.outputs.certificateAuthorityData.value).toBe(b64(FAKE_EDGE_PKI.caPem));
        expect(run.outputs.frontendCommand.value).toMatch(/^kubectl --kubeconfig \S+ -n test port-forward svc\/frontend 8080:8080 /);
        // An inline kubeconfig: the file the commands name is the workflows' convention for the cluster's name.
        expect(run.outputs.kubeAccess.value).toEqual({ kubeconfig: "~/.kube/k3s-cloud.yaml" });
    });

    it("an edge stack links to it as to EKS: the Link's gateway is the load balancer's address, its credentials the site's kubeconfig", async () => {
        const edge = await runEdge(run.outputs);
        expect(single(edge, "kubernetes:multicluster.linkerd.io/v1alpha3:Link").inputs.spec).toMatchObject({
            targetClusterName: "cloud",
            gatewayAddress: "172.18.0.3",
        });
        const credentials = ofType(edge, SECRET).filter((secret) => secret.inputs.type === "mirror.linkerd.io/remote-kubeconfig");
        expect(credentials).toHaveLength(2);
        for (const secret of credentials) {
            const kubeconfig = parse(Buffer.from(secret.inputs.data.kubeconfig, "base64").toString("utf8"));
            expect(kubeconfig.clusters[0].cluster.server).toBe(IN_NETWORK_API);
        }
        expect(edge.outputs.mirroredServices.value).toEqual(["test/podinfo-cloud"]);
    });

    it("kubectl commands name the kubeconfig file and context the provider uses", async () => {
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "k3d-")), "cloud.kubeconfig");
        fs.writeFileSync(file, K3S_KUBECONFIG);
        const fromFile = await runKubeconfigCloud({ kubeconfig: file, kubeContext: "default" });
        expect(fromFile.outputs.vizDashboardCommand.value).toMatch(
            new RegExp(`^kubectl --kubeconfig ${file} --context default -n linkerd-viz`),
        );
        expect(single(fromFile, "pulumi:providers:kubernetes").inputs.context).toBe("default");
    });

    it("runs as the local environment names it: stack local-cloud, cluster cloud (no EKS name rule for the stack)", async () => {
        const local = await runStack("local-cloud", {
            config: { ...LOCAL_CLOUD, role: "cloud", clusterName: "cloud" },
            secretKeys: ["kubeconfig"],
            gatewayIngress: SERVICELB_INGRESS,
        });
        expect(local.outputs.clusterName.value).toBe("cloud");
        expect(local.outputs.destroyOrder.value).toEqual(["pulumi destroy --stack edge", "pulumi destroy --stack local-cloud"]);
    });
});

describe("the Gateway API CRD pre-flight applies to the cloud cluster too", () => {
    const crds = (run: StackRun) => helmChart(run, "linkerd-crds").inputs.values;

    it("left empty, it follows the cluster: a k3s with Traefik's CRDs keeps them, one without gets linkerd-crds'", async () => {
        expect(crds(await runKubeconfigCloud())).toEqual({ installGatewayAPI: false });
        expect(crds(await runKubeconfigCloud({ kubeContext: "lab" }))).toEqual({ installGatewayAPI: true });
    });

    it("install on a cluster with another owner's CRDs stops before anything is declared, naming the cloud cluster", async () => {
        const message = await configError("cloud", { config: { ...LOCAL_CLOUD, gatewayApiCrds: "install" }, secretKeys: ["kubeconfig"] });
        expect(message).toMatch(/edge-cloud-mesh:gatewayApiCrds is "install", but the cloud cluster "cloud" already has httproutes/);
    });

    it("an API server that does not answer stops the run, naming the cloud cluster and the kubeconfig", async () => {
        const closed = net.createServer();
        await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
        const { port } = closed.address() as net.AddressInfo;
        await new Promise((resolve) => closed.close(resolve));
        const kubeconfig = K3S_KUBECONFIG.replace(FAKE_EDGE_API_SERVER, `https://127.0.0.1:${port}`);
        const message = await configError("cloud", { config: { ...LOCAL_CLOUD, kubeconfig }, secretKeys: ["kubeconfig"] });
        expect(message).toMatch(
            new RegExp(
                `^the cloud cluster "cloud" is unreachable: its API server https://127\\.0\\.0\\.1:${port} \\(from edge-cloud-mesh:kubeconfig\\)`,
            ),
        );
        expect(message).toMatch(/k3d cluster list/);
    });
});

describe("cluster and apiServerAddress are checked before anything is declared", () => {
    const cases: [string, Record<string, unknown>, RegExp[]][] = [
        [
            "an unknown cluster",
            { cluster: "gke" },
            [/^Invalid configuration:\n {2}- edge-cloud-mesh:cluster: "gke" is not accepted; accepted: "eks" or "kubeconfig"$/],
        ],
        [
            "no kubeconfig: which file, from k3d or k3s, and which context",
            { kubeconfig: "" },
            [
                /edge-cloud-mesh:kubeconfig: is missing: a cloud stack with cluster: kubeconfig reaches its cluster through it\. /,
                /Set it to the path of the cluster's kubeconfig file \(pulumi config set kubeconfig '~\/\.kube\/<cluster>\.yaml'/,
                /or to the file's contents \(pulumi config set --secret kubeconfig < k3s\.yaml\)/,
                /k3d writes a cluster's file with k3d kubeconfig get <cluster> > ~\/\.kube\/<cluster>\.yaml; k3s keeps its own in \/etc\/rancher\/k3s\/k3s\.yaml/,
                /; the stack uses the file's current-context, or the context kubeContext names \(pulumi config set kubeContext <context>; k3d's is k3d-<cluster>\)$/,
            ],
        ],
        [
            "no kubeconfig, with a kubeContext: the context it names",
            { kubeconfig: "", kubeContext: "k3d-cloud" },
            [
                /edge-cloud-mesh:kubeconfig: is missing: .*; the stack uses the context kubeContext names, "k3d-cloud", which the file must define$/,
            ],
        ],
        [
            "an apiServerAddress that is not https",
            { apiServerAddress: "http://k3d-cloud-server-0:6443" },
            [/edge-cloud-mesh:apiServerAddress: "http:\/\/k3d-cloud-server-0:6443" is not an https URL/],
        ],
        [
            "an apiServerAddress that is not a URL",
            { apiServerAddress: "https//k3d-cloud-server-0:6443" },
            [/edge-cloud-mesh:apiServerAddress: "https\/\/k3d-cloud-server-0:6443" is not a URL/],
        ],
        [
            "a loopback apiServerAddress",
            { apiServerAddress: "https://localhost:6443" },
            [/is a loopback address, which in an edge site's link controller \(a pod\) is the pod itself/],
        ],
        [
            "no apiServerAddress, with a kubeconfig whose server is a loopback (k3d's)",
            { apiServerAddress: "" },
            [
                /edge-cloud-mesh:apiServerAddress: is empty, so edge sites would reach this cluster's API at the kubeconfig's server "https:\/\/127\.0\.0\.1:\d+", which is a loopback address/,
            ],
        ],
        [
            "a kubeconfig without its CA inline",
            { kubeconfig: K3S_KUBECONFIG.replace(/certificate-authority-data: \S+/g, "certificate-authority: /etc/k3s-ca.crt") },
            [/edge-cloud-mesh:kubeconfig: the kubeconfig's cluster \(https:\/\/127\.0\.0\.1:\d+\) carries no certificate-authority-data/],
        ],
    ];

    it.each(cases)("%s", async (_label, config, patterns) => {
        const message = await configError("cloud", { config: { ...LOCAL_CLOUD, ...config }, secretKeys: ["kubeconfig"] });
        for (const pattern of patterns) expect(message).toMatch(pattern);
    });

    it("apiServerAddress defaults to the kubeconfig's server (a config string: nothing connects to it here)", () => {
        const kubeconfig = K3S_KUBECONFIG.replace(FAKE_EDGE_API_SERVER, "https://k3d-cloud-server-0:6443");
        const config = parseConfig(
            {
                role: "cloud",
                cluster: "kubeconfig",
                kubeconfig,
                linkerdVersion: "2026.8.3",
                viz: "true",
                demo: "true",
                protectTrustAnchor: "false",
                trustAnchors: '["a"]',
                issuerTrustAnchor: "a",
                gatewaySourceCidrs: '["0.0.0.0/0"]',
            },
            "cloud",
            configContext(new Date()),
        ) as KubeconfigCloudConfig;
        expect(config.apiServerAddress).toBe("https://k3d-cloud-server-0:6443");
        expect(config.gatewayApiCrds).toBeUndefined();
    });
});
