import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { CLUSTER_DOMAIN, LINKERD_NAMESPACE, MULTICLUSTER_NAMESPACE, installExtension, linkerdChart, linkerdRelease } from "./linkerd";
import { inNamespace } from "./metadata";
import type { GatewayEndpoint } from "./multiclusterGateway";

export const REMOTE_KUBECONFIG_SECRET_TYPE = "mirror.linkerd.io/remote-kubeconfig";
/** The Link kind linkerd-multicluster serves. */
export const LINK_TYPE = { apiVersion: "multicluster.linkerd.io/v1alpha3", kind: "Link" };

/** The secret the link controller reads; its Role allows exactly this name. */
export function credentialsSecretName(target: string): string {
    return `cluster-credentials-${target}`;
}

/**
 * The source side runs one link controller, for the target, and no gateway: nothing links to the edge.
 * `podAnnotations` go to the link controller's and the local service mirror's pod templates.
 */
export function linkValues(target: string, podAnnotations: Record<string, string>) {
    return {
        createNamespaceMetadataJob: false,
        gateway: { enabled: false },
        remoteMirrorServiceAccount: false,
        controllers: [{ link: { ref: { name: target } } }],
        podAnnotations,
    };
}

/**
 * The two credential Secrets `linkerd multicluster link-gen` prints: the controller's copy in the
 * multicluster namespace, and the destination controller's labelled copy in the linkerd namespace.
 */
export function credentialsSecrets(
    target: string,
    kubeconfig: string,
): { controller: k8s.core.v1.SecretArgs; destination: k8s.core.v1.SecretArgs } {
    const common = { type: REMOTE_KUBECONFIG_SECRET_TYPE, data: { kubeconfig: Buffer.from(kubeconfig).toString("base64") } };
    return {
        // In the multicluster namespace, which the component states from its Namespace resource.
        controller: { metadata: { name: credentialsSecretName(target) }, ...common },
        destination: {
            metadata: {
                name: credentialsSecretName(target),
                namespace: LINKERD_NAMESPACE,
                labels: { "multicluster.linkerd.io/cluster-name": target },
                annotations: {
                    "multicluster.linkerd.io/trust-domain": CLUSTER_DOMAIN,
                    "multicluster.linkerd.io/cluster-domain": CLUSTER_DOMAIN,
                },
            },
            ...common,
        },
    };
}

/**
 * The Link link-gen prints, for a target reached through its gateway. `linkerd.io/created-by` is the
 * annotation link-gen sets (`linkerd/cli <release>`); `linkerd multicluster check` compares it with its
 * own version and warns "unable to determine version" without it.
 */
export function linkManifest(target: string, gateway: GatewayEndpoint, chartVersion: string) {
    return {
        metadata: {
            name: target,
            namespace: MULTICLUSTER_NAMESPACE,
            annotations: { "linkerd.io/created-by": `linkerd/cli ${linkerdRelease(chartVersion)}` },
        },
        spec: {
            targetClusterName: target,
            targetClusterDomain: CLUSTER_DOMAIN,
            targetClusterLinkerdNamespace: LINKERD_NAMESPACE,
            clusterCredentialsSecret: credentialsSecretName(target),
            gatewayAddress: gateway.address,
            gatewayPort: gateway.port,
            gatewayIdentity: gateway.identity,
            // timeout and failureThreshold are the CRD's defaults, stated so that a refresh sees no drift.
            probeSpec: {
                path: gateway.probePath,
                port: gateway.probePort,
                period: gateway.probePeriod,
                timeout: "30s",
                failureThreshold: "3",
            },
            selector: { matchLabels: { "mirror.linkerd.io/exported": "true" } },
            remoteDiscoverySelector: { matchLabels: { "mirror.linkerd.io/exported": "remote-discovery" } },
            federatedServiceSelector: { matchLabels: { "mirror.linkerd.io/federated": "member" } },
        },
    };
}

export interface MulticlusterLinkArgs {
    provider: k8s.Provider;
    /** Waits for the control plane: the link controller is meshed. */
    controlPlane: pulumi.Resource;
    linkerdVersion: string;
    /** The target (cloud) cluster's name in the mesh. */
    target: pulumi.Input<string>;
    /** The kubeconfig the cloud stack built for this site (secret). */
    kubeconfig: pulumi.Input<string>;
    gateway: pulumi.Input<GatewayEndpoint>;
    /** Annotations of every pod template of the extension: a new value restarts them. */
    podAnnotations: Record<string, pulumi.Input<string>>;
}

/**
 * The source side of the link, without the CLI: the linkerd-multicluster extension with one link
 * controller, the credentials it reads, and the Link. Services the target exports then appear here
 * as `<service>-<target>`.
 */
export class MulticlusterLink extends pulumi.ComponentResource {
    /** The linkerd-multicluster chart: the link controller and the local service mirror. */
    public readonly chart: k8s.helm.v4.Chart;

    constructor(name: string, args: MulticlusterLinkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("edge-cloud-mesh:multicluster:MulticlusterLink", name, {}, opts);
        const k8sOptions = { parent: this, provider: args.provider };
        const target = pulumi.output(args.target);

        // Installs the Link CRD and the controller for the target.
        const { namespace, chart } = installExtension(this, `${name}-multicluster`, {
            provider: args.provider,
            controlPlane: args.controlPlane,
            namespace: MULTICLUSTER_NAMESPACE,
            extension: "multicluster",
            chart: linkerdChart("linkerd-multicluster", args.linkerdVersion),
            values: pulumi.all([target, args.podAnnotations]).apply(([name, podAnnotations]) => linkValues(name, podAnnotations)),
        });
        this.chart = chart;

        const secrets = pulumi
            .all([target, args.kubeconfig])
            .apply(([name, kubeconfig]) => pulumi.output(credentialsSecrets(name, kubeconfig)));
        const controllerSecret = new k8s.core.v1.Secret(
            `${name}-credentials`,
            {
                metadata: inNamespace(secrets.controller.metadata, namespace.metadata.name),
                type: secrets.controller.type,
                data: pulumi.secret(secrets.controller.data),
            },
            k8sOptions,
        );
        const destinationSecret = new k8s.core.v1.Secret(
            `${name}-credentials-linkerd`,
            { metadata: secrets.destination.metadata, type: secrets.destination.type, data: pulumi.secret(secrets.destination.data) },
            // Its namespace, linkerd, comes with the control plane.
            { ...k8sOptions, dependsOn: [args.controlPlane] },
        );

        // The controller reads its credentials when the Link appears, so they go first.
        const link = pulumi.all([target, args.gateway]).apply(([name, gateway]) => linkManifest(name, gateway, args.linkerdVersion));
        new k8s.apiextensions.CustomResource(
            `${name}-link`,
            { ...LINK_TYPE, metadata: link.metadata, spec: link.spec },
            { ...k8sOptions, dependsOn: [chart, controllerSecret, destinationSecret] },
        );
        this.registerOutputs({});
    }
}
