// The commands the stacks print in their outputs, built in one place from what each stack knows: how
// kubectl reaches its cluster, and what the program deployed where.
import { DEMO_NAMESPACE, FRONTEND, FRONTEND_PORT } from "./components/demoWorkloads";
import type { AwsIdentity } from "./components/eksCluster";
import { VIZ_NAMESPACE } from "./components/linkerd";
import type { TrafficSplitApi } from "./components/trafficSplit";

/**
 * How kubectl on the operator's machine reaches a stack's cluster: the kubeconfig file (absent: kubectl's
 * default, which `kubeconfigCommand` writes the EKS cluster into) and the context (absent: the file's
 * current context). Every command a stack prints begins with it, and the operator commands (npm run
 * verify, npm run failover) read it from the `kubeAccess` output.
 */
export interface KubeAccess {
    kubeconfig?: string;
    context?: string;
}

/** The EKS cloud cluster, through the context `kubeconfigCommand` writes (named after the mesh name). */
export function eksKubeAccess(clusterName: string): KubeAccess {
    return { context: clusterName };
}

/**
 * Where a cluster's kubeconfig is kept when the stack has it inline (a secret): the path
 * Pulumi.edge.yaml gives the site `edge`, and the one the workflows write each site's kubeconfig to.
 */
export function edgeKubeconfigFile(clusterName: string): string {
    return `~/.kube/k3s-${clusterName}.yaml`;
}

/**
 * A cluster reached through a kubeconfig (the edge, or the cloud with `cluster: kubeconfig`), with the
 * same kubeconfig and context as the stack's provider. The kubeconfig is always named: it is a file of
 * its own, and `aws eks update-kubeconfig` makes the EKS cluster the current context of the default one.
 */
export function kubeconfigAccess(args: { clusterName: string; kubeconfigPath?: string; kubeContext: string }): KubeAccess {
    const kubeconfig = args.kubeconfigPath ?? edgeKubeconfigFile(args.clusterName);
    return args.kubeContext ? { kubeconfig, context: args.kubeContext } : { kubeconfig };
}

/** `--kubeconfig <file> --context <context>`, as far as the access gives them. */
function kubeFlags(access: KubeAccess): string[] {
    return [
        ...(access.kubeconfig ? [`--kubeconfig ${access.kubeconfig}`] : []),
        ...(access.context ? [`--context ${access.context}`] : []),
    ];
}

/** kubectl with the access's flags, e.g. `kubectl --kubeconfig ~/.kube/k3s-edge.yaml --context lab` or `kubectl --context cloud`. */
export function kubectlCommand(access: KubeAccess): string {
    return ["kubectl", ...kubeFlags(access)].join(" ");
}

/**
 * Writes the cloud cluster's kubeconfig entry under the mesh name, authenticating as the AWS provider
 * does (`--profile`, `--role-arn`), in the region the provider deploys to.
 */
export function kubeconfigCommand(args: { region: string; eksClusterName: string; clusterName: string; awsIdentity: AwsIdentity }): string {
    const identityFlags = [
        ...(args.awsIdentity.profile ? [` --profile ${args.awsIdentity.profile}`] : []),
        ...(args.awsIdentity.roleArn ? [` --role-arn ${args.awsIdentity.roleArn}`] : []),
    ].join("");
    return `aws eks update-kubeconfig --region ${args.region} --name ${args.eksClusterName} --alias ${args.clusterName}${identityFlags}`;
}

/** Opens the viz dashboard without the linkerd CLI, as `linkerd viz dashboard` does. */
export function vizDashboardCommand(kubectl: string): string {
    return `${kubectl} -n ${VIZ_NAMESPACE} port-forward deploy/web 50750:8084  # then open http://localhost:50750`;
}

/** Opens the demo's frontend on localhost, with a path per remote cluster it mirrors podinfo from. */
export function frontendCommand(kubectl: string, remoteClusters: string[]): string {
    const paths = ["/", ...remoteClusters.map((cluster) => `/${cluster}/`)].map((path) => `http://localhost:${FRONTEND_PORT}${path}`);
    return `${kubectl} -n ${DEMO_NAMESPACE} port-forward svc/${FRONTEND} ${FRONTEND_PORT}:${FRONTEND_PORT}  # then open ${paths.join(" and ")}`;
}

/**
 * Shows live how `client`'s requests in `namespace` are shared between the split's backends: per
 * backend for an HTTPRoute (`stat-outbound`); per destination service for a TrafficSplit, whose
 * ServiceProfile the route metrics behind `stat-outbound` do not cover. `linkerd viz stat ts` no
 * longer exists.
 */
export function watchSplitCommand(args: { access: KubeAccess; api: TrafficSplitApi; namespace: string; client: string }): string {
    // kubectl's --kubeconfig/--context, after the subcommand: `linkerd viz` has its own flags of those names.
    const flags = kubeFlags(args.access).join(" ");
    const stat =
        args.api === "httproute"
            ? `viz stat-outbound deploy/${args.client} -n ${args.namespace}`
            : `viz stat svc -n ${args.namespace} --from deploy/${args.client}`;
    // A loop rather than `watch`, which macOS does not have.
    return `while true; do clear; linkerd ${stat} ${flags}; sleep 2; done`;
}

/** Tears the mesh down: the edge stacks first (they read the cloud stack), then the cloud stack. */
export function destroyOrder(edgeStacks: string[], cloudStack: string): string[] {
    return [...edgeStacks, cloudStack].map((stack) => `pulumi destroy --stack ${stack}`);
}
