// Pure helpers for kubeconfig documents: reading the cluster a context points at, and writing the
// token-only kubeconfig that a remote controller can use.
import { stringify } from "yaml";
import { Kubeconfig } from "../policy/rules";

// The parser lives with the policy pack, which checks link kubeconfigs too.
export { parseKubeconfig } from "../policy/rules";
export type { Kubeconfig } from "../policy/rules";

/** Where a kubeconfig context points: the API server and the CA that signs its certificate. */
export interface ClusterEndpoint {
    server: string;
    /** Base64 PEM bundle, as in `certificate-authority-data`. */
    certificateAuthorityData: string;
}

/** The context to use: the named one, else current-context; throws naming what is missing. */
export function selectContext(kubeconfig: Kubeconfig, contextName?: string): { cluster: string; user: string } {
    const name = contextName || kubeconfig["current-context"];
    const contexts = kubeconfig.contexts ?? [];
    const known = contexts.map((entry) => JSON.stringify(entry.name)).join(", ") || "none";
    if (!name) throw new Error(`it sets no current-context and no context was named (contexts: ${known})`);
    const context = contexts.find((entry) => entry.name === name)?.context as { cluster?: string; user?: string } | undefined;
    if (context?.cluster === undefined || context.user === undefined) {
        throw new Error(`it has no complete context ${JSON.stringify(name)} (contexts: ${known})`);
    }
    return { cluster: context.cluster, user: context.user };
}

/** The API server and CA data of the cluster a context points at. */
export function clusterEndpoint(kubeconfig: Kubeconfig, contextName?: string): ClusterEndpoint {
    const { cluster: clusterName } = selectContext(kubeconfig, contextName);
    const cluster = (kubeconfig.clusters ?? []).find((entry) => entry.name === clusterName)?.cluster as
        { server?: string; "certificate-authority-data"?: string } | undefined;
    if (cluster?.server === undefined) throw new Error(`its cluster ${JSON.stringify(clusterName)} has no server`);
    return { server: cluster.server, certificateAuthorityData: cluster["certificate-authority-data"] ?? "" };
}

export interface TokenKubeconfigArgs {
    /** Names the cluster and the context, as link-gen keeps the target's context name. */
    clusterName: string;
    server: string;
    certificateAuthorityData: string;
    /** Names the user: the service account whose token it is. */
    serviceAccount: string;
    token: string;
}

/**
 * The kubeconfig `linkerd multicluster link-gen` writes for a remote controller: one cluster with its
 * CA inline, one context, and one user whose only credential is a service-account token. Never an
 * `exec` plugin: the controller image has no `aws` binary.
 */
export function tokenKubeconfig(args: TokenKubeconfigArgs): string {
    return stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [
            { name: args.clusterName, cluster: { server: args.server, "certificate-authority-data": args.certificateAuthorityData } },
        ],
        contexts: [{ name: args.clusterName, context: { cluster: args.clusterName, user: args.serviceAccount } }],
        "current-context": args.clusterName,
        preferences: {},
        users: [{ name: args.serviceAccount, user: { token: args.token } }],
    });
}
