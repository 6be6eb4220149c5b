import * as path from "node:path";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { ConfigMap } from "kubernetes-models/v1/ConfigMap";
import { Namespace } from "kubernetes-models/v1/Namespace";
import { Service } from "kubernetes-models/v1/Service";
import { createHash } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { DEMO_IMAGES, frontendConfig, mirroredServiceName, podinfoColour } from "../components/demoWorkloads";
import { TRUST_ROOTS_CONFIG_MAP } from "../components/linkerdInstall";
import { SMI_HELM_REPO } from "../components/trafficSplit";
import { imagePinProblem } from "../policy/policies";
import { K3S_KUBECONFIG, runEdge, runMesh } from "./fixtures";
import { CHART, NAMESPACE, StackRun, helmChart, configError, kubernetesObject, named, ofType, runStack, single } from "./harness";
import { LINKERD_CRDS, SMI_CRD, crdValidator, itUpstream, unknownValuePaths } from "./upstream";

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const SERVICE = "kubernetes:core/v1:Service";
const CONFIGMAP = "kubernetes:core/v1:ConfigMap";
const TRAFFIC_SPLIT = "kubernetes:split.smi-spec.io/v1alpha2:TrafficSplit";
const HTTP_ROUTE = "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute";

const trafficSplitValidator = () => crdValidator(SMI_CRD, "v1alpha2");
const httpRouteValidator = () => crdValidator(path.join(LINKERD_CRDS, "gateway.networking.k8s.io_httproutes.yaml"), "v1");

function containerImages(run: StackRun): string[] {
    return ofType(run, DEPLOYMENT).flatMap((deployment) =>
        deployment.inputs.spec.template.spec.containers.map((container: any) => container.image),
    );
}

describe.each(["cloud", "edge"] as const)("demo workloads on %s", (stack) => {
    let run: StackRun;
    beforeAll(async () => {
        run = (await runMesh())[stack];
    });

    it("creates namespace test, meshed, only after the control plane and the extensions are up (and restarted)", () => {
        const namespace = named(run, NAMESPACE, "test");
        expect(namespace.inputs.metadata.annotations).toEqual({ "linkerd.io/inject": "enabled" });
        // proxy-init (NET_ADMIN, NET_RAW) is admitted on a hardened cluster only in a privileged namespace.
        expect(namespace.inputs.metadata.labels).toEqual({ "pod-security.kubernetes.io/enforce": "privileged" });
        for (const chart of ["linkerd-control-plane", "linkerd-viz", "linkerd-multicluster"]) {
            expect(namespace.dependencies, chart).toContain(helmChart(run, chart).urn);
        }
        expect(() => new Namespace(kubernetesObject(namespace, "v1", "Namespace")).validate()).not.toThrow();
    });

    it("puts every workload into the namespace, so each is created after it", () => {
        const namespace = named(run, NAMESPACE, "test");
        const workloads = [...ofType(run, DEPLOYMENT), ...ofType(run, SERVICE), ...ofType(run, CONFIGMAP)].filter(
            (object) => object.inputs.metadata.name !== TRUST_ROOTS_CONFIG_MAP,
        );
        // On the edge, with the split's relay (test/remoteRelay.test.ts).
        const relay =
            stack === "edge"
                ? [
                      "ConfigMap/podinfo-cloud-relay",
                      "Deployment/podinfo-cloud-relay",
                      "Service/podinfo-cloud-relay",
                      "Service/podinfo-local",
                  ]
                : [];
        expect(workloads.map((w) => `${w.type.split(":")[2]}/${w.inputs.metadata.name}`).sort()).toEqual(
            ["ConfigMap/frontend", "Deployment/frontend", "Deployment/podinfo", "Service/frontend", "Service/podinfo", ...relay].sort(),
        );
        for (const workload of workloads) {
            expect(workload.inputs.metadata.namespace).toBe("test");
            expect(workload.propertyDependencies.metadata).toContain(namespace.urn);
        }
    });

    it("runs podinfo 6.7.0 with its ports and probes, greeting from this cluster", () => {
        const podinfo = named(run, DEPLOYMENT, "podinfo");
        const container = podinfo.inputs.spec.template.spec.containers[0];
        expect(container.image).toBe("ghcr.io/stefanprodan/podinfo:6.7.0");
        expect(container.ports.map((port: any) => [port.name, port.containerPort])).toEqual([
            ["http", 9898],
            ["http-metrics", 9797],
            ["grpc", 9999],
        ]);
        expect(container.readinessProbe.exec.command).toEqual(["podcli", "check", "http", "localhost:9898/readyz"]);
        expect(container.livenessProbe.exec.command).toEqual(["podcli", "check", "http", "localhost:9898/healthz"]);
        expect(container.env).toEqual([
            { name: "PODINFO_UI_MESSAGE", value: `greetings from ${stack}` },
            { name: "PODINFO_UI_COLOR", value: podinfoColour(stack) },
        ]);
        expect(podinfo.inputs.spec.replicas).toBe(1);
        expect(() => new Deployment(kubernetesObject(podinfo, "apps/v1", "Deployment")).validate()).not.toThrow();
    });

    it(`${stack === "cloud" ? "exports" : "does not export"} the podinfo Service`, () => {
        const service = named(run, SERVICE, "podinfo");
        expect(service.inputs.metadata.labels?.["mirror.linkerd.io/exported"]).toBe(stack === "cloud" ? "true" : undefined);
        expect(service.inputs.spec.ports.map((port: any) => port.port)).toEqual([9898, 9999]);
        expect(() => new Service(kubernetesObject(service, "v1", "Service")).validate()).not.toThrow();
    });

    it("serves the frontend on 8080: / to podinfo, and a path per linked cluster to its mirror", () => {
        const config = named(run, CONFIGMAP, "frontend");
        const nginx: string = config.inputs.data["nginx.conf"];
        expect(nginx).toContain("listen 8080;");
        // The paths each upstream receives are checked under a real nginx in test/frontendNginx.test.ts.
        expect(nginx).toBe(frontendConfig(stack === "edge" ? ["cloud"] : []));
        expect(nginx).toMatch(
            /location \/ \{\n\s+set \$podinfo "podinfo\.test\.svc\.cluster\.local";\n\s+proxy_pass http:\/\/\$podinfo:9898;/,
        );
        if (stack === "edge") {
            expect(nginx).toMatch(
                /location \/cloud\/ \{\n\s+set \$podinfo_cloud "podinfo-cloud\.test\.svc\.cluster\.local";\n\s+rewrite \^\/cloud\(\/\.\*\)\$ \$1 break;\n\s+proxy_pass http:\/\/\$podinfo_cloud:9898;/,
            );
        } else {
            expect(nginx).not.toMatch(/location \/\w/);
        }
        const frontend = named(run, DEPLOYMENT, "frontend");
        expect(frontend.inputs.spec.template.metadata.annotations["checksum/config"]).toBe(
            createHash("sha256").update(nginx).digest("hex"),
        );
        expect(frontend.inputs.spec.template.spec.containers.map((c: any) => c.image)).toEqual([DEMO_IMAGES.nginx, DEMO_IMAGES.podinfo]);
        expect(named(run, SERVICE, "frontend").inputs.spec.ports).toEqual([
            { name: "http", port: 8080, targetPort: "http", protocol: "TCP" },
        ]);
        for (const resource of [frontend, named(run, SERVICE, "frontend"), config]) {
            const [apiVersion, kind] = resource.type === DEPLOYMENT ? ["apps/v1", "Deployment"] : ["v1", resource.type.split(":")[2]];
            const Model = { Deployment, Service, ConfigMap }[kind as "Deployment" | "Service" | "ConfigMap"];
            expect(() => new Model(kubernetesObject(resource, apiVersion, kind)).validate(), kind).not.toThrow();
        }
    });

    it("pins every image, and runs none of the tutorial's amd64-only images", () => {
        const images = containerImages(run);
        expect(images.length).toBeGreaterThan(0);
        for (const image of images) {
            expect(imagePinProblem(image), image).toBeUndefined();
            expect(Object.values(DEMO_IMAGES)).toContain(image);
            expect(image).not.toMatch(/slow_cooker/);
        }
    });
});

describe("the image pin check", () => {
    it("fails on an unpinned or latest image", () => {
        expect(imagePinProblem("nginx")).toMatch(/no tag/);
        expect(imagePinProblem("docker.io/library/nginx:latest")).toMatch(/latest/);
        expect(imagePinProblem("localhost:5000/nginx")).toMatch(/no tag/);
        expect(imagePinProblem("nginx@sha256:" + "a".repeat(64))).toBeUndefined();
    });
});

describe("the traffic split on edge", () => {
    let smiEdge: StackRun;
    let routeEdge: StackRun;
    beforeAll(async () => {
        smiEdge = (await runMesh({ edge: { trafficSplitApi: "smi" } })).edge;
        routeEdge = (await runMesh({ edge: { trafficSplitApi: "httproute", trafficSplit: { local: 80, cloud: 20 } } })).edge;
    });

    it("httproute is the default: Linkerd edge-26.8.3 implements it natively, and no SMI extension runs", async () => {
        const edge = (await runMesh()).edge;
        expect(kubernetesObject(single(edge, HTTP_ROUTE), "gateway.networking.k8s.io/v1", "HTTPRoute").spec.rules).toEqual([
            {
                backendRefs: [
                    { name: "podinfo", port: 9898, weight: 50 },
                    { name: "podinfo-cloud-relay", port: 9898, weight: 50 },
                ],
            },
        ]);
        expect(ofType(edge, TRAFFIC_SPLIT)).toHaveLength(0);
        expect(ofType(edge, CHART).map((chart) => chart.inputs.chart)).not.toContain("linkerd-smi");
    });

    it("smi: linkerd-smi 1.0.4 in a labelled namespace, then a TrafficSplit podinfo → podinfo 50 / podinfo-cloud-relay 50", () => {
        const edge = smiEdge;
        const smi = ofType(edge, CHART).find((chart) => chart.inputs.chart === "linkerd-smi")!;
        expect(smi.inputs).toMatchObject({ version: "1.0.4", repositoryOpts: { repo: SMI_HELM_REPO }, namespace: "linkerd-smi" });
        expect(smi.inputs.repositoryOpts.repo).toBe("https://linkerd.github.io/linkerd-smi");
        const controlPlane = helmChart(edge, "linkerd-control-plane");
        expect(smi.dependencies).toContain(controlPlane.urn);
        expect(named(edge, NAMESPACE, "linkerd-smi").inputs.metadata.labels).toEqual({
            "linkerd.io/extension": "smi",
            "pod-security.kubernetes.io/enforce": "privileged",
        });

        const split = single(edge, TRAFFIC_SPLIT);
        const object = kubernetesObject(split, "split.smi-spec.io/v1alpha2", "TrafficSplit");
        expect(object.metadata).toEqual({ name: "podinfo", namespace: "test" });
        expect(object.spec).toEqual({
            service: "podinfo",
            backends: [
                { service: "podinfo", weight: 50 },
                { service: "podinfo-cloud-relay", weight: 50 },
            ],
        });
        expect(split.dependencies).toContain(smi.urn);
        expect(split.propertyDependencies.metadata).toContain(named(edge, NAMESPACE, "test").urn);
        expect(ofType(edge, HTTP_ROUTE)).toHaveLength(0);
        expect(edge.outputs.watchSplitCommand.value).toBe(
            "while true; do clear; linkerd viz stat svc -n test --from deploy/frontend --kubeconfig ~/.kube/k3s-edge.yaml; sleep 2; done",
        );
    });

    it("httproute: a weighted HTTPRoute on the podinfo Service instead, and no SMI extension", () => {
        const edge = routeEdge;
        const route = single(edge, HTTP_ROUTE);
        const object = kubernetesObject(route, "gateway.networking.k8s.io/v1", "HTTPRoute");
        expect(object.spec).toEqual({
            parentRefs: [{ group: "core", kind: "Service", name: "podinfo", port: 9898 }],
            rules: [
                {
                    backendRefs: [
                        { name: "podinfo", port: 9898, weight: 80 },
                        { name: "podinfo-cloud-relay", port: 9898, weight: 20 },
                    ],
                },
            ],
        });
        const controlPlane = helmChart(edge, "linkerd-control-plane");
        expect(route.dependencies).toContain(controlPlane.urn);
        expect(ofType(edge, TRAFFIC_SPLIT)).toHaveLength(0);
        expect(ofType(edge, CHART).map((chart) => chart.inputs.chart)).not.toContain("linkerd-smi");
        expect(ofType(edge, NAMESPACE).map((ns) => ns.inputs.metadata.name)).not.toContain("linkerd-smi");
        expect(edge.outputs.watchSplitCommand.value).toBe(
            "while true; do clear; linkerd viz stat-outbound deploy/frontend -n test --kubeconfig ~/.kube/k3s-edge.yaml; sleep 2; done",
        );
    });

    it("accepts weights 100/0", async () => {
        const { edge } = await runMesh({ edge: { trafficSplit: { local: 100, cloud: 0 } } });
        expect(single(edge, HTTP_ROUTE).inputs.spec.rules[0].backendRefs.map((backend: any) => backend.weight)).toEqual([100, 0]);
    });

    itUpstream("validates the TrafficSplit against the pinned SMI CRD schema, and the HTTPRoute against the Gateway API's", () => {
        const validateSplit = trafficSplitValidator();
        const split = kubernetesObject(single(smiEdge, TRAFFIC_SPLIT), "split.smi-spec.io/v1alpha2", "TrafficSplit");
        expect(validateSplit(split), JSON.stringify(validateSplit.errors)).toBe(true);
        const validateRoute = httpRouteValidator();
        const route = kubernetesObject(single(routeEdge, HTTP_ROUTE), "gateway.networking.k8s.io/v1", "HTTPRoute");
        expect(validateRoute(route), JSON.stringify(validateRoute.errors)).toBe(true);
    });

    itUpstream("sets only values the pinned linkerd-smi chart reads", () => {
        const smi = ofType(smiEdge, CHART).find((chart) => chart.inputs.chart === "linkerd-smi")!;
        expect(unknownValuePaths("linkerd-smi", smi.inputs.values ?? {})).toEqual([]);
    });

    itUpstream("would catch a split or route that breaks the schema (the check can fail)", () => {
        expect(
            httpRouteValidator()({ apiVersion: "gateway.networking.k8s.io/v1", kind: "HTTPRoute", spec: { parentRefs: [{ name: 7 }] } }),
        ).toBe(false);
        expect(
            trafficSplitValidator()({
                apiVersion: "split.smi-spec.io/v1alpha2",
                kind: "TrafficSplit",
                spec: { service: "podinfo", backends: [{ service: "podinfo", weight: "50%" }] },
            }),
        ).toBe(false);
    });
});

describe("bad weights are rejected, naming the key", () => {
    it.each([
        ["a negative weight", { local: -1, cloud: 50 }, /local is -1, not a whole number from 0 to 1000000/],
        ["a fractional weight", { local: 50, cloud: 1.5 }, /cloud is 1\.5, not a whole number from 0 to 1000000/],
        ["no traffic at all", { local: 0, cloud: 0 }, /local and cloud are both 0/],
        ["more than an HTTPRoute takes", { local: 2_000_000, cloud: 1 }, /local is 2000000, not a whole number from 0 to 1000000/],
        ["a missing weight", { local: 50 }, /cloud is undefined/],
        ["an unknown backend", { local: 50, cloud: 50, east: 1 }, /"east" is not a backend/],
    ])("%s", async (_label, trafficSplit, pattern) => {
        const message = await configError("edge", { config: { kubeconfig: K3S_KUBECONFIG, trafficSplit } });
        expect(message).toMatch(/edge-cloud-mesh:trafficSplit/);
        expect(message).toMatch(pattern);
        expect(message).toMatch(/accepted: \{"local": l, "cloud": c\}/);
    });

    it("an unknown split API", async () => {
        const message = await configError("edge", { config: { kubeconfig: K3S_KUBECONFIG, trafficSplitApi: "istio" } });
        expect(message).toMatch(/edge-cloud-mesh:trafficSplitApi: "istio" is not accepted; accepted: "smi" or "httproute"/);
    });
});

describe("outputs", () => {
    it("give the port-forward for the frontend, the command to watch the split and the mirrored services", async () => {
        const { cloud, edge } = await runMesh();
        expect(edge.outputs.frontendCommand.value).toBe(
            "kubectl --kubeconfig ~/.kube/k3s-edge.yaml -n test port-forward svc/frontend 8080:8080  # then open http://localhost:8080/ and http://localhost:8080/cloud/",
        );
        expect(cloud.outputs.frontendCommand.value).toBe(
            "kubectl --context cloud -n test port-forward svc/frontend 8080:8080  # then open http://localhost:8080/",
        );
        expect(cloud.outputs.exportedServices.value).toEqual(["test/podinfo"]);
        expect(edge.outputs.mirroredServices.value).toEqual(["test/podinfo-cloud"]);
    });
});

describe("demo: false", () => {
    it("declares none of the demo on either stack", async () => {
        const cloud = await runStack("cloud", { config: { demo: false } });
        const edge = await runEdge(cloud.outputs, { demo: false });
        for (const run of [cloud, edge]) {
            expect(ofType(run, DEPLOYMENT)).toHaveLength(0);
            expect(ofType(run, CONFIGMAP).map((configMap) => configMap.inputs.metadata.name)).toEqual([TRUST_ROOTS_CONFIG_MAP]);
            expect(ofType(run, TRAFFIC_SPLIT)).toHaveLength(0);
            expect(ofType(run, HTTP_ROUTE)).toHaveLength(0);
            expect(ofType(run, NAMESPACE).map((ns) => ns.inputs.metadata.name)).not.toContain("test");
            expect(ofType(run, CHART).map((chart) => chart.inputs.chart)).not.toContain("linkerd-smi");
            expect(run.outputs.frontendCommand?.value).toBeUndefined();
        }
        expect(cloud.outputs.exportedServices.value).toEqual([]);
        expect(edge.outputs.mirroredServices.value).toEqual([]);
    });

    it("an edge demo needs the cloud's podinfo: it says so before declaring anything", async () => {
        const cloud = await runStack("cloud", { config: { demo: false } });
        const message = await configError("edge", { config: { kubeconfig: K3S_KUBECONFIG }, stackReferences: { cloud: cloud.outputs } });
        expect(message).toMatch(/edge-cloud-mesh:demo: the edge demo splits traffic with the cloud's test\/podinfo/);
        expect(message).toMatch(/Set demo to true on the cloud stack/);
    });
});

describe("demo", () => {
    it("routes a path per linked cluster to its mirror, with nginx-safe variable names", () => {
        const config = frontendConfig(["cloud", "eu-west"]);
        expect(config).toContain('set $podinfo_eu_west "podinfo-eu-west.test.svc.cluster.local";');
        expect(config).toMatch(/location \/eu-west\/ \{\n\s+set \$podinfo_eu_west "[^"]+";\n\s+rewrite \^\/eu-west\(\/\.\*\)\$ \$1 break;/);
        expect(config).toContain("location = /eu-west {\n      return 301 /eu-west/$is_args$args;");
        // `/`, and per linked cluster its redirect, its prefix and its page for an unreachable cluster
        // (test/frontendNginx.test.ts runs them under nginx).
        expect(config.match(/location /g)).toHaveLength(7);
        expect(config).toContain("error_page 502 503 504 = @eu_west_unreachable;");
        expect(mirroredServiceName("podinfo", "eu-west")).toBe("podinfo-eu-west");
    });

    it("gives two clusters two colours", () => {
        expect(podinfoColour("cloud")).not.toBe(podinfoColour("edge"));
        expect(podinfoColour("cloud")).toMatch(/^#[0-9a-f]{6}$/);
    });
});
