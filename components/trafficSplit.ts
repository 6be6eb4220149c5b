import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { installExtension } from "./linkerd";

/** How a split is declared: an SMI TrafficSplit (linkerd-smi) or a Gateway API HTTPRoute. */
export type TrafficSplitApi = "smi" | "httproute";

/** linkerd-smi: the SMI TrafficSplit CRD and the adaptor that turns splits into ServiceProfiles. */
export const SMI_HELM_REPO = "https://linkerd.github.io/linkerd-smi";
export const SMI_CHART_VERSION = "1.0.4";
export const SMI_NAMESPACE = "linkerd-smi";
/** The TrafficSplit version linkerd-smi serves and linkerd-failover reads. */
export const TRAFFIC_SPLIT_TYPE = { apiVersion: "split.smi-spec.io/v1alpha2", kind: "TrafficSplit" };
export const HTTP_ROUTE_TYPE = { apiVersion: "gateway.networking.k8s.io/v1", kind: "HTTPRoute" };

export interface WeightedBackend {
    service: string;
    weight: number;
}

/** An SMI TrafficSplit (TRAFFIC_SPLIT_TYPE) over `service`. */
export function smiTrafficSplit(namespace: string, service: string, backends: WeightedBackend[]) {
    return {
        metadata: { name: service, namespace },
        spec: { service, backends: backends.map(({ service: name, weight }) => ({ service: name, weight })) },
    };
}

/** The Gateway API equivalent: an HTTPRoute (HTTP_ROUTE_TYPE) attached to the Service, with weighted backends. */
export function weightedHttpRoute(namespace: string, service: string, port: number, backends: WeightedBackend[]) {
    return {
        metadata: { name: service, namespace },
        spec: {
            parentRefs: [{ group: "core", kind: "Service", name: service, port }],
            rules: [{ backendRefs: backends.map(({ service: name, weight }) => ({ name, port, weight })) }],
        },
    };
}

export interface TrafficSplitArgs {
    provider: k8s.Provider;
    /** The control plane, which brings the CRDs (HTTPRoute) and the proxy injector (the SMI adaptor is meshed). */
    controlPlane: pulumi.Resource;
    api: TrafficSplitApi;
    /** The namespace of the split service; the split waits for it. */
    namespace: k8s.core.v1.Namespace;
    service: string;
    port: number;
    /** The split's backends: the local service and the mirror of the remote one. */
    backends: pulumi.Input<WeightedBackend[]>;
}

/**
 * Splits a service's traffic between backends, on one side of the link only (splitting on both sides
 * between a service and its mirror loops). With `smi`, the linkerd-smi extension and a TrafficSplit;
 * with `httproute`, a Gateway API HTTPRoute and no extension. Never both on one service: the
 * ServiceProfile the SMI adaptor writes would win.
 */
export class TrafficSplit extends pulumi.ComponentResource {
    constructor(name: string, args: TrafficSplitArgs, opts?: pulumi.ComponentResourceOptions) {
        super("edge-cloud-mesh:demo:TrafficSplit", name, {}, opts);
        const k8sOptions = { parent: this, provider: args.provider };
        const namespace = args.namespace.metadata.name;

        if (args.api === "smi") {
            // Its namespace-metadata hook job has no switch; Pulumi drops hooks, and the namespace is labelled.
            const { chart: smi } = installExtension(this, `${name}-smi`, {
                provider: args.provider,
                controlPlane: args.controlPlane,
                namespace: SMI_NAMESPACE,
                extension: "smi",
                chart: { chart: "linkerd-smi", name: "linkerd-smi", version: SMI_CHART_VERSION, repositoryOpts: { repo: SMI_HELM_REPO } },
            });
            const split = pulumi.all([namespace, args.backends]).apply(([ns, backends]) => smiTrafficSplit(ns, args.service, backends));
            new k8s.apiextensions.CustomResource(
                `${name}-trafficsplit`,
                { ...TRAFFIC_SPLIT_TYPE, metadata: split.metadata, spec: split.spec },
                { ...k8sOptions, dependsOn: [smi] },
            );
        } else {
            const route = pulumi
                .all([namespace, args.backends])
                .apply(([ns, backends]) => weightedHttpRoute(ns, args.service, args.port, backends));
            new k8s.apiextensions.CustomResource(
                `${name}-httproute`,
                { ...HTTP_ROUTE_TYPE, metadata: route.metadata, spec: route.spec },
                { ...k8sOptions, dependsOn: [args.controlPlane] },
            );
        }
        this.registerOutputs({});
    }
}
