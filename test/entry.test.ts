// The operator commands as npm runs them: the compiled entry (tsc -p scripts, as package.json does)
// run as a child process, with only stand-in CLIs and node on PATH (test/standins.ts). What the user
// sees on stdout and stderr, and the exit code.
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "./harness";
import { PulumiStackSpec, StandIns, standIns } from "./standins";

let entry: string;
let outDir: string;

beforeAll(() => {
    fs.mkdirSync(path.join(ROOT, "bin"), { recursive: true });
    outDir = fs.mkdtempSync(path.join(ROOT, "bin", "test-entry-"));
    execFileSync(process.execPath, [path.join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", "scripts", "--outDir", outDir], {
        cwd: ROOT,
    });
    entry = path.join(outDir, "scripts", "mesh.js");
});

afterAll(() => fs.rmSync(outDir, { recursive: true, force: true }));

function mesh(args: string[], cli: StandIns) {
    const result = spawnSync(process.execPath, [entry, ...args], { env: cli.env(), encoding: "utf8", timeout: 30_000 });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function withStacks(stacks: Record<string, PulumiStackSpec>): StandIns {
    const cli = standIns(["pulumi"]);
    for (const [name, spec] of Object.entries(stacks)) cli.pulumiStack(name, spec);
    return cli;
}

const CLOUD: PulumiStackSpec = { outputs: { edgeSiteNames: ["edge"] }, upOutputs: { edgeSiteNames: ["edge"] } };
const PASSPHRASE = "passphrase must be set with PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE environment variables";

describe("npm run up / down / preview against a stand-in Pulumi CLI", () => {
    it("up brings up the cloud stack, then the edge, streaming the CLI's output under a heading per stack, and exits 0", () => {
        const result = mesh(["up"], withStacks({ cloud: CLOUD, edge: { upOutputs: { linkedCluster: "cloud" } } }));
        expect(result.stderr).toBe("");
        expect(result.status).toBe(0);
        expect(result.stdout).toMatch(
            /^\n=== pulumi up: the cloud stack cloud\nUpdating \(cloud\):\n\nResources:\n[\s\S]*\n=== pulumi up: the edge stack edge \(site edge\)\nUpdating \(edge\):\n/,
        );
    });

    it("when the CLI fails, the user sees its reason with the stack and the command, and no stack trace; the run exits 1", () => {
        const result = mesh(["up"], withStacks({ cloud: CLOUD, edge: { fail: { up: { stderr: `error: ${PASSPHRASE}\n` } } } }));
        expect(result.status).toBe(1);
        expect(result.stderr).toBe(`\nerror: the edge stack "edge" (site "edge") failed at \`pulumi up\`: ${PASSPHRASE}.\n`);
        expect(result.stdout).toMatch(/=== pulumi up: the edge stack edge \(site edge\)\nUpdating \(edge\):\n\n$/);
    });

    it("down stops at an edge stack whose destroy fails, with the CLI's reason, and leaves the cloud stack", () => {
        const cli = withStacks({
            cloud: CLOUD,
            edge: { fail: { destroy: { stderr: "error: the stack is currently locked by 1 lock(s)\n" } } },
        });
        const result = mesh(["down"], cli);
        expect(result.status).toBe(1);
        expect(result.stderr).toMatch(
            /^\nerror: stopped at the edge stack "edge" \(site "edge"\): its destroy failed at `pulumi destroy`: the stack is currently locked by 1 lock\(s\)\. The cloud stack "cloud" was not destroyed/,
        );
        expect(cli.pulumiCalls().some(({ argv }) => argv[0] === "destroy" && argv.includes("cloud"))).toBe(false);
    });

    it("preview --expect-no-changes fails on the stack the CLI finds changes in, with the CLI's words", () => {
        const result = mesh(["preview", "--expect-no-changes"], withStacks({ cloud: CLOUD, edge: { changes: true } }));
        expect(result.status).toBe(1);
        expect(result.stderr).toBe(
            '\nerror: the preview of "edge" shows changes or failed at `pulumi preview`: no changes were expected for preview but changes were proposed.\n',
        );
        expect(result.stdout).toMatch(
            /^\n=== pulumi preview --expect-no-changes: cloud\n[\s\S]*\n=== pulumi preview --expect-no-changes: edge\n/,
        );
    });

    it("without a Pulumi CLI, says so with the install hint and no stack trace", () => {
        const result = mesh(["up"], standIns([]));
        expect(result.status).toBe(1);
        expect(result.stderr).toBe(
            "\nerror: the Pulumi CLI is not installed (no pulumi on PATH)\n" +
                "install the Pulumi CLI 3.248 or a later 3.x: curl -fsSL https://get.pulumi.com | sh (https://www.pulumi.com/docs/install/)\n",
        );
    });

    it("a flag the command does not take is a usage error (exit code 2) naming the command's flags, and runs nothing", () => {
        const cli = withStacks({ cloud: CLOUD });
        const result = mesh(["up", "--continue-past-gone-edges"], cli);
        expect(result.status).toBe(2);
        expect(result.stderr).toMatch(
            /^\nerror: npm run up: Unknown option '--continue-past-gone-edges'; up takes \[--cloud-stack <stack>\] \[--edge-stack-prefix <prefix>\]\nusage: npm run up -- /,
        );
        expect(cli.pulumiCalls()).toEqual([]);
    });
});
