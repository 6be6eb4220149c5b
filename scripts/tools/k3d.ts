// The k3d commands the local environment runs, and what it reads from their output (k3d v5.9.0).

/** The kubeconfig context k3d names after a cluster. */
export function k3dContext(cluster: string): string {
    return `k3d-${cluster}`;
}

/** The cluster's server container, by its name on the Docker network. */
export function k3dServer(cluster: string): string {
    return `k3d-${cluster}-server-0`;
}

/**
 * `k3d cluster create`: the API is published on loopback only, on a free port (the kubeconfig this
 * machine uses); the server's certificate names its container, the address the other cluster's pods
 * use (k3s adds the node name itself; stated here so it does not depend on that); the kubeconfig is
 * not merged into ~/.kube/config.
 */
export function k3dCreateArgs(cluster: string, on: { k3sImage: string; network: string }): string[] {
    return [
        "k3d",
        "cluster",
        "create",
        cluster,
        "--image",
        on.k3sImage,
        "--network",
        on.network,
        "--api-port",
        "127.0.0.1:random",
        "--k3s-arg",
        `--tls-san=${k3dServer(cluster)}@server:0`,
        "--kubeconfig-update-default=false",
        "--wait",
    ];
}

export const K3D_LIST_ARGS = ["k3d", "cluster", "list", "--output", "json"];

export function k3dKubeconfigArgs(cluster: string): string[] {
    return ["k3d", "kubeconfig", "get", cluster];
}

/** Deletes the clusters, in the order given; a cluster that is not there is skipped (k3d logs "No nodes found", and exits 0). */
export function k3dDeleteArgs(clusters: string[]): string[] {
    return ["k3d", "cluster", "delete", ...clusters];
}

/** Starts a cluster's stopped nodes and waits for its server (`cluster start` waits by default). */
export function k3dStartArgs(cluster: string): string[] {
    return ["k3d", "cluster", "start", cluster];
}

export interface K3dCluster {
    name: string;
    /** Every server node runs (cmd/cluster/clusterList.go: serversRunning of serversCount); false for a stopped or half-created cluster. */
    running: boolean;
}

/** The clusters in `k3d cluster list --output json`. */
export function k3dClusters(json: string): K3dCluster[] {
    const clusters = JSON.parse(json) as { name?: string; serversRunning?: number; serversCount?: number }[];
    return clusters
        .filter((cluster) => cluster.name)
        .map((cluster) => ({
            name: cluster.name!,
            running: (cluster.serversCount ?? 0) > 0 && cluster.serversRunning === cluster.serversCount,
        }));
}
