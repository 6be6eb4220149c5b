import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { installExtension } from "./linkerd";
import { RemoteRelay } from "./remoteRelay";

/** How a split is declared: an SMI TrafficSplit (linkerd-smi) or a Gateway API HTTPRoute. */
export type TrafficSplitApi = "smi" | "httproute";
/**
 * How the split weighs its backends: `weighted`, as given; `failover`, the local service first and the
 * remote one only while the local one cannot serve.
 */
export type SplitMode = "weighted" | "failover";

/** linkerd-smi: the SMI TrafficSplit CRD and the adaptor that turns splits into ServiceProfiles. */
export const SMI_HELM_REPO = "https://linkerd.github.io/linkerd-smi";
export const SMI_CHART_VERSION = "1.0.4";
export const SMI_NAMESPACE = "linkerd-smi";
/** The TrafficSplit version linkerd-smi serves and linkerd-failover reads. */
export const TRAFFIC_SPLIT_TYPE = { apiVersion: "split.smi-spec.io/v1alpha2", kind: "TrafficSplit" };
export const HTTP_ROUTE_TYPE = { apiVersion: "gateway.networking.k8s.io/v1", kind: "HTTPRoute" };

/** The most an HTTPRoute backendRef's weight may be (Gateway API CRD `maximum: 1000000`). */
export const HTTP_ROUTE_MAX_WEIGHT = 1_000_000;

export interface WeightedBackend {
    service: string;
    weight: number;
}

/**
 * The weights of `failover`. Linkerd's proxy picks a route backend by weight and skips one that is in
 * failfast (linkerd2-proxy v2.366.0 linkerd/distribute/src/service/random.rs), but never picks a
 * backend of weight 0 (rand's WeightedIndex, linkerd/distribute/src/keys.rs): so the remote backend
 * gets 1, the least that is ever picked, and the local one 1,000,000, the most an HTTPRoute backendRef
 * takes (Gateway API CRD `maximum: 1000000`). While the local service serves, 1 request in 1,000,001
 * goes to the remote one.
 */
export const FAILOVER_WEIGHTS = { local: HTTP_ROUTE_MAX_WEIGHT, remote: 1 };

/**
 * How long a backend Service's balancer holds requests without an available endpoint before it fails
 * fast and the proxy sends its share elsewhere, counted from the first request that waits: the proxy's
 * own outbound HTTP failfast timeout (linkerd2-proxy v2.366.0 linkerd/app/src/env.rs
 * DEFAULT_OUTBOUND_HTTP_FAILFAST_TIMEOUT; http/concrete.rs uses it, not the queue the policy controller sends).
 */
export const FAILFAST_TIMEOUT_SECONDS = 3;

/** The split's weights, local first: `weighted` takes them as given, `failover` uses FAILOVER_WEIGHTS. */
export function splitWeights(mode: SplitMode, weighted: { local: number; remote: number }): { local: number; remote: number } {
    return mode === "failover" ? FAILOVER_WEIGHTS : weighted;
}

/**
 * On the split Service (HTTPRoute split only; a ServiceProfile turns them off): consecutive failure
 * accrual, so that pods that are Ready but answer 5xx (or nothing) leave the balancer, and a local
 * service whose pods all failed fails fast and over, like one with no pods. After min-penalty a
 * tripped pod gets one real request again (probation), then backs off up to max-penalty; the route
 * retries that request's 5xx (ROUTE_RESILIENCE_ANNOTATIONS). Read by the policy controller
 * from the Service only (policy-controller/k8s/index/src/outbound/index.rs `parse_accrual_config`);
 * a value it cannot parse turns accrual off with only a line in its log, so the tests parse them as it does.
 */
export const FAILURE_ACCRUAL_ANNOTATIONS: Record<string, string> = {
    "balancer.linkerd.io/failure-accrual": "consecutive",
    "balancer.linkerd.io/failure-accrual-consecutive-max-failures": "7",
    "balancer.linkerd.io/failure-accrual-consecutive-min-penalty": "5s",
    "balancer.linkerd.io/failure-accrual-consecutive-max-penalty": "1m",
};

/**
 * On the HTTPRoute: retries and a timeout (index/http.rs `convert_route`; a value it cannot parse drops
 * the route when it is created, and keeps the last good version on an update: outbound/index.rs
 * `apply_http_route`). A request answered with any
 * 5xx is sent again, by weight, so possibly to the other backend; so is one the proxy failed fast
 * (whatever the conditions: linkerd2-proxy route/retry.rs), and one whose try timed out. A pod that is
 * Ready but answers 500 thus costs the client no request once failure accrual has taken it out, not
 * even the one request each probation lets through to it: its 500 is retried, the retry waits on the
 * failing backend until that fails fast again (3 s), and the second retry goes to the other backend;
 * hence 2. Each try but the last must get its response headers within 5 s of reaching a pod (the
 * limit starts there, not while the try waits in a queue); the whole request, retries and queueing
 * included, gets 15 s: failfast, a 5 s try and the last one. Not retried: requests whose body is over
 * 64 KiB (the policy controller's max_request_bytes), and nothing is held back by method.
 */
export const ROUTE_RESILIENCE_ANNOTATIONS: Record<string, string> = {
    "retry.linkerd.io/http": "5xx",
    "retry.linkerd.io/limit": "2",
    "retry.linkerd.io/timeout": "5s",
    "timeout.linkerd.io/request": "15s",
};

/**
 * On the exported Service, which the service mirror copies onto every mirror of it
 * (multicluster/service-mirror/cluster_watcher.go getCommonServiceAnnotations): a bound and a retry
 * for requests addressed to the mirror itself (the frontend's `/<cluster>/`, the relay), which no
 * route on the edge covers. The policy controller reads them for the Service's default route. On the
 * exporting cluster they bound its own meshed clients of the Service too; not its gateway, whose routes
 * come from ServiceProfiles (linkerd2-proxy app/gateway/src/http.rs `mk_routes`), so a retry is not
 * repeated there.
 */
export const MIRRORED_SERVICE_ANNOTATIONS: Record<string, string> = {
    "retry.linkerd.io/http": "5xx",
    "retry.linkerd.io/limit": "1",
    "timeout.linkerd.io/request": "10s",
};

/** An SMI TrafficSplit (TRAFFIC_SPLIT_TYPE) over `service`. */
export function smiTrafficSplit(namespace: string, service: string, backends: WeightedBackend[]) {
    return {
        metadata: { name: service, namespace },
        spec: { service, backends: backends.map(({ service: name, weight }) => ({ service: name, weight })) },
    };
}

/**
 * The Gateway API equivalent: an HTTPRoute (HTTP_ROUTE_TYPE) attached to the Service, with weighted
 * backends and ROUTE_RESILIENCE_ANNOTATIONS.
 */
export function weightedHttpRoute(namespace: string, service: string, port: number, backends: WeightedBackend[]) {
    return {
        metadata: { name: service, namespace, annotations: ROUTE_RESILIENCE_ANNOTATIONS },
        spec: {
            parentRefs: [{ group: "core", kind: "Service", name: service, port }],
            rules: [{ backendRefs: backends.map(({ service: name, weight }) => ({ name, port, weight })) }],
        },
    };
}

/** What the split Service must carry for the split: failure accrual with `httproute`, nothing with `smi`. */
export function splitServiceAnnotations(api: TrafficSplitApi): Record<string, string> {
    return api === "httproute" ? FAILURE_ACCRUAL_ANNOTATIONS : {};
}

export interface TrafficSplitArgs {
    provider: k8s.Provider;
    /** The control plane, which brings the CRDs (HTTPRoute) and the proxy injector (the SMI adaptor is meshed). */
    controlPlane: pulumi.Resource;
    api: TrafficSplitApi;
    /** The namespace of the split service; the split waits for it. */
    namespace: k8s.core.v1.Namespace;
    service: string;
    /** The labels of the split service's pods: the relay falls back to them. */
    selector: Record<string, string>;
    port: number;
    /** The mirror of the remote service, reached through a RemoteRelay. */
    remoteService: pulumi.Input<string>;
    /** The weights of the local service and of the remote one. */
    weights: { local: number; remote: number };
    /** Annotations of the relay's pod template (RemoteRelayArgs). */
    podAnnotations: Record<string, pulumi.Input<string>>;
}

/**
 * Splits a service's traffic between its local pods and a remote service, on one side of the link only
 * (splitting on both sides between a service and its mirror loops). The remote backend is a
 * RemoteRelay, never the mirror itself, and the split is declared once the relay's Service exists: no
 * backend of it is ever a missing Service. With `smi`, the linkerd-smi extension and a TrafficSplit;
 * with `httproute`, a Gateway API HTTPRoute and no extension. Never both on one service: the
 * ServiceProfile the SMI adaptor writes would win. The split Service's annotations (failure accrual
 * with `httproute`) are its owner's to set: see splitServiceAnnotations.
 */
export class TrafficSplit extends pulumi.ComponentResource {
    constructor(name: string, args: TrafficSplitArgs, opts?: pulumi.ComponentResourceOptions) {
        super("edge-cloud-mesh:demo:TrafficSplit", name, {}, opts);
        const k8sOptions = { parent: this, provider: args.provider };
        const namespace = args.namespace.metadata.name;

        const relay = new RemoteRelay(
            `${name}-relay`,
            {
                provider: args.provider,
                namespace: args.namespace,
                service: args.service,
                selector: args.selector,
                port: args.port,
                remoteService: args.remoteService,
                podAnnotations: args.podAnnotations,
            },
            { parent: this },
        );
        const backends = relay.service.metadata.name.apply((relayService) => [
            { service: args.service, weight: args.weights.local },
            { service: relayService, weight: args.weights.remote },
        ]);

        if (args.api === "smi") {
            // Its namespace-metadata hook job has no switch; Pulumi drops hooks, and the namespace is labelled.
            const { chart: smi } = installExtension(this, `${name}-smi`, {
                provider: args.provider,
                controlPlane: args.controlPlane,
                namespace: SMI_NAMESPACE,
                extension: "smi",
                chart: { chart: "linkerd-smi", name: "linkerd-smi", version: SMI_CHART_VERSION, repositoryOpts: { repo: SMI_HELM_REPO } },
            });
            const split = pulumi.all([namespace, backends]).apply(([ns, resolved]) => smiTrafficSplit(ns, args.service, resolved));
            new k8s.apiextensions.CustomResource(
                `${name}-trafficsplit`,
                { ...TRAFFIC_SPLIT_TYPE, metadata: split.metadata, spec: split.spec },
                { ...k8sOptions, dependsOn: [smi, relay.service] },
            );
        } else {
            const route = pulumi
                .all([namespace, backends])
                .apply(([ns, resolved]) => weightedHttpRoute(ns, args.service, args.port, resolved));
            new k8s.apiextensions.CustomResource(
                `${name}-httproute`,
                { ...HTTP_ROUTE_TYPE, metadata: route.metadata, spec: route.spec },
                { ...k8sOptions, dependsOn: [args.controlPlane, relay.service] },
            );
        }
        this.registerOutputs({});
    }
}
