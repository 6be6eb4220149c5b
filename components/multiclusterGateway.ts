import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { tokenKubeconfig } from "./kubeconfig";
import { inNamespace } from "./metadata";
import { CLUSTER_DOMAIN, LINKERD_NAMESPACE, MULTICLUSTER_NAMESPACE, installExtension, linkerdChart } from "./linkerd";

/** How an edge site reaches the cloud's multicluster gateway: the Link's gateway and probe fields. */
export interface GatewayEndpoint {
    /** The load balancer's addresses as link-gen takes them: each ingress IP, else hostname, comma-joined. */
    address: string;
    port: string;
    identity: string;
    probePath: string;
    probePort: string;
    probePeriod: string;
}

export const GATEWAY_SERVICE = "linkerd-gateway";
export const GATEWAY_PORT = 4143;
export const GATEWAY_PROBE = { path: "/ready", port: 4191, periodSeconds: 3 };
/** The gateway's mTLS identity: `<gateway>.<namespace>.serviceaccount.identity.<linkerd namespace>.<trust domain>`. */
export const GATEWAY_IDENTITY = `${GATEWAY_SERVICE}.${MULTICLUSTER_NAMESPACE}.serviceaccount.identity.${LINKERD_NAMESPACE}.${CLUSTER_DOMAIN}`;

/** An internet-facing AWS Network Load Balancer (the EKS cloud controller, or the AWS Load Balancer Controller). */
export const NLB_SERVICE_ANNOTATIONS = {
    "service.beta.kubernetes.io/aws-load-balancer-type": "nlb",
    "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing",
};

/** The remote-access service account of one edge site: its credential, revocable alone. */
export function remoteAccessServiceAccount(site: string): string {
    return `linkerd-service-mirror-remote-access-${site}`;
}

/** Pins a load balancer to these subnets; without it the controller picks any public subnet per zone of the VPC. */
export const NLB_SUBNETS_ANNOTATION = "service.beta.kubernetes.io/aws-load-balancer-subnets";

/**
 * What gives the gateway Service its address: an internet-facing AWS NLB (EKS), pinned to `subnetIds`
 * when given (empty lets the controller discover them); or the cluster's own load balancer (k3s's
 * ServiceLB, MetalLB, another cloud's), with no annotations.
 */
export type GatewayLoadBalancer = { kind: "aws-nlb"; subnetIds: string[] } | { kind: "cluster" };

/** The gateway Service's annotations for its load balancer. */
export function gatewayServiceAnnotations(loadBalancer: GatewayLoadBalancer): Record<string, string> {
    if (loadBalancer.kind === "cluster") return {};
    const subnets: Record<string, string> =
        loadBalancer.subnetIds.length > 0 ? { [NLB_SUBNETS_ANNOTATION]: loadBalancer.subnetIds.join(",") } : {};
    return { ...NLB_SERVICE_ANNOTATIONS, ...subnets };
}

export function gatewayValues(args: { sourceCidrs: string[]; loadBalancer: GatewayLoadBalancer; podAnnotations: Record<string, string> }) {
    return {
        createNamespaceMetadataJob: false,
        gateway: {
            enabled: true,
            serviceType: "LoadBalancer",
            serviceAnnotations: gatewayServiceAnnotations(args.loadBalancer),
            loadBalancerSourceRanges: args.sourceCidrs,
            // Despite its name, the gateway's pod-template annotations: the gateway ignores podAnnotations.
            deploymentAnnotations: args.podAnnotations,
        },
        // The local service mirror's (and any link controller's) pod templates.
        podAnnotations: args.podAnnotations,
        // The chart's remote-access accounts each come with a second token Secret, `<account>-token`,
        // created alongside the account rather than after it (Kubernetes' token controller deletes a
        // token Secret whose account does not exist yet): the accounts are declared here instead (remoteAccess).
        remoteMirrorServiceAccount: false,
    };
}

/**
 * What the linkerd-multicluster chart (2026.8.3, remote-access-service-mirror-rbac.yaml) grants a
 * linking cluster's service mirror and destination controller: read Services, Endpoints(Slices),
 * Pods and Servers, Linkerd's config, and write Events. Bound cluster-wide, per site.
 */
export const REMOTE_ACCESS_RULES = [
    { apiGroups: ["apps"], resources: ["replicasets"], verbs: ["list", "get", "watch"] },
    { apiGroups: ["batch"], resources: ["jobs"], verbs: ["list", "get", "watch"] },
    { apiGroups: [""], resources: ["pods", "endpoints", "services"], verbs: ["list", "get", "watch"] },
    { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: ["list", "get", "watch"] },
    { apiGroups: ["policy.linkerd.io"], resources: ["servers"], verbs: ["list", "get", "watch"] },
    { apiGroups: [""], resources: ["configmaps"], verbs: ["get"], resourceNames: ["linkerd-config"] },
    { apiGroups: [""], resources: ["events"], verbs: ["create", "patch"] },
];

/**
 * One edge site's credential on the cloud cluster: a service account, its cluster role and binding,
 * and the one token Secret it has. Deleting them revokes that site alone. The account and its token
 * live in the multicluster namespace, which the component states from its Namespace resource.
 */
export function remoteAccess(site: string): {
    serviceAccount: k8s.core.v1.ServiceAccountArgs;
    clusterRole: k8s.rbac.v1.ClusterRoleArgs;
    clusterRoleBinding: k8s.rbac.v1.ClusterRoleBindingArgs;
    tokenSecret: k8s.core.v1.SecretArgs;
} {
    const name = remoteAccessServiceAccount(site);
    const labels = { "linkerd.io/extension": "multicluster" };
    return {
        serviceAccount: { metadata: { name, labels } },
        clusterRole: { metadata: { name, labels }, rules: REMOTE_ACCESS_RULES },
        clusterRoleBinding: {
            metadata: { name, labels },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name },
            subjects: [{ kind: "ServiceAccount", name, namespace: MULTICLUSTER_NAMESPACE }],
        },
        tokenSecret: {
            metadata: {
                name: `${name}-link-token`,
                labels,
                // Pulumi finishes creating it only once Kubernetes has filled in the token.
                annotations: { "kubernetes.io/service-account.name": name, "pulumi.com/waitFor": "jsonpath={.data.token}" },
            },
            type: "kubernetes.io/service-account-token",
        },
    };
}

export interface LoadBalancerIngress {
    ip?: string;
    hostname?: string;
}

/** Whether a URN names the gateway Service among the objects the chart renders. */
export function isGatewayServiceUrn(urn: string | undefined): boolean {
    if (urn === undefined) return false;
    const [, , qualifiedType = "", name = ""] = urn.split("::");
    return qualifiedType.split("$").pop() === "kubernetes:core/v1:Service" && name.endsWith(`${MULTICLUSTER_NAMESPACE}/${GATEWAY_SERVICE}`);
}

/** Who gives the gateway its address, for the message when it has none. */
const ADDRESS_SOURCES: Record<GatewayLoadBalancer["kind"], string> = {
    "aws-nlb": "AWS created its NLB",
    cluster: "the cluster has a load balancer implementation (k3s ServiceLB, MetalLB, its cloud's) that gave it an address",
};

/** As link-gen: each ingress entry's IP, else its hostname, comma-joined. None is an error. */
export function gatewayAddress(ingress: LoadBalancerIngress[] | undefined, loadBalancer: GatewayLoadBalancer["kind"] = "aws-nlb"): string {
    const addresses = (ingress ?? []).map((entry) => entry.ip || entry.hostname).filter((address): address is string => Boolean(address));
    if (addresses.length === 0) {
        throw new Error(
            `the Service ${MULTICLUSTER_NAMESPACE}/${GATEWAY_SERVICE} has no load balancer address (status.loadBalancer.ingress is empty): ` +
                `check that ${ADDRESS_SOURCES[loadBalancer]} (kubectl -n ${MULTICLUSTER_NAMESPACE} describe service ${GATEWAY_SERVICE}), then run pulumi up again`,
        );
    }
    return addresses.join(",");
}

export interface MulticlusterGatewayArgs {
    provider: k8s.Provider;
    /** Waits for the control plane: the extension is meshed. */
    controlPlane: pulumi.Resource;
    linkerdVersion: string;
    /** The cloud cluster's name in the mesh: names the cluster and context in each link kubeconfig. */
    clusterName: string;
    /** Where edge sites reach this cluster's API server: the server of their link kubeconfigs. */
    apiEndpoint: pulumi.Input<string>;
    certificateAuthorityData: pulumi.Input<string>;
    /** The edge sites that link to this cluster; each gets its own service account and token. */
    sites: string[];
    /** Who may reach the gateway's load balancer. */
    sourceCidrs: string[];
    loadBalancer: GatewayLoadBalancer;
    /** Annotations of every pod template of the extension, the gateway's included: a new value restarts them. */
    podAnnotations: Record<string, pulumi.Input<string>>;
}

/**
 * The target side of the multicluster link: the linkerd-multicluster extension with its gateway
 * behind a load balancer (an internet-facing NLB on EKS), and one remote-access service account per
 * edge site. It reads back what Kubernetes fills in after creation (the load balancer's address, each
 * token) and turns them into what an edge site needs to link.
 */
export class MulticlusterGateway extends pulumi.ComponentResource {
    /** The linkerd-multicluster chart: the gateway and the local service mirror. */
    public readonly chart: k8s.helm.v4.Chart;
    public readonly endpoint: pulumi.Output<GatewayEndpoint>;
    /** Per site, the kubeconfig its link controller uses (secret). */
    public readonly linkKubeconfigs: Record<string, pulumi.Output<string>>;

    constructor(name: string, args: MulticlusterGatewayArgs, opts?: pulumi.ComponentResourceOptions) {
        super("edge-cloud-mesh:multicluster:MulticlusterGateway", name, {}, opts);
        const k8sOptions = { parent: this, provider: args.provider };

        const { namespace, chart } = installExtension(this, `${name}-multicluster`, {
            provider: args.provider,
            controlPlane: args.controlPlane,
            namespace: MULTICLUSTER_NAMESPACE,
            extension: "multicluster",
            chart: linkerdChart("linkerd-multicluster", args.linkerdVersion),
            values: pulumi
                .output(args.podAnnotations)
                .apply((podAnnotations) =>
                    gatewayValues({ sourceCidrs: args.sourceCidrs, loadBalancer: args.loadBalancer, podAnnotations }),
                ),
        });
        this.chart = chart;

        // The gateway Service as the chart manages it. Pulumi finishes creating a LoadBalancer Service
        // only once its load balancer gave it an address, so its status has the address after `up`. In a preview that
        // creates or replaces it, its id is unknown and its status (a dry run's) has no address: the
        // address is then unknown too. Objects of kinds the SDK has no class for (Linkerd's policy
        // resources) come back as their plain ids: they are not the Service.
        const gatewayStatus = chart.resources.apply((resources: unknown[]) => {
            const objects = resources.filter((resource): resource is pulumi.CustomResource => pulumi.CustomResource.isInstance(resource));
            return pulumi.all(objects.map((resource) => resource.urn)).apply((urns) => {
                const gateway = objects[urns.findIndex(isGatewayServiceUrn)] as k8s.core.v1.Service | undefined;
                if (gateway === undefined) {
                    throw new Error(`the linkerd-multicluster chart rendered no Service ${MULTICLUSTER_NAMESPACE}/${GATEWAY_SERVICE}`);
                }
                return pulumi.all([gateway.id, gateway.status]).apply(([, status]) => status);
            });
        });
        this.endpoint = gatewayStatus.apply((status) => ({
            address: gatewayAddress(status?.loadBalancer?.ingress, args.loadBalancer.kind),
            port: String(GATEWAY_PORT),
            identity: GATEWAY_IDENTITY,
            probePath: GATEWAY_PROBE.path,
            probePort: String(GATEWAY_PROBE.port),
            probePeriod: `${GATEWAY_PROBE.periodSeconds}s`,
        }));

        this.linkKubeconfigs = Object.fromEntries(
            args.sites.map((site) => {
                const serviceAccount = remoteAccessServiceAccount(site);
                const access = remoteAccess(site);
                // Earlier versions let the chart render these three: the aliases adopt them in place. Deleting
                // and re-creating the account would make Kubernetes delete its token, cutting the site off.
                const fromChart = (objectName: string) => ({ aliases: [{ name: `${name}-multicluster:${objectName}`, parent: chart }] });
                const account = new k8s.core.v1.ServiceAccount(
                    `${name}-remote-access-${site}`,
                    { ...access.serviceAccount, metadata: inNamespace(access.serviceAccount.metadata, namespace.metadata.name) },
                    { ...k8sOptions, ...fromChart(`${MULTICLUSTER_NAMESPACE}/${serviceAccount}`) },
                );
                const role = new k8s.rbac.v1.ClusterRole(`${name}-remote-access-${site}`, access.clusterRole, {
                    ...k8sOptions,
                    ...fromChart(serviceAccount),
                });
                new k8s.rbac.v1.ClusterRoleBinding(`${name}-remote-access-${site}`, access.clusterRoleBinding, {
                    ...k8sOptions,
                    dependsOn: [account, role],
                    ...fromChart(serviceAccount),
                });
                const tokenSecret = new k8s.core.v1.Secret(
                    `${name}-token-${site}`,
                    { ...access.tokenSecret, metadata: inNamespace(access.tokenSecret.metadata, namespace.metadata.name) },
                    // The token controller deletes a token Secret whose account does not exist yet.
                    { ...k8sOptions, dependsOn: [account] },
                );
                const kubeconfig = pulumi
                    .all([args.apiEndpoint, args.certificateAuthorityData, tokenSecret.data])
                    .apply(([server, certificateAuthorityData, data]) =>
                        tokenKubeconfig({
                            clusterName: args.clusterName,
                            server,
                            certificateAuthorityData,
                            serviceAccount,
                            token: Buffer.from(data.token, "base64").toString("utf8"),
                        }),
                    );
                return [site, pulumi.secret(kubeconfig)];
            }),
        );
        this.registerOutputs({ endpoint: this.endpoint });
    }
}
