// What the Linkerd components share, and no component itself: Linkerd's namespaces, its cluster and
// trust domain, its chart repository and releases, and how an extension is installed.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

/** Linkerd's open-source releases are edge releases; `https://helm.linkerd.io/stable` stopped at 2.14. */
export const LINKERD_HELM_REPO = "https://helm.linkerd.io/edge";
export const LINKERD_NAMESPACE = "linkerd";
export const VIZ_NAMESPACE = "linkerd-viz";
export const MULTICLUSTER_NAMESPACE = "linkerd-multicluster";
/** The cluster domain, and the trust domain a default Linkerd install derives from it. */
export const CLUSTER_DOMAIN = "cluster.local";

/**
 * What an extension's install (or its chart's namespace-metadata hook job, which Pulumi does not
 * run) puts on its namespace. The CLI finds extensions by the `linkerd.io/extension` label.
 */
export function extensionNamespaceMetadata(namespace: string, extension: string): k8s.types.input.meta.v1.ObjectMeta {
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

/** A chart from a Helm repository, released under its own name. */
export interface ChartSource {
    chart: string;
    name: string;
    version: string;
    repositoryOpts: { repo: string };
}

/** A chart from Linkerd's edge repository, released under its own name. */
export function linkerdChart(chart: string, version: string): ChartSource {
    return { chart, name: chart, version, repositoryOpts: { repo: LINKERD_HELM_REPO } };
}

export interface ExtensionArgs {
    provider: k8s.Provider;
    /** Extensions are meshed: they wait for the control plane's proxy injector. */
    controlPlane: pulumi.Resource;
    namespace: string;
    /** The `linkerd.io/extension` label value the CLI looks extensions up by. */
    extension: string;
    chart: ChartSource;
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
