import { createHash } from "node:crypto";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { CLUSTER_DOMAIN } from "./linkerd";
import { inNamespace } from "./metadata";

/**
 * Every image the demo runs: pinned, and published for amd64 and arm64 (Graviton, 64-bit edge boards).
 * Linkerd's own images are amd64 and arm64 only, so a 32-bit ARM board (armhf) cannot join the mesh.
 */
export const DEMO_IMAGES = {
    podinfo: "ghcr.io/stefanprodan/podinfo:6.7.0",
    nginx: "docker.io/library/nginx:1.27.3-alpine",
};

export const DEMO_NAMESPACE = "test";
export const PODINFO = "podinfo";
export const PODINFO_PORT = 9898;
/** The labels of podinfo's pods. */
export const PODINFO_SELECTOR = { app: PODINFO };
export const FRONTEND = "frontend";
export const FRONTEND_PORT = 8080;

/** A service in the demo namespace as the rest of the mesh names it, `<namespace>/<name>`. */
export const EXPORTED_PODINFO = `${DEMO_NAMESPACE}/${PODINFO}`;

/** A demo service's in-cluster DNS name. */
export function serviceHost(service: string): string {
    return `${service}.${DEMO_NAMESPACE}.svc.${CLUSTER_DOMAIN}`;
}

/** The name under which a linked cluster mirrors a service exported by `cluster`. */
export function mirroredServiceName(service: string, cluster: string): string {
    return `${service}-${cluster}`;
}

/** podinfo's UI colours; each cluster gets one, picked from its name so that the two answers differ at a glance. */
const COLOURS = ["#34577c", "#6c757d", "#2e7d32", "#b35900", "#6a1b9a", "#00838f"];

export function podinfoColour(clusterName: string): string {
    return COLOURS[createHash("sha256").update(clusterName).digest()[0] % COLOURS.length];
}

export function demoNamespace(): k8s.core.v1.NamespaceArgs {
    return {
        metadata: {
            name: DEMO_NAMESPACE,
            // Namespace-wide injection: every pod in it gets a proxy, and with it proxy-init, which needs
            // NET_ADMIN and NET_RAW: a hardened cluster (Pod Security baseline or restricted by default)
            // admits it only where the namespace is privileged, as for the control plane.
            labels: { "pod-security.kubernetes.io/enforce": "privileged" },
            annotations: { "linkerd.io/inject": "enabled" },
        },
    };
}

/**
 * podinfo as its 6.7.0 kustomization declares it, with one replica and no autoscaler, and
 * `podAnnotations` on its pod template.
 */
export function podinfoDeployment(clusterName: string, podAnnotations: Record<string, pulumi.Input<string>>): k8s.apps.v1.DeploymentArgs {
    const labels = PODINFO_SELECTOR;
    const probe = (path: string) => ({
        exec: { command: ["podcli", "check", "http", `localhost:${PODINFO_PORT}/${path}`] },
        initialDelaySeconds: 5,
        timeoutSeconds: 5,
    });
    return {
        metadata: { name: PODINFO, labels },
        spec: {
            replicas: 1,
            minReadySeconds: 3,
            revisionHistoryLimit: 5,
            progressDeadlineSeconds: 60,
            strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0 } },
            selector: { matchLabels: labels },
            template: {
                metadata: { labels, annotations: { "prometheus.io/scrape": "true", "prometheus.io/port": "9797", ...podAnnotations } },
                spec: {
                    containers: [
                        {
                            name: "podinfod",
                            image: DEMO_IMAGES.podinfo,
                            imagePullPolicy: "IfNotPresent",
                            ports: [
                                { name: "http", containerPort: PODINFO_PORT, protocol: "TCP" },
                                { name: "http-metrics", containerPort: 9797, protocol: "TCP" },
                                { name: "grpc", containerPort: 9999, protocol: "TCP" },
                            ],
                            command: [
                                "./podinfo",
                                `--port=${PODINFO_PORT}`,
                                "--port-metrics=9797",
                                "--grpc-port=9999",
                                "--grpc-service-name=podinfo",
                                "--level=info",
                                "--random-delay=false",
                                "--random-error=false",
                            ],
                            env: [
                                { name: "PODINFO_UI_MESSAGE", value: `greetings from ${clusterName}` },
                                { name: "PODINFO_UI_COLOR", value: podinfoColour(clusterName) },
                            ],
                            livenessProbe: probe("healthz"),
                            readinessProbe: probe("readyz"),
                            resources: { limits: { cpu: "2000m", memory: "512Mi" }, requests: { cpu: "100m", memory: "64Mi" } },
                            volumeMounts: [{ name: "data", mountPath: "/data" }],
                        },
                    ],
                    volumes: [{ name: "data", emptyDir: {} }],
                },
            },
        },
    };
}

/** The podinfo Service; on the exporting cluster, labelled so that linked clusters mirror it. */
export function podinfoService(exported: boolean, annotations: Record<string, string> = {}): k8s.core.v1.ServiceArgs {
    return {
        metadata: {
            name: PODINFO,
            ...(exported ? { labels: { "mirror.linkerd.io/exported": "true" } } : {}),
            ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
        },
        spec: {
            type: "ClusterIP",
            selector: PODINFO_SELECTOR,
            ports: [
                { name: "http", port: PODINFO_PORT, targetPort: "http", protocol: "TCP" },
                { name: "grpc", port: 9999, targetPort: "grpc", protocol: "TCP" },
            ],
        },
    };
}

/** Where an nginx of the demo listens, resolves and keeps its runtime files; tests run it elsewhere. */
export interface NginxRuntime {
    /** The `listen` address. */
    listen: string;
    /** The DNS server that resolves the upstreams, per request. */
    resolver: string;
    /** A writable directory for the pid file and temp files (the container's root filesystem may be read-only). */
    runtimeDir: string;
}

export const FRONTEND_RUNTIME: NginxRuntime = {
    listen: String(FRONTEND_PORT),
    resolver: `kube-dns.kube-system.svc.${CLUSTER_DOMAIN}`,
    runtimeDir: "/tmp",
};

/**
 * How long nginx waits for a mesh service: to connect (to its own pod's proxy, which takes the
 * connection at once) and for the response. Longer than the mesh's own request timeouts
 * (MIRRORED_SERVICE_ANNOTATIONS, the split's route), so that the mesh decides and says why.
 */
export const NGINX_PROXY_TIMEOUTS = { connectSeconds: 5, readSeconds: 20 };

/**
 * `proxy_pass` to a demo service, resolved per request (so nginx starts before the service exists),
 * with `rewrite` lines, which go between `set` and `proxy_pass` (`rewrite ... break` ends the rewrite
 * directives of its location). With a variable, `proxy_pass` sends a URI part given in it instead of
 * the request's (every path would become `/`): so it has none, and a rewrite's result is what nginx sends.
 * nginx waits `readSeconds` for the answer.
 */
export function nginxProxyTo(service: string, rewrite: string[] = [], readSeconds = NGINX_PROXY_TIMEOUTS.readSeconds): string[] {
    const variable = `$${service.replace(/-/g, "_")}`;
    return [
        `      set ${variable} "${serviceHost(service)}";`,
        ...rewrite,
        `      proxy_pass http://${variable}:${PODINFO_PORT};`,
        "      proxy_http_version 1.1;",
        `      proxy_connect_timeout ${NGINX_PROXY_TIMEOUTS.connectSeconds}s;`,
        `      proxy_read_timeout ${readSeconds}s;`,
    ];
}

/** A whole nginx.conf with one server: `server` holds its locations. */
export function nginxConfig(runtime: NginxRuntime, server: string[]): string {
    const dir = runtime.runtimeDir;
    return [
        `pid ${dir}/nginx.pid;`,
        "error_log stderr;",
        "events {}",
        "http {",
        `  client_body_temp_path ${dir}/client_temp;`,
        `  proxy_temp_path       ${dir}/proxy_temp;`,
        `  fastcgi_temp_path     ${dir}/fastcgi_temp;`,
        `  uwsgi_temp_path       ${dir}/uwsgi_temp;`,
        `  scgi_temp_path        ${dir}/scgi_temp;`,
        "  access_log /dev/stdout;",
        "  server {",
        `    listen ${runtime.listen};`,
        `    resolver ${runtime.resolver} valid=10s;`,
        ...server,
        "  }",
        "}",
        "",
    ].join("\n");
}

/** The status and the plain-text page the frontend answers with when a linked cluster's podinfo does not answer. */
export const CLOUD_UNREACHABLE_STATUS = 503;

export function cloudUnreachableMessage(cluster: string): string {
    return (
        `podinfo of the linked cluster '${cluster}' did not answer through its mirror ${mirroredServiceName(PODINFO, cluster)}: ` +
        "the mirror is missing (not exported, or the link is down), has no endpoint (no podinfo pod ready there, or its gateway " +
        `unreachable), or took too long. / answers from this cluster.`
    );
}

/**
 * nginx on 8080: `/` and everything under it go to the local podinfo with their path; `/<cluster>/`
 * and everything under it go to that cluster's mirrored podinfo with the prefix stripped, so that
 * podinfo's page, which fetches `api/info` relative to itself, works under the prefix too; `/<cluster>`
 * redirects to `/<cluster>/`. When a linked cluster's podinfo cannot answer (nginx cannot resolve the
 * mirror, or the mesh answers 502 to 504: no endpoint, failfast, its timeout), `/<cluster>/` answers
 * CLOUD_UNREACHABLE_STATUS with a page that says so, instead of a bare gateway error.
 */
export function frontendConfig(remoteClusters: string[], runtime: NginxRuntime = FRONTEND_RUNTIME): string {
    const local = ["    location / {", ...nginxProxyTo(PODINFO), "    }"];
    const remote = (cluster: string) => {
        const unreachable = `@${cluster.replace(/-/g, "_")}_unreachable`;
        return [
            `    location = /${cluster} {`,
            `      return 301 /${cluster}/$is_args$args;`,
            "    }",
            `    location /${cluster}/ {`,
            ...nginxProxyTo(mirroredServiceName(PODINFO, cluster), [`      rewrite ^/${cluster}(/.*)$ $1 break;`]),
            "      proxy_intercept_errors on;",
            `      error_page 502 503 504 = ${unreachable};`,
            "    }",
            `    location ${unreachable} {`,
            "      default_type text/plain;",
            `      return ${CLOUD_UNREACHABLE_STATUS} "${cloudUnreachableMessage(cluster)}\\n";`,
            "    }",
        ];
    };
    return nginxConfig(runtime, [
        // Redirects stay relative: the browser reaches nginx through a port-forward on any local port.
        "    absolute_redirect off;",
        ...local,
        ...remoteClusters.flatMap(remote),
    ]);
}

export function frontendConfigMap(nginxConf: pulumi.Input<string>): k8s.core.v1.ConfigMapArgs {
    return { metadata: { name: FRONTEND }, data: { "nginx.conf": nginxConf } };
}

/** The resources of a small demo container. */
export const SMALL_CONTAINER = { requests: { cpu: "10m", memory: "10Mi" } };

/**
 * An nginx container that serves `port` with the nginx.conf of the ConfigMap `configMap`, and the pod
 * volumes it needs: the container's own conf.d and /tmp are emptied (the runtime directory).
 */
function nginxPod(configMap: pulumi.Input<string>, port: number) {
    return {
        container: {
            name: "nginx",
            image: DEMO_IMAGES.nginx,
            ports: [{ name: "http", containerPort: port, protocol: "TCP" }],
            volumeMounts: [
                { name: "config", mountPath: "/etc/nginx/nginx.conf", subPath: "nginx.conf" },
                { name: "nginx-conf-d", mountPath: "/etc/nginx/conf.d" },
                { name: "nginx-tmp", mountPath: "/tmp" },
            ],
            resources: SMALL_CONTAINER,
        },
        volumes: [
            { name: "config", configMap: { name: configMap } },
            { name: "nginx-conf-d", emptyDir: {} },
            { name: "nginx-tmp", emptyDir: {} },
        ],
    };
}

/** What rolls an nginx pod when its nginx.conf changes (nginx reads it only at start). */
export function configChecksum(text: string): string {
    return createHash("sha256").update(text).digest("hex");
}

/**
 * A Deployment of one pod, labelled `app: <name>`: nginx serving `port` with the nginx.conf of the
 * ConfigMap `configMap`, beside `sidecars`; `configChecksum` (of that nginx.conf) and `podAnnotations`
 * on its pod template.
 */
export function nginxDeployment(args: {
    name: pulumi.Input<string>;
    configMap: pulumi.Input<string>;
    port: number;
    configChecksum: pulumi.Input<string>;
    podAnnotations: Record<string, pulumi.Input<string>>;
    sidecars?: k8s.types.input.core.v1.Container[];
}): k8s.apps.v1.DeploymentArgs {
    const labels = { app: args.name };
    const nginx = nginxPod(args.configMap, args.port);
    return {
        metadata: { name: args.name, labels },
        spec: {
            replicas: 1,
            selector: { matchLabels: labels },
            template: {
                // A new nginx.conf rolls the pods: nginx reads it only at start.
                metadata: { labels, annotations: { "checksum/config": args.configChecksum, ...args.podAnnotations } },
                spec: { containers: [nginx.container, ...(args.sidecars ?? [])], volumes: nginx.volumes },
            },
        },
    };
}

/**
 * The frontend: nginx, and a small client that calls podinfo once a second through the mesh so that
 * the split (and viz) always has traffic to show; `podAnnotations` on its pod template.
 */
export function frontendDeployment(
    configChecksum: pulumi.Input<string>,
    podAnnotations: Record<string, pulumi.Input<string>>,
): k8s.apps.v1.DeploymentArgs {
    return nginxDeployment({
        name: FRONTEND,
        configMap: FRONTEND,
        port: FRONTEND_PORT,
        configChecksum,
        podAnnotations,
        sidecars: [
            {
                // The tutorial's generator, buoyantio/slow_cooker, is amd64-only; podinfo's
                // image has curl and runs everywhere.
                name: "traffic",
                image: DEMO_IMAGES.podinfo,
                command: ["/bin/sh", "-c"],
                args: [`while true; do curl -s -o /dev/null http://${serviceHost(PODINFO)}:${PODINFO_PORT}/; sleep 1; done`],
                resources: SMALL_CONTAINER,
            },
        ],
    });
}

/** A Service `name` whose one port, `http`, goes to the `http` port of the pods `selector` picks. */
export function httpService(
    name: pulumi.Input<string>,
    selector: Record<string, pulumi.Input<string>>,
    port: number,
): k8s.core.v1.ServiceArgs {
    return { metadata: { name }, spec: { selector, ports: [{ name: "http", port, targetPort: "http", protocol: "TCP" }] } };
}

export function frontendService(): k8s.core.v1.ServiceArgs {
    return httpService(FRONTEND, { app: FRONTEND }, FRONTEND_PORT);
}

export interface DemoWorkloadsArgs {
    provider: k8s.Provider;
    /**
     * The control plane (its proxy injector must be up before any pod of the demo starts, or the pod runs
     * without a proxy) and the meshed extensions: on a new mesh identity they restart first, then the demo.
     */
    mesh: pulumi.Resource[];
    clusterName: string;
    /** Clusters whose podinfo this cluster mirrors: the frontend gets a path for each. */
    remoteClusters: pulumi.Input<string[]>;
    /** Label podinfo for export to linked clusters. */
    exportPodinfo: boolean;
    /** Annotations of the podinfo Service: what a split of its traffic needs there (failure accrual). */
    podinfoServiceAnnotations?: Record<string, string>;
    /** Annotations of the demo's pod templates: a new value restarts them. */
    podAnnotations: Record<string, pulumi.Input<string>>;
}

/** The tutorial's demo, declared: namespace `test`, podinfo and the frontend, meshed. */
export class DemoWorkloads extends pulumi.ComponentResource {
    public readonly namespace: k8s.core.v1.Namespace;

    constructor(name: string, args: DemoWorkloadsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("edge-cloud-mesh:demo:DemoWorkloads", name, {}, opts);
        const k8sOptions = { parent: this, provider: args.provider };

        this.namespace = new k8s.core.v1.Namespace(`${name}-test`, demoNamespace(), { ...k8sOptions, dependsOn: args.mesh });
        // Everything below lives in the namespace: created after it, deleted before it.
        const namespace = this.namespace.metadata.name;
        const podinfo = podinfoDeployment(args.clusterName, args.podAnnotations);
        new k8s.apps.v1.Deployment(`${name}-podinfo`, { ...podinfo, metadata: inNamespace(podinfo.metadata, namespace) }, k8sOptions);
        const podinfoSvc = podinfoService(args.exportPodinfo, args.podinfoServiceAnnotations);
        new k8s.core.v1.Service(`${name}-podinfo`, { ...podinfoSvc, metadata: inNamespace(podinfoSvc.metadata, namespace) }, k8sOptions);

        const nginxConf = pulumi.output(args.remoteClusters).apply((remoteClusters) => frontendConfig(remoteClusters));
        const configMap = frontendConfigMap(nginxConf);
        new k8s.core.v1.ConfigMap(`${name}-frontend`, { ...configMap, metadata: inNamespace(configMap.metadata, namespace) }, k8sOptions);
        const frontend = frontendDeployment(nginxConf.apply(configChecksum), args.podAnnotations);
        new k8s.apps.v1.Deployment(`${name}-frontend`, { ...frontend, metadata: inNamespace(frontend.metadata, namespace) }, k8sOptions);
        const frontendSvc = frontendService();
        new k8s.core.v1.Service(`${name}-frontend`, { ...frontendSvc, metadata: inNamespace(frontendSvc.metadata, namespace) }, k8sOptions);
        this.registerOutputs({});
    }
}
