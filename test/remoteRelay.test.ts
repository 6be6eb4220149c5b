// The split's remote backend (components/remoteRelay.ts): what the edge stack declares for it, under
// mocks, and its generated nginx.conf run under a real nginx against stub upstreams on loopback
// (test/nginxHarness.ts): the mirror when it answers, the local pods when it cannot.
import type * as dgram from "node:dgram";
import type * as http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_IMAGES, FRONTEND_RUNTIME, PODINFO_PORT, configChecksum } from "../components/demoWorkloads";
import { RELAY_MIRROR_READ_SECONDS, relayConfig } from "../components/remoteRelay";
import { FAILFAST_TIMEOUT_SECONDS, ROUTE_RESILIENCE_ANNOTATIONS } from "../components/trafficSplit";
import { runMesh } from "./fixtures";
import { StackRun, named, ofType, single } from "./harness";
import { parseHttpRetry } from "./linkerdAnnotations";
import {
    NGINX_AVAILABLE,
    Received,
    RunningNginx,
    differingLines,
    loopbackNet,
    request,
    startDns,
    startNginx,
    startUpstream,
} from "./nginxHarness";

const SERVICE = "kubernetes:core/v1:Service";
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const CONFIGMAP = "kubernetes:core/v1:ConfigMap";
const HTTP_ROUTE = "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute";
const TRAFFIC_SPLIT = "kubernetes:split.smi-spec.io/v1alpha2:TrafficSplit";

describe.each(["httproute", "smi"] as const)("the relay on the edge, with trafficSplitApi %s", (api) => {
    let edge: StackRun;
    let cloud: StackRun;
    beforeAll(async () => {
        ({ edge, cloud } = await runMesh({ edge: { trafficSplitApi: api } }));
    });

    it("is the split's remote backend, declared before the split: the split never names a Service that is missing", () => {
        const split = single(edge, api === "smi" ? TRAFFIC_SPLIT : HTTP_ROUTE);
        const backends =
            api === "smi"
                ? split.inputs.spec.backends.map((backend: any) => backend.service)
                : split.inputs.spec.rules[0].backendRefs.map((backend: any) => backend.name);
        expect(backends).toEqual(["podinfo", "podinfo-cloud-relay"]);
        const relay = named(edge, SERVICE, "podinfo-cloud-relay");
        expect(split.dependencies).toContain(relay.urn);
        // The local backend is the route's parent Service, declared with the demo before the split.
        expect(ofType(edge, SERVICE).map((service) => service.inputs.metadata.name)).not.toContain("podinfo-cloud");
    });

    it("runs nginx (the demo's pinned image) with the relay's nginx.conf, on podinfo's port, in the meshed namespace", () => {
        const config = named(edge, CONFIGMAP, "podinfo-cloud-relay");
        const conf: string = config.inputs.data["nginx.conf"];
        expect(conf).toBe(relayConfig("podinfo-cloud", "podinfo-local", { ...FRONTEND_RUNTIME, listen: String(PODINFO_PORT) }));
        const deployment = named(edge, DEPLOYMENT, "podinfo-cloud-relay");
        const pod = deployment.inputs.spec.template;
        expect(pod.spec.containers.map((container: any) => [container.image, container.ports])).toEqual([
            [DEMO_IMAGES.nginx, [{ name: "http", containerPort: PODINFO_PORT, protocol: "TCP" }]],
        ]);
        expect(pod.spec.volumes[0]).toEqual({ name: "config", configMap: { name: "podinfo-cloud-relay" } });
        expect(pod.metadata.annotations["checksum/config"]).toBe(configChecksum(conf));
        expect(pod.metadata.labels).toEqual({ app: "podinfo-cloud-relay" });
        expect(named(edge, SERVICE, "podinfo-cloud-relay").inputs.spec).toEqual({
            selector: { app: "podinfo-cloud-relay" },
            ports: [{ name: "http", port: PODINFO_PORT, targetPort: "http", protocol: "TCP" }],
        });
        for (const resource of [config, deployment, named(edge, SERVICE, "podinfo-cloud-relay")]) {
            expect(resource.inputs.metadata.namespace).toBe("test");
        }
    });

    it("falls back to podinfo-local: the edge's podinfo pods, through a Service that no route splits", () => {
        const local = named(edge, SERVICE, "podinfo-local");
        expect(local.inputs.spec).toEqual({
            selector: named(edge, DEPLOYMENT, "podinfo").inputs.spec.selector.matchLabels,
            ports: [{ name: "http", port: PODINFO_PORT, targetPort: "http", protocol: "TCP" }],
        });
        const routes = ofType(edge, HTTP_ROUTE).flatMap((route) => route.inputs.spec.parentRefs.map((parent: any) => parent.name));
        expect(routes).not.toContain("podinfo-local");
    });

    it("exists only where a split does: not on the cloud", () => {
        expect(
            ofType(cloud, SERVICE)
                .map((service) => service.inputs.metadata.name)
                .sort(),
        ).toEqual(["frontend", "podinfo"]);
    });
});

const NET = loopbackNet();
const NGINX_ADDRESS = `${NET}.1`;
const UPSTREAMS: Record<string, string> = {
    "podinfo-local.test.svc.cluster.local": `${NET}.2`,
    "podinfo-cloud.test.svc.cluster.local": `${NET}.3`,
    // A mirror whose address takes no connection; podinfo-gone has no name at all (not mirrored).
    "podinfo-down.test.svc.cluster.local": `${NET}.4`,
};
const LOCAL = UPSTREAMS["podinfo-local.test.svc.cluster.local"];
const CLOUD = UPSTREAMS["podinfo-cloud.test.svc.cluster.local"];

describe.skipIf(!NGINX_AVAILABLE)("the relay's nginx.conf under a real nginx", () => {
    const received: Record<string, Received[]> = { local: [], cloud: [] };
    let cloudAnswer: (request: Received) => { status: number; body?: string } | "hang" = () => ({ status: 200 });
    let localAnswer: (request: Received) => { status: number; body?: string } = () => ({ status: 200 });
    let dns: dgram.Socket;
    let upstreams: http.Server[];
    const relays: Record<string, RunningNginx> = {};

    /** A request through the relay to `remote`: status, and what the upstream that answered said it received. */
    async function send(remote: string, options: { method?: string; body?: string; path?: string } = {}) {
        const answer = await request(`${relays[remote].url}${options.path ?? "/api/echo?x=1"}`, options);
        return { status: answer.status, ...(answer.json ?? {}) };
    }

    beforeAll(async () => {
        dns = await startDns(NGINX_ADDRESS, UPSTREAMS);
        upstreams = await Promise.all([
            startUpstream(LOCAL, PODINFO_PORT, received.local, (got) => localAnswer(got)),
            startUpstream(CLOUD, PODINFO_PORT, received.cloud, (got) => cloudAnswer(got)),
        ]);
        for (const remote of ["podinfo-cloud", "podinfo-gone", "podinfo-down"]) {
            relays[remote] = await startNginx(NGINX_ADDRESS, dns, (runtime) => relayConfig(remote, "podinfo-local", runtime));
        }
    });

    afterAll(async () => {
        await Promise.all(Object.values(relays).map((relay) => relay.stop()));
        dns?.close();
        for (const server of upstreams ?? []) server.closeAllConnections();
        await Promise.all((upstreams ?? []).map((server) => new Promise((resolve) => server.close(resolve))));
    });

    it("runs the generated config: only where it listens, its resolver and its runtime directory differ from the pod's", () => {
        const pod = relayConfig("podinfo-cloud", "podinfo-local", { ...FRONTEND_RUNTIME, listen: String(PODINFO_PORT) });
        const changed = differingLines(pod, relays["podinfo-cloud"].config);
        expect(
            changed.every((line) => /^\s*(listen|resolver|pid|\w+_temp_path)\s/.test(line)),
            changed.join("\n"),
        ).toBe(true);
        expect(pod).toContain(`listen ${PODINFO_PORT};`);
    });

    it("sends every request to the mirror, with its method, path and body", async () => {
        expect(await send("podinfo-cloud", { method: "POST", body: "hello" })).toMatchObject({
            status: 200,
            upstream: CLOUD,
            method: "POST",
            path: "/api/echo?x=1",
            body: "hello",
        });
        expect(await send("podinfo-cloud", { path: "/" })).toMatchObject({ status: 200, upstream: CLOUD, path: "/" });
    });

    it.each([502, 503, 504])(
        "answers from the local pods when the mirror answers %i (no endpoint, failfast, a timeout)",
        async (status) => {
            cloudAnswer = () => ({ status });
            expect(await send("podinfo-cloud", { method: "POST", body: "again" })).toMatchObject({
                status: 200,
                upstream: LOCAL,
                method: "POST",
                path: "/api/echo?x=1",
                body: "again",
            });
            cloudAnswer = () => ({ status: 200 });
        },
    );

    it("answers from the local pods when the mirror does not exist (not exported yet, or any more)", async () => {
        expect(await send("podinfo-gone")).toMatchObject({ status: 200, upstream: LOCAL, path: "/api/echo?x=1" });
    });

    it("answers from the local pods when the mirror takes no connection", async () => {
        expect(await send("podinfo-down")).toMatchObject({ status: 200, upstream: LOCAL });
    });

    it("answers from the local pods when the mirror does not answer in time: after the failfast, within the route's per-try timeout", async () => {
        // A mirror with no endpoint answers 503 after the proxy's failfast; the route times a try out after its per-try timeout.
        const perTryMs = parseHttpRetry(ROUTE_RESILIENCE_ANNOTATIONS)!.timeoutMs!;
        expect(RELAY_MIRROR_READ_SECONDS * 1000).toBeGreaterThan(FAILFAST_TIMEOUT_SECONDS * 1000);
        expect(RELAY_MIRROR_READ_SECONDS * 1000).toBeLessThan(perTryMs);
        cloudAnswer = () => "hang";
        const started = performance.now();
        expect(await send("podinfo-cloud")).toMatchObject({ status: 200, upstream: LOCAL });
        const waited = performance.now() - started;
        cloudAnswer = () => ({ status: 200 });
        expect(waited).toBeGreaterThanOrEqual(RELAY_MIRROR_READ_SECONDS * 1000 - 100);
        expect(waited).toBeLessThan(perTryMs);
    }, 15_000);

    it("keeps a body over nginx's default 1 MiB limit for the second try", async () => {
        cloudAnswer = () => ({ status: 503 });
        const body = "x".repeat(1_100_000);
        const answer = await send("podinfo-cloud", { method: "PUT", body });
        expect(answer).toMatchObject({ status: 200, upstream: LOCAL, method: "PUT" });
        expect((answer as { body?: string }).body).toHaveLength(body.length);
        cloudAnswer = () => ({ status: 200 });
    });

    it("passes the cloud's own answers on: a 500 from podinfo is not retried locally (the route's retries decide)", async () => {
        cloudAnswer = () => ({ status: 500, body: '{"code":500}' });
        const before = received.local.length;
        expect(await send("podinfo-cloud")).toMatchObject({ status: 500, code: 500 });
        expect(received.local).toHaveLength(before);
        cloudAnswer = () => ({ status: 200 });
    });

    it("answers what the local pods answer when neither side can serve", async () => {
        localAnswer = () => ({ status: 503, body: '{"local":"down"}' });
        expect(await send("podinfo-gone")).toMatchObject({ status: 503, local: "down" });
        localAnswer = () => ({ status: 200 });
    });
});
