// The end-to-end workflow (.github/workflows/e2e.yml). It runs only on GitHub's runners (Docker, k3d,
// real clusters); here: what it runs, in which order, at which versions, and its install step against
// stand-in curl and gh (nothing connects anywhere).
import { spawnSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { linkerdRelease } from "../components/linkerd";
import { LOCAL } from "../scripts/flows/localEnv";
import { KUBECTL_VERSION, REQUIREMENTS, accepts } from "../scripts/tools/requirements";
import { ROOT } from "./harness";

const workflow = parse(fs.readFileSync(path.join(ROOT, ".github", "workflows", "e2e.yml"), "utf8"));
const steps: any[] = workflow.jobs.e2e.steps;
const stepIndex = (predicate: (step: any) => boolean) => steps.findIndex(predicate);
/** A step whose script is that command, or has it as one of its lines. */
const runs = (command: string) => (step: any) => step.run === command || (step.run ?? "").split("\n").includes(command);

describe("e2e.yml", () => {
    it("runs for pull requests that touch the program, and nightly", () => {
        const topLevelPrograms = fs.readdirSync(ROOT).filter((file) => file.endsWith(".ts"));
        expect(topLevelPrograms.sort()).toEqual(["commands.ts", "contract.ts", "index.ts"]);
        expect(workflow.on.pull_request.paths).toEqual(
            expect.arrayContaining([
                ...topLevelPrograms,
                "config/**",
                "components/**",
                "scripts/**",
                "e2e/**",
                "Pulumi.yaml",
                "package-lock.json",
            ]),
        );
        expect(workflow.on.schedule).toEqual([{ cron: expect.stringMatching(/^\d+ \d+ \* \* \*$/) }]);
    });

    it("installs k3d, kubectl, the linkerd CLI and the Pulumi CLI at the versions the project pins (tools/requirements.ts)", () => {
        const pulumiSdk = JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules", "@pulumi", "pulumi", "package.json"), "utf8")).version;
        expect(workflow.env.PULUMI_VERSION).toBe(pulumiSdk);
        expect(REQUIREMENTS.pulumi.wants).toEqual({ atLeast: pulumiSdk, below: "4.0.0" });
        expect(workflow.env.LINKERD_VERSION).toBe(linkerdRelease("2026.8.3"));
        expect(REQUIREMENTS.linkerd.wants).toEqual({ pinned: workflow.env.LINKERD_VERSION });
        expect(REQUIREMENTS.linkerd.install).toContain(`LINKERD2_VERSION=${workflow.env.LINKERD_VERSION} sh`);
        expect(REQUIREMENTS.k3d.wants).toEqual({ pinned: workflow.env.K3D_VERSION });
        expect(REQUIREMENTS.k3d.install).toContain(`TAG=${workflow.env.K3D_VERSION}`);
        // kubectl: the Kubernetes release of the local clusters' k3s, which the commands accept.
        expect(workflow.env.KUBECTL_VERSION).toBe(KUBECTL_VERSION);
        expect(LOCAL.k3sImage).toBe(`rancher/k3s:${KUBECTL_VERSION}-k3s1`);
        expect(accepts(REQUIREMENTS.kubectl.wants, KUBECTL_VERSION)).toBe(true);
        const install = steps[stepIndex((step) => /K3D_VERSION/.test(step.run ?? ""))].run;
        expect(install).toContain('curl -fsSL https://get.pulumi.com | sh -s -- --version "$PULUMI_VERSION"');
    });

    it("checks every binary it downloads against the checksum its project publishes, and installs nothing that does not match", () => {
        const step = steps[stepIndex((step) => /K3D_VERSION/.test(step.run ?? ""))];
        expect(step.env).toEqual({ GH_TOKEN: "${{ github.token }}" });
        const good = installRun(step.run, {});
        expect(good.stderr).toBe("");
        expect(good.status).toBe(0);
        expect(fs.readdirSync(good.bin).sort()).toEqual(["k3d", "kubectl", "linkerd"]);
        expect(fs.readFileSync(path.join(good.bin, "linkerd"), "utf8")).toBe(ASSETS.linkerd);
        expect(good.requests).toEqual([
            `https://github.com/k3d-io/k3d/releases/download/${workflow.env.K3D_VERSION}/k3d-linux-amd64`,
            `https://github.com/k3d-io/k3d/releases/download/${workflow.env.K3D_VERSION}/checksums.txt`,
            `https://dl.k8s.io/release/${workflow.env.KUBECTL_VERSION}/bin/linux/amd64/kubectl`,
            `https://dl.k8s.io/release/${workflow.env.KUBECTL_VERSION}/bin/linux/amd64/kubectl.sha256`,
            `https://github.com/linkerd/linkerd2/releases/download/${workflow.env.LINKERD_VERSION}/linkerd2-cli-${workflow.env.LINKERD_VERSION}-linux-amd64`,
            `gh api repos/linkerd/linkerd2/releases/tags/${workflow.env.LINKERD_VERSION} --jq .assets[] | select(.name == "linkerd2-cli-${workflow.env.LINKERD_VERSION}-linux-amd64") | .digest`,
            "https://get.pulumi.com",
        ]);
        for (const tampered of ["k3d", "kubectl", "linkerd"] as const) {
            const run = installRun(step.run, { [tampered]: "something else" });
            expect(run.status, tampered).not.toBe(0);
            expect(run.stdout, tampered).toMatch(/: FAILED\n/);
            expect(fs.existsSync(path.join(run.bin, tampered)), tampered).toBe(false);
        }
    });

    it("brings the mesh up, previews both stacks expecting no changes, verifies, fails over, and always tears down", () => {
        const order = [
            "npm ci",
            "npm run local:up",
            "npm run local:preview",
            "npm run verify",
            "npm run failover",
            "npm run local:down",
        ].map((command) => stepIndex(runs(command)));
        expect(order.every((index) => index >= 0)).toBe(true);
        expect([...order].sort((a, b) => a - b)).toEqual(order);
        expect(stepIndex((step) => /K3D_VERSION/.test(step.run ?? ""))).toBeLessThan(order[1]);
        expect(steps[order[5]].if).toBe("always()");
        expect(steps[order[5]]).toBe(steps.at(-1));
        // No step needs sudo or edits a system file: verify reaches the cloud's API server through a proxy of its own.
        const text = fs.readFileSync(path.join(ROOT, ".github", "workflows", "e2e.yml"), "utf8");
        expect(text).not.toMatch(/sudo|\/etc\/hosts/);
    });

    it("verifies and fails over in each split mode: weighted (the default) first, then failover, in every FAILOVER_BY mode", () => {
        const switchToFailover = stepIndex((step) => step.run === "npm run local:up -- --split-mode failover");
        expect(switchToFailover).toBeGreaterThan(stepIndex(runs("npm run local:up")));
        const commands = steps
            .map((step, index) => ({ step, index }))
            .filter(({ step }) => step.run === "npm run verify" || step.run === "npm run failover")
            .map(({ step, index }) => [index < switchToFailover ? "weighted" : "failover", step.run, step.env?.FAILOVER_BY ?? ""]);
        expect(commands).toEqual([
            ["weighted", "npm run verify", ""],
            ["weighted", "npm run failover", "cloud-scale"],
            ["failover", "npm run verify", ""],
            ["failover", "npm run failover", "scale"],
            ["failover", "npm run failover", "readiness"],
            ["failover", "npm run failover", "errors"],
        ]);
        // Every mode the script takes runs.
        const modes = fs.readFileSync(path.join(ROOT, "e2e", "failover.sh"), "utf8").match(/accepted: ([^"]+)"/)![1];
        expect(modes).toBe("scale, readiness, errors or cloud-scale");
        // On the local stacks, which the commands find themselves: no kubeconfig or context is passed.
        for (const step of steps.filter((candidate) => candidate.run === "npm run verify" || candidate.run === "npm run failover"))
            expect(Object.keys(step.env ?? {}).filter((key) => key !== "FAILOVER_BY")).toEqual([]);
    });

    it("rotates the trust anchor after failing over: three npm run rotate with the restarts each prints, traffic through the link all along, its failures per phase reported whatever happened", () => {
        const rotation = steps[stepIndex((step) => step.id === "rotation")];
        const lines = (rotation.run as string).split("\n").map((line) => line.trim());
        expect(lines).toEqual([
            "set -euo pipefail",
            "e2e/rotation-traffic.sh start",
            "for phase in 1 2 3; do",
            'e2e/rotation-traffic.sh mark "phase $phase: npm run rotate"',
            'npm run rotate | tee "$RUNNER_TEMP/rotate-$phase.log"',
            'e2e/rotation-traffic.sh mark "phase $phase: the restarts it printed"',
            'e2e/rotation-traffic.sh restart "$RUNNER_TEMP/rotate-$phase.log"',
            "done",
            "",
        ]);
        const report = steps[stepIndex((step) => /rotation-traffic\.sh report/.test(step.run ?? ""))];
        expect(report.if).toBe("always() && steps.rotation.outcome != 'skipped'");
        expect(report.run).toContain('e2e/rotation-traffic.sh stop\ne2e/rotation-traffic.sh report | tee -a "$GITHUB_STEP_SUMMARY"');
        // The edge's kubeconfig and context as local:up writes them, one place for the logs and marks.
        for (const step of [rotation, report])
            expect(step.env).toEqual({
                EDGE_KUBECONFIG: `${LOCAL.dir}/edge.kubeconfig`,
                EDGE_CONTEXT: "k3d-edge",
                TRAFFIC_DIR: "${{ runner.temp }}/rotation-traffic",
            });
        const order = [
            stepIndex((step) => step.env?.FAILOVER_BY === "errors"),
            stepIndex((step) => step.id === "rotation"),
            stepIndex(
                (step) => step.run === "npm run local:preview" && stepIndex((other) => other.id === "rotation") < steps.indexOf(step),
            ),
            steps.indexOf(report),
            stepIndex(runs("npm run local:down")),
        ];
        expect([...order].sort((a, b) => a - b)).toEqual(order);
        expect(order.every((index) => index >= 0)).toBe(true);
    });

    it("needs no secret and no cloud account", () => {
        const text = fs.readFileSync(path.join(ROOT, ".github", "workflows", "e2e.yml"), "utf8");
        expect(text).not.toMatch(/secrets\.|aws-actions|id-token/);
        expect(workflow.permissions).toEqual({ contents: "read" });
    });
});

/** What the releases hold, in the install step's run against stand-ins of curl and gh. */
const ASSETS = { k3d: "k3d binary\n", kubectl: "kubectl binary\n", linkerd: "linkerd binary\n" };

const sha256 = (text: string) => crypto.createHash("sha256").update(text).digest("hex");

/**
 * Runs the install step's script in bash as a runner would (RUNNER_TEMP, GITHUB_PATH), with a curl
 * that serves the releases' files (each binary as `tampered` says, else as published) and their
 * published checksums in each project's format: k3d's checksums.txt (`sha256sum _dist/*`), kubectl's
 * `.sha256` (the digest alone), GitHub's asset digest (`sha256:<hex>`) from a gh stand-in; the real
 * sha256sum and install check and copy.
 */
function installRun(script: string, tampered: Partial<Record<keyof typeof ASSETS, string>>) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "install-"));
    const stubs = path.join(dir, "stubs");
    const temp = path.join(dir, "runner-temp");
    fs.mkdirSync(stubs);
    fs.mkdirSync(temp);
    const log = path.join(dir, "requests.log");
    const served = { ...ASSETS, ...tampered };
    const files: Record<string, string> = {
        "k3d-linux-amd64": served.k3d,
        "checksums.txt": `${sha256("other")}  _dist/k3d-darwin-arm64\n${sha256(ASSETS.k3d)}  _dist/k3d-linux-amd64\n`,
        kubectl: served.kubectl,
        "kubectl.sha256": sha256(ASSETS.kubectl),
        "linkerd2-cli-edge-26.8.3-linux-amd64": served.linkerd,
    };
    const stub = (name: string, body: string) =>
        fs.writeFileSync(path.join(stubs, name), `#!/usr/bin/env bash\n${body}\n`, { mode: 0o755 });
    stub(
        "curl",
        [
            'url="${@: -1}"',
            `echo "$url" >> "${log}"`,
            'case "$url" in',
            "  https://get.pulumi.com) echo 'true' ;;",
            ...Object.entries(files).map(([file, text]) => `  */${file}) printf '%s' '${text}' > "${file}" ;;`),
            "  *) exit 22 ;;",
            "esac",
        ].join("\n"),
    );
    stub(
        "gh",
        [
            `echo "gh $*" >> "${log}"`,
            // The API's answer, through --jq: only the asset's digest.
            `[[ "$*" == *'select(.name == "linkerd2-cli-edge-26.8.3-linux-amd64")'* ]] && echo "sha256:${sha256(ASSETS.linkerd)}"`,
        ].join("\n"),
    );
    const result = spawnSync("bash", ["-e", "-c", script], {
        encoding: "utf8",
        cwd: dir,
        env: {
            PATH: `${stubs}:${process.env.PATH}`,
            HOME: dir,
            RUNNER_TEMP: temp,
            GITHUB_PATH: path.join(dir, "github-path"),
            ...workflow.env,
            GH_TOKEN: "token",
        },
    });
    const requests = fs.existsSync(log) ? fs.readFileSync(log, "utf8").trim().split("\n") : [];
    return { status: result.status, stdout: result.stdout, stderr: result.stderr, bin: path.join(temp, "bin"), requests };
}
