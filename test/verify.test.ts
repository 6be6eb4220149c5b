// npm run verify: the seed tutorial's checks, run as real child processes against stand-in kubectl,
// linkerd and pulumi (test/standins/), on the stacks' own outputs through the real Automation API.
// Each check's command line, how its CLI's answer becomes a result (a failure, a warning), the split
// modes, and the proxy that lets linkerd reach the local cloud's API server by its in-network name,
// which the stand-in linkerd really connects through to a loopback HTTPS server of the test's own.
import { execFile, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { DEMO, greeting } from "../scripts/checks/demo";
import { routeMode } from "../scripts/checks/verify";
import type { CheckResult, Clock } from "../scripts/checks/framework";
import { localEnvironment } from "../scripts/flows/localEnv";
import { verifyMesh } from "../scripts/flows/verify";
import { automationWorkspace } from "../scripts/pulumi/automation";
import { startConnectProxy } from "../scripts/tools/connectProxy";
import { checkFindings, jsonDocuments } from "../scripts/tools/linkerd";
import { spawnRunner } from "../scripts/tools/spawn";
import { fakeClock, recordingReporter } from "./fakes";
import { runMesh } from "./fixtures";
import { ofType } from "./harness";
import { FAILOVER_ROUTE, LocalMeshWorld, WEIGHTED_ROUTE, localCloudApi, localStacks } from "./localWorld";
import { StandIns, standIns } from "./standins";

const cloudApi = localCloudApi();

/** A clock on which the first wait outlasts any check's window: a failing check runs twice, for tests of what it says, not of its retries. */
function hurriedClock(): Clock {
    let now = 0;
    return { now: () => now, sleep: async () => void (now += 3_600_000) };
}

/** The local stacks after local:up, on a working mesh (localWorld.ts), the cloud's API server this file's. */
const localMesh = (world: LocalMeshWorld = {}) => localStacks(cloudApi, world);

async function verify(
    cli: StandIns,
    root: string,
    env: NodeJS.ProcessEnv,
    names = { cloudStack: "local-cloud", edgeStackPrefix: "local-" },
    clock = fakeClock().clock,
) {
    const { reporter, stdout } = recordingReporter();
    const outcome = await verifyMesh(await automationWorkspace(root, env), names, { runner: spawnRunner(root), reporter, clock }, env);
    const byId = Object.fromEntries(outcome.results.map((result) => [result.id, result])) as Record<string, CheckResult>;
    return { outcome, byId, stdout: stdout(), calls: (tool: "kubectl" | "linkerd") => cli.calls(tool) };
}

/** verify on the local stacks of a localMesh, as npm run verify runs it there. */
const verifyLocal = ({ cli, root }: ReturnType<typeof localMesh>, clock?: Clock) =>
    verify(cli, root, localEnvironment(root, cli.env()), undefined, clock);

const statuses = (results: CheckResult[]) => Object.fromEntries(results.map((result) => [result.id, result.status]));

describe("npm run verify on the local stacks (real processes, stand-in CLIs)", () => {
    it("runs each check with the cluster's kubeconfig and context from the stacks' outputs, and passes on a working mesh", async () => {
        const { cli, root, paths } = localMesh();
        const { outcome, stdout, calls } = await verify(cli, root, localEnvironment(root, cli.env()));
        expect(statuses(outcome.results)).toEqual({
            "linkerd-check:cloud": "passed",
            "exported:test/podinfo": "passed",
            "gateway:edge": "passed",
            "mirror:edge:test/podinfo-cloud": "passed",
            "linkerd-check:edge": "passed",
            "multicluster-check:edge": "passed",
            "split:edge": "passed",
            "frontend:edge:/": "passed",
            "frontend:edge:/cloud/": "passed",
            "mtls:edge": "passed",
        });
        expect(outcome.success).toBe(true);
        const cloud = ["--kubeconfig", paths.kubeconfig("cloud"), "--context", "k3d-cloud"];
        const edge = ["--kubeconfig", paths.kubeconfig("edge"), "--context", "k3d-edge"];
        const probe =
            'i=0; while [ "$i" -lt "$1" ]; do i=$((i + 1)); printf "%s\\n" "$(curl -s -m 20 -w " status=%{http_code}" "$2" | tr -d "\\n")"; done';
        const probeOf = (url: string) => [
            ...edge,
            "-n",
            "test",
            "exec",
            "deploy/frontend",
            "-c",
            "traffic",
            "--",
            "sh",
            "-c",
            probe,
            "probe",
            "40",
            url,
        ];
        expect(calls("kubectl").map(({ argv }) => argv)).toEqual([
            [...cloud, "config", "view", "--minify", "-o", "jsonpath={.clusters[0].cluster.server}"],
            [...cloud, "-n", "test", "get", "svc", "podinfo", "-o", "jsonpath={.metadata.labels.mirror\\.linkerd\\.io/exported}"],
            [...edge, "-n", "test", "get", "svc", "podinfo-cloud", "-o", "name"],
            [
                ...edge,
                "-n",
                "test",
                "get",
                "httproutes.gateway.networking.k8s.io",
                "podinfo",
                "-o",
                'jsonpath={range .spec.rules[0].backendRefs[*]}{.name}={.weight}{"\\n"}{end}',
            ],
            [...edge, "-n", "test", "get", "svc", "podinfo", "-o", "name"],
            [...edge, "-n", "test", "get", "svc", "podinfo-cloud-relay", "-o", "name"],
            probeOf("http://localhost:8080/"),
            probeOf("http://localhost:8080/cloud/"),
            [...edge, "-n", "test", "get", "pod", "-l", "app=frontend", "-o", "jsonpath={.items[0].metadata.name}"],
            [...edge, "get", "--raw", "/api/v1/namespaces/test/pods/frontend-7d9f8:4191/proxy/metrics"],
        ]);
        // linkerd on the edge reaches the cloud's API server through the run's proxy; on the cloud, directly.
        const linkerd = calls("linkerd");
        expect(linkerd.map(({ argv }) => argv)).toEqual([
            ["check", ...cloud, "-o", "json"],
            ["multicluster", "gateways", ...edge, "-o", "json"],
            ["check", ...edge, "-o", "json"],
            ["multicluster", "check", ...edge, "-o", "json"],
        ]);
        expect(linkerd[0].env).toEqual({});
        for (const call of linkerd.slice(1)) expect(call.env.HTTPS_PROXY).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
        // The stand-in's credentials check reached the cloud's API server, by the name in the Link, through it.
        expect(cloudApi.requests).toContain("k3d-cloud-server-0:6443 GET /version");
        expect(stdout).toMatch(
            /=== the edges' Link names the cloud API server k3d-cloud-server-0:6443; linkerd reaches it through http:\/\/127\.0\.0\.1:\d+, a proxy of this run, at 127\.0\.0\.1:\d+/,
        );
        expect(stdout).toMatch(
            /\nverify: the stacks local-cloud, local-edge\n +CHECK +PROBLEM\nok +linkerd check passes on the cloud cluster cloud\n/,
        );
    });

    it("without that proxy, the stand-in linkerd cannot reach k3d-cloud-server-0 from this machine, as the real one cannot", () => {
        const { cli, paths } = localMesh();
        const result = spawnSync(
            path.join(cli.bin, "linkerd"),
            ["multicluster", "check", "--kubeconfig", paths.kubeconfig("edge"), "--context", "k3d-edge", "-o", "json"],
            { env: cli.env(), encoding: "utf8" },
        );
        expect(result.status).toBe(1);
        expect(checkFindings(result.stdout)?.errors).toContain(
            'linkerd-multicluster: remote cluster access credentials are valid: * failed to connect to API for cluster: [cloud]: Get "https://k3d-cloud-server-0:6443/version?timeout=32s": dial tcp: lookup k3d-cloud-server-0: no such host',
        );
    });

    it("a check that keeps failing fails after its retries, with what it found; the others still run", async () => {
        const { cli, root } = localMesh({
            edge: {
                linkerd: {
                    links: [{ target: "cloud", server: "https://k3d-cloud-server-0:6443", caPem: cloudApi.caPem }],
                    gateways: [{ clusterName: "cloud", alive: false, numberOfServices: 1, latency: 0 }],
                },
                services: { "test/podinfo": {} },
            },
        });
        const { outcome, byId, calls } = await verify(cli, root, localEnvironment(root, cli.env()));
        expect(outcome.success).toBe(false);
        expect(byId["gateway:edge"]).toMatchObject({ status: "failed", problem: "its probe fails (alive: false)" });
        // Retried every 5 s for two minutes (of the fake clock).
        expect(calls("linkerd").filter(({ argv }) => argv[1] === "gateways")).toHaveLength(25);
        expect(byId["mirror:edge:test/podinfo-cloud"]).toMatchObject({
            status: "failed",
            problem:
                '`kubectl -n test get svc podinfo-cloud -o name` exit code 1: Error from server (NotFound): services "podinfo-cloud" not found',
        });
        // The multicluster check needs the gateway alive: skipped. linkerd check runs its extension's checks and fails on the probe.
        expect(byId["multicluster-check:edge"].status).toBe("skipped");
        expect(byId["linkerd-check:edge"]).toMatchObject({
            status: "failed",
            problem:
                "linkerd-multicluster: probe services able to communicate with all gateway mirrors: * cloud: probe-gateway-cloud.linkerd-multicluster mirrored from cluster [cloud] has no endpoints",
        });
        expect(byId["linkerd-check:cloud"].status).toBe("passed");
    });

    it("linkerd's warnings are warnings (the run passes); its errors are failures", async () => {
        const warnings = [
            {
                categoryName: "linkerd-version",
                checks: [
                    { description: "can determine the latest version", result: "success" },
                    {
                        description: "cli is up-to-date",
                        result: "warning",
                        error: "is running version 26.8.3 but the latest edge version is 26.9.2",
                        hint: "https://linkerd.io/2/checks/#l5d-version-cli",
                    },
                ],
            },
        ];
        const warned = localMesh({ cloud: { linkerd: { check: warnings } } });
        const first = await verifyLocal(warned);
        expect(first.byId["linkerd-check:cloud"]).toMatchObject({
            status: "warned",
            problem: "linkerd-version: cli is up-to-date: is running version 26.8.3 but the latest edge version is 26.9.2",
        });
        expect(first.outcome.success).toBe(true);
        const failing = [
            {
                categoryName: "linkerd-existence",
                checks: [
                    { description: "control plane pods are ready", result: "error", error: 'No running pods for "linkerd-destination"' },
                ],
            },
        ];
        const failed = localMesh({ cloud: { linkerd: { check: failing } } });
        const second = await verifyLocal(failed);
        expect(second.byId["linkerd-check:cloud"]).toMatchObject({
            status: "failed",
            problem: 'linkerd-existence: control plane pods are ready: No running pods for "linkerd-destination"',
        });
        expect(second.outcome.success).toBe(false);
    });

    it("holds / to the split mode: failover answers from the edge only; weighted from both (each at least once)", async () => {
        const failover = localMesh({
            edgeConfig: { "edge-cloud-mesh:splitMode": "failover" },
            edge: { frontend: { "/": ["edge"], "/cloud/": ["cloud"] }, routes: { "test/podinfo": FAILOVER_ROUTE } },
        });
        const passing = await verifyLocal(failover);
        expect(passing.byId["frontend:edge:/"]).toMatchObject({
            status: "passed",
            description: "the frontend on the edge edge answers / from edge only (splitMode failover)",
        });
        expect(passing.byId["split:edge"]).toMatchObject({
            status: "passed",
            description: "the split of podinfo on the edge edge is failover, and every backend Service of it exists",
        });
        const leaking = localMesh({
            edgeConfig: { "edge-cloud-mesh:splitMode": "failover" },
            edge: { routes: { "test/podinfo": FAILOVER_ROUTE } },
        });
        const both = await verifyLocal(leaking, hurriedClock());
        expect(both.byId["frontend:edge:/"]).toMatchObject({
            status: "failed",
            problem: "40 answers: 20 greetings from edge, 20 greetings from cloud",
        });
        const edgeOnly = localMesh({ edge: { frontend: { "/": ["edge", "edge", "502"], "/cloud/": ["cloud"] } } });
        const weighted = await verifyLocal(edgeOnly, hurriedClock());
        expect(weighted.byId["frontend:edge:/"]).toMatchObject({
            status: "failed",
            description: "the frontend on the edge edge answers / from edge and cloud (splitMode weighted)",
        });
        expect(weighted.byId["frontend:edge:/"].problem).toMatch(
            /^40 answers: \d+ greetings from edge, \d+ failed \(status 502\); none said "greetings from cloud"$/,
        );
        // A weight of 0 sends nothing there: answers from the edge only are what that split promises.
        const zero = localMesh({
            edgeConfig: { "edge-cloud-mesh:trafficSplit": { local: 100, cloud: 0 } },
            edge: {
                frontend: { "/": ["edge"], "/cloud/": ["cloud"] },
                routes: {
                    "test/podinfo": [
                        { name: "podinfo", weight: 100 },
                        { name: "podinfo-cloud-relay", weight: 0 },
                    ],
                },
            },
        });
        const zeroRun = await verifyLocal(zero);
        expect(zeroRun.byId["frontend:edge:/"].status).toBe("passed");
        expect(zeroRun.byId["split:edge"]).toMatchObject({ status: "passed", description: expect.stringContaining("is local-only") });
    });

    it("holds the deployed split to the edge stack's mode, and fails on a backend Service that does not exist", async () => {
        const stale = localMesh({
            edgeConfig: { "edge-cloud-mesh:splitMode": "failover" },
            edge: { frontend: { "/": ["edge"], "/cloud/": ["cloud"] } },
        });
        expect((await verifyLocal(stale)).byId["split:edge"]).toMatchObject({
            status: "failed",
            problem: "it is weighted: podinfo=50, podinfo-cloud-relay=50",
        });
        const missing = localMesh({ edge: { services: { "test/podinfo": {}, "test/podinfo-cloud": {} } } });
        expect((await verifyLocal(missing)).byId["split:edge"]).toMatchObject({
            status: "failed",
            problem:
                'its backend test/podinfo-cloud-relay: `kubectl -n test get svc podinfo-cloud-relay -o name` exit code 1: Error from server (NotFound): services "podinfo-cloud-relay" not found',
        });
        expect(routeMode(["podinfo=1000000", "podinfo-cloud-relay=1"], "podinfo")).toBe("failover");
        expect(routeMode(["podinfo=", "podinfo-cloud-relay="], "podinfo")).toBe("weighted");
        expect(routeMode(["podinfo=50"], "podinfo")).toBe("invalid");
    });

    it("with trafficSplitApi smi, reads the split from its TrafficSplit, there being no HTTPRoute", async () => {
        const smi = localMesh({
            edgeConfig: { "edge-cloud-mesh:trafficSplitApi": "smi" },
            edge: { routes: {}, trafficSplits: { "test/podinfo": WEIGHTED_ROUTE } },
        });
        const { byId, calls } = await verifyLocal(smi);
        expect(byId["split:edge"]).toMatchObject({ status: "passed", description: expect.stringContaining("is weighted") });
        const read = calls("kubectl").find(({ argv }) => argv.includes("trafficsplits.split.smi-spec.io"));
        expect(read?.argv.slice(-5)).toEqual([
            "get",
            "trafficsplits.split.smi-spec.io",
            "podinfo",
            "-o",
            'jsonpath={range .spec.backends[*]}{.service}={.weight}{"\\n"}{end}',
        ]);
    });

    it("a response to the mirror without mTLS fails the mTLS check", async () => {
        const metrics =
            'response_total{direction="outbound",dst_namespace="test",dst_service="podinfo-cloud",tls="no_identity",status_code="200"} 3\n';
        const { cli, root } = localMesh({ edge: { raw: { "/api/v1/namespaces/test/pods/frontend-7d9f8:4191/proxy/metrics": metrics } } });
        const { byId } = await verify(cli, root, localEnvironment(root, cli.env()));
        expect(byId["mtls:edge"]).toMatchObject({ status: "failed", problem: `responses without tls="true": ${metrics.trim()}` });
    });

    it("an edge cluster that does not answer: each check says so in its CLI's words, linkerd check with its kubernetes-api check", async () => {
        const mesh = localMesh();
        mesh.cli.k3dCluster("edge", { network: "edge-cloud-mesh", apiPort: 40001, running: false });
        const refused = (pathAndQuery: string) =>
            `Get "https://127.0.0.1:40001${pathAndQuery}": dial tcp 127.0.0.1:40001: connect: connection refused`;
        const { byId, outcome } = await verifyLocal(mesh, hurriedClock());
        expect(outcome.success).toBe(false);
        expect(byId["linkerd-check:cloud"].status).toBe("passed");
        // linkerd check prints the check that failed (and exits 1: its extensions' namespaces cannot be listed either).
        expect(byId["linkerd-check:edge"]).toMatchObject({
            status: "failed",
            problem: `kubernetes-api: can query the Kubernetes API: ${refused("/version?timeout=30s")}`,
        });
        expect(byId["gateway:edge"]).toMatchObject({
            status: "failed",
            problem:
                "`linkerd multicluster gateways -o json` exit code 1: make sure the linkerd-multicluster extension is installed, using " +
                `'linkerd multicluster install' (${refused("/api/v1/namespaces?labelSelector=linkerd.io%2Fextension%3Dmulticluster")})`,
        });
        expect(byId["mirror:edge:test/podinfo-cloud"]).toMatchObject({
            status: "failed",
            problem:
                "`kubectl -n test get svc podinfo-cloud -o name` exit code 1: The connection to the server 127.0.0.1:40001 was refused - did you specify the right host or port?",
        });
        expect(byId["multicluster-check:edge"].status).toBe("skipped");
    });

    it("says which stack has no outputs yet, before running any check", async () => {
        const { cli, root, paths } = localMesh();
        cli.pulumiStack("local-edge", {}, { backend: paths.state });
        await expect(verify(cli, root, localEnvironment(root, cli.env()))).rejects.toThrow(
            'the stack "local-edge" has no outputs: bring the mesh up first (npm run up, or npm run local:up)',
        );
        expect(cli.calls("linkerd")).toEqual([]);
    });
});

describe("npm run verify on AWS-like stacks", () => {
    it("uses the contexts the stacks name in the default kubeconfig, and no proxy where the Link's address is the kubeconfig's", async () => {
        const cli = standIns(["pulumi", "kubectl", "linkerd"]);
        const home = fs.mkdtempSync(path.join(os.tmpdir(), "home-"));
        const kubeconfig = path.join(home, "config");
        const edgeKubeconfig = path.join(home, "k3s-edge.yaml");
        const entry = (name: string, server: string) =>
            `apiVersion: v1\nclusters:\n- cluster:\n    server: ${server}\n  name: ${name}\ncontexts:\n- context:\n    cluster: ${name}\n    user: ${name}\n  name: ${name}\ncurrent-context: ${name}\nusers:\n- name: ${name}\n  user: {}\n`;
        const eks = `https://127.0.0.1:${cloudApi.port}`;
        fs.writeFileSync(kubeconfig, entry("cloud", eks));
        fs.writeFileSync(edgeKubeconfig, entry("default", "https://127.0.0.1:6443"));
        cli.pulumiStack("cloud", {
            outputs: {
                clusterName: "cloud",
                edgeSiteNames: ["edge"],
                exportedServices: [],
                apiEndpoint: eks,
                kubeAccess: { context: "cloud" },
            },
        });
        cli.pulumiStack("edge", { outputs: { linkedCluster: "cloud", mirroredServices: [], kubeAccess: { kubeconfig: edgeKubeconfig } } });
        cli.kube("cloud", {});
        cli.kube("default", {
            linkerd: {
                links: [{ target: "cloud", server: eks, caPem: cloudApi.caPem }],
                gateways: [{ clusterName: "cloud", alive: true, numberOfServices: 0, latency: 1 }],
            },
        });
        // The demo is off: no frontend checks.
        const { outcome, calls } = await verify(
            cli,
            fs.mkdtempSync(path.join(os.tmpdir(), "checkout-")),
            cli.env({ KUBECONFIG: kubeconfig }),
            {
                cloudStack: "cloud",
                edgeStackPrefix: "",
            },
        );
        expect(statuses(outcome.results)).toEqual({
            "linkerd-check:cloud": "passed",
            "gateway:edge": "passed",
            "linkerd-check:edge": "passed",
            "multicluster-check:edge": "passed",
        });
        expect(calls("linkerd").map(({ argv }) => argv.slice(0, 6))).toEqual([
            ["check", "--context", "cloud", "-o", "json"],
            ["multicluster", "gateways", "--kubeconfig", edgeKubeconfig, "-o", "json"],
            ["check", "--kubeconfig", edgeKubeconfig, "-o", "json"],
            ["multicluster", "check", "--kubeconfig", edgeKubeconfig, "-o", "json"],
        ]);
        for (const call of calls("linkerd")) expect(call.env).toEqual({});
    });
});

describe("the proxy verify gives linkerd", () => {
    it("tunnels a real client (curl, through HTTPS_PROXY) to the API server by the name the Link uses, and TLS checks that name end to end", async () => {
        const proxy = await startConnectProxy({ "k3d-cloud-server-0:6443": `127.0.0.1:${cloudApi.port}` });
        try {
            const ca = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "ca-")), "ca.pem");
            fs.writeFileSync(ca, cloudApi.caPem);
            // Asynchronously: the proxy and the server run in this process.
            const curl = (url: string, proxyUrl: string) =>
                new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
                    execFile(
                        "curl",
                        ["-sS", "--cacert", ca, url],
                        { env: { PATH: process.env.PATH, HTTPS_PROXY: proxyUrl }, timeout: 20_000 },
                        (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
                    ),
                );
            const answer = await curl("https://k3d-cloud-server-0:6443/version", proxy.url);
            expect(answer.stderr).toBe("");
            expect(JSON.parse(answer.stdout)).toMatchObject({ gitVersion: "v1.35.6+k3s1" });
            // A name the certificate does not carry fails verification: the proxy moves bytes only.
            const other = await startConnectProxy({ "elsewhere:6443": `127.0.0.1:${cloudApi.port}` });
            const wrong = await curl("https://elsewhere:6443/version", other.url);
            await other.close();
            expect(wrong.code).not.toBe(0);
            expect(wrong.stderr).toMatch(/SSL|certificate/i);
        } finally {
            await proxy.close();
        }
    });

    it("passes any other address through as asked, and answers 502 where nothing listens", async () => {
        const proxy = await startConnectProxy({});
        const target = http.createServer((_request, response) => response.end("through\n"));
        await new Promise<void>((resolve) => target.listen(0, "127.0.0.1", resolve));
        const connect = (address: string) =>
            new Promise<{ status: number; socket: net.Socket }>((resolve, reject) => {
                const url = new URL(proxy.url);
                http.request({ host: url.hostname, port: url.port, method: "CONNECT", path: address })
                    .on("connect", (response, socket) => resolve({ status: response.statusCode!, socket }))
                    .on("error", reject)
                    .end();
            });
        try {
            const { status, socket } = await connect(`127.0.0.1:${(target.address() as net.AddressInfo).port}`);
            expect(status).toBe(200);
            const body = await new Promise<string>((resolve) => {
                let text = "";
                socket.on("data", (chunk) => (text += chunk));
                socket.on("end", () => resolve(text));
                socket.write("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            });
            expect(body).toMatch(/through\n$/);
            const closed = await new Promise<number>((resolve) => {
                const free = net.createServer().listen(0, "127.0.0.1", () => {
                    const port = (free.address() as net.AddressInfo).port;
                    free.close(() => connect(`127.0.0.1:${port}`).then(({ status: code, socket: s }) => (s.destroy(), resolve(code))));
                });
            });
            expect(closed).toBe(502);
        } finally {
            await proxy.close();
            target.close();
        }
    });
});

describe("what verify reads", () => {
    it("reads every JSON document linkerd check prints: its own checks, then one per extension", () => {
        const core = {
            success: true,
            categories: [{ categoryName: "kubernetes-api", checks: [{ description: "can query", result: "success" }] }],
        };
        const extension = {
            success: false,
            categories: [
                { categoryName: "linkerd-multicluster", checks: [{ description: 'Link "}" valid', result: "error", error: "bad\nlink" }] },
            ],
        };
        const stdout = `${JSON.stringify(core, null, 2)}\n${JSON.stringify(extension, null, 2)}\n`;
        expect(jsonDocuments(stdout)).toEqual([core, extension]);
        expect(checkFindings(stdout)).toEqual({ errors: ['linkerd-multicluster: Link "}" valid: bad link'], warnings: [] });
        expect(checkFindings("Error initializing k8s API client: x")).toBeUndefined();
    });

    it("knows the demo as the program deploys it", async () => {
        const { cloud, edge } = await runMesh();
        const deployments = ofType(edge, "kubernetes:apps/v1:Deployment");
        const frontend = deployments.find((deployment) => deployment.inputs.metadata.name === DEMO.frontend)!;
        expect(frontend.inputs.metadata.namespace).toBe(DEMO.namespace);
        expect(frontend.inputs.spec.template.spec.containers.map((container: { name: string }) => container.name)).toContain(DEMO.client);
        expect(frontend.inputs.spec.template.metadata.labels.app).toBe(DEMO.frontend);
        const port = frontend.inputs.spec.template.spec.containers.flatMap(
            (container: { ports?: { containerPort: number }[] }) => container.ports ?? [],
        );
        expect(port.map((entry: { containerPort: number }) => entry.containerPort)).toContain(DEMO.frontendPort);
        const podinfo = ofType(cloud, "kubernetes:apps/v1:Deployment").find(
            (deployment) => deployment.inputs.metadata.name === DEMO.podinfo,
        )!;
        const env = podinfo.inputs.spec.template.spec.containers[0].env as { name: string; value: string }[];
        expect(env.find((variable) => variable.name === "PODINFO_UI_MESSAGE")?.value).toBe(greeting("cloud"));
        expect(edge.outputs.mirroredServices.value).toEqual([`${DEMO.namespace}/${DEMO.podinfo}-cloud`]);
    });
});
