// An existing cluster reached through a kubeconfig: the k3s cluster at the edge, or any cluster that
// plays the cloud role (`cluster: kubeconfig`: k3d, k3s, a cluster of another provider).
import * as net from "node:net";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

export interface KubeconfigClusterArgs {
    /** Which side of the mesh the cluster is; it picks the component's type and the words of messages. */
    role: "cloud" | "edge";
    /** This cluster's name in the mesh; it identifies the cluster to the provider. */
    clusterName: string;
    /** The kubeconfig's contents. */
    kubeconfig: string;
    /** The kubeconfig context to use; empty for its current-context. */
    kubeContext: string;
}

/**
 * The component's type per role. The edge's is the type this component had before the cloud could use
 * it: existing edge stacks keep their URNs, and with them every resource under the provider.
 */
export const KUBECONFIG_CLUSTER_TYPES = {
    edge: "edge-cloud-mesh:edge:EdgeCluster",
    cloud: "edge-cloud-mesh:cloud:KubeconfigCluster",
} as const;

/** How long the reachability check waits for the API server before it gives up. */
export const REACHABILITY_TIMEOUT_MS = 5000;

/** What to check when the API server does not answer, per role: an edge device, or any cluster. */
const UNREACHABLE_HINTS = {
    edge:
        "Check that the device is up and k3s is running, that this machine can reach that address (VPN, firewall; k3s writes " +
        "https://127.0.0.1:6443, which only works on the device itself), and edge-cloud-mesh:kubeContext.",
    cloud:
        "Check that the cluster is running (k3d: k3d cluster list), that this machine can reach that address, and " +
        "edge-cloud-mesh:kubeContext.",
};

/**
 * Fails fast, naming the cluster and what to check, when nothing accepts connections at the cluster's
 * API server: otherwise every Kubernetes call would wait for its own timeout.
 */
export async function assertReachable(
    cluster: Pick<KubeconfigClusterArgs, "role" | "clusterName">,
    server: string,
    timeoutMs = REACHABILITY_TIMEOUT_MS,
): Promise<void> {
    const url = new URL(server);
    const port = Number(url.port || (url.protocol === "http:" ? 80 : 443));
    const host = url.hostname.replace(/^\[|\]$/g, "");
    const failure = await new Promise<string | undefined>((resolve) => {
        const socket = net.connect({ host, port });
        const done = (reason?: string) => {
            socket.destroy();
            resolve(reason);
        };
        socket.setTimeout(timeoutMs, () => done(`no answer within ${timeoutMs / 1000}s`));
        socket.once("connect", () => done());
        socket.once("error", (error: NodeJS.ErrnoException) => done(error.code ?? error.message));
    });
    if (failure !== undefined) {
        throw new pulumi.RunError(
            `the ${cluster.role} cluster ${JSON.stringify(cluster.clusterName)} is unreachable: its API server ${server} (from edge-cloud-mesh:kubeconfig) ` +
                `did not accept a connection (${failure}). ${UNREACHABLE_HINTS[cluster.role]} If the cluster is gone for good, ` +
                `\`pulumi destroy\` still works when told so for that run: PULUMI_K8S_DELETE_UNREACHABLE=true pulumi destroy drops the ` +
                `unreachable cluster's resources from the state.`,
        );
    }
}

/** An existing cluster, reached through its kubeconfig, and the Kubernetes provider everything in it uses. */
export class KubeconfigCluster extends pulumi.ComponentResource {
    public readonly provider: k8s.Provider;

    constructor(name: string, args: KubeconfigClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super(KUBECONFIG_CLUSTER_TYPES[args.role], name, {}, opts);
        this.provider = new k8s.Provider(
            name,
            {
                kubeconfig: pulumi.secret(args.kubeconfig),
                context: args.kubeContext || undefined,
                // A new address or credential for the same cluster updates the provider; it does not
                // replace every resource in the cluster.
                clusterIdentifier: args.clusterName,
                // Neither deleteUnreachable nor upsertExistingObjects is set here: set in code, each would
                // override its environment variable for every run. Forgetting a wiped site
                // (PULUMI_K8S_DELETE_UNREACHABLE=true) and adopting live objects
                // (PULUMI_K8S_UPSERT_EXISTING_OBJECTS=true) are deliberate, one-run acts (docs/operations.md, Teardown edge cases).
            },
            { parent: this },
        );
        this.registerOutputs({});
    }
}
