import * as net from "node:net";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

export interface EdgeClusterArgs {
    /** This cluster's name in the mesh; it identifies the cluster to the provider. */
    clusterName: string;
    /** The kubeconfig's contents. */
    kubeconfig: string;
    /** The kubeconfig context to use; empty for its current-context. */
    kubeContext: string;
}

/** How long the reachability check waits for the edge API server before it gives up. */
export const REACHABILITY_TIMEOUT_MS = 5000;

/**
 * Fails fast, naming the cluster and what to check, when nothing accepts connections at the edge
 * cluster's API server: otherwise every Kubernetes call would wait for its own timeout.
 */
export async function assertReachable(clusterName: string, server: string, timeoutMs = REACHABILITY_TIMEOUT_MS): Promise<void> {
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
            `the edge cluster ${JSON.stringify(clusterName)} is unreachable: its API server ${server} (from edge-cloud-mesh:kubeconfig) ` +
                `did not accept a connection (${failure}). Check that the device is up and k3s is running, that this machine can reach ` +
                `that address (VPN, firewall; k3s writes https://127.0.0.1:6443, which only works on the device itself), and ` +
                `edge-cloud-mesh:kubeContext. If the site is gone for good, \`pulumi destroy\` still works when told so for that run: ` +
                `PULUMI_K8S_DELETE_UNREACHABLE=true pulumi destroy drops the unreachable cluster's resources from the state.`,
        );
    }
}

/** The existing k3s cluster at the edge, reached through its kubeconfig. */
export class EdgeCluster extends pulumi.ComponentResource {
    public readonly provider: k8s.Provider;

    constructor(name: string, args: EdgeClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("edge-cloud-mesh:edge:EdgeCluster", name, {}, opts);
        this.provider = new k8s.Provider(
            name,
            {
                kubeconfig: pulumi.secret(args.kubeconfig),
                context: args.kubeContext || undefined,
                // A new address or credential for the same site updates the provider; it does not
                // replace every resource in the cluster.
                clusterIdentifier: args.clusterName,
                // Neither deleteUnreachable nor upsertExistingObjects is set here: set in code, each would
                // override its environment variable for every run. Forgetting a wiped site
                // (PULUMI_K8S_DELETE_UNREACHABLE=true) and adopting live objects
                // (PULUMI_K8S_UPSERT_EXISTING_OBJECTS=true) are deliberate, one-run acts (README, Tear down).
            },
            { parent: this },
        );
        this.registerOutputs({});
    }
}
