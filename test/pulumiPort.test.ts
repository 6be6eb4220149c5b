// The Pulumi port through the real Automation API (@pulumi/pulumi 3.248), which spawns the CLI: here
// a stand-in `pulumi` (test/standins/pulumi.cjs) that answers as the CLI 3.248.0 does. Every
// operation the commands use crosses this boundary once: the argv the CLI gets, what it answers, and
// what reaches the caller when it fails.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { OperatorError } from "../scripts/errors";
import { localUp } from "../scripts/flows/local";
import { localEnvironment, stackConfig } from "../scripts/flows/localEnv";
import { automationWorkspace } from "../scripts/pulumi/automation";
import { MeshStack, PulumiError } from "../scripts/pulumi/port";
import { ROOT } from "./harness";
import { TOOLS_AT_PINS, fakeRunner, ok, recordingReporter } from "./fakes";
import { restoreEnvironmentAfterEach } from "./localWorld";
import { PulumiStackSpec, standIns } from "./standins";

restoreEnvironmentAfterEach();
afterEach(() => {
    vi.restoreAllMocks();
});

/** A stand-in CLI with these stacks, and the port on this checkout's program. */
async function port(stacks: Record<string, PulumiStackSpec>, extraEnv: NodeJS.ProcessEnv = {}) {
    const cli = standIns(["pulumi"]);
    for (const [name, spec] of Object.entries(stacks)) cli.pulumiStack(name, spec);
    const workspace = await automationWorkspace(ROOT, cli.env(extraEnv));
    /** What the CLI was asked after `pulumi version`, each without the --non-interactive the Automation API appends. */
    const argvs = () =>
        cli
            .pulumiCalls()
            .slice(1)
            .map(({ argv }) => {
                expect(argv.at(-1)).toBe("--non-interactive");
                return argv.slice(0, -1);
            });
    return { cli, workspace, argvs };
}

async function failure(action: Promise<unknown>): Promise<PulumiError> {
    const error = await action.catch((caught: Error) => caught);
    expect(error).toBeInstanceOf(PulumiError);
    return error as PulumiError;
}

const PASSPHRASE = "error: passphrase must be set with PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE environment variables\n";

describe("the workspace", () => {
    it("selects a stack, and answers undefined for one the backend does not have (the CLI's 'no stack named' with exit code 6)", async () => {
        const { workspace, argvs, cli } = await port({ cloud: {} });
        expect((await workspace.stack("cloud"))?.name).toBe("cloud");
        expect(await workspace.stack("edge")).toBeUndefined();
        expect(argvs()).toEqual([
            ["stack", "select", "--stack", "cloud"],
            ["stack", "select", "--stack", "edge"],
        ]);
        expect(cli.pulumiCalls()[0].argv).toEqual(["version"]);
    });

    it("creates a stack, and a stack that exists already is the CLI's error, naming the stack and the command", async () => {
        const { workspace, argvs, cli } = await port({ "local-edge": {} });
        expect((await workspace.createStack("local-cloud")).name).toBe("local-cloud");
        expect(cli.readPulumiStack("local-cloud")).toBeDefined();
        const error = await failure(workspace.createStack("local-edge"));
        expect(error).toMatchObject({ stack: "local-edge", step: "pulumi stack init", reason: "stack 'local-edge' already exists" });
        expect(error.message).toBe("`pulumi stack init` on the stack \"local-edge\" failed: stack 'local-edge' already exists");
        expect(argvs()).toEqual([
            ["stack", "init", "local-cloud"],
            ["stack", "init", "local-edge"],
        ]);
    });

    it("lists the backend's stacks by the names --stack takes (a self-managed backend may qualify them)", async () => {
        const { workspace, argvs } = await port({ "local-cloud": {}, "organization/edge-cloud-mesh/local-edge": {} });
        expect((await workspace.stackNames()).sort()).toEqual(["local-cloud", "local-edge"]);
        expect(argvs()).toEqual([["stack", "ls", "--json"]]);
    });

    it("runs the CLI with exactly the environment given: a passphrase in this process's environment does not reach it", async () => {
        process.env.PULUMI_CONFIG_PASSPHRASE = "from the shell";
        const { workspace, cli } = await port(
            { cloud: {} },
            { PULUMI_CONFIG_PASSPHRASE_FILE: "/x/.local/passphrase", PULUMI_K8S_DELETE_UNREACHABLE: "true" },
        );
        await workspace.stack("cloud");
        expect(cli.pulumiCalls().map(({ env }) => env)).toEqual([
            { PULUMI_CONFIG_PASSPHRASE_FILE: "/x/.local/passphrase", PULUMI_K8S_DELETE_UNREACHABLE: "true" },
            { PULUMI_CONFIG_PASSPHRASE_FILE: "/x/.local/passphrase", PULUMI_K8S_DELETE_UNREACHABLE: "true" },
        ]);
    });

    it("without a Pulumi CLI on PATH, says so with the install hint (not a CLI failure)", async () => {
        const bare = standIns([]);
        const error = await automationWorkspace(ROOT, bare.env()).catch((caught: Error) => caught);
        expect(error).toBeInstanceOf(OperatorError);
        expect(error).not.toBeInstanceOf(PulumiError);
        expect((error as OperatorError).message).toBe("the Pulumi CLI is not installed (no pulumi on PATH)");
        expect((error as OperatorError).hint).toMatch(
            /^install the Pulumi CLI 3\.248 or a later 3\.x: curl -fsSL https:\/\/get\.pulumi\.com \| sh/,
        );
    });
});

describe("a stack's config", () => {
    it("reads a key's whole value, a list as a list, with Pulumi.yaml's default where the stack sets none; one `pulumi config` until a write", async () => {
        const { workspace, argvs } = await port({ cloud: { config: { "edge-cloud-mesh:edgeSites": ["edge", "edge-berlin"] } } });
        const cloud = (await workspace.stack("cloud")) as MeshStack;
        expect(await cloud.config("edgeSites")).toEqual(["edge", "edge-berlin"]);
        expect(await cloud.config("linkerdVersion")).toBe("2026.8.3");
        expect(await cloud.config("role")).toBeUndefined();
        const read = ["config", "--show-secrets", "--json", "--stack", "cloud"];
        expect(argvs().slice(1)).toEqual([read]);
        await cloud.setConfig({ role: "cloud" });
        expect(await cloud.config("role")).toBe("cloud");
        expect(argvs().slice(2)).toEqual([
            ["config", "set-all", "--stack", "cloud", "--path", "--plaintext", "edge-cloud-mesh:role=cloud"],
            read,
        ]);
    });

    it("writes whole values in the program's namespace: a list is removed first, so a longer one there keeps nothing", async () => {
        const { workspace, argvs, cli } = await port({
            "local-cloud": {
                config: { "edge-cloud-mesh:gatewaySourceCidrs": ["10.0.0.0/8", "192.168.0.0/16"], "edge-cloud-mesh:demo": "false" },
            },
        });
        const values = stackConfig("/work/checkout", "172.18.0.0/16")["local-cloud"];
        await ((await workspace.stack("local-cloud")) as MeshStack).setConfig(values);
        expect(argvs().slice(1)).toEqual([
            ["config", "rm-all", "--stack", "local-cloud", "edge-cloud-mesh:gatewaySourceCidrs", "edge-cloud-mesh:edgeSites"],
            [
                "config",
                "set-all",
                "--stack",
                "local-cloud",
                "--path",
                "--plaintext",
                "edge-cloud-mesh:role=cloud",
                "--plaintext",
                "edge-cloud-mesh:cluster=kubeconfig",
                "--plaintext",
                "edge-cloud-mesh:clusterName=cloud",
                "--plaintext",
                "edge-cloud-mesh:kubeconfig=/work/checkout/.local/cloud.kubeconfig",
                "--plaintext",
                "edge-cloud-mesh:kubeContext=k3d-cloud",
                "--plaintext",
                "edge-cloud-mesh:apiServerAddress=https://k3d-cloud-server-0:6443",
                "--plaintext",
                "edge-cloud-mesh:gatewaySourceCidrs[0]=172.18.0.0/16",
                "--plaintext",
                "edge-cloud-mesh:edgeSites[0]=edge",
            ],
        ]);
        expect(cli.readPulumiStack("local-cloud")!.config).toEqual({
            "edge-cloud-mesh:demo": "false",
            "edge-cloud-mesh:role": "cloud",
            "edge-cloud-mesh:cluster": "kubeconfig",
            "edge-cloud-mesh:clusterName": "cloud",
            "edge-cloud-mesh:kubeconfig": "/work/checkout/.local/cloud.kubeconfig",
            "edge-cloud-mesh:kubeContext": "k3d-cloud",
            "edge-cloud-mesh:apiServerAddress": "https://k3d-cloud-server-0:6443",
            "edge-cloud-mesh:gatewaySourceCidrs": ["172.18.0.0/16"],
            "edge-cloud-mesh:edgeSites": ["edge"],
        });
    });

    it("a config command the CLI fails names the stack and the command, with the CLI's error line", async () => {
        const { workspace } = await port({ cloud: { fail: { config: { stderr: PASSPHRASE } } } });
        const error = await failure(((await workspace.stack("cloud")) as MeshStack).config("edgeSites"));
        expect(error.message).toBe(
            '`pulumi config` on the stack "cloud" failed: passphrase must be set with PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE environment variables',
        );
    });
});

describe("a stack's updates", () => {
    const CLOUD_OUTPUTS = { edgeSiteNames: ["edge"], edgeSites: { edge: { issuerKeyPem: "KEY" } } };

    it("up streams the CLI's output and resolves to the stack's outputs, secrets shown", async () => {
        const { workspace, argvs } = await port({ cloud: { upOutputs: CLOUD_OUTPUTS, secretOutputs: ["edgeSites"] } });
        const cloud = (await workspace.stack("cloud")) as MeshStack;
        const output: string[] = [];
        expect(await cloud.up((text) => output.push(text))).toEqual(CLOUD_OUTPUTS);
        expect(output.join("")).toMatch(/^Updating \(cloud\):\n\nResources:\n {4}1 unchanged\n/);
        expect(argvs().slice(1)).toEqual([
            ["up", "--yes", "--skip-preview", "--color", "auto", "--exec-kind", "auto.local", "--stack", "cloud"],
            ["stack", "output", "--json", "--stack", "cloud"],
            ["stack", "output", "--json", "--show-secrets", "--stack", "cloud"],
            ["stack", "history", "--json", "--show-secrets", "--page-size", "1", "--page", "1", "--stack", "cloud"],
        ]);
        expect(await cloud.outputs()).toEqual(CLOUD_OUTPUTS);
    });

    it("a failed up carries the CLI's stderr: its error line is the reason (not the `code: -2` of the Automation API's error)", async () => {
        const { workspace } = await port({
            edge: { fail: { up: { stderr: `warning: A new version of Pulumi is available\n${PASSPHRASE}` } } },
        });
        const error = await failure(((await workspace.stack("edge")) as MeshStack).up(() => {}));
        expect(error).toMatchObject({ stack: "edge", step: "pulumi up" });
        expect(error.reason).toBe(
            "passphrase must be set with PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE environment variables",
        );
        expect(error.message).not.toMatch(/code: -2/);
    });

    it("a failed program reports on stdout and writes no error line: its diagnostics' error lines are the reason", async () => {
        const diagnostics =
            'Diagnostics:\n  pulumi:pulumi:Stack (edge-cloud-mesh-edge):\n    error: edge-cloud-mesh:cloudStack: the stack "cloud" cannot be read\n';
        const { workspace } = await port({
            edge: { fail: { up: { stdout: diagnostics, stderr: "warning: A new version of Pulumi is available\n" } } },
            quiet: { fail: { up: {} } },
        });
        const output: string[] = [];
        const error = await failure(((await workspace.stack("edge")) as MeshStack).up((text) => output.push(text)));
        expect(error.errorLines).toEqual(['edge-cloud-mesh:cloudStack: the stack "cloud" cannot be read']);
        expect(error.reason).toBe('edge-cloud-mesh:cloudStack: the stack "cloud" cannot be read');
        expect(output.join("")).toContain(diagnostics);
        // Nothing said at all: where to look.
        expect((await failure(((await workspace.stack("quiet")) as MeshStack).up(() => {}))).reason).toBe("its output is above");
    });

    it("preview --expect-no-changes fails when the CLI finds changes (exit code 7), with its reason; passes when none", async () => {
        const warn = vi.spyOn(console, "warn");
        const { workspace, argvs } = await port({ cloud: {}, edge: { changes: true } });
        await ((await workspace.stack("cloud")) as MeshStack).preview(() => {}, true);
        const error = await failure(((await workspace.stack("edge")) as MeshStack).preview(() => {}, true));
        expect(error).toMatchObject({
            stack: "edge",
            step: "pulumi preview",
            reason: "no changes were expected for preview but changes were proposed",
        });
        const preview = argvs()[1];
        expect(preview.slice(0, 7)).toEqual(["preview", "--expect-no-changes", "--diff", "--color", "auto", "--exec-kind", "auto.local"]);
        expect(preview.slice(7)).toEqual(["--event-log", expect.stringMatching(/^tcp:\/\/127\.0\.0\.1:\d+$/), "--stack", "cloud"]);
        // The stand-in streams the engine's summary event, as the CLI does: the Automation API has nothing to warn about.
        expect(warn).not.toHaveBeenCalled();
    });

    it("destroy leaves the stack without outputs; a failed destroy carries the CLI's reason", async () => {
        const { workspace, argvs, cli } = await port({
            cloud: { outputs: CLOUD_OUTPUTS },
            edge: { fail: { destroy: { stderr: "error: the stack is currently locked by 1 lock(s)\n" } } },
        });
        await ((await workspace.stack("cloud")) as MeshStack).destroy(() => {});
        expect(cli.readPulumiStack("cloud")!.outputs).toEqual({});
        expect(argvs()[1]).toEqual([
            "destroy",
            "--yes",
            "--skip-preview",
            "--color",
            "auto",
            "--exec-kind",
            "auto.local",
            "--stack",
            "cloud",
        ]);
        const error = await failure(((await workspace.stack("edge")) as MeshStack).destroy(() => {}));
        expect(error).toMatchObject({ stack: "edge", step: "pulumi destroy", reason: "the stack is currently locked by 1 lock(s)" });
    });
});

describe("a stack's history and state", () => {
    it("reads the last update from `stack history` (newest first, one entry, without secrets), and counts the state's resources", async () => {
        const { workspace, argvs } = await port({
            cloud: {
                history: [
                    { version: 1, kind: "update", result: "succeeded", startTime: 1796119000, endTime: 1796119100 },
                    { version: 2, kind: "update", result: "failed", startTime: 1796119140, endTime: 1796119200 },
                ],
                resources: [
                    { type: "pulumi:pulumi:Stack", name: "edge-cloud-mesh-cloud" },
                    { type: "pulumi:providers:kubernetes", name: "cloud" },
                    { type: "kubernetes:core/v1:Secret", name: "cloud-token-edge" },
                ],
            },
            fresh: {},
        });
        const cloud = (await workspace.stack("cloud")) as MeshStack;
        expect(await cloud.lastUpdate()).toEqual({
            kind: "update",
            result: "failed",
            startTime: new Date("2026-12-01T09:59:00Z"),
            endTime: new Date("2026-12-01T10:00:00Z"),
        });
        expect(await cloud.resourceCount()).toBe(3);
        const fresh = (await workspace.stack("fresh")) as MeshStack;
        expect(await fresh.lastUpdate()).toBeUndefined();
        expect(await fresh.resourceCount()).toBe(0);
        expect(
            argvs()
                .filter(([command]) => command === "stack")
                .slice(1, 3),
        ).toEqual([
            ["stack", "history", "--json", "--page-size", "1", "--page", "1", "--stack", "cloud"],
            ["stack", "export", "--show-secrets", "--stack", "cloud"],
        ]);
    });

    it("an up records itself in the history (a failed one too), with its resource changes; a destroy empties the state", async () => {
        const { workspace, cli } = await port({
            cloud: { upResources: [{ type: "pulumi:pulumi:Stack", name: "edge-cloud-mesh-cloud" }] },
            edge: { fail: { up: { stderr: PASSPHRASE } } },
        });
        const cloud = (await workspace.stack("cloud")) as MeshStack;
        await cloud.up(() => {});
        expect(await cloud.lastUpdate()).toMatchObject({ kind: "update", result: "succeeded" });
        expect(await cloud.resourceCount()).toBe(1);
        expect(cli.readPulumiStack("cloud")!.history).toEqual([expect.objectContaining({ resourceChanges: { create: 1 } })]);
        await cloud.destroy(() => {});
        expect(await cloud.lastUpdate()).toMatchObject({ kind: "destroy", result: "succeeded" });
        expect(await cloud.resourceCount()).toBe(0);
        const edge = (await workspace.stack("edge")) as MeshStack;
        await failure(edge.up(() => {}));
        expect(await edge.lastUpdate()).toMatchObject({ kind: "update", result: "failed" });
    });

    it("a history or export the CLI fails names the stack and the command, with the CLI's error line", async () => {
        const { workspace } = await port({ cloud: { fail: { "stack export": { stderr: PASSPHRASE } } } });
        const error = await failure(((await workspace.stack("cloud")) as MeshStack).resourceCount());
        expect(error).toMatchObject({ stack: "cloud", step: "pulumi stack export" });
        expect(error.reason).toMatch(/^passphrase must be set/);
    });
});

describe("local:up's Pulumi steps, through the port", () => {
    it("lists the stacks, creates and configures both, and brings them up, all on the local backend and passphrase", async () => {
        const cli = standIns(["pulumi"]);
        const frontend = "kubectl --kubeconfig /x/edge.kubeconfig --context k3d-edge -n test port-forward svc/frontend 8080:8080";
        cli.pulumiStack("local-cloud", { upOutputs: { edgeSiteNames: ["edge"] } }, { uncreated: true });
        cli.pulumiStack("local-edge", { upOutputs: { frontendCommand: frontend } }, { uncreated: true });
        const root = fs.mkdtempSync(path.join(os.tmpdir(), "checkout-"));
        const { runner } = fakeRunner({
            ...TOOLS_AT_PINS,
            "k3d cluster list": ok(JSON.stringify([{ name: "cloud" }, { name: "edge" }])),
            "docker network inspect": ok(JSON.stringify([{ Subnet: "172.18.0.0/16" }])),
        });
        const env = localEnvironment(root, cli.env({ PULUMI_CONFIG_PASSPHRASE: "from the shell" }));
        const deps = {
            runner,
            reporter: recordingReporter().reporter,
            workspace: (given: NodeJS.ProcessEnv) => automationWorkspace(root, given),
        };
        expect(await localUp(root, env, deps)).toEqual({ frontendCommand: frontend });
        const calls = cli.pulumiCalls();
        expect(calls.map(({ argv }) => argv.slice(0, 2).join(" "))).toEqual([
            "version",
            "stack ls",
            "stack init",
            "config rm-all",
            "config set-all",
            "stack init",
            "config set-all",
            "stack select",
            "up --yes",
            "stack output",
            "stack output",
            "stack history",
            "stack select",
            "up --yes",
            "stack output",
            "stack output",
            "stack history",
        ]);
        for (const { env: used } of calls) {
            expect(used).toEqual({
                PULUMI_BACKEND_URL: `file://${root}/.local/state`,
                PULUMI_CONFIG_PASSPHRASE_FILE: `${root}/.local/passphrase`,
            });
        }
        expect(cli.readPulumiStack("local-edge", `${root}/.local/state`)!.config).toEqual({
            "edge-cloud-mesh:role": "edge",
            "edge-cloud-mesh:clusterName": "edge",
            "edge-cloud-mesh:kubeconfig": `${root}/.local/edge.kubeconfig`,
            "edge-cloud-mesh:kubeContext": "k3d-edge",
            "edge-cloud-mesh:cloudStack": "local-cloud",
        });
    });
});
