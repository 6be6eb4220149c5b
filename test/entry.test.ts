// The operator commands as npm runs them: the compiled entry (tsc -p scripts, as package.json does)
// run as a child process, with only stand-in CLIs and node on PATH (test/standins.ts), from a copy of
// the checkout (its Pulumi.yaml, and the compiled scripts), so that nothing is written into this one.
// What the user sees on stdout and stderr, the exit code, and, from the stand-ins' call logs, which CLI
// commands ran when: the edge stacks --parallel at a time, the cloud stack before (up) or after (down)
// them; the local environment from clone to teardown.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "./harness";
import { checkoutCopy, cloudApiServer, describeLocalStacks, healthyMesh } from "./localWorld";
import { PulumiStackSpec, StandIns, mostAtOnce, standIns } from "./standins";

let copy: string;
let entry: string;
let cloudApi: Awaited<ReturnType<typeof cloudApiServer>>;

beforeAll(async () => {
    copy = checkoutCopy(ROOT);
    fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(copy, "node_modules"));
    execFileSync(
        process.execPath,
        [path.join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", "scripts", "--outDir", path.join(copy, "bin")],
        {
            cwd: ROOT,
        },
    );
    entry = path.join(copy, "bin", "scripts", "mesh.js");
    cloudApi = await cloudApiServer();
}, 120_000);

afterAll(() => cloudApi.close());

/** Runs the entry in the copy of the checkout; each step's output goes to a log folder under this run's own temporary directory. */
function mesh(args: string[], cli: StandIns) {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "entry-tmp-"));
    const result = spawnSync(process.execPath, [entry, ...args], {
        env: cli.env({ TMPDIR: tmp }),
        cwd: copy,
        encoding: "utf8",
        timeout: 30_000,
    });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr, tmp };
}

/** The same, asynchronously: for runs that reach the loopback API server this process serves. */
function meshAsync(
    args: string[],
    cli: StandIns,
    extraEnv: NodeJS.ProcessEnv = {},
): Promise<{ status: number | null; stdout: string; stderr: string }> {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "entry-tmp-"));
    return new Promise((resolve) => {
        const child = spawn(process.execPath, [entry, ...args], { env: cli.env({ TMPDIR: tmp, ...extraEnv }), cwd: copy });
        let stdout = "";
        let stderr = "";
        child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
        child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
        child.on("close", (status) => resolve({ status, stdout, stderr }));
    });
}

/** Takes what a test's local commands left in the copy of the checkout away, for the next test. */
function forgetLocal(...more: string[]): void {
    for (const leftover of [".local", "Pulumi.local-cloud.yaml", "Pulumi.local-edge.yaml", ...more])
        fs.rmSync(path.join(copy, leftover), { recursive: true, force: true });
}

function withStacks(stacks: Record<string, PulumiStackSpec>): StandIns {
    const cli = standIns(["pulumi", "linkerd"]);
    for (const [name, spec] of Object.entries(stacks)) cli.pulumiStack(name, spec);
    return cli;
}

/** The calls of one CLI command (`up`, `destroy`) on the stacks `which` picks, by the stack each ran on. */
function runs(cli: StandIns, command: string, which: (stack: string) => boolean) {
    return cli
        .pulumiCalls()
        .filter(({ argv }) => argv[0] === command)
        .map((call) => ({ ...call, stack: call.argv[call.argv.indexOf("--stack") + 1] }))
        .filter(({ stack }) => which(stack));
}

const CLOUD: PulumiStackSpec = { outputs: { edgeSiteNames: ["edge"] }, upOutputs: { edgeSiteNames: ["edge"] } };
const PASSPHRASE = "passphrase must be set with PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE environment variables";

describe("npm run up / down / preview against a stand-in Pulumi CLI", () => {
    it("up brings up the cloud stack, then the edge, streaming the CLI's output under a heading per stack, then the summary; exits 0", () => {
        const result = mesh(["up"], withStacks({ cloud: CLOUD, edge: { upOutputs: { linkedCluster: "cloud" } } }));
        expect(result.stderr).toBe("");
        expect(result.status).toBe(0);
        const logs = path.join(result.tmp, fs.readdirSync(result.tmp)[0]);
        expect(result.stdout).toMatch(
            /^\n=== each step's full output is kept in .*\/\n\n=== pulumi up: the cloud stack cloud\nUpdating \(cloud\):\n\nResources:\n[\s\S]*\n=== pulumi up: the edge stack edge \(site edge\)\nUpdating \(edge\):\n/,
        );
        expect(result.stdout).toContain(`full output is kept in ${logs}/`);
        expect(result.stdout).toMatch(
            /\npulumi up: 2 ok\nSITE {5}STACK {2}RESULT {2}TIME {2}ERROR\n\(cloud\) {2}cloud {2}ok {6}\d+s\nedge {5}edge {3}ok {6}\d+s\n$/,
        );
        expect(fs.readFileSync(path.join(logs, "edge.log"), "utf8")).toMatch(/^Updating \(edge\):\n\nResources:\n {4}1 unchanged\n/);
    });

    it("when the CLI fails, the user sees its reason with the stack and the command, and no stack trace; the run exits 1", () => {
        const result = mesh(["up"], withStacks({ cloud: CLOUD, edge: { fail: { up: { stderr: `error: ${PASSPHRASE}\n` } } } }));
        expect(result.status).toBe(1);
        expect(result.stderr).toBe(`\nerror: the edge stack "edge" (site "edge") failed at \`pulumi up\`: ${PASSPHRASE}.\n`);
        expect(result.stdout).toMatch(/=== pulumi up: the edge stack edge \(site edge\)\nUpdating \(edge\):\n\n/);
        expect(result.stdout).toMatch(new RegExp(`\nedge {5}edge {3}FAILED  \\d+s +${PASSPHRASE}\n`));
        expect(result.stdout).toMatch(/\nThe full output of each stack that failed:\n {2}\/.*\/edge\.log\n$/);
    });

    it("down stops at an edge stack whose destroy fails, with the CLI's reason, and leaves the cloud stack", () => {
        const cli = withStacks({
            cloud: CLOUD,
            edge: { fail: { destroy: { stderr: "error: the stack is currently locked by 1 lock(s)\n" } } },
        });
        const result = mesh(["down"], cli);
        expect(result.status).toBe(1);
        expect(result.stderr).toMatch(
            /^\nerror: the edge stack "edge" \(site "edge"\) failed at `pulumi destroy`: the stack is currently locked by 1 lock\(s\)\. The cloud stack "cloud" was not destroyed/,
        );
        expect(result.stdout).toMatch(/\n\(cloud\) +cloud +kept +- +edge stacks link to it: edge\n/);
        expect(cli.pulumiCalls().some(({ argv }) => argv[0] === "destroy" && argv.includes("cloud"))).toBe(false);
    });

    it("preview --expect-no-changes fails on the stack the CLI finds changes in, with the CLI's words", () => {
        const result = mesh(["preview", "--expect-no-changes"], withStacks({ cloud: CLOUD, edge: { changes: true } }));
        expect(result.status).toBe(1);
        expect(result.stderr).toBe(
            '\nerror: the edge stack "edge" (site "edge") failed at `pulumi preview`: no changes were expected for preview but changes were proposed.\n',
        );
        expect(result.stdout).toMatch(
            /\n=== pulumi preview --expect-no-changes: cloud\n[\s\S]*\n=== pulumi preview --expect-no-changes: edge\n/,
        );
    });

    it("a flag the command does not take is a usage error (exit code 2) naming the command's flags, and runs nothing", () => {
        const cli = withStacks({ cloud: CLOUD });
        const result = mesh(["up", "--continue-past-gone-edges"], cli);
        expect(result.status).toBe(2);
        expect(result.stderr).toMatch(
            /^\nerror: npm run up: Unknown option '--continue-past-gone-edges'; up takes \[--cloud-stack <stack>\] \[--edge-stack-prefix <prefix>\] \[--parallel <parallel>\]\nusage: npm run up -- /,
        );
        expect(cli.pulumiCalls()).toEqual([]);
        const parallel = mesh(["down", "--parallel", "0"], cli);
        expect(parallel.status).toBe(2);
        expect(parallel.stderr).toBe(
            '\nerror: --parallel takes a whole number of 1 or more (how many edge stacks run at once), not "0"\ne.g. --parallel 4\n',
        );
        expect(cli.pulumiCalls()).toEqual([]);
    });
});

describe("many edge sites: --parallel, failure isolation and the summary, against a stand-in Pulumi CLI", () => {
    const SITES = ["e1", "e2", "e3", "e4", "e5"];
    const isEdge = (stack: string) => SITES.includes(stack);

    it("(the count of calls at once can fail: a call that ends as another starts does not overlap it)", () => {
        const call = (start: number, end: number) => ({ start, end });
        expect(mostAtOnce([call(0, 10), call(5, 15), call(10, 20), call(12, 13)])).toBe(3);
        expect(mostAtOnce([call(0, 10), call(10, 20), call(20, 30)])).toBe(1);
    });

    it("up runs the cloud stack, then the edge stacks at most --parallel at once; a failed site stops no other", () => {
        const cli = withStacks({
            cloud: { upOutputs: { edgeSiteNames: SITES } },
            ...Object.fromEntries(SITES.map((site) => [site, { takesMs: { up: 300 } }])),
            e3: { takesMs: { up: 300 }, fail: { up: { stderr: `error: ${PASSPHRASE}\n` } } },
        });
        const result = mesh(["up", "--parallel", "2"], cli);
        expect(result.status).toBe(1);
        expect(result.stderr).toBe(`\nerror: the edge stack "e3" (site "e3") failed at \`pulumi up\`: ${PASSPHRASE}.\n`);

        const [cloud] = runs(cli, "up", (stack) => stack === "cloud");
        const edgeCalls = cli.pulumiCalls().filter(({ argv }) => isEdge(argv[argv.indexOf("--stack") + 1]));
        expect(Math.min(...edgeCalls.map(({ start }) => start))).toBeGreaterThanOrEqual(cloud.end);
        const edges = runs(cli, "up", isEdge);
        expect(edges.map(({ stack }) => stack).sort()).toEqual(SITES);
        expect(mostAtOnce(edges)).toBe(2);
        expect(edges.find(({ stack }) => stack === "e3")!.code).toBe(1);

        expect(result.stdout).toMatch(/\n=== pulumi up: the edge stacks, 2 at a time\n/);
        expect(result.stdout).toMatch(/\ne4 \| Updating \(e4\):\n/);
        expect(result.stdout).toMatch(/\npulumi up: 5 ok, 1 failed\nSITE +STACK +RESULT +TIME +ERROR\n\(cloud\) +cloud +ok +\d+s\n/);
        for (const site of SITES)
            expect(result.stdout).toMatch(
                new RegExp(`\\n${site} +${site} +${site === "e3" ? `FAILED +\\d+s +${PASSPHRASE}` : "ok +\\d+s"}\\n`),
            );
        const log = /\nThe full output of each stack that failed:\n {2}(\/.*\/e3\.log)\n$/.exec(result.stdout)![1];
        expect(fs.readFileSync(log, "utf8")).toBe("Updating (e3):\n\n");
    });

    it("down destroys the edge stacks at most --parallel at once, every one even when one fails, and the cloud only after all", () => {
        const stacks = {
            cloud: { outputs: { edgeSiteNames: SITES } },
            ...Object.fromEntries(SITES.map((site) => [site, { takesMs: { destroy: 300 } }])),
        };
        const cli = withStacks(stacks);
        expect(mesh(["down", "--parallel", "3"], cli).status).toBe(0);
        const edges = runs(cli, "destroy", isEdge);
        expect(edges).toHaveLength(5);
        expect(mostAtOnce(edges)).toBe(3);
        const [cloud] = runs(cli, "destroy", (stack) => stack === "cloud");
        expect(cloud.start).toBeGreaterThanOrEqual(Math.max(...edges.map(({ end }) => end)));

        const failing = withStacks({
            ...stacks,
            e2: { fail: { destroy: { stderr: "error: the stack is currently locked by 1 lock(s)\n" } } },
        });
        const result = mesh(["down", "--parallel", "3"], failing);
        expect(result.status).toBe(1);
        expect(runs(failing, "destroy", isEdge)).toHaveLength(5);
        expect(runs(failing, "destroy", (stack) => stack === "cloud")).toEqual([]);
        expect(result.stdout).toMatch(/\npulumi destroy: 4 ok, 1 failed, 1 kept\n/);
        expect(result.stdout).toMatch(/\n\(cloud\) +cloud +kept +- +edge stacks link to it: e2\n/);
    });
});

describe("npm run status against stand-in Pulumi and linkerd CLIs", () => {
    const UPDATED = Date.UTC(2026, 11, 1, 10, 0, 0) / 1000;
    const updated = (result: string) => [{ version: 1, kind: "update", result, startTime: UPDATED - 60, endTime: UPDATED }];
    const resources = (count: number) => [
        { type: "pulumi:pulumi:Stack", name: "edge-cloud-mesh" },
        ...Array.from({ length: count - 1 }, (_, index) => ({ type: "kubernetes:core/v1:Secret", name: `secret-${index}` })),
    ];
    const INLINE_KUBECONFIG = "apiVersion: v1\nkind: Config\nclusters: []\n";
    const stacks = {
        cloud: { outputs: { edgeSiteNames: ["edge", "edge-berlin", "edge-gone"] }, history: updated("succeeded"), resources: resources(3) },
        edge: {
            config: { "edge-cloud-mesh:kubeconfig": "/x/edge.yaml", "edge-cloud-mesh:kubeContext": "k3d-edge" },
            outputs: { linkedCluster: "cloud" },
            history: updated("succeeded"),
            resources: resources(2),
        },
        "edge-berlin": {
            config: { "edge-cloud-mesh:kubeconfig": INLINE_KUBECONFIG, "edge-cloud-mesh:kubeContext": "berlin" },
            outputs: { linkedCluster: "cloud" },
            history: updated("failed"),
        },
    };

    it("shows each stack: whether it exists, its last update, its resources; and fails naming the stacks that need attention", () => {
        const cli = withStacks(stacks);
        const result = mesh(["status"], cli);
        expect(result.stdout).toBe(
            "\n" +
                "SITE         STACK        EXISTS  LAST UPDATE           RESULT            RESOURCES  PROBLEM\n" +
                "(cloud)      cloud        yes     2026-12-01 10:00:00Z  update succeeded  3\n" +
                "edge         edge         yes     2026-12-01 10:00:00Z  update succeeded  2\n" +
                "edge-berlin  edge-berlin  yes     2026-12-01 10:00:00Z  update failed     0\n" +
                "edge-gone    edge-gone    NO      -                     -                 -\n",
        );
        expect(result.stderr).toBe("\nerror: 2 of 4 stacks need attention: edge-berlin (its last update failed), edge-gone (no stack).\n");
        expect(result.status).toBe(1);
        expect(cli.linkerdCalls()).toEqual([]);
        const commands = cli.pulumiCalls().map(({ argv }) => argv.slice(0, 2).join(" "));
        expect(commands.filter((command) => command === "stack history")).toHaveLength(3);
        expect(cli.pulumiCalls().find(({ argv }) => argv[1] === "history")!.argv).not.toContain("--show-secrets");
        expect(commands.filter((command) => command === "stack export")).toHaveLength(3);
    });

    it("--live asks each site's linkerd, on its kubeconfig and context, whether its link to the cloud's gateway is alive", () => {
        const cli = withStacks({
            ...stacks,
            "edge-berlin": { ...stacks["edge-berlin"], history: updated("succeeded") },
            // Never updated, and its cluster does not answer.
            "edge-gone": { config: { "edge-cloud-mesh:kubeconfig": "/x/gone.yaml" } },
        });
        cli.linkerdCluster("k3d-edge", { gateways: [{ clusterName: "cloud", alive: true, numberOfServices: 1, latency: 3 }] });
        cli.linkerdCluster("berlin", { gateways: [{ clusterName: "cloud", alive: false, numberOfServices: 1, latency: 0 }] });
        const result = mesh(["status", "--live"], cli);
        const rows = result.stdout.split("\n").filter((line) => /^(\(cloud\)|edge)/.test(line));
        expect(rows.map((row) => row.split(/ {2,}/).slice(-2))).toEqual([
            ["3", "-"],
            ["2", "alive (cloud 3ms)"],
            ["0", "NOT ALIVE (cloud)"],
            [
                "0",
                `UNKNOWN (make sure the linkerd-multicluster extension is installed, using 'linkerd multicluster install' (Get "https://127.0.0.1:6443/api/v1/namespaces": dial tcp 127.0.0.1:6443: connect: connection refused))`,
            ],
        ]);
        expect(result.stderr).toBe("\nerror: 2 of 4 stacks need attention: edge-berlin (gateway not alive), edge-gone (never updated).\n");
        // The sites are read side by side: their calls in any order.
        const gateways = cli.linkerdCalls().filter((argv) => argv[0] === "multicluster");
        const inline = gateways.find((argv) => argv.includes("berlin"))![3];
        expect(gateways).toEqual(
            expect.arrayContaining([
                ["multicluster", "gateways", "--kubeconfig", "/x/edge.yaml", "--context", "k3d-edge", "-o", "json"],
                ["multicluster", "gateways", "--kubeconfig", inline, "--context", "berlin", "-o", "json"],
                ["multicluster", "gateways", "--kubeconfig", "/x/gone.yaml", "-o", "json"],
            ]),
        );
        expect(gateways).toHaveLength(3);
        // Contents given inline go to a private file for the call, removed after it.
        expect(inline).toMatch(/\/edge-cloud-mesh-kubeconfig-[^/]+\/kubeconfig$/);
        expect(fs.existsSync(inline)).toBe(false);
        // linkerd's version is checked first, once.
        expect(cli.linkerdCalls()[0]).toEqual(["version", "--client", "--short"]);
    });
});

/** What k3d logs (on stderr, as logrus does) when all goes well. */
const onlyK3dInfo = (stderr: string) => stderr.split("\n").filter((line) => line !== "" && !line.startsWith("INFO["));

describe("every command, without a tool it needs (or with one too old)", () => {
    const PULUMI_INSTALL =
        "install the Pulumi CLI 3.248 or a later 3.x: curl -fsSL https://get.pulumi.com | sh (https://www.pulumi.com/docs/install/)";

    it.each([
        ["up", "the Pulumi CLI"],
        ["down", "the Pulumi CLI"],
        ["preview", "the Pulumi CLI"],
        ["verify", "the Pulumi CLI, kubectl and the linkerd CLI"],
        ["failover", "the Pulumi CLI, kubectl and bash"],
        ["local:up", "Docker, k3d, the Pulumi CLI, kubectl and the linkerd CLI"],
        ["local:down", "Docker, k3d and the Pulumi CLI"],
        ["local:preview", "the Pulumi CLI"],
    ])("npm run %s says it needs %s, what is missing and how to install it, and exits 1 without a stack trace", async (command, needs) => {
        const cli = standIns(["docker", "k3d", "kubectl", "linkerd"], { real: ["bash"] });
        const result = await meshAsync([command], cli);
        expect(result.status).toBe(1);
        expect(result.stderr).toBe(
            `\nerror: npm run ${command} needs ${needs}: the Pulumi CLI answers \`pulumi version\`: no pulumi on PATH\n${PULUMI_INSTALL}\n`,
        );
        expect(result.stdout).toMatch(/\nFAIL +the Pulumi CLI answers `pulumi version` +no pulumi on PATH\n/);
    });

    it("a Pulumi CLI older than 3.248 fails the same way, naming the version found", async () => {
        const cli = withStacks({ cloud: CLOUD });
        cli.pulumiVersion("v3.200.0");
        const result = await meshAsync(["up"], cli);
        expect(result.status).toBe(1);
        expect(result.stderr).toBe(
            `\nerror: npm run up needs the Pulumi CLI: the Pulumi CLI is 3.248.0 or later, before 4.0.0: found v3.200.0\n${PULUMI_INSTALL}\n`,
        );
        expect(cli.pulumiCalls().map(({ argv }) => argv)).toEqual([["version"]]);
    });

    it("local:reset without Docker's engine says to start it, and forgets nothing", async () => {
        const cli = standIns(["docker", "k3d"]);
        cli.dockerEngine({ running: false });
        const local = path.join(copy, ".local");
        fs.mkdirSync(local, { recursive: true });
        try {
            const result = await meshAsync(["local:reset"], cli);
            expect(result.status).toBe(1);
            expect(result.stderr).toMatch(
                /^\nerror: npm run local:reset needs Docker and k3d: Docker answers `docker info --format \{\{\.ServerVersion\}\}`: exit code 1: Cannot connect to the Docker daemon at unix:\/\/\/var\/run\/docker\.sock\. Is the docker daemon running\?\ninstall Docker Engine/,
            );
            expect(fs.existsSync(local)).toBe(true);
        } finally {
            fs.rmSync(local, { recursive: true, force: true });
        }
    });
});

describe("a newcomer's first run: local:up, verify, the failover demo, local:down, local:reset, local:up", () => {
    /** The stand-in world of a machine with Docker, k3d, Pulumi, kubectl and linkerd, and the mesh local:up brings up. */
    function machine(root: string): StandIns {
        const cli = standIns(["pulumi", "docker", "k3d", "kubectl", "linkerd"], { real: ["bash"] });
        describeLocalStacks(cli, root);
        // The cloud's API server as k3d publishes it on loopback: the test's own, whose certificate names k3d-cloud-server-0.
        cli.k3dPort("cloud", cloudApi.port);
        healthyMesh(cli, { cloudCaPem: cloudApi.caPem });
        return cli;
    }

    it("goes through as the docs say, each command finding the local stacks itself", async () => {
        // e2e/failover.sh runs on real clusters; here, a script in its place says what it was given.
        fs.mkdirSync(path.join(copy, "e2e"), { recursive: true });
        fs.writeFileSync(
            path.join(copy, "e2e", "failover.sh"),
            'echo "failover.sh: ${FAILOVER_BY:-scale} $EDGE_KUBECONFIG $EDGE_CONTEXT $CLOUD_KUBECONFIG $CLOUD_CONTEXT"\n',
        );
        const cli = machine(copy);
        try {
            const up = await meshAsync(["local:up"], cli);
            expect(onlyK3dInfo(up.stderr)).toEqual([]);
            expect(up.status).toBe(0);
            expect(up.stdout).toContain("\n  npm run verify\n");
            expect(Object.keys(cli.k3dClusters()).sort()).toEqual(["cloud", "edge"]);

            const verify = await meshAsync(["verify"], cli);
            expect(verify.stderr).toBe("");
            expect(verify.status).toBe(0);
            expect(verify.stdout).toContain(`=== npm run verify: the local stacks local-cloud and local-<site>, in .local/state`);
            expect(verify.stdout).toMatch(/\nverify: the stacks local-cloud, local-edge\n(.*\n){10}/);
            expect(verify.stdout).not.toMatch(/\nFAIL /);

            const weighted = await meshAsync(["failover"], cli);
            expect(weighted.status).toBe(1);
            expect(weighted.stderr).toBe(
                '\nerror: the edge stack "local-edge" has splitMode weighted: FAILOVER_BY=scale needs failover\nSwitch it: npm run local:up -- --split-mode failover\n',
            );
            // FAILOVER_BY=cloud-scale runs with the split weighted.
            const cloudScale = await meshAsync(["failover"], cli, { FAILOVER_BY: "cloud-scale" });
            expect(cloudScale.stderr).toBe("");
            expect(cloudScale.stdout).toContain("failover.sh: cloud-scale ");
            expect((await meshAsync(["local:up", "--split-mode", "failover"], cli)).status).toBe(0);
            const failover = await meshAsync(["failover"], cli);
            expect(failover.stderr).toBe("");
            expect(failover.status).toBe(0);
            expect(failover.stdout).toContain(
                `failover.sh: scale ${copy}/.local/edge.kubeconfig k3d-edge ${copy}/.local/cloud.kubeconfig k3d-cloud\n`,
            );

            const down = await meshAsync(["local:down"], cli);
            expect(onlyK3dInfo(down.stderr)).toEqual([]);
            expect(down.status).toBe(0);
            expect(cli.k3dClusters()).toEqual({});
            expect(cli.dockerNetworks()).toEqual({});
            const stackFiles = ["Pulumi.local-cloud.yaml", "Pulumi.local-edge.yaml"].map((file) => path.join(copy, file));
            for (const file of stackFiles) expect(fs.readFileSync(file, "utf8")).toMatch(/^encryptionsalt: v1:/);

            const reset = await meshAsync(["local:reset"], cli);
            expect(reset.status).toBe(0);
            expect(reset.stdout).toContain(
                "Forgotten: .local/ (the state of the stacks, the passphrase, the kubeconfigs), Pulumi.local-cloud.yaml, Pulumi.local-edge.yaml.",
            );
            for (const file of stackFiles) expect(fs.existsSync(file)).toBe(false);

            const again = await meshAsync(["local:up"], cli);
            expect(onlyK3dInfo(again.stderr)).toEqual([]);
            expect(again.status).toBe(0);
        } finally {
            forgetLocal("e2e");
        }
    }, 120_000);

    it("forgetting only .local/ (the old advice) leaves the stacks' salt behind: the next local:up fails with the CLI's own reason", async () => {
        const cli = machine(copy);
        try {
            expect((await meshAsync(["local:up"], cli)).status).toBe(0);
            expect((await meshAsync(["local:down"], cli)).status).toBe(0);
            fs.rmSync(path.join(copy, ".local"), { recursive: true });
            const again = await meshAsync(["local:up"], cli);
            expect(again.status).toBe(1);
            expect(onlyK3dInfo(again.stderr)).toEqual([
                'error: `pulumi stack init` on the stack "local-cloud" failed: could not create secrets manager for new stack: incorrect passphrase',
            ]);
        } finally {
            forgetLocal();
        }
    }, 120_000);

    it("verify exits 1 when a check fails, after printing every check", async () => {
        const cli = machine(copy);
        try {
            expect((await meshAsync(["local:up"], cli)).status).toBe(0);
            const failing = [
                {
                    categoryName: "linkerd-existence",
                    checks: [{ description: "control plane pods are ready", result: "error", error: "No running pods" }],
                },
            ];
            cli.kube("k3d-cloud", {
                services: { "test/podinfo": { labels: { "mirror.linkerd.io/exported": "true" } } },
                linkerd: { check: failing },
            });
            const verify = await meshAsync(["verify"], cli);
            expect(verify.status).toBe(1);
            expect(verify.stderr).toBe("\nerror: verify: 1 of 10 checks failed\nThe table above says what each found, and what to do.\n");
            expect(verify.stdout).toMatch(
                /\nFAIL +linkerd check passes on the cloud cluster cloud +linkerd-existence: control plane pods are ready: No running pods\n/,
            );
            expect(verify.stdout).toMatch(/\nok +the frontend's requests to podinfo-cloud are mTLS/);
        } finally {
            forgetLocal();
        }
    }, 120_000);

    it("local:reset refuses while the clusters exist, and says to run local:down first", async () => {
        const cli = standIns(["docker", "k3d"]);
        cli.k3dCluster("cloud", { network: "edge-cloud-mesh", apiPort: 40000 });
        const result = await meshAsync(["local:reset"], cli);
        expect(result.status).toBe(1);
        expect(result.stderr).toBe(
            "\nerror: the k3d cluster(s) cloud still exist, and the local state is what knows what runs in them\n" +
                "Run npm run local:down first (it destroys the stacks and deletes the clusters and the network), then npm run local:reset.\n",
        );
    });
});
