import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

export interface EdgeClusterArgs {
    /** This cluster's name in the mesh; it identifies the cluster to the provider. */
    clusterName: string;
    /** The kubeconfig's contents. */
    kubeconfig: string;
    /** The kubeconfig context to use; empty for its current-context. */
    kubeContext: string;
    /** The file the kubeconfig came from, if any, for the kubectl commands this stack prints. */
    kubeconfigPath?: string;
}

/** How to run kubectl against the edge cluster with the same kubeconfig and context as the provider. */
export function edgeKubectl(args: Pick<EdgeClusterArgs, "kubeContext" | "kubeconfigPath">): string {
    return ["kubectl", args.kubeconfigPath && `--kubeconfig ${args.kubeconfigPath}`, args.kubeContext && `--context ${args.kubeContext}`]
        .filter(Boolean)
        .join(" ");
}

/** The existing k3s cluster at the edge, reached through its kubeconfig. */
export class EdgeCluster extends pulumi.ComponentResource {
    public readonly provider: k8s.Provider;
    public readonly kubectl: string;

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
            },
            { parent: this },
        );
        this.kubectl = edgeKubectl(args);
        this.registerOutputs({});
    }
}
