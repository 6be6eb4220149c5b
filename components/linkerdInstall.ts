import { createHash } from "node:crypto";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { GatewayApiCrds } from "../config";
import { WebhookCertificates, WebhookCertValues } from "./webhookCertificates";

/** Linkerd's open-source releases are edge releases; `https://helm.linkerd.io/stable` stopped at 2.14. */
export const LINKERD_HELM_REPO = "https://helm.linkerd.io/edge";
export const LINKERD_NAMESPACE = "linkerd";
export const VIZ_NAMESPACE = "linkerd-viz";
/** The cluster domain, and the trust domain a default Linkerd install derives from it. */
export const CLUSTER_DOMAIN = "cluster.local";

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
export function controlPlaneNamespaceMetadata() {
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

/**
 * What an extension's install (or its chart's namespace-metadata hook job, which Pulumi does not
 * run) puts on its namespace. The CLI finds extensions by the `linkerd.io/extension` label.
 */
export function extensionNamespaceMetadata(namespace: string, extension: string) {
    return {
        name: namespace,
        labels: { "linkerd.io/extension": extension, "pod-security.kubernetes.io/enforce": "privileged" },
    };
}

/**
 * The Linkerd release a chart version belongs to: charts `YYYY.M.N` are release `edge-YY.M.N`
 * (linkerd2 bin/compute-edge-version), the version the CLI and `linkerd.io/created-by` name.
 */
export function linkerdRelease(chartVersion: string): string {
    const [year, month, patch] = chartVersion.split(".");
    return `edge-${year.slice(2)}.${month}.${patch}`;
}

/** A chart from Linkerd's edge repository, released under its own name. */
export function linkerdChart(chart: string, version: string) {
    return { chart, name: chart, version, repositoryOpts: { repo: LINKERD_HELM_REPO } };
}

export interface ExtensionArgs {
    provider: k8s.Provider;
    /** Extensions are meshed: they wait for the control plane's proxy injector. */
    controlPlane: pulumi.Resource;
    namespace: string;
    /** The `linkerd.io/extension` label value the CLI looks extensions up by. */
    extension: string;
    chart: { chart: string; name: string; version: string; repositoryOpts: { repo: string } };
    values?: pulumi.Input<Record<string, unknown>>;
}

/**
 * A Linkerd extension, as its CLI install would lay it out: its namespace, labelled (its chart's
 * namespace-metadata hook job, which Pulumi does not run, would do that), and its chart in it once
 * the control plane is up. Declared as children of `parent`.
 */
export function installExtension(parent: pulumi.Resource, name: string, args: ExtensionArgs) {
    const options = { parent, provider: args.provider };
    const namespace = new k8s.core.v1.Namespace(name, { metadata: extensionNamespaceMetadata(args.namespace, args.extension) }, options);
    const chart = new k8s.helm.v4.Chart(
        name,
        { ...args.chart, namespace: namespace.metadata.name, values: args.values },
        { ...options, dependsOn: [args.controlPlane] },
    );
    return { namespace, chart };
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

/** Opens the viz dashboard without the linkerd CLI, as `linkerd viz dashboard` does. */
export function vizDashboardCommand(kubectl: string): string {
    return `${kubectl} -n ${VIZ_NAMESPACE} port-forward deploy/web 50750:8084  # then open http://localhost:50750`;
}

export interface LinkerdInstallArgs {
    provider: k8s.Provider;
    /** This cluster's name in the mesh. */
    clusterName: string;
    /** Version of the Linkerd edge charts, YYYY.M.N. */
    version: string;
    /** The mesh's trust anchor (PEM, may be a bundle). */
    trustAnchorPem: pulumi.Input<string>;
    /** This cluster's own identity issuer, signed by the anchor. */
    issuerCertPem: pulumi.Input<string>;
    issuerKeyPem: pulumi.Input<string>;
    gatewayApiCrds: GatewayApiCrds;
    viz: boolean;
    /** How to run kubectl against this cluster, for the commands this install outputs. */
    kubectl: string;
}

/**
 * Linkerd on one cluster, from the official charts, in the order `linkerd install` uses: the
 * namespace, the CRDs (with the Gateway API CRDs when the cluster has none), the control plane, then
 * the viz extension.
 */
export class LinkerdInstall extends pulumi.ComponentResource {
    /** Everything meshed waits for this: the proxy injector must be up before a meshed pod starts. */
    public readonly controlPlane: k8s.helm.v4.Chart;
    public readonly vizDashboardCommand?: string;

    constructor(name: string, args: LinkerdInstallArgs, opts?: pulumi.ComponentResourceOptions) {
        super("edge-cloud-mesh:linkerd:LinkerdInstall", name, {}, opts);
        const k8sOptions = { parent: this, provider: args.provider };

        const namespace = new k8s.core.v1.Namespace(`${name}-linkerd`, { metadata: controlPlaneNamespaceMetadata() }, k8sOptions);
        const crds = new k8s.helm.v4.Chart(
            `${name}-crds`,
            { ...linkerdChart("linkerd-crds", args.version), namespace: namespace.metadata.name, values: crdsValues(args.gatewayApiCrds) },
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
                ...linkerdChart("linkerd-control-plane", args.version),
                namespace: namespace.metadata.name,
                values: pulumi
                    .all([args.trustAnchorPem, args.issuerCertPem, args.issuerKeyPem, certs.proxyInjector, certs.profileValidator, certs.policyValidator])
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
                chart: linkerdChart("linkerd-viz", args.version),
                values: pulumi.all([certs.tap, certs.tapInjector]).apply(([tap, tapInjector]) => vizValues({ tap, tapInjector })),
            });
            this.vizDashboardCommand = vizDashboardCommand(args.kubectl);
        }
        this.registerOutputs({ vizDashboardCommand: this.vizDashboardCommand });
    }
}
