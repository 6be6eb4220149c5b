// The check framework (after the Linkerd CLI's pkg/healthcheck), the tool checks built from
// tools/requirements.ts, and the requirements themselves: each tool's version read from the output its
// CLI prints at the pinned version, and the pins held to the program's own versions.
import { describe, expect, it } from "vitest";
import { Check, CheckAnswer, CheckResult, RETRY_INTERVAL_MS, runChecks } from "../scripts/checks/framework";
import { requireTools, toolChecks } from "../scripts/checks/tools";
import { REQUIREMENTS, accepts } from "../scripts/tools/requirements";
import type { ToolRunner } from "../scripts/tools/runner";
import { linkerdRelease } from "../components/linkerd";
import { projectDefaults } from "../config/defaults";
import { MIN_KUBERNETES_MINOR } from "../config/eks";
import { TOOLS_AT_PINS, fakeClock, fakeRunner, ok, recordingReporter } from "./fakes";

const check = (id: string, problems: CheckAnswer[], extra: Partial<Check> = {}): Check => {
    let tries = 0;
    return {
        id,
        description: `${id} holds`,
        hint: `fix ${id}`,
        run: async () => problems[Math.min(tries++, problems.length - 1)],
        ...extra,
    };
};

const statuses = (results: CheckResult[]) => results.map((result) => `${result.id}:${result.status}`);

describe("the check framework", () => {
    it("runs the checks in order, reports each result and then the summary, and fails on a failed check but not on a warning", async () => {
        const { reporter, events } = recordingReporter();
        const outcome = await runChecks(
            "cluster",
            [check("a", [undefined]), check("b", ["b is off"], { warning: true }), check("c", ["c is off"]), check("d", [undefined])],
            reporter,
            fakeClock().clock,
        );
        expect(statuses(outcome.results)).toEqual(["a:passed", "b:warned", "c:failed", "d:passed"]);
        expect(outcome.success).toBe(false);
        expect(outcome.results[2]).toEqual({ id: "c", description: "c holds", status: "failed", problem: "c is off", hint: "fix c" });
        expect(events.map((event) => event.kind)).toEqual(["check", "check", "check", "check", "checks-done"]);
        expect(events.at(-1)).toEqual({ kind: "checks-done", title: "cluster", results: outcome.results });
        const warningsOnly = await runChecks("x", [check("b", ["off"], { warning: true })], reporter, fakeClock().clock);
        expect(warningsOnly.success).toBe(true);
    });

    it("a fatal failure skips the checks after it; a check that needs another is skipped unless that one passed", async () => {
        const fatal = await runChecks("x", [check("a", ["down"], { fatal: true }), check("b", [undefined])], recordingReporter().reporter);
        expect(statuses(fatal.results)).toEqual(["a:failed", "b:skipped"]);
        const needs = await runChecks(
            "x",
            [
                check("a", ["down"]),
                check("a-version", [undefined], { needs: "a" }),
                check("b", [undefined]),
                check("b-version", [undefined], { needs: "b" }),
            ],
            recordingReporter().reporter,
        );
        expect(statuses(needs.results)).toEqual(["a:failed", "a-version:skipped", "b:passed", "b-version:passed"]);
    });

    it("retries a failing check within its window, reporting each wait, and passes once it does", async () => {
        const { clock, sleeps } = fakeClock();
        const { reporter, events } = recordingReporter();
        const outcome = await runChecks(
            "x",
            [check("gateway", ["not alive", "not alive", undefined], { retryForMs: 60_000 })],
            reporter,
            clock,
        );
        expect(statuses(outcome.results)).toEqual(["gateway:passed"]);
        expect(sleeps).toEqual([RETRY_INTERVAL_MS, RETRY_INTERVAL_MS]);
        expect(events.filter((event) => event.kind === "check").map((event) => (event as { result: CheckResult }).result.status)).toEqual([
            "retrying",
            "retrying",
            "passed",
        ]);
    });

    it("a check that answers with a warning warns (it runs a CLI with verdicts of its own), is not retried, and does not fail the run", async () => {
        const { clock, sleeps } = fakeClock();
        const outcome = await runChecks(
            "x",
            [check("cli", [{ warning: "cli is not up-to-date" }], { retryForMs: 60_000 })],
            recordingReporter().reporter,
            clock,
        );
        expect(outcome.results).toEqual([
            { id: "cli", description: "cli holds", status: "warned", problem: "cli is not up-to-date", hint: "fix cli" },
        ]);
        expect(sleeps).toEqual([]);
        expect(outcome.success).toBe(true);
    });

    it("retries at the check's own pace when it has one", async () => {
        const { clock, sleeps } = fakeClock();
        await runChecks(
            "x",
            [check("gateway", ["not alive"], { retryForMs: 12_000, retryEveryMs: 5_000 })],
            recordingReporter().reporter,
            clock,
        );
        expect(sleeps).toEqual([5_000, 5_000, 5_000]);
    });

    it("fails with the last problem once its window has passed", async () => {
        const { clock, sleeps } = fakeClock();
        const outcome = await runChecks("x", [check("gateway", ["not alive"], { retryForMs: 3_000 })], recordingReporter().reporter, clock);
        expect(outcome.results).toEqual([
            { id: "gateway", description: "gateway holds", status: "failed", problem: "not alive", hint: "fix gateway" },
        ]);
        expect(sleeps).toHaveLength(3);
    });
});

describe("the tool checks", () => {
    it("run each tool's version command once: whether it works, and whether its version is one the commands take (below a minimum fails)", async () => {
        const { runner, commands } = fakeRunner({
            "kubectl version": ok(JSON.stringify({ clientVersion: { major: "1", minor: "29", gitVersion: "v1.29.3" } })),
            "linkerd version": ok("edge-26.8.3\n"),
        });
        const outcome = await runChecks("tools", toolChecks(["kubectl", "linkerd"], runner, {}), recordingReporter().reporter);
        expect(commands()).toEqual(["kubectl version --client -o json", "linkerd version --client --short"]);
        expect(statuses(outcome.results)).toEqual(["kubectl:passed", "kubectl-version:failed", "linkerd:passed", "linkerd-version:passed"]);
        expect(outcome.results[1]).toMatchObject({
            description: "kubectl is 1.30.0 or later",
            problem: "found v1.29.3",
            hint: REQUIREMENTS.kubectl.install,
        });
        expect(outcome.success).toBe(false);
    });

    it("start every tool's version command at once: a command's checks wait for the slowest one only", async () => {
        let running = 0;
        let most = 0;
        const runner: ToolRunner = {
            async run(argv) {
                most = Math.max(most, ++running);
                await new Promise((resolve) => setTimeout(resolve, 20));
                running--;
                return TOOLS_AT_PINS[argv.slice(0, 2).join(" ")];
            },
        };
        const outcome = await runChecks(
            "tools",
            toolChecks(["docker", "k3d", "pulumi", "kubectl", "linkerd"], runner, {}),
            recordingReporter().reporter,
        );
        expect(outcome.results.every((result) => result.status === "passed")).toBe(true);
        expect(most).toBe(5);
    });

    it("another version than a pinned one only warns, with the install command for the pinned one", async () => {
        const { runner } = fakeRunner({ "linkerd version": ok("edge-26.9.1\n"), "k3d version": ok("k3d version v5.8.3\n") });
        const outcome = await runChecks("tools", toolChecks(["linkerd", "k3d"], runner, {}), recordingReporter().reporter);
        expect(statuses(outcome.results)).toEqual(["linkerd:passed", "linkerd-version:warned", "k3d:passed", "k3d-version:warned"]);
        expect(outcome.results[1]).toMatchObject({ problem: "found edge-26.9.1", hint: REQUIREMENTS.linkerd.install });
        expect(REQUIREMENTS.linkerd.install).toBe(
            "install the linkerd CLI edge-26.8.3: curl --proto '=https' --tlsv1.2 -sSfL https://run.linkerd.io/install-edge | " +
                "LINKERD2_VERSION=edge-26.8.3 sh, then export PATH=$HOME/.linkerd2/bin:$PATH",
        );
        expect(outcome.success).toBe(true);
    });

    it("a tool not on PATH, or failing, fails its check with what to do", async () => {
        const { runner } = fakeRunner({
            "linkerd version": { status: null, stdout: "", stderr: "spawn linkerd ENOENT", missing: true },
            "kubectl version": { status: 1, stdout: "", stderr: "error: unknown flag: --client\n", missing: false },
            // A Linux user outside the docker group (docker/cli@v29.7.2: the template's empty line, then the error).
            "docker info": {
                status: 1,
                stdout: "\n",
                stderr: "permission denied while trying to connect to the docker API at unix:///var/run/docker.sock\n",
                missing: false,
            },
        });
        const outcome = await runChecks("tools", toolChecks(["linkerd", "kubectl", "docker"], runner, {}), recordingReporter().reporter);
        expect(outcome.results.filter((result) => result.status === "failed")).toEqual([
            {
                id: "linkerd",
                description: "the linkerd CLI answers `linkerd version --client --short`",
                status: "failed",
                problem: "no linkerd on PATH",
                hint: REQUIREMENTS.linkerd.install,
            },
            {
                id: "kubectl",
                description: "kubectl answers `kubectl version --client -o json`",
                status: "failed",
                problem: "exit code 1: unknown flag: --client",
                hint: REQUIREMENTS.kubectl.install,
            },
            {
                id: "docker",
                description: "Docker answers `docker info --format {{.ServerVersion}}`",
                status: "failed",
                problem: "exit code 1: permission denied while trying to connect to the docker API at unix:///var/run/docker.sock",
                hint: REQUIREMENTS.docker.install,
            },
        ]);
        expect(REQUIREMENTS.docker.install).toMatch(/sudo usermod -aG docker \$USER, then log in again$/);
    });
});

describe("requireTools", () => {
    it("shows the tools' table only when a tool needs attention (missing, failing, another version), and fails only on a failure", async () => {
        const atPins = recordingReporter();
        await requireTools(
            "npm run verify",
            ["kubectl", "linkerd"],
            { runner: fakeRunner(TOOLS_AT_PINS).runner, reporter: atPins.reporter },
            {},
        );
        expect(atPins.events.map((event) => event.kind)).toEqual(["check", "check", "check", "check"]);
        const other = recordingReporter();
        const otherLinkerd = fakeRunner({ ...TOOLS_AT_PINS, "linkerd version": ok("edge-26.9.1\n") }).runner;
        await requireTools("npm run verify", ["kubectl", "linkerd"], { runner: otherLinkerd, reporter: other.reporter }, {});
        expect(other.events.at(-1)).toMatchObject({ kind: "checks-done", title: "tools" });
    });
});

describe("the requirements", () => {
    it("read each version from what the tool prints at its pinned version", () => {
        const read = (id: keyof typeof REQUIREMENTS, stdout: string) => REQUIREMENTS[id].parseVersion(stdout);
        expect(read("docker", "28.3.2\n")).toBe("28.3.2");
        expect(read("k3d", "k3d version v5.9.0\nk3s version v1.32.5-k3s1 (default)\n")).toBe("v5.9.0");
        expect(read("pulumi", "v3.248.0\n")).toBe("v3.248.0");
        const kubectl = {
            clientVersion: { major: "1", minor: "35", gitVersion: "v1.35.0", platform: "linux/amd64" },
            kustomizeVersion: "v5.7.1",
        };
        expect(read("kubectl", JSON.stringify(kubectl, null, 2))).toBe("v1.35.0");
        expect(read("kubectl", "Client Version: v1.35.0")).toBeUndefined();
        expect(read("linkerd", "edge-26.8.3\n")).toBe("edge-26.8.3");
        expect(
            read("bash", "GNU bash, version 5.2.15(1)-release (x86_64-pc-linux-gnu)\nCopyright (C) 2022 Free Software Foundation, Inc.\n"),
        ).toBe("5.2.15");
        expect(read("pulumi", "")).toBeUndefined();
    });

    it("accept a pinned version exactly, a minimum from it on (and below a bound)", () => {
        expect(accepts(REQUIREMENTS.k3d.wants, "v5.9.0")).toBe(true);
        expect(accepts(REQUIREMENTS.k3d.wants, "v5.8.3")).toBe(false);
        expect(["v3.248.0", "v3.249.1"].map((version) => accepts(REQUIREMENTS.pulumi.wants, version))).toEqual([true, true]);
        expect(["v3.247.0", "v4.0.0"].map((version) => accepts(REQUIREMENTS.pulumi.wants, version))).toEqual([false, false]);
        expect(accepts(REQUIREMENTS.kubectl.wants, "v1.31.2-eks-7f9249a")).toBe(true);
        expect(accepts(REQUIREMENTS.docker.wants, "20.10.4")).toBe(false);
        expect(accepts(REQUIREMENTS.docker.wants, "dev")).toBe(false);
        // macOS's bash 3.2 runs e2e/failover.sh.
        expect(["3.1.23", "3.2.57", "5.2.15"].map((version) => accepts(REQUIREMENTS.bash.wants, version))).toEqual([false, true, true]);
    });

    it("pin the linkerd CLI to the program's default Linkerd, and kubectl within one minor of the oldest Kubernetes the program takes", () => {
        expect(REQUIREMENTS.linkerd.wants).toEqual({ pinned: linkerdRelease(projectDefaults().linkerdVersion as string) });
        expect(REQUIREMENTS.kubectl.wants).toEqual({ atLeast: `1.${MIN_KUBERNETES_MINOR - 1}.0` });
    });
});
