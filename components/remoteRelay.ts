import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { NginxRuntime, FRONTEND_RUNTIME, configChecksum, httpService, nginxConfig, nginxDeployment, nginxProxyTo } from "./demoWorkloads";
import { inNamespace } from "./metadata";

/**
 * Why the split's remote backend is this relay and not the mirror itself. A route backend whose
 * Service does not exist (the mirror, before the link has made it, or after the remote cluster stops
 * exporting, when the service mirror deletes it) becomes a backend that fails every request it gets:
 * the policy controller gives it a failure-injection filter (linkerd2 edge-26.8.3
 * policy-controller/grpc/src/outbound/http.rs:338-342,417-441), the proxy never skips it (its
 * dispatcher is always ready: linkerd2-proxy v2.366.0 app/outbound/src/http/concrete.rs:112-114) and
 * never retries what it fails (the injected failure is an error, not a response:
 * policy/route/filters.rs:90-93, route/retry.rs:127-155). The relay's Service always exists: it
 * answers from the mirror, and when the mirror cannot answer (missing, no endpoint, its gateway gone,
 * a gateway error or a timeout), from the local pods, through a Service that no route splits.
 */
export const RELAY_FALLBACK_STATUSES = [502, 503, 504];

/**
 * How long the relay waits for the mirror's answer before it answers from the local pods (nginx's 504,
 * which RELAY_FALLBACK_STATUSES covers). Longer than the proxy's failfast (3 s: FAILFAST_TIMEOUT_SECONDS),
 * by which a mirror with no endpoint has answered 503; shorter than the route's per-try timeout (5 s:
 * ROUTE_RESILIENCE_ANNOTATIONS), so that when the cloud is slow or its link hangs the relay still
 * answers the try from the edge. Were it longer, the route would time the try out and retry by
 * weight: a request that met the relay on every try (1 in 8 at 50/50) would fail at the request timeout.
 */
export const RELAY_MIRROR_READ_SECONDS = 4;

/** The relay's Service, and what it falls back to: `<service>-local`, the local pods with no route. */
export function relayServiceName(remoteService: string): string {
    return `${remoteService}-relay`;
}

export function localServiceName(service: string): string {
    return `${service}-local`;
}

/**
 * The relay's nginx.conf: every request to the remote service's mirror, with its path, and to the local
 * service's pods (localService) when the mirror answers RELAY_FALLBACK_STATUSES, cannot be resolved or
 * does not answer within RELAY_MIRROR_READ_SECONDS. nginx keeps the request body to send it again (up to client_max_body_size, which is lifted).
 */
export function relayConfig(remoteService: string, localService: string, runtime: NginxRuntime): string {
    return nginxConfig(runtime, [
        "    client_max_body_size 0;",
        "    location / {",
        ...nginxProxyTo(remoteService, [], RELAY_MIRROR_READ_SECONDS),
        "      proxy_intercept_errors on;",
        `      error_page ${RELAY_FALLBACK_STATUSES.join(" ")} = @local;`,
        "    }",
        "    location @local {",
        ...nginxProxyTo(localService),
        "    }",
    ]);
}

export interface RemoteRelayArgs {
    provider: k8s.Provider;
    /** The namespace of the split service; everything here is created after it. */
    namespace: k8s.core.v1.Namespace;
    /** The split service, its pods' labels and its port. */
    service: string;
    selector: Record<string, string>;
    port: number;
    /** The mirror of the remote service. */
    remoteService: pulumi.Input<string>;
    /** Annotations of the relay's pod template, as the demo's: a new value restarts it. */
    podAnnotations: Record<string, pulumi.Input<string>>;
}

/**
 * The remote backend of a split: a meshed nginx whose Service the split's route names instead of the
 * mirror (see RELAY_FALLBACK_STATUSES for why), and the local service's pods under `<service>-local`,
 * which it falls back to.
 */
export class RemoteRelay extends pulumi.ComponentResource {
    /** The relay's Service: the split's remote backend. */
    public readonly service: k8s.core.v1.Service;

    constructor(name: string, args: RemoteRelayArgs, opts?: pulumi.ComponentResourceOptions) {
        super("edge-cloud-mesh:demo:RemoteRelay", name, {}, opts);
        const k8sOptions = { parent: this, provider: args.provider };
        const namespace = args.namespace.metadata.name;
        const relayName = pulumi.output(args.remoteService).apply(relayServiceName);
        const local = localServiceName(args.service);

        const localService = httpService(local, args.selector, args.port);
        new k8s.core.v1.Service(`${name}-local`, { ...localService, metadata: inNamespace(localService.metadata, namespace) }, k8sOptions);
        const nginxConf = pulumi
            .output(args.remoteService)
            .apply((remote) => relayConfig(remote, local, { ...FRONTEND_RUNTIME, listen: String(args.port) }));
        const configMap = new k8s.core.v1.ConfigMap(
            `${name}-nginx`,
            { metadata: { name: relayName, namespace }, data: { "nginx.conf": nginxConf } },
            k8sOptions,
        );
        const deployment = nginxDeployment({
            name: relayName,
            configMap: configMap.metadata.name,
            port: args.port,
            configChecksum: nginxConf.apply(configChecksum),
            podAnnotations: args.podAnnotations,
        });
        new k8s.apps.v1.Deployment(`${name}-nginx`, { ...deployment, metadata: inNamespace(deployment.metadata, namespace) }, k8sOptions);
        const relayService = httpService(relayName, { app: relayName }, args.port);
        this.service = new k8s.core.v1.Service(
            name,
            { ...relayService, metadata: inNamespace(relayService.metadata, namespace) },
            k8sOptions,
        );
        this.registerOutputs({});
    }
}
