// splitMode and the failover both split modes share, under mocks: the HTTPRoute's backends and weights
// (validated against the pinned Gateway API CRD), and the annotations on the route and on the podinfo
// Service, held to how Linkerd's policy controller parses them (test/linkerdAnnotations.ts).
import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { NGINX_PROXY_TIMEOUTS } from "../components/demoWorkloads";
import { FAILFAST_TIMEOUT_SECONDS, FAILOVER_WEIGHTS } from "../components/trafficSplit";
import { projectDefaults } from "../config";
import { K3S_KUBECONFIG, runMesh } from "./fixtures";
import { CHART, ROOT, StackRun, configError, kubernetesObject, named, ofType, single } from "./harness";
import { parseConsecutiveAccrual, parseDuration, parseHttpRetry, parseTimeouts } from "./linkerdAnnotations";
import { LINKERD_CRDS, crdSchema, crdValidator, itUpstream } from "./upstream";

const SERVICE = "kubernetes:core/v1:Service";
const HTTP_ROUTE = "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute";
const HTTP_ROUTE_CRD = path.join(LINKERD_CRDS, "gateway.networking.k8s.io_httproutes.yaml");

const route = (run: StackRun) => kubernetesObject(single(run, HTTP_ROUTE), "gateway.networking.k8s.io/v1", "HTTPRoute");
const podinfoService = (run: StackRun) => named(run, SERVICE, "podinfo").inputs;

describe("splitMode on edge", () => {
    let failover: StackRun;
    let weighted: StackRun;
    let smi: StackRun;
    let cloud: StackRun;
    beforeAll(async () => {
        failover = (await runMesh({ edge: { splitMode: "failover" } })).edge;
        ({ cloud, edge: weighted } = await runMesh());
        smi = (await runMesh({ edge: { trafficSplitApi: "smi" } })).edge;
    });

    it("failover: the local podinfo 1000000, the cloud's mirror 1, so 1 request in 1,000,001 reaches the cloud while the edge serves", () => {
        expect(route(failover).spec).toEqual({
            parentRefs: [{ group: "core", kind: "Service", name: "podinfo", port: 9898 }],
            rules: [
                {
                    backendRefs: [
                        { name: "podinfo", port: 9898, weight: 1_000_000 },
                        { name: "podinfo-cloud-relay", port: 9898, weight: 1 },
                    ],
                },
            ],
        });
        const [local, remote] = route(failover).spec.rules[0].backendRefs.map((backend: any) => backend.weight);
        // The proxy never picks a weight of 0, not even when every other backend fails fast.
        expect(remote).toBeGreaterThanOrEqual(1);
        expect(remote / (local + remote)).toBeLessThan(1e-6);
    });

    it("weighted (the default): trafficSplit's weights, as before", () => {
        expect(route(weighted).spec.rules[0].backendRefs.map((backend: any) => [backend.name, backend.weight])).toEqual([
            ["podinfo", 50],
            ["podinfo-cloud-relay", 50],
        ]);
    });

    itUpstream("the failover route fits the pinned HTTPRoute CRD, whose largest weight is the local one's", () => {
        const validate = crdValidator(HTTP_ROUTE_CRD, "v1");
        expect(validate(route(failover)), JSON.stringify(validate.errors)).toBe(true);
        const weight = crdSchema(HTTP_ROUTE_CRD, "v1").properties.spec.properties.rules.items.properties.backendRefs.items.properties
            .weight;
        expect(weight.maximum).toBe(FAILOVER_WEIGHTS.local);
        // One more and the API server would refuse the route: the check can fail.
        const tooHeavy = structuredClone(route(failover));
        tooHeavy.spec.rules[0].backendRefs[0].weight = FAILOVER_WEIGHTS.local + 1;
        expect(validate(tooHeavy)).toBe(false);
    });

    it.each(["failover", "weighted"])(
        "%s: the route retries any 5xx twice, 5 s a try, within 15 s, as the policy controller reads them",
        (mode) => {
            const run = mode === "failover" ? failover : weighted;
            const annotations = route(run).metadata.annotations;
            expect(annotations).toEqual({
                "retry.linkerd.io/http": "5xx",
                "retry.linkerd.io/limit": "2",
                "retry.linkerd.io/timeout": "5s",
                "timeout.linkerd.io/request": "15s",
            });
            const retry = parseHttpRetry(annotations)!;
            expect(retry).toEqual({ limit: 2, timeoutMs: 5_000, conditions: [[500, 599]] });
            // A Ready pod's 500, the one request each probation lets through included, is retried...
            expect(retry.conditions!.some(([min, max]) => min <= 500 && 500 <= max)).toBe(true);
            // ...once onto the failing backend until it fails fast again, and once more onto the other one.
            expect(retry.limit).toBeGreaterThanOrEqual(2);
            // The request must outlast the failfast delay and a whole retry to the other backend.
            const { requestMs } = parseTimeouts(annotations);
            expect(requestMs!).toBeGreaterThan(FAILFAST_TIMEOUT_SECONDS * 1000 + retry.timeoutMs!);
            // And end before the frontend's nginx gives up on it, so that nginx passes the mesh's answer on.
            expect(requestMs!).toBeLessThan(NGINX_PROXY_TIMEOUTS.readSeconds * 1000);
            // The controller reads failure accrual from Services only.
            expect(Object.keys(annotations).filter((key) => key.startsWith("balancer."))).toEqual([]);
        },
    );

    it.each(["failover", "weighted"])(
        "%s: the podinfo Service has consecutive failure accrual, as the policy controller reads it",
        (mode) => {
            const run = mode === "failover" ? failover : weighted;
            const annotations = podinfoService(run).metadata.annotations;
            expect(annotations).toEqual({
                "balancer.linkerd.io/failure-accrual": "consecutive",
                "balancer.linkerd.io/failure-accrual-consecutive-max-failures": "7",
                "balancer.linkerd.io/failure-accrual-consecutive-min-penalty": "5s",
                "balancer.linkerd.io/failure-accrual-consecutive-max-penalty": "1m",
            });
            expect(parseConsecutiveAccrual(annotations)).toEqual({
                maxFailures: 7,
                minPenaltyMs: 5_000,
                maxPenaltyMs: 60_000,
                jitterRatio: 0.5,
            });
            // Retries and timeouts here would be shadowed by the route's.
            expect(parseHttpRetry(annotations)).toBeUndefined();
            expect(parseTimeouts(annotations)).toEqual({});
        },
    );

    it("declares no ServiceProfile and no TrafficSplit for podinfo, nor the mirror podinfo-cloud, in either mode", () => {
        for (const run of [failover, weighted]) {
            const kubernetesTypes = run.resources.map((resource) => resource.type).filter((type) => type.startsWith("kubernetes:"));
            expect(kubernetesTypes).toContain(HTTP_ROUTE);
            expect(kubernetesTypes.filter((type) => /ServiceProfile|TrafficSplit/.test(type))).toEqual([]);
            expect(ofType(run, CHART).map((chart) => chart.inputs.chart)).not.toContain("linkerd-smi");
            expect(ofType(run, SERVICE).map((service) => service.inputs.metadata.name)).not.toContain("podinfo-cloud");
            expect(ofType(run, HTTP_ROUTE)).toHaveLength(1);
        }
    });

    it("annotates no edge podinfo Service where nothing reads it: with smi (a ServiceProfile turns accrual off)", () => {
        expect(podinfoService(smi).metadata.annotations).toBeUndefined();
        expect(ofType(cloud, HTTP_ROUTE)).toHaveLength(0);
    });

    it("gives the exported podinfo a retry and a timeout, which its mirror copies, for requests to the mirror itself", () => {
        const annotations = podinfoService(cloud).metadata.annotations;
        expect(annotations).toEqual({
            "retry.linkerd.io/http": "5xx",
            "retry.linkerd.io/limit": "1",
            "timeout.linkerd.io/request": "10s",
        });
        expect(parseHttpRetry(annotations)).toEqual({ limit: 1, timeoutMs: undefined, conditions: [[500, 599]] });
        // The mesh times out before the frontend's nginx gives up, so that its 504 is what nginx sees (the relay gives up sooner: test/remoteRelay.test.ts).
        expect(parseTimeouts(annotations).requestMs!).toBeLessThan(NGINX_PROXY_TIMEOUTS.readSeconds * 1000);
        expect(parseConsecutiveAccrual(annotations)).toBeUndefined();
    });
});

describe("splitMode is checked before anything is declared", () => {
    const edgeError = (config: Record<string, unknown>) => configError("edge", { config: { kubeconfig: K3S_KUBECONFIG, ...config } });

    it("failover with trafficSplitApi smi, naming both keys and why", async () => {
        const message = await edgeError({ splitMode: "failover", trafficSplitApi: "smi" });
        expect(message).toMatch(/edge-cloud-mesh:splitMode: "failover" does not work with edge-cloud-mesh:trafficSplitApi "smi"/);
        expect(message).toMatch(/ServiceProfile that linkerd-smi writes for the TrafficSplit replaces that route/);
        expect(message).toMatch(
            /accepted: splitMode "failover" with trafficSplitApi "httproute" \(the default\), or splitMode "weighted" with "smi"/,
        );
    });

    it("failover with weights of the user's, which it would ignore", async () => {
        const message = await edgeError({ splitMode: "failover", trafficSplit: { local: 80, cloud: 20 } });
        expect(message).toMatch(
            /edge-cloud-mesh:trafficSplit: \{"local":80,"cloud":20\} has no effect with edge-cloud-mesh:splitMode "failover"/,
        );
        expect(message).toMatch(/pulumi config rm trafficSplit/);
    });

    it("failover with bad weights reports the weights once", async () => {
        const message = await edgeError({ splitMode: "failover", trafficSplit: { local: -1, cloud: 50 } });
        expect(message).toMatch(/local is -1, not a whole number from 0 to 1000000/);
        expect(message).not.toMatch(/has no effect/);
    });

    it("an unknown mode", async () => {
        const message = await edgeError({ splitMode: "active-passive" });
        expect(message).toMatch(/edge-cloud-mesh:splitMode: "active-passive" is not accepted; accepted: "weighted" or "failover"/);
    });

    it("the default trafficSplit is Pulumi.yaml's", () => {
        const project = parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8"));
        expect(project.config.trafficSplit.default).toEqual({ local: 50, cloud: 50 });
        expect(projectDefaults().trafficSplit).toEqual(project.config.trafficSplit.default);
        expect(project.config.splitMode.default).toBe("weighted");
    });
});

describe("the policy controller's parsers, restated (the checks above can fail)", () => {
    it("durations need a whole number and a unit", () => {
        expect(parseDuration("15s")).toBe(15_000);
        expect(parseDuration("1m")).toBe(60_000);
        expect(parseDuration("0")).toBe(0);
        expect(() => parseDuration("5")).toThrow(/missing duration unit/);
        expect(() => parseDuration("0.5s")).toThrow(/fractional/);
        expect(() => parseDuration("1m30s")).toThrow();
        expect(() => parseDuration("5 sec")).toThrow(/invalid duration unit/);
    });

    it("retry conditions are not trimmed, nor the limit", () => {
        expect(parseHttpRetry({ "retry.linkerd.io/http": "gateway-error,429" })!.conditions).toEqual([
            [502, 504],
            [429, 429],
        ]);
        expect(() => parseHttpRetry({ "retry.linkerd.io/http": "5xx, gateway-error" })).toThrow(/invalid retry condition/);
        expect(() => parseHttpRetry({ "retry.linkerd.io/limit": " 2" })).toThrow();
        expect(parseHttpRetry({ "retry.linkerd.io/limit": "0" })).toBeUndefined();
    });

    it("failure accrual needs a known mode and min-penalty <= max-penalty", () => {
        expect(parseConsecutiveAccrual({})).toBeUndefined();
        expect(() => parseConsecutiveAccrual({ "balancer.linkerd.io/failure-accrual": "always" })).toThrow();
        expect(() =>
            parseConsecutiveAccrual({
                "balancer.linkerd.io/failure-accrual": "consecutive",
                "balancer.linkerd.io/failure-accrual-consecutive-min-penalty": "30s",
            }),
        ).not.toThrow();
        expect(() =>
            parseConsecutiveAccrual({
                "balancer.linkerd.io/failure-accrual": "consecutive",
                "balancer.linkerd.io/failure-accrual-consecutive-min-penalty": "2m",
                "balancer.linkerd.io/failure-accrual-consecutive-max-penalty": "1m",
            }),
        ).toThrow(/min_penalty/);
        expect(() =>
            parseConsecutiveAccrual({
                "balancer.linkerd.io/failure-accrual": "consecutive",
                "balancer.linkerd.io/failure-accrual-consecutive-max-failures": "seven",
            }),
        ).toThrow();
    });
});
