import { createHash } from "node:crypto";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { LINKERD_NAMESPACE, VIZ_NAMESPACE, installExtension, linkerdChart, linkerdRelease } from "./linkerd";
import { inNamespace } from "./metadata";
import { WebhookCertificates, WebhookCertValues } from "./webhookCertificates";

/** `install`: linkerd-crds installs the Gateway API CRDs; `existing`: the cluster already has them. */
export type GatewayApiCrds = "install" | "existing";

/** The host each webhook server is dialled at: `<service>.<namespace>.svc`, by chart values key. */
export const CONTROL_PLANE_WEBHOOK_HOSTS = {
    proxyInjector: `linkerd-proxy-injector.${LINKERD_NAMESPACE}.svc`,
    profileValidator: `linkerd-sp-validator.${LINKERD_NAMESPACE}.svc`,
    policyValidator: `linkerd-policy-validator.${LINKERD_NAMESPACE}.svc`,
};
export const VIZ_WEBHOOK_HOSTS = {
    tap: `tap.${VIZ_NAMESPACE}.svc`,
    tapInjector: `tap-injector.${VIZ_NAMESPACE}.svc`,
};

/** What `linkerd install` puts on its namespace (charts only template it for the CLI). */
export function controlPlaneNamespaceMetadata(): k8s.types.input.meta.v1.ObjectMeta {
    return {
        name: LINKERD_NAMESPACE,
        annotations: { "linkerd.io/inject": "disabled" },
        labels: {
            "linkerd.io/is-control-plane": "true",
            "config.linkerd.io/admission-webhooks": "disabled",
            "linkerd.io/control-plane-ns": LINKERD_NAMESPACE,
            "pod-security.kubernetes.io/enforce": "privileged",
        },
    };
}

export function crdsValues(gatewayApiCrds: GatewayApiCrds) {
    return { installGatewayAPI: gatewayApiCrds === "install" };
}

/** Where the identity controller, the proxy injector and the control plane's proxies read the trust bundle. */
export const TRUST_ROOTS_CONFIG_MAP = "linkerd-identity-trust-roots";

/**
 * The trust-roots ConfigMap as the control-plane chart (identity.yaml) renders it without
 * `identity.externalCA`: the bundle trimmed, the chart's labels and its created-by annotation.
 */
export function trustRootsConfigMap(trustBundlePem: pulumi.Input<string>, chartVersion: string): k8s.core.v1.ConfigMapArgs {
    return {
        metadata: {
            name: TRUST_ROOTS_CONFIG_MAP,
            labels: { "linkerd.io/control-plane-component": "identity", "linkerd.io/control-plane-ns": LINKERD_NAMESPACE },
            annotations: { "linkerd.io/created-by": `linkerd/helm ${linkerdRelease(chartVersion)}` },
        },
        data: { "ca-bundle.crt": pulumi.output(trustBundlePem).apply((pem) => pem.trim()) },
    };
}

export interface ControlPlaneValuesArgs {
    trustBundlePem: string;
    issuerCertPem: string;
    issuerKeyPem: string;
    webhooks: Record<keyof typeof CONTROL_PLANE_WEBHOOK_HOSTS, WebhookCertValues>;
    heartbeatSchedule: string;
    podAnnotations: Record<string, string>;
}

export function controlPlaneValues(args: ControlPlaneValuesArgs) {
    return {
        // Still given with externalCA: linkerd-config (read by `linkerd check` and `linkerd multicluster
        // check`) and the pods' linkerd.io/trust-root-sha256 come from it.
        identityTrustAnchorsPEM: args.trustBundlePem,
        identity: {
            // The program declares the trust-roots ConfigMap itself, so that it holds the new bundle before any pod restarts.
            externalCA: true,
            issuer: { scheme: "linkerd.io/tls", tls: { crtPEM: args.issuerCertPem, keyPEM: args.issuerKeyPem } },
        },
        ...args.webhooks,
        heartbeatSchedule: args.heartbeatSchedule,
        // Merged into the identity, destination and proxy-injector pod templates (and the heartbeat's).
        podAnnotations: args.podAnnotations,
    };
}

export function vizValues(webhooks: Record<keyof typeof VIZ_WEBHOOK_HOSTS, WebhookCertValues>, podAnnotations: Record<string, string>) {
    // Not declared in linkerd-viz's values.yaml, but read by every viz pod template.
    return { createNamespaceMetadataJob: false, ...webhooks, podAnnotations };
}

/**
 * The heartbeat CronJob's schedule, pinned (the chart would derive it from the render time): a daily
 * minute and hour taken from the cluster's name, so that clusters do not all report at once.
 */
export function heartbeatSchedule(clusterName: string): string {
    const digest = createHash("sha256").update(clusterName).digest();
    return `${digest[0] % 60} ${digest[1] % 24} * * *`;
}

export interface LinkerdInstallArgs {
    provider: k8s.Provider;
    /** This cluster's name in the mesh. */
    clusterName: string;
    /** Version of the Linkerd edge charts, YYYY.M.N. */
    linkerdVersion: string;
    /** The mesh's trust anchors, one or more PEM certificates. */
    trustBundlePem: pulumi.Input<string>;
    /** This cluster's own identity issuer, signed by an anchor of the bundle. */
    issuerCertPem: pulumi.Input<string>;
    issuerKeyPem: pulumi.Input<string>;
    gatewayApiCrds: pulumi.Input<GatewayApiCrds>;
    viz: boolean;
    /** Annotations of every control-plane and viz pod template: a new value restarts them. */
    podAnnotations: Record<string, pulumi.Input<string>>;
}

/**
 * Linkerd on one cluster, from the official charts, in the order `linkerd install` uses: the
 * namespace, the CRDs (with the Gateway API CRDs when the cluster has none), the control plane, then
 * the viz extension. The trust-roots ConfigMap goes before the control plane, which would otherwise
 * apply it alongside its Deployments: a pod restarted by a new bundle could start with the old one.
 */
export class LinkerdInstall extends pulumi.ComponentResource {
    /** Everything meshed waits for this: the proxy injector must be up before a meshed pod starts. */
    public readonly controlPlane: k8s.helm.v4.Chart;
    /** The extensions' charts (viz): restarted after the control plane, before the workloads. */
    public readonly extensions: k8s.helm.v4.Chart[];

    constructor(name: string, args: LinkerdInstallArgs, opts?: pulumi.ComponentResourceOptions) {
        super("edge-cloud-mesh:linkerd:LinkerdInstall", name, {}, opts);
        const k8sOptions = { parent: this, provider: args.provider };

        const namespace = new k8s.core.v1.Namespace(`${name}-linkerd`, { metadata: controlPlaneNamespaceMetadata() }, k8sOptions);
        const crds = new k8s.helm.v4.Chart(
            `${name}-crds`,
            {
                ...linkerdChart("linkerd-crds", args.linkerdVersion),
                namespace: namespace.metadata.name,
                values: pulumi.output(args.gatewayApiCrds).apply(crdsValues),
            },
            k8sOptions,
        );

        const webhookCerts = new WebhookCertificates(
            `${name}-webhooks`,
            { hosts: { ...CONTROL_PLANE_WEBHOOK_HOSTS, ...(args.viz ? VIZ_WEBHOOK_HOSTS : {}) } },
            { parent: this },
        );
        const certs = webhookCerts.values;
        const schedule = heartbeatSchedule(args.clusterName);
        const podAnnotations = pulumi.output(args.podAnnotations);
        const controlPlaneName = `${name}-control-plane`;

        const trustRootsArgs = trustRootsConfigMap(args.trustBundlePem, args.linkerdVersion);
        const trustRoots = new k8s.core.v1.ConfigMap(
            `${name}-trust-roots`,
            { ...trustRootsArgs, metadata: inNamespace(trustRootsArgs.metadata, namespace.metadata.name) },
            {
                ...k8sOptions,
                // Earlier versions let the chart render it: the alias adopts it as it is rather than deleting it under
                // running pods. A new bundle still replaces it (delete, then create: the provider treats a ConfigMap's
                // data as immutable), before the chart restarts anything that reads it.
                aliases: [
                    {
                        name: `${controlPlaneName}:${LINKERD_NAMESPACE}/${TRUST_ROOTS_CONFIG_MAP}`,
                        parent: pulumi.createUrn(controlPlaneName, "kubernetes:helm.sh/v4:Chart", this),
                    },
                ],
            },
        );
        this.controlPlane = new k8s.helm.v4.Chart(
            controlPlaneName,
            {
                ...linkerdChart("linkerd-control-plane", args.linkerdVersion),
                namespace: namespace.metadata.name,
                values: pulumi
                    .all([
                        args.trustBundlePem,
                        args.issuerCertPem,
                        args.issuerKeyPem,
                        certs.proxyInjector,
                        certs.profileValidator,
                        certs.policyValidator,
                        podAnnotations,
                    ])
                    .apply(([trustBundlePem, issuerCertPem, issuerKeyPem, proxyInjector, profileValidator, policyValidator, annotations]) =>
                        controlPlaneValues({
                            trustBundlePem,
                            issuerCertPem,
                            issuerKeyPem,
                            webhooks: { proxyInjector, profileValidator, policyValidator },
                            heartbeatSchedule: schedule,
                            podAnnotations: annotations,
                        }),
                    ),
            },
            // A chart's objects are declared only once the resources it depends on are in place.
            { ...k8sOptions, dependsOn: [crds, trustRoots] },
        );

        this.extensions = [];
        if (args.viz) {
            const viz = installExtension(this, `${name}-viz`, {
                provider: args.provider,
                controlPlane: this.controlPlane,
                namespace: VIZ_NAMESPACE,
                extension: "viz",
                chart: linkerdChart("linkerd-viz", args.linkerdVersion),
                values: pulumi
                    .all([certs.tap, certs.tapInjector, podAnnotations])
                    .apply(([tap, tapInjector, annotations]) => vizValues({ tap, tapInjector }, annotations)),
            });
            this.extensions.push(viz.chart);
        }
        this.registerOutputs({});
    }
}
