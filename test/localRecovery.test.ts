// local:up and local:down run again after a local:up that stopped part way: for each step of local:up
// that makes something (flows/local.ts lists them), the step fails as an interruption there would leave
// things, then from that same world (forked) local:up runs again and converges, and local:down runs and
// removes everything. All through real child processes: docker, k3d and pulumi stand-ins
// (test/standins/), the real ToolRunner and the real Automation API.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { LocalDeps, localDown, localUp } from "../scripts/flows/local";
import { localEnvironment, localPaths } from "../scripts/flows/localEnv";
import { automationWorkspace } from "../scripts/pulumi/automation";
import { spawnRunner } from "../scripts/tools/spawn";
import { recordingReporter } from "./fakes";
import { ROOT } from "./harness";
import { checkoutCopy, describeLocalStacks, restoreEnvironmentAfterEach } from "./localWorld";
import { StandIns, standIns } from "./standins";

restoreEnvironmentAfterEach();

function deps(root: string): LocalDeps & { stdout: () => string } {
    const { reporter, stdout } = recordingReporter();
    return { runner: spawnRunner(root), reporter, workspace: (env) => automationWorkspace(root, env), stdout };
}

const run = {
    up: (cli: StandIns, root: string) => localUp(root, localEnvironment(root, cli.env()), deps(root)),
    down: (cli: StandIns, root: string) => localDown(root, localEnvironment(root, cli.env()), deps(root)),
};

/** How a step is made to stop local:up, and what the next local:up does to the clusters. */
interface Interruption {
    step: string;
    interrupt(cli: StandIns, root: string): void;
    /** The k3d cluster commands the next local:up runs: only what is missing is created, what does not run is started. */
    clusters: string[];
}

const k3d =
    (command: string, leaves?: "stopped"): Interruption["interrupt"] =>
    (cli) =>
        cli.fail("k3d", command, { stderr: `FATA[0001] Cluster creation FAILED, also FAILED to rollback changes!\n`, leaves });

/** A Pulumi operation of a local stack fails: described before the stack exists, so `stack init` creates it failing. */
const pulumi =
    (stack: string, operation: string): Interruption["interrupt"] =>
    (cli, root) => {
        describeLocalStacks(cli, root);
        const described = JSON.parse(fs.readFileSync(path.join(cli.state, "pulumi", "uncreated", `${stack}.json`), "utf8"));
        cli.pulumiStack(
            stack,
            { ...described, fail: { [operation]: { stderr: "error: the operation was interrupted\n", code: 255 } } },
            { uncreated: true },
        );
    };

/** Takes every injected failure away: the next run is not interrupted. */
function resume(cli: StandIns, root: string): void {
    for (const command of ["cluster create cloud", "cluster create edge"]) cli.fail("k3d", command, undefined);
    describeLocalStacks(cli, root);
    for (const name of ["local-cloud", "local-edge"]) {
        const stack = cli.readPulumiStack(name, localPaths(root).state);
        if (stack !== undefined) cli.pulumiStack(name, { ...stack, fail: {} }, { backend: localPaths(root).state });
    }
}

const INTERRUPTIONS: Interruption[] = [
    {
        step: "creating the cluster cloud (left created but not running)",
        interrupt: k3d("cluster create cloud", "stopped"),
        clusters: ["k3d cluster start cloud", "k3d cluster create edge"],
    },
    { step: "creating the cluster edge (nothing left)", interrupt: k3d("cluster create edge"), clusters: ["k3d cluster create edge"] },
    { step: "pulumi stack init local-cloud", interrupt: pulumi("local-cloud", "stack init"), clusters: [] },
    { step: "writing local-cloud's config", interrupt: pulumi("local-cloud", "config set-all"), clusters: [] },
    { step: "pulumi stack init local-edge", interrupt: pulumi("local-edge", "stack init"), clusters: [] },
    { step: "writing local-edge's config", interrupt: pulumi("local-edge", "config set-all"), clusters: [] },
    { step: "pulumi up local-cloud", interrupt: pulumi("local-cloud", "up"), clusters: [] },
    { step: "pulumi up local-edge", interrupt: pulumi("local-edge", "up"), clusters: [] },
];

/** A machine with Docker, k3d and Pulumi, a copy of the checkout, and the local stacks as their `up` leaves them. */
function machine() {
    const cli = standIns(["pulumi", "docker", "k3d"]);
    const root = checkoutCopy(ROOT);
    describeLocalStacks(cli, root);
    return { cli, root };
}

/** The same world, from here on separately: the stand-ins' state and the checkout copy. */
function fork(cli: StandIns, root: string) {
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), "checkout-"));
    fs.cpSync(root, copy, { recursive: true });
    return { cli: cli.fork(), root: copy };
}

describe("after local:up stopped at a step, local:up converges and local:down removes everything", () => {
    it.each(INTERRUPTIONS)("$step", async ({ interrupt, clusters }) => {
        const { cli, root } = machine();
        interrupt(cli, root);
        await expect(run.up(cli, root)).rejects.toThrow();

        // local:up again: both clusters run, both stacks are up, nothing was created twice.
        const again = fork(cli, root);
        resume(again.cli, again.root);
        const before = again.cli.commandLines("k3d").length;
        expect(await run.up(again.cli, again.root)).toMatchObject({
            frontendCommand: expect.stringContaining("port-forward svc/frontend"),
        });
        expect(again.cli.k3dClusters()).toMatchObject({ cloud: { running: true }, edge: { running: true } });
        const clusterCommands = again.cli
            .commandLines("k3d")
            .slice(before)
            .filter((line) => /^k3d cluster (create|start) /.test(line))
            .map((line) => line.split(" ").slice(0, 4).join(" "));
        expect(clusterCommands).toEqual(clusters);
        const state = localPaths(again.root).state;
        expect(again.cli.readPulumiStack("local-cloud", state)!.outputs).toMatchObject({ edgeSiteNames: ["edge"] });
        expect(again.cli.readPulumiStack("local-edge", state)!.outputs).toMatchObject({ linkedCluster: "cloud" });

        // Or local:down: no cluster, no network, no stack that holds anything.
        const down = fork(cli, root);
        resume(down.cli, down.root);
        await run.down(down.cli, down.root);
        expect(down.cli.k3dClusters()).toEqual({});
        expect(down.cli.dockerNetworks()).toEqual({});
        for (const name of ["local-cloud", "local-edge"])
            expect(down.cli.readPulumiStack(name, localPaths(down.root).state)?.outputs ?? {}).toEqual({});
    });
});

describe("local:down always finishes", () => {
    it("after a destroy that fails: deletes the clusters and the network, says what failed and why; run again, it forgets the rest", async () => {
        const { cli, root } = machine();
        await run.up(cli, root);
        const state = localPaths(root).state;
        const edge = cli.readPulumiStack("local-edge", state)!;
        cli.pulumiStack(
            "local-edge",
            { ...edge, fail: { destroy: { stderr: "error: the stack is currently locked by 1 lock(s)\n" } } },
            { backend: state },
        );
        const first = deps(root);
        await expect(localDown(root, localEnvironment(root, cli.env()), first)).rejects.toThrow(
            '`pulumi destroy` on the stack "local-edge" failed: the stack is currently locked by 1 lock(s). The clusters and the network are deleted all the same.',
        );
        expect(cli.k3dClusters()).toEqual({});
        expect(cli.dockerNetworks()).toEqual({});
        expect(first.stdout()).toMatch(
            /\nstack local-edge +destroy failed at `pulumi destroy`: the stack is currently locked by 1 lock\(s\)\nstack local-cloud +destroyed\n/,
        );

        cli.pulumiStack("local-edge", { ...cli.readPulumiStack("local-edge", state)!, fail: {} }, { backend: state });
        const second = deps(root);
        await localDown(root, localEnvironment(root, cli.env()), second);
        expect(cli.readPulumiStack("local-edge", state)!.outputs).toEqual({});
        // With the clusters gone, the destroy forgets what they held.
        const destroys = cli.pulumiCalls().filter(({ argv }) => argv[0] === "destroy");
        expect(destroys.at(-1)!.env.PULUMI_K8S_DELETE_UNREACHABLE).toBe("true");
        expect(second.stdout()).toMatch(/\nstack local-edge +destroyed; what the cluster edge held is forgotten\n/);
        expect(second.stdout()).toMatch(/\nk3d cluster edge +none \(already gone\)\n/);
    });

    it("with the local-cloud stack and no local-edge (a first local:up stopped between them, review R2), and a cluster deleted by hand", async () => {
        const { cli, root } = machine();
        pulumi("local-edge", "stack init")(cli, root);
        await expect(run.up(cli, root)).rejects.toThrow();
        expect(fs.existsSync(path.join(root, "Pulumi.local-edge.yaml"))).toBe(false);
        execK3d(cli, ["cluster", "delete", "edge"]);
        const reported = deps(root);
        await localDown(root, localEnvironment(root, cli.env()), reported);
        expect(cli.k3dClusters()).toEqual({});
        expect(cli.dockerNetworks()).toEqual({});
        expect(reported.stdout()).toMatch(
            /\nstack local-edge +none \(never created\)\nstack local-cloud +destroyed\nk3d cluster edge +none \(already gone\)\nk3d cluster cloud +deleted\n/,
        );
    });
});

function execK3d(cli: StandIns, args: string[]): void {
    execFileSync(path.join(cli.bin, "k3d"), args, { env: cli.env(), stdio: "ignore" });
}
