import { createHash } from "node:crypto";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { LINKERD_NAMESPACE, VIZ_NAMESPACE, installExtension, linkerdChart } from "./linkerd";
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

export interface ControlPlaneValuesArgs {
    trustAnchorPem: string;
    issuerCertPem: string;
    issuerKeyPem: string;
    webhooks: Record<keyof typeof CONTROL_PLANE_WEBHOOK_HOSTS, WebhookCertValues>;
    heartbeatSchedule: string;
}

export function controlPlaneValues(args: ControlPlaneValuesArgs) {
    return {
        identityTrustAnchorsPEM: args.trustAnchorPem,
        identity: { issuer: { scheme: "linkerd.io/tls", tls: { crtPEM: args.issuerCertPem, keyPEM: args.issuerKeyPem } } },
        ...args.webhooks,
        heartbeatSchedule: args.heartbeatSchedule,
    };
}

export function vizValues(webhooks: Record<keyof typeof VIZ_WEBHOOK_HOSTS, WebhookCertValues>) {
    return { createNamespaceMetadataJob: false, ...webhooks };
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
    /** The mesh's trust anchor (PEM, may be a bundle). */
    trustAnchorPem: pulumi.Input<string>;
    /** This cluster's own identity issuer, signed by the anchor. */
    issuerCertPem: pulumi.Input<string>;
    issuerKeyPem: pulumi.Input<string>;
    gatewayApiCrds: GatewayApiCrds;
    viz: boolean;
}

/**
 * Linkerd on one cluster, from the official charts, in the order `linkerd install` uses: the
 * namespace, the CRDs (with the Gateway API CRDs when the cluster has none), the control plane, then
 * the viz extension.
 */
export class LinkerdInstall extends pulumi.ComponentResource {
    /** Everything meshed waits for this: the proxy injector must be up before a meshed pod starts. */
    public readonly controlPlane: k8s.helm.v4.Chart;

    constructor(name: string, args: LinkerdInstallArgs, opts?: pulumi.ComponentResourceOptions) {
        super("edge-cloud-mesh:linkerd:LinkerdInstall", name, {}, opts);
        const k8sOptions = { parent: this, provider: args.provider };

        const namespace = new k8s.core.v1.Namespace(`${name}-linkerd`, { metadata: controlPlaneNamespaceMetadata() }, k8sOptions);
        const crds = new k8s.helm.v4.Chart(
            `${name}-crds`,
            {
                ...linkerdChart("linkerd-crds", args.linkerdVersion),
                namespace: namespace.metadata.name,
                values: crdsValues(args.gatewayApiCrds),
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
        this.controlPlane = new k8s.helm.v4.Chart(
            `${name}-control-plane`,
            {
                ...linkerdChart("linkerd-control-plane", args.linkerdVersion),
                namespace: namespace.metadata.name,
                values: pulumi
                    .all([
                        args.trustAnchorPem,
                        args.issuerCertPem,
                        args.issuerKeyPem,
                        certs.proxyInjector,
                        certs.profileValidator,
                        certs.policyValidator,
                    ])
                    .apply(([trustAnchorPem, issuerCertPem, issuerKeyPem, proxyInjector, profileValidator, policyValidator]) =>
                        controlPlaneValues({
                            trustAnchorPem,
                            issuerCertPem,
                            issuerKeyPem,
                            webhooks: { proxyInjector, profileValidator, policyValidator },
                            heartbeatSchedule: schedule,
                        }),
                    ),
            },
            { ...k8sOptions, dependsOn: [crds] },
        );

        if (args.viz) {
            installExtension(this, `${name}-viz`, {
                provider: args.provider,
                controlPlane: this.controlPlane,
                namespace: VIZ_NAMESPACE,
                extension: "viz",
                chart: linkerdChart("linkerd-viz", args.linkerdVersion),
                values: pulumi.all([certs.tap, certs.tapInjector]).apply(([tap, tapInjector]) => vizValues({ tap, tapInjector })),
            });
        }
        this.registerOutputs({});
    }
}
