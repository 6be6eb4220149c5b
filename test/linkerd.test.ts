import * as crypto from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { LINKERD_HELM_REPO } from "../components/linkerd";
import {
    CONTROL_PLANE_WEBHOOK_HOSTS,
    VIZ_WEBHOOK_HOSTS,
    controlPlaneNamespaceMetadata,
    heartbeatSchedule,
} from "../components/linkerdInstall";
import { CHART, RecordedResource, StackRun, helmChart, ofType, providerRef, runStack, single } from "./harness";
import { K3S_KUBECONFIG, runEdge, runMesh } from "./fixtures";
import { itUpstream, unknownValuePaths } from "./upstream";

/** The charts from Linkerd's own repository (the edge stack also has linkerd-smi, from another). */
function charts(run: StackRun): RecordedResource[] {
    return ofType(run, CHART).filter((chart) => chart.inputs.repositoryOpts.repo === LINKERD_HELM_REPO);
}

/** A webhook server's pinned certificate: for its host, its key, and trusted through its CA bundle. */
function expectWebhookCert(values: { crtPEM: string; keyPEM: string; caBundle: string }, host: string) {
    const cert = new crypto.X509Certificate(values.crtPEM);
    expect(cert.subjectAltName).toBe(`DNS:${host}`);
    expect(values.keyPEM).toMatch(/^-----BEGIN PRIVATE KEY-----/); // PKCS#8: the Rust policy validator takes no SEC1 key
    expect(cert.checkPrivateKey(crypto.createPrivateKey(values.keyPEM))).toBe(true);
    expect(cert.verify(new crypto.X509Certificate(values.caBundle).publicKey)).toBe(true);
    expect(cert.keyUsage).toContain("1.3.6.1.5.5.7.3.1"); // serverAuth
    expect(cert.publicKey.asymmetricKeyDetails?.namedCurve).toBe("prime256v1");
}

describe.each([
    ["cloud", "install", true],
    ["edge", "existing", false],
] as const)("Linkerd on the %s cluster", (stack, gatewayApiCrds, installsGatewayApi) => {
    let run: StackRun;
    beforeAll(async () => {
        const mesh = await runMesh();
        run = mesh[stack];
    });

    it("installs linkerd-crds, linkerd-control-plane, linkerd-viz and linkerd-multicluster, pinned, from the edge repository", () => {
        expect(
            charts(run)
                .map((chart) => chart.inputs.chart)
                .sort(),
        ).toEqual(["linkerd-control-plane", "linkerd-crds", "linkerd-multicluster", "linkerd-viz"]);
        for (const chart of charts(run)) {
            expect(chart.inputs.version).toBe("2026.8.3");
            expect(chart.inputs.repositoryOpts).toEqual({ repo: LINKERD_HELM_REPO });
            expect(chart.inputs.name).toBe(chart.inputs.chart);
        }
        expect(helmChart(run, "linkerd-crds").inputs.namespace).toBe("linkerd");
        expect(helmChart(run, "linkerd-control-plane").inputs.namespace).toBe("linkerd");
        expect(helmChart(run, "linkerd-viz").inputs.namespace).toBe("linkerd-viz");
    });

    it(`${installsGatewayApi ? "installs" : "does not install"} the Gateway API CRDs (gatewayApiCrds: ${gatewayApiCrds})`, () => {
        expect(helmChart(run, "linkerd-crds").inputs.values).toEqual({ installGatewayAPI: installsGatewayApi });
    });

    it("orders the install: namespace, CRDs, control plane, then viz", () => {
        const namespace = ofType(run, "kubernetes:core/v1:Namespace").find((ns) => ns.inputs.metadata.name === "linkerd")!;
        const vizNamespace = ofType(run, "kubernetes:core/v1:Namespace").find((ns) => ns.inputs.metadata.name === "linkerd-viz")!;
        const crds = helmChart(run, "linkerd-crds");
        const controlPlane = helmChart(run, "linkerd-control-plane");
        const viz = helmChart(run, "linkerd-viz");
        expect(crds.propertyDependencies.namespace).toEqual([namespace.urn]);
        expect(controlPlane.dependencies).toContain(crds.urn);
        expect(controlPlane.propertyDependencies.namespace).toEqual([namespace.urn]);
        expect(viz.dependencies).toContain(controlPlane.urn);
        expect(viz.propertyDependencies.namespace).toEqual([vizNamespace.urn]);
        // Independent work stays parallel: the CRDs do not wait for certificates.
        expect(crds.dependencies.filter((urn) => urn.includes("tls:"))).toEqual([]);
    });

    it("labels the namespaces the way the linkerd CLI does", () => {
        const byName = Object.fromEntries(
            ofType(run, "kubernetes:core/v1:Namespace").map((ns) => [ns.inputs.metadata.name, ns.inputs.metadata]),
        );
        expect(byName.linkerd).toEqual({
            name: "linkerd",
            annotations: { "linkerd.io/inject": "disabled" },
            labels: {
                "linkerd.io/is-control-plane": "true",
                "config.linkerd.io/admission-webhooks": "disabled",
                "linkerd.io/control-plane-ns": "linkerd",
                "pod-security.kubernetes.io/enforce": "privileged",
            },
        });
        expect(byName["linkerd-viz"]).toEqual({
            name: "linkerd-viz",
            labels: { "linkerd.io/extension": "viz", "pod-security.kubernetes.io/enforce": "privileged" },
        });
        expect(helmChart(run, "linkerd-viz").inputs.values.createNamespaceMetadataJob).toBe(false);
    });

    it("pins every value the charts would randomise: webhook certificates and the heartbeat schedule", () => {
        const values = helmChart(run, "linkerd-control-plane").inputs.values;
        for (const [key, host] of Object.entries(CONTROL_PLANE_WEBHOOK_HOSTS)) expectWebhookCert(values[key], host);
        expect(values.heartbeatSchedule).toBe(heartbeatSchedule(stack));
        expect(values.heartbeatSchedule).toMatch(/^\d{1,2} \d{1,2} \* \* \*$/);
        const viz = helmChart(run, "linkerd-viz").inputs.values;
        for (const [key, host] of Object.entries(VIZ_WEBHOOK_HOSTS)) expectWebhookCert(viz[key], host);
    });

    it("keeps chart values that hold keys secret", () => {
        expect(helmChart(run, "linkerd-control-plane").rawInputs.values).toMatchObject({ value: expect.any(Object) });
        expect(helmChart(run, "linkerd-viz").rawInputs.values).toMatchObject({ value: expect.any(Object) });
    });

    itUpstream("sets only values that the pinned upstream charts read", () => {
        for (const chart of charts(run)) expect(unknownValuePaths(chart.inputs.chart, chart.inputs.values), chart.inputs.chart).toEqual([]);
    });

    it("declares every Kubernetes object and chart with this cluster's provider", () => {
        const provider = single(run, "pulumi:providers:kubernetes");
        const kubernetes = run.resources.filter((resource) => resource.type.startsWith("kubernetes:"));
        expect(kubernetes.length).toBeGreaterThan(0);
        for (const resource of kubernetes) {
            expect(resource.provider || resource.providers.kubernetes, `${resource.type} ${resource.name}`).toBe(providerRef(provider));
        }
    });

    it("outputs the command that opens the viz dashboard", async () => {
        const kubectl = stack === "cloud" ? "kubectl --context cloud" : "kubectl --kubeconfig ~/.kube/k3s-edge.yaml";
        expect(run.outputs.vizDashboardCommand.value).toBe(
            `${kubectl} -n linkerd-viz port-forward deploy/web 50750:8084  # then open http://localhost:50750`,
        );
    });
});

describe("the values-path check itself", () => {
    itUpstream("flags a path the chart does not know", () => {
        expect(
            unknownValuePaths("linkerd-control-plane", { identity: { issuer: { tls: { crtPem: "x" } } }, heartbeatSchedule: "1 2 * * *" }),
        ).toEqual(["identity.issuer.tls.crtPem"]);
        expect(unknownValuePaths("linkerd-viz", { tap: { crtPEM: "x" }, tapp: {} })).toEqual(["tapp"]);
        // A map a template takes whole (viz's podAnnotations, read but not declared) takes any key; a map it reads into does not.
        expect(
            unknownValuePaths("linkerd-viz", { podAnnotations: { "checksum/x": "1" }, tap: { service: { annotations: { a: "1" } } } }),
        ).toEqual([]);
        expect(unknownValuePaths("linkerd-viz", { prometheus: { podAnnotation: { a: "1" } } })).toEqual(["prometheus.podAnnotation.a"]);
    });
});

describe("quiet previews", () => {
    it("declares identical inputs when each stack is built twice", async () => {
        const first = await runMesh();
        const second = await runMesh();
        for (const stack of ["cloud", "edge"] as const) {
            const inputs = (run: StackRun) => Object.fromEntries(run.resources.map((resource) => [resource.urn, resource.rawInputs]));
            expect(Object.keys(inputs(second[stack])).sort()).toEqual(Object.keys(inputs(first[stack])).sort());
            expect(inputs(second[stack])).toEqual(inputs(first[stack]));
        }
    });
});

describe("options", () => {
    it("installs no viz when viz is false", async () => {
        const run = await runStack("cloud", { config: { viz: false } });
        expect(
            charts(run)
                .map((chart) => chart.inputs.chart)
                .sort(),
        ).toEqual(["linkerd-control-plane", "linkerd-crds", "linkerd-multicluster"]);
        const namespaces = ofType(run, "kubernetes:core/v1:Namespace").map((ns) => ns.inputs.metadata.name);
        expect(namespaces.filter((ns) => ns.startsWith("linkerd")).sort()).toEqual(["linkerd", "linkerd-multicluster"]);
        expect(run.outputs.vizDashboardCommand.value).toBeUndefined();
        expect(ofType(run, "tls:index/selfSignedCert:SelfSignedCert").map((cert) => cert.name)).not.toContain("cloud-webhooks-tap");
    });

    it("lets an edge site install the Gateway API CRDs and use a kubeconfig context", async () => {
        const cloud = await runStack("cloud");
        const edge = await runEdge(cloud.outputs, { gatewayApiCrds: "install", kubeContext: "lab" });
        expect(helmChart(edge, "linkerd-crds").inputs.values).toEqual({ installGatewayAPI: true });
        const provider = single(edge, "pulumi:providers:kubernetes");
        expect(provider.inputs.context).toBe("lab");
        expect(provider.inputs.kubeconfig).toBe(K3S_KUBECONFIG);
        expect(provider.rawInputs.kubeconfig).toMatchObject({ value: K3S_KUBECONFIG });
        expect(provider.inputs.clusterIdentifier).toBe("edge");
        expect(edge.outputs.vizDashboardCommand.value).toMatch(
            /^kubectl --kubeconfig ~\/\.kube\/k3s-edge\.yaml --context lab -n linkerd-viz/,
        );
    });
});

describe("Linkerd values", () => {
    it("pin the heartbeat to a valid daily schedule that differs between clusters", () => {
        for (const name of ["cloud", "edge", "edge-berlin"]) {
            const [minute, hour, ...rest] = heartbeatSchedule(name).split(" ");
            expect(Number(minute)).toBeLessThan(60);
            expect(Number(hour)).toBeLessThan(24);
            expect(rest).toEqual(["*", "*", "*"]);
            expect(heartbeatSchedule(name)).toBe(heartbeatSchedule(name));
        }
        expect(new Set(["cloud", "edge", "edge-berlin"].map(heartbeatSchedule)).size).toBe(3);
    });

    it("label the control-plane namespace so the injector leaves it alone", () => {
        expect(controlPlaneNamespaceMetadata().annotations).toEqual({ "linkerd.io/inject": "disabled" });
        expect(controlPlaneNamespaceMetadata().labels).toMatchObject({ "config.linkerd.io/admission-webhooks": "disabled" });
    });
});
