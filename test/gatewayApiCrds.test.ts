import { spawnSync } from "node:child_process";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { checkGatewayApiCrds, checkedOnceCreated, followedGatewayApiCrds, gatewayApiCrdsProblem } from "../components/gatewayApiCrds";
import {
    FakeApiServer,
    FakeApiServerOptions,
    FakeCrd,
    issueTestPki,
    k3sGatewayApiChartRouteCrds,
    k3sKubeconfig,
    k3sTraefikRouteCrds,
    startFakeApiServer,
} from "./fakeApiServer";
import { K3S_KUBECONFIG, K3S_WITHOUT_GATEWAY_API_KUBECONFIG, runEdge } from "./fixtures";
import { ROOT, StackOutput, StackRun, configError, helmChart, ofType, runStack, single } from "./harness";
import { eksKubeconfig } from "./mocks";
import { LINKERD_CRDS, itUpstream, readUpstream } from "./upstream";

const HTTPROUTES = "httproutes.gateway.networking.k8s.io";
const GRPCROUTES = "grpcroutes.gateway.networking.k8s.io";
const CRD_PATH = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/";
const JOB_PATH = "/apis/batch/v1/namespaces/kube-system/jobs/";

/** A Gateway API CRD from linkerd-crds 2026.8.3 as Helm renders it into the cluster: the pinned template's metadata filled in. */
function linkerdInstalledCrd(file: string): FakeCrd {
    const crd = parse(
        readUpstream(path.join(LINKERD_CRDS, file))
            .split("\n")
            .filter((line) => !line.includes("{{"))
            .join("\n"),
    );
    crd.metadata.annotations = { ...crd.metadata.annotations, "linkerd.io/created-by": "linkerd/helm edge-26.8.3" };
    crd.metadata.labels = { "helm.sh/chart": "linkerd-crds-2026.8.3", "linkerd.io/control-plane-ns": "linkerd" };
    return crd;
}

describe("the Kubernetes client under the Pulumi runtime", () => {
    it("loads with require(), as the language host's CommonJS build of index.ts does (@kubernetes/client-node 1.x is ESM: Node >= 20.19)", () => {
        const script =
            'const k8s = require("@kubernetes/client-node"); process.stdout.write(typeof k8s.KubeConfig + " " + typeof k8s.ApiextensionsV1Api)';
        const result = spawnSync(process.execPath, ["-e", script], { cwd: ROOT, encoding: "utf8" });
        expect(result.stderr).toBe("");
        expect(result.stdout).toBe("function function");
    });
});

const EDGE = { role: "edge", clusterName: "edge" } as const;

describe("what the Gateway API CRDs must look like (pure)", () => {
    const traefik = Object.fromEntries(k3sTraefikRouteCrds().map((crd) => [crd.metadata.name, crd]));

    it("existing: both route CRDs, each serving v1", () => {
        expect(gatewayApiCrdsProblem(EDGE, "existing", traefik)).toBeUndefined();
        const problem = gatewayApiCrdsProblem(EDGE, "existing", { [HTTPROUTES]: traefik[HTTPROUTES], [GRPCROUTES]: undefined });
        expect(problem).toMatch(
            /edge-cloud-mesh:gatewayApiCrds is "existing", but the edge cluster "edge" has no grpcroutes\.gateway\.networking\.k8s\.io \(/,
        );
        expect(problem).toMatch(/--disable traefik/);
        expect(problem).toMatch(/set edge-cloud-mesh:gatewayApiCrds to "install"/);
        // Gateway API v1.0: GRPCRoute only as v1alpha2, which edge-26.8.3 does not read.
        const old = { ...traefik, [GRPCROUTES]: { spec: { versions: [{ name: "v1alpha2", served: true }] } } };
        expect(gatewayApiCrdsProblem(EDGE, "existing", old)).toMatch(
            /grpcroutes\.gateway\.networking\.k8s\.io does not serve v1 \(serves: v1alpha2\)/,
        );
        const unserved = { ...traefik, [HTTPROUTES]: { spec: { versions: [{ name: "v1", served: false }] } } };
        expect(gatewayApiCrdsProblem(EDGE, "existing", unserved)).toMatch(
            /httproutes\.gateway\.networking\.k8s\.io does not serve v1 \(serves: none\)/,
        );
    });

    it("install: none, or only ones Linkerd installed; never another owner's", () => {
        expect(gatewayApiCrdsProblem(EDGE, "install", {})).toBeUndefined();
        const linkerd = {
            metadata: { annotations: { "linkerd.io/created-by": "linkerd/helm edge-26.8.3" } },
            spec: { versions: [{ name: "v1", served: true }] },
        };
        expect(gatewayApiCrdsProblem(EDGE, "install", { [HTTPROUTES]: linkerd, [GRPCROUTES]: linkerd })).toBeUndefined();
        const problem = gatewayApiCrdsProblem(EDGE, "install", { [HTTPROUTES]: linkerd, [GRPCROUTES]: traefik[GRPCROUTES] });
        expect(problem).toMatch(
            /edge-cloud-mesh:gatewayApiCrds is "install", but the edge cluster "edge" already has grpcroutes\.gateway\.networking\.k8s\.io, installed by something other than Linkerd/,
        );
        expect(problem).toMatch(/Set edge-cloud-mesh:gatewayApiCrds to "existing"/);
    });
});

describe("gatewayApiCrds left empty follows what the cluster has (pure)", () => {
    const traefik = Object.fromEntries(k3sTraefikRouteCrds().map((crd) => [crd.metadata.name, crd]));
    const linkerd = {
        metadata: { annotations: { "linkerd.io/created-by": "linkerd/helm edge-26.8.3" } },
        spec: { versions: [{ name: "v1", served: true }] },
    };

    it("install where the cluster has none, or Linkerd's with a Linkerd install (the second `up` decides as the first did)", () => {
        expect(followedGatewayApiCrds({}, false)).toBe("install");
        expect(followedGatewayApiCrds({ [HTTPROUTES]: undefined, [GRPCROUTES]: undefined }, false)).toBe("install");
        expect(followedGatewayApiCrds({ [HTTPROUTES]: linkerd, [GRPCROUTES]: linkerd }, true)).toBe("install");
    });

    it("existing where Linkerd's are leftovers of a destroyed install (kept by helm.sh/resource-policy), which creating them again would fail on", () => {
        expect(followedGatewayApiCrds({ [HTTPROUTES]: linkerd, [GRPCROUTES]: linkerd }, false)).toBe("existing");
    });

    it("existing as soon as one is another owner's, and then the check holds them to what Linkerd needs", () => {
        expect(followedGatewayApiCrds(traefik, false)).toBe("existing");
        expect(followedGatewayApiCrds(traefik, true)).toBe("existing");
        const partial = { [HTTPROUTES]: traefik[HTTPROUTES], [GRPCROUTES]: undefined };
        expect(followedGatewayApiCrds(partial, false)).toBe("existing");
        expect(gatewayApiCrdsProblem(EDGE, "existing", partial, true)).toMatch(
            /^edge-cloud-mesh:gatewayApiCrds is empty, so the edge cluster "edge" uses the Gateway API CRDs it has \(as with "existing"\), but the edge cluster "edge" has no grpcroutes\.gateway\.networking\.k8s\.io /,
        );
        expect(gatewayApiCrdsProblem({ role: "cloud", clusterName: "cloud" }, "existing", partial, true)).toMatch(
            /the cloud cluster "cloud" has no grpcroutes/,
        );
    });
});

describe("the check against a loopback server that answers like a k3s API server", () => {
    const pki = issueTestPki();
    const servers: FakeApiServer[] = [];
    async function server(crds: FakeCrd[], status?: number): Promise<FakeApiServer> {
        const started = await startFakeApiServer({ pki, crds, status });
        servers.push(started);
        return started;
    }
    const check = (
        url: string,
        mode: "install" | "existing" | undefined,
        kubeconfig = k3sKubeconfig(pki, [{ name: "default", server: url }]),
    ) => checkGatewayApiCrds({ ...EDGE, mode, kubeconfig, kubeContext: "" });
    afterAll(async () => {
        await Promise.all(servers.map((started) => started.close()));
    });

    it("existing, on a k3s with Traefik: reads both CRDs with the kubeconfig's client certificate and passes", async () => {
        const k3s = await server(k3sTraefikRouteCrds());
        await expect(check(k3s.url, "existing")).resolves.toBe("existing");
        expect(k3s.requests).toEqual([`${CRD_PATH}${HTTPROUTES}`, `${CRD_PATH}${GRPCROUTES}`]);
    });

    it("empty: existing on a k3s with Traefik, install on one without any", async () => {
        await expect(check((await server(k3sTraefikRouteCrds())).url, undefined)).resolves.toBe("existing");
        await expect(check((await server([])).url, undefined)).resolves.toBe("install");
    });

    it("existing, on a k3s without Traefik: stops, naming gatewayApiCrds and the fix", async () => {
        const k3s = await server([]);
        const error = await check(k3s.url, "existing").catch((caught: Error) => caught);
        expect(error).toBeInstanceOf(pulumi.RunError);
        expect((error as Error).message).toMatch(
            /edge-cloud-mesh:gatewayApiCrds is "existing", but the edge cluster "edge" has no httproutes\.gateway\.networking\.k8s\.io and grpcroutes\.gateway\.networking\.k8s\.io/,
        );
    });

    it("install, on a k3s with Traefik's CRDs: stops, two owners would fight over them", async () => {
        const k3s = await server(k3sTraefikRouteCrds());
        await expect(check(k3s.url, "install")).rejects.toThrow(
            /is "install", but the edge cluster "edge" already has httproutes\.gateway\.networking\.k8s\.io and grpcroutes/,
        );
    });

    it("on k3s 1.37+, whose own gateway-api-crd chart installs them: existing passes, install stops", async () => {
        const k3s = await server(k3sGatewayApiChartRouteCrds());
        await expect(check(k3s.url, "existing")).resolves.toBe("existing");
        await expect(check(k3s.url, "install")).rejects.toThrow(
            /installed by something other than Linkerd \(on k3s: its traefik-crd or gateway-api-crd chart\)/,
        );
    });

    itUpstream("install, a second time: the CRDs this stack's linkerd-crds installed are no obstacle", async () => {
        const k3s = await server([
            linkerdInstalledCrd("gateway.networking.k8s.io_httproutes.yaml"),
            linkerdInstalledCrd("gateway.networking.k8s.io_grpcroutes.yaml"),
        ]);
        await expect(check(k3s.url, "install")).resolves.toBe("install");
        // And switching such a cluster to existing works too: they serve v1.
        await expect(check(k3s.url, "existing")).resolves.toBe("existing");
    });

    itUpstream(
        "empty, with Linkerd's CRDs: install while Linkerd is installed (the second `up`), existing once it is gone (leftovers of a destroy)",
        async () => {
            const routes = [
                linkerdInstalledCrd("gateway.networking.k8s.io_httproutes.yaml"),
                linkerdInstalledCrd("gateway.networking.k8s.io_grpcroutes.yaml"),
            ];
            const installed = await server([...routes, linkerdInstalledCrd("server.yaml")]);
            await expect(check(installed.url, undefined)).resolves.toBe("install");
            expect(installed.requests).toEqual([
                `${CRD_PATH}${HTTPROUTES}`,
                `${CRD_PATH}${GRPCROUTES}`,
                `${CRD_PATH}servers.policy.linkerd.io`,
            ]);
            const destroyed = await server(routes);
            await expect(check(destroyed.url, undefined)).resolves.toBe("existing");
        },
    );

    it("a user the API server refuses (403): says so, naming the kubeconfig", async () => {
        const k3s = await server(k3sTraefikRouteCrds(), 403);
        await expect(check(k3s.url, "existing")).rejects.toThrow(
            /API server https:\/\/127\.0\.0\.1:\d+ refused to let them read CustomResourceDefinitions of edge-cloud-mesh:kubeconfig \(HTTP 403/,
        );
    });

    it("credentials the API server does not accept (401, a client certificate of another CA): names the kubeconfig", async () => {
        const k3s = await server(k3sTraefikRouteCrds());
        const stranger = issueTestPki();
        const kubeconfig = k3sKubeconfig({ ...pki, clientCertPem: stranger.clientCertPem, clientKeyPem: stranger.clientKeyPem }, [
            { name: "default", server: k3s.url },
        ]);
        await expect(check(k3s.url, "existing", kubeconfig)).rejects.toThrow(
            /did not accept the credentials of edge-cloud-mesh:kubeconfig \(HTTP 401/,
        );
        expect(k3s.requests).toEqual([]);
    });

    it("a server whose certificate the kubeconfig's CA did not sign: fails, naming the kubeconfig", async () => {
        const k3s = await server(k3sTraefikRouteCrds());
        const kubeconfig = k3sKubeconfig({ ...pki, caPem: issueTestPki().caPem }, [{ name: "default", server: k3s.url }]);
        await expect(check(k3s.url, "existing", kubeconfig)).rejects.toThrow(
            /could not read httproutes\.gateway\.networking\.k8s\.io from the edge cluster "edge"'s API server .* with edge-cloud-mesh:kubeconfig/,
        );
    });
});

describe("on a k3s that has just booted, the check waits (bounded) for the chart that installs the CRDs", () => {
    const pki = issueTestPki();
    const servers: FakeApiServer[] = [];
    async function server(options: Omit<FakeApiServerOptions, "pki">): Promise<FakeApiServer> {
        const started = await startFakeApiServer({ pki, ...options });
        servers.push(started);
        return started;
    }
    const WAIT = { timeoutMs: 1_500, pollMs: 50 };
    const check = (url: string, mode: "install" | "existing" | undefined) =>
        checkGatewayApiCrds({
            ...EDGE,
            mode,
            kubeconfig: k3sKubeconfig(pki, [{ name: "default", server: url }]),
            kubeContext: "",
            wait: WAIT,
        });
    const crdReads = (k3s: FakeApiServer) => k3s.requests.filter((request) => request.startsWith(CRD_PATH)).length;
    afterAll(async () => {
        await Promise.all(servers.map((started) => started.close()));
    });

    it.each(["traefik-crd", "gateway-api-crd"])(
        "existing: the CRDs of k3s's HelmChart %s appear after a few reads, and the check passes",
        async (chart) => {
            const crds = chart === "traefik-crd" ? k3sTraefikRouteCrds() : k3sGatewayApiChartRouteCrds();
            const k3s = await server({ crds, crdsFromRead: 7, k3sCharts: [{ name: chart, jobSucceeded: false }] });
            await expect(check(k3s.url, "existing")).resolves.toBe("existing");
            expect(crdReads(k3s)).toBeGreaterThanOrEqual(7);
            expect(k3s.requests).toContain(`${JOB_PATH}helm-install-${chart}`);
        },
    );

    it("empty: follows the CRDs k3s is about to install (existing), not the empty cluster it saw first (install, then two owners)", async () => {
        const k3s = await server({ crds: k3sTraefikRouteCrds(), crdsFromRead: 5, k3sCharts: [{ name: "traefik-crd" }] });
        await expect(check(k3s.url, undefined)).resolves.toBe("existing");
    });

    it("install: waits too, then stops on the two owners it would have met", async () => {
        const k3s = await server({
            crds: k3sTraefikRouteCrds(),
            crdsFromRead: 5,
            k3sCharts: [{ name: "traefik-crd", jobSucceeded: false }],
        });
        await expect(check(k3s.url, "install")).rejects.toThrow(/is "install", but the edge cluster "edge" already has httproutes/);
    });

    it("CRDs that never come: a bounded failure naming the chart, its job, what to look at and how long it waited", async () => {
        const k3s = await server({ crds: [], k3sCharts: [{ name: "traefik-crd", jobSucceeded: false }] });
        const started = performance.now();
        const error = await check(k3s.url, "existing").catch((caught: Error) => caught);
        expect(performance.now() - started).toBeGreaterThanOrEqual(WAIT.timeoutMs);
        expect(performance.now() - started).toBeLessThan(WAIT.timeoutMs + 5_000);
        expect(error).toBeInstanceOf(pulumi.RunError);
        expect((error as Error).message).toBe(
            'the edge cluster "edge" still has no httproutes.gateway.networking.k8s.io and grpcroutes.gateway.networking.k8s.io, ' +
                "which k3s installs with its HelmChart kube-system/traefik-crd (job kube-system/helm-install-traefik-crd, not finished) " +
                "after 1.5s of waiting. Look at the job (kubectl -n kube-system describe job helm-install-traefik-crd; " +
                "kubectl -n kube-system logs job/helm-install-traefik-crd) and run this again once it has succeeded.",
        );
        expect(crdReads(k3s)).toBeGreaterThan(4);
    });

    it("no wait where nothing will install them: no k3s chart, or one whose job has run (k3s before 1.34 ships none with Traefik)", async () => {
        for (const k3sCharts of [[], [{ name: "traefik-crd", jobSucceeded: true }]]) {
            const k3s = await server({ crds: [], k3sCharts });
            await expect(check(k3s.url, "existing")).rejects.toThrow(/is "existing", but the edge cluster "edge" has no httproutes/);
            // Read once, never again.
            expect(crdReads(k3s)).toBe(2);
        }
    });
});

describe("the edge stack runs the check before declaring anything", () => {
    let cloudOutputs: Record<string, StackOutput>;
    beforeAll(async () => {
        cloudOutputs = (await runStack("cloud")).outputs;
    });

    it("existing on a k3s without Traefik", async () => {
        const message = await configError("edge", {
            config: { role: "edge", kubeconfig: K3S_WITHOUT_GATEWAY_API_KUBECONFIG, gatewayApiCrds: "existing" },
            secretKeys: ["kubeconfig"],
            stackReferences: { cloud: cloudOutputs },
        });
        expect(message).toMatch(/edge-cloud-mesh:gatewayApiCrds is "existing", but the edge cluster "edge" has no httproutes/);
    });

    it("empty (the default) is existing on the edge: a k3s with the CRDs uses them, one without is told to install them", async () => {
        const crdsChart = (run: StackRun) => helmChart(run, "linkerd-crds").inputs.values;
        expect(crdsChart(await runEdge(cloudOutputs))).toEqual({ installGatewayAPI: false });
        const message = await configError("edge", {
            config: { role: "edge", kubeconfig: K3S_WITHOUT_GATEWAY_API_KUBECONFIG },
            secretKeys: ["kubeconfig"],
            stackReferences: { cloud: cloudOutputs },
        });
        expect(message).toMatch(/edge-cloud-mesh:gatewayApiCrds is "existing", but the edge cluster "edge" has no httproutes/);
        expect(message).toMatch(/set edge-cloud-mesh:gatewayApiCrds to "install"/);
    });

    it("install on a k3s with Traefik's CRDs, and with the context that selects it", async () => {
        const options = { secretKeys: ["kubeconfig"], stackReferences: { cloud: cloudOutputs } };
        const message = await configError("edge", {
            config: { role: "edge", kubeconfig: K3S_KUBECONFIG, gatewayApiCrds: "install" },
            ...options,
        });
        expect(message).toMatch(/edge-cloud-mesh:gatewayApiCrds is "install", but the edge cluster "edge" already has/);
        const viaContext = await configError("edge", {
            config: { role: "edge", kubeconfig: K3S_WITHOUT_GATEWAY_API_KUBECONFIG, kubeContext: "default", gatewayApiCrds: "install" },
            ...options,
        });
        expect(viaContext).toMatch(/is "install", but the edge cluster "edge" already has/);
    });

    it("passes where the cluster fits: existing with Traefik's CRDs, install without any", async () => {
        const existing = await runEdge(cloudOutputs);
        const install = await runEdge(cloudOutputs, { kubeconfig: K3S_WITHOUT_GATEWAY_API_KUBECONFIG, gatewayApiCrds: "install" });
        for (const run of [existing, install]) expect(ofType(run, "kubernetes:helm.sh/v4:Chart").length).toBeGreaterThan(3);
    });
});

describe("gatewayApiCrds: existing on EKS is checked against the cluster the stack creates, before linkerd-crds", () => {
    const asObject = (kubeconfig: string) => parse(kubeconfig) as object;
    afterAll(() => {
        eksKubeconfig.current = undefined;
    });

    it("a cluster that has them: linkerd-crds leaves them alone, and its values wait for the cluster; install (the default) asks nothing", async () => {
        eksKubeconfig.current = asObject(K3S_KUBECONFIG);
        const run = await runStack("cloud", { config: { gatewayApiCrds: "existing" } });
        const crds = helmChart(run, "linkerd-crds");
        expect(crds.inputs.values).toEqual({ installGatewayAPI: false });
        expect(crds.propertyDependencies.values).toContain(single(run, "eks:index:Cluster").urn);
        eksKubeconfig.current = asObject(K3S_WITHOUT_GATEWAY_API_KUBECONFIG);
        const install = await runStack("cloud");
        const values = helmChart(install, "linkerd-crds");
        expect(values.inputs.values).toEqual({ installGatewayAPI: true });
        expect(values.propertyDependencies.values ?? []).not.toContain(single(install, "eks:index:Cluster").urn);
    });

    it("a cluster without them (what EKS ships): the check fails what waits for it, saying why, with the cluster's own kubeconfig", async () => {
        const kubeconfig = pulumi.secret(K3S_WITHOUT_GATEWAY_API_KUBECONFIG);
        const checked = checkedOnceCreated({ role: "cloud", clusterName: "cloud" }, kubeconfig) as any;
        // An Output's known and secret flags reject with its value: a resource input waits for all three.
        const [error] = await Promise.all(
            [checked.promise(), checked.isKnown, checked.isSecret].map((promise) => promise.catch((caught: Error) => caught)),
        );
        expect(error).toBeInstanceOf(pulumi.RunError);
        expect((error as Error).message).toMatch(
            /^edge-cloud-mesh:gatewayApiCrds is "existing", but the cloud cluster "cloud" has no httproutes\.gateway\.networking\.k8s\.io and grpcroutes\.gateway\.networking\.k8s\.io \(EKS ships none: something must install them on the cluster after the stack has created it/,
        );
        expect((error as Error).message).toMatch(/or set edge-cloud-mesh:gatewayApiCrds to "install"/);
    });

    it("and what it found is no secret, though the kubeconfig is", async () => {
        const checked = checkedOnceCreated({ role: "cloud", clusterName: "cloud" }, pulumi.secret(K3S_KUBECONFIG));
        expect(await (checked as any).promise()).toBe("existing");
        expect(await pulumi.isSecret(checked)).toBe(false);
    });
});
