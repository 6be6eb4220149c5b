import * as net from "node:net";
import { beforeAll, describe, expect, it } from "vitest";
import { K3S_KUBECONFIG, K3S_WITHOUT_GATEWAY_API_KUBECONFIG, runEdge, runMesh } from "./fixtures";
import { NAMESPACE, StackRun, helmChart, configError, named, ofType, runStack, single, waitsFor } from "./harness";

describe("the trust anchor's protection", () => {
    it("is off by default, so that a demo can be destroyed", async () => {
        const run = await runStack("cloud");
        expect(single(run, "tls:index/privateKey:PrivateKey", "mesh-trust-anchor").protect).toBe(false);
        expect(single(run, "tls:index/selfSignedCert:SelfSignedCert", "mesh-trust-anchor").protect).toBe(false);
    });

    it("covers the anchor's key and certificate with protectTrustAnchor, and nothing else", async () => {
        const run = await runStack("cloud", { config: { protectTrustAnchor: true } });
        expect(single(run, "tls:index/privateKey:PrivateKey", "mesh-trust-anchor").protect).toBe(true);
        expect(single(run, "tls:index/selfSignedCert:SelfSignedCert", "mesh-trust-anchor").protect).toBe(true);
        expect(
            run.resources
                .filter((r) => r.protect)
                .map((r) => r.name)
                .sort(),
        ).toEqual(["mesh-trust-anchor", "mesh-trust-anchor"]);
    });
});

describe("an edge device that is gone", () => {
    it("is forgotten only when a run says so: the edge provider leaves deleteUnreachable and upsertExistingObjects to their environment variables", async () => {
        const { edge } = await runMesh();
        // Set in the provider's config, either would override PULUMI_K8S_DELETE_UNREACHABLE /
        // PULUMI_K8S_UPSERT_EXISTING_OBJECTS on every run (pulumi-kubernetes provider.go, Configure).
        const provider = single(edge, "pulumi:providers:kubernetes");
        expect(Object.keys(provider.inputs).sort()).toEqual(["clusterIdentifier", "kubeconfig"]);
        expect(provider.inputs).not.toHaveProperty("deleteUnreachable");
        expect(provider.inputs).not.toHaveProperty("upsertExistingObjects");
    });

    it("makes `pulumi up` fail fast, naming the cluster, its address and what to check", async () => {
        // A loopback port nothing listens on.
        const closed = net.createServer();
        await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
        const port = (closed.address() as net.AddressInfo).port;
        await new Promise((resolve) => closed.close(resolve));

        const cloud = await runStack("cloud");
        const unreachable = K3S_KUBECONFIG.replace(/server: https:\/\/127\.0\.0\.1:\d+/, `server: https://127.0.0.1:${port}`);
        const started = Date.now();
        const message = await configError("edge", { config: { kubeconfig: unreachable }, stackReferences: { cloud: cloud.outputs } });
        expect(Date.now() - started).toBeLessThan(5000);
        expect(message).toMatch(new RegExp(`the edge cluster "edge" is unreachable: its API server https://127\\.0\\.0\\.1:${port}`));
        expect(message).toMatch(/ECONNREFUSED/);
        expect(message).toMatch(/Check that the device is up and k3s is running/);
        expect(message).toMatch(/`pulumi destroy` still works/);
    });
});

describe("destroy order follows the graph", () => {
    let cloud: StackRun;
    let edge: StackRun;
    let routeEdge: StackRun;
    beforeAll(async () => {
        ({ cloud, edge } = await runMesh({ edge: { trafficSplitApi: "smi" } }));
        routeEdge = await runEdge(cloud.outputs, {
            trafficSplitApi: "httproute",
            gatewayApiCrds: "install",
            kubeconfig: K3S_WITHOUT_GATEWAY_API_KUBECONFIG,
        });
    });

    it("deletes the Link before the chart that defines its CRD", () => {
        expect(waitsFor(edge, single(edge, "kubernetes:multicluster.linkerd.io/v1alpha3:Link"))).toContain(
            helmChart(edge, "linkerd-multicluster").urn,
        );
    });

    it("deletes the TrafficSplit before linkerd-smi, and the HTTPRoute before linkerd-crds", () => {
        expect(waitsFor(edge, single(edge, "kubernetes:split.smi-spec.io/v1alpha2:TrafficSplit"))).toContain(
            helmChart(edge, "linkerd-smi").urn,
        );
        expect(waitsFor(routeEdge, single(routeEdge, "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute"))).toContain(
            helmChart(routeEdge, "linkerd-crds").urn,
        );
    });

    it("deletes the workloads before the control plane and the CRDs", () => {
        for (const run of [cloud, edge]) {
            for (const workload of [...ofType(run, "kubernetes:apps/v1:Deployment"), ...ofType(run, "kubernetes:core/v1:Service")]) {
                const after = waitsFor(run, workload);
                expect(after, workload.name).toContain(helmChart(run, "linkerd-control-plane").urn);
                expect(after, workload.name).toContain(helmChart(run, "linkerd-crds").urn);
            }
        }
    });

    it("deletes the gateway's LoadBalancer Service (its chart) before the cluster and the VPC", () => {
        const after = waitsFor(cloud, helmChart(cloud, "linkerd-multicluster"));
        expect(after).toContain(single(cloud, "eks:index:Cluster").urn);
        expect(after).toContain(single(cloud, "aws:ec2/vpc:Vpc").urn);
        for (const subnet of ofType(cloud, "aws:ec2/subnet:Subnet")) expect(after).toContain(subnet.urn);
    });

    it("deletes the namespaces last: everything in a namespace waits for it", () => {
        for (const run of [cloud, edge]) {
            const clusterScoped = [
                "kubernetes:core/v1:Namespace",
                "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole",
                "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding",
            ];
            const namespaced = run.resources.filter((r) => r.type.startsWith("kubernetes:") && !clusterScoped.includes(r.type));
            expect(namespaced.length).toBeGreaterThan(5);
            for (const resource of namespaced) {
                const name = resource.inputs.metadata?.namespace ?? resource.inputs.namespace;
                expect(name, `${resource.type} ${resource.name}`).toBeDefined();
                expect(waitsFor(run, resource), `${resource.type} ${resource.name} in ${name}`).toContain(named(run, NAMESPACE, name).urn);
            }
        }
    });
});

describe("destroying the cloud while edges link to it", () => {
    it("is called out in the cloud stack's outputs: the edge stacks first, in order", async () => {
        const run = await runStack("cloud", { config: { edgeSites: ["edge", "edge-berlin"] } });
        expect(run.outputs.destroyOrder.value).toEqual([
            "pulumi destroy --stack edge",
            "pulumi destroy --stack edge-berlin",
            "pulumi destroy --stack cloud",
        ]);
    });
});

describe("nothing fights a controller on the next up or refresh", () => {
    it("leaves replicas to no autoscaler and states the Link's server-side defaults", async () => {
        const { cloud, edge } = await runMesh();
        for (const run of [cloud, edge]) {
            expect(ofType(run, "kubernetes:autoscaling/v2:HorizontalPodAutoscaler")).toHaveLength(0);
            for (const deployment of ofType(run, "kubernetes:apps/v1:Deployment")) {
                const template = deployment.inputs.spec.template;
                // The proxy injector adds its container and annotations to pods, never to the Deployment.
                expect(template.spec.containers.map((c: any) => c.name)).not.toContain("linkerd-proxy");
                expect(Object.keys(template.metadata.annotations ?? {}).filter((key) => key.startsWith("linkerd.io/"))).toEqual([]);
            }
        }
        const probe = single(edge, "kubernetes:multicluster.linkerd.io/v1alpha3:Link").inputs.spec.probeSpec;
        expect(probe).toMatchObject({ timeout: "30s", failureThreshold: "3" });
    });
});
