// The command line: each command takes its own flags and no other, the usage is made from them, and
// each command hands the flows the stacks and environment it should. The flows run on recording fakes.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import type { CommandContext } from "../scripts/cli/command";
import { COMMANDS, parseCommandLine, usage } from "../scripts/cli/registry";
import { parallelOf, stackNames } from "../scripts/cli/stacks";
import { OperatorError } from "../scripts/errors";
import { prepareLocalDirectory } from "../scripts/flows/localEnv";
import { fakeRunner, fakeWorkspace, recordingReporter } from "./fakes";
import { ROOT } from "./harness";

/** Runs the command line against a fake workspace; returns what the workspace did and was given. */
async function run(argv: string[], env: NodeJS.ProcessEnv, stacks: Parameters<typeof fakeWorkspace>[0], root = "/work/checkout") {
    const { workspace, calls } = fakeWorkspace(stacks);
    const { reporter, stdout } = recordingReporter();
    const environments: NodeJS.ProcessEnv[] = [];
    const context: CommandContext = {
        env,
        root,
        reporter,
        runner: fakeRunner({}).runner,
        workspace: async (given) => {
            environments.push(given);
            return workspace;
        },
    };
    const { command, values } = parseCommandLine(argv);
    await command.run(values, context);
    return { calls, stdout: stdout(), environments };
}

function usageError(argv: string[]): OperatorError {
    try {
        parseCommandLine(argv);
    } catch (error) {
        return error as OperatorError;
    }
    throw new Error(`${argv.join(" ")} parsed`);
}

const CLOUD = { outputs: { edgeSiteNames: ["edge"] } };

describe("the command line", () => {
    it("names the stacks from flags, else CLOUD_STACK and EDGE_STACK_PREFIX, else cloud and the site's name", () => {
        expect(stackNames(parseCommandLine(["up"]).values, {})).toEqual({ cloudStack: "cloud", edgeStackPrefix: "" });
        expect(
            stackNames(parseCommandLine(["down"]).values, {
                CLOUD_STACK: "acme/edge-cloud-mesh/cloud",
                EDGE_STACK_PREFIX: "acme/edge-cloud-mesh/",
            }),
        ).toEqual({ cloudStack: "acme/edge-cloud-mesh/cloud", edgeStackPrefix: "acme/edge-cloud-mesh/" });
        const flags = parseCommandLine(["down", "--cloud-stack", "demo", "--edge-stack-prefix", "demo-", "--continue-past-gone-edges"]);
        expect(stackNames(flags.values, { CLOUD_STACK: "x" })).toEqual({ cloudStack: "demo", edgeStackPrefix: "demo-" });
        expect(flags.values["continue-past-gone-edges"]).toBe(true);
        expect(parseCommandLine(["preview", "--expect-no-changes"]).values["expect-no-changes"]).toBe(true);
    });

    it("up, down and preview run the flows on those stacks, down's summary saying which edge stacks it went past", async () => {
        const up = await run(
            ["up", "--cloud-stack", "demo", "--edge-stack-prefix", "demo-"],
            { PATH: "/bin" },
            { demo: CLOUD, "demo-edge": {} },
        );
        expect(up.calls).toEqual(["up demo", "up demo-edge"]);
        expect(up.environments).toEqual([{ PATH: "/bin" }]);
        const down = await run(["down", "--continue-past-gone-edges"], {}, { cloud: CLOUD });
        expect(down.calls).toEqual(["outputs cloud", "destroy cloud"]);
        expect(down.stdout).toMatch(
            /\npulumi destroy: 1 ok, 1 passed\n[^]*\nedge +edge +passed +- +the backend you are logged in to has no stack "edge"\n$/,
        );
        const preview = await run(["preview", "--expect-no-changes"], {}, { cloud: CLOUD, edge: {} });
        expect(preview.calls).toEqual(["outputs cloud", "expectNoChanges=true", "preview cloud", "expectNoChanges=true", "preview edge"]);
    });

    it("the local commands use the local stacks, backend and passphrase, and local:preview expects no changes", async () => {
        const root = fs.mkdtempSync(path.join(os.tmpdir(), "checkout-"));
        const stacks = { "local-cloud": { outputs: { edgeSiteNames: ["edge"] } }, "local-edge": {} };
        // Before local:up, there is no backend folder for the CLI to open: say so, and what makes it.
        const before = await run(["local:preview"], {}, stacks, root).catch((error: OperatorError) => error);
        expect(before).toMatchObject({
            message: "there are no local stacks to preview (no .local/state)",
            hint: "npm run local:up makes them.",
        });
        prepareLocalDirectory(root);
        const preview = await run(["local:preview"], { CLOUD_STACK: "x", PULUMI_CONFIG_PASSPHRASE: "other" }, stacks, root);
        expect(preview.calls).toEqual([
            "outputs local-cloud",
            "expectNoChanges=true",
            "preview local-cloud",
            "expectNoChanges=true",
            "preview local-edge",
        ]);
        expect(preview.environments).toEqual([
            {
                CLOUD_STACK: "x",
                PULUMI_BACKEND_URL: `file://${root}/.local/state`,
                PULUMI_CONFIG_PASSPHRASE_FILE: `${root}/.local/passphrase`,
            },
        ]);
    });

    it("a command takes only its own flags: the error names the command and its flags, with its usage (exit code 2)", () => {
        const up = usageError(["up", "--continue-past-gone-edges"]);
        expect(up.message).toBe(
            "npm run up: Unknown option '--continue-past-gone-edges'; up takes [--cloud-stack <stack>] [--edge-stack-prefix <prefix>] [--parallel <parallel>]",
        );
        expect(up.exitCode).toBe(2);
        expect(up.hint).toMatch(
            /^usage: npm run up -- \[--cloud-stack <stack>\] \[--edge-stack-prefix <prefix>\] \[--parallel <parallel>\]\nThe cloud stack is --cloud-stack/,
        );
        const local = usageError(["local:up", "--cloud-stack", "x"]);
        expect(local.message).toBe("npm run local:up: Unknown option '--cloud-stack'; local:up takes [--split-mode <mode>]");
        expect(local.hint).toBe(
            "usage: npm run local:up -- [--split-mode <mode>]\nThe local commands name their own stacks, local-cloud and local-edge; " +
                "local:up -- --split-mode weighted|failover sets the edge's splitMode (else it keeps its own).",
        );
        expect(usageError(["local:down", "--split-mode", "failover"]).message).toBe(
            "npm run local:down: Unknown option '--split-mode'; local:down takes no flags",
        );
        expect(usageError(["up", "stray"]).message).toBe(
            "npm run up: Unexpected argument 'stray'; up takes [--cloud-stack <stack>] [--edge-stack-prefix <prefix>] [--parallel <parallel>]",
        );
        expect(usageError(["preview", "--expect-no-changes=yes"]).exitCode).toBe(2);
        expect(usageError(["status", "--expect-no-changes"]).message).toBe(
            "npm run status: Unknown option '--expect-no-changes'; status takes [--cloud-stack <stack>] [--edge-stack-prefix <prefix>] [--parallel <parallel>] [--live]",
        );
    });

    it("--parallel is a whole number of 1 or more (4 unless given); anything else is a usage error naming the flag", async () => {
        expect(parallelOf(parseCommandLine(["up"]).values)).toBe(4);
        expect(parallelOf(parseCommandLine(["down", "--parallel", "1"]).values)).toBe(1);
        expect(parallelOf(parseCommandLine(["status", "--parallel=12"]).values)).toBe(12);
        for (const given of ["0", "-1", "two", "1.5", "", " 3", "1e2"]) {
            const error = await run(["preview", `--parallel=${given}`], {}, { cloud: CLOUD }).catch((caught: OperatorError) => caught);
            expect(error).toBeInstanceOf(OperatorError);
            expect((error as OperatorError).message).toBe(
                `--parallel takes a whole number of 1 or more (how many edge stacks run at once), not ${JSON.stringify(given)}`,
            );
            expect((error as OperatorError).exitCode).toBe(2);
        }
    });

    it("rejects a command it does not know, with the usage of every command, made from their flags", () => {
        for (const argv of [[], ["deploy"]]) {
            const error = usageError(argv);
            expect(error.exitCode).toBe(2);
            expect(error.hint).toBe(usage());
        }
        expect(usageError([]).message).toBe("no command given");
        expect(usageError(["deploy"]).message).toBe('unknown command "deploy"');
        expect(usage().split("\n").slice(0, 11)).toEqual([
            "usage: npm run up -- [--cloud-stack <stack>] [--edge-stack-prefix <prefix>] [--parallel <parallel>]",
            "       npm run down -- [--cloud-stack <stack>] [--edge-stack-prefix <prefix>] [--parallel <parallel>] [--continue-past-gone-edges]",
            "       npm run preview -- [--cloud-stack <stack>] [--edge-stack-prefix <prefix>] [--parallel <parallel>] [--expect-no-changes]",
            "       npm run status -- [--cloud-stack <stack>] [--edge-stack-prefix <prefix>] [--parallel <parallel>] [--live]",
            "       npm run verify -- [--cloud-stack <stack>] [--edge-stack-prefix <prefix>]",
            "       npm run failover -- [--cloud-stack <stack>] [--edge-stack-prefix <prefix>] [--site <site>]",
            "       npm run rotate -- [--cloud-stack <stack>] [--edge-stack-prefix <prefix>] [--parallel <parallel>] [--status]",
            "       npm run local:up -- [--split-mode <mode>]",
            "       npm run local:down",
            "       npm run local:reset",
            "       npm run local:preview",
        ]);
    });

    it("npm runs every command, by its name, through the compiled entry", () => {
        const scripts = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).scripts as Record<string, string>;
        for (const command of COMMANDS) expect(scripts[command.name]).toBe(`tsc -p scripts && node bin/scripts/mesh.js ${command.name}`);
    });
});
