// The check framework (after the Linkerd CLI's pkg/healthcheck), the tool checks built from
// tools/requirements.ts, and the requirements themselves: each tool's version read from the output its
// CLI prints at the pinned version, and the pins held to the program's own versions.
import { describe, expect, it } from "vitest";
import { Check, CheckResult, Clock, RETRY_INTERVAL_MS, runChecks } from "../scripts/checks/framework";
import { toolChecks } from "../scripts/checks/tools";
import type { ReportEvent } from "../scripts/events";
import { REQUIREMENTS, accepts } from "../scripts/tools/requirements";
import { linkerdRelease } from "../components/linkerd";
import { projectDefaults } from "../config/defaults";
import { MIN_KUBERNETES_MINOR } from "../config/eks";
import { fakeRunner, ok } from "./fakes";

/** A clock that only moves when the runner sleeps: retries take no time. */
function fakeClock() {
    let now = 0;
    const sleeps: number[] = [];
    const clock: Clock = {
        now: () => now,
        sleep: async (ms) => {
            sleeps.push(ms);
            now += ms;
        },
    };
    return { clock, sleeps };
}

function recorder() {
    const events: ReportEvent[] = [];
    return { reporter: { report: (event: ReportEvent) => events.push(event) }, events };
}

const check = (id: string, problems: (string | undefined)[], extra: Partial<Check> = {}): Check => {
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
        const { reporter, events } = recorder();
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
        const fatal = await runChecks("x", [check("a", ["down"], { fatal: true }), check("b", [undefined])], recorder().reporter);
        expect(statuses(fatal.results)).toEqual(["a:failed", "b:skipped"]);
        const needs = await runChecks(
            "x",
            [
                check("a", ["down"]),
                check("a-version", [undefined], { needs: "a" }),
                check("b", [undefined]),
                check("b-version", [undefined], { needs: "b" }),
            ],
            recorder().reporter,
        );
        expect(statuses(needs.results)).toEqual(["a:failed", "a-version:skipped", "b:passed", "b-version:passed"]);
    });

    it("retries a failing check within its window, reporting each wait, and passes once it does", async () => {
        const { clock, sleeps } = fakeClock();
        const { reporter, events } = recorder();
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

    it("fails with the last problem once its window has passed", async () => {
        const { clock, sleeps } = fakeClock();
        const outcome = await runChecks("x", [check("gateway", ["not alive"], { retryForMs: 3_000 })], recorder().reporter, clock);
        expect(outcome.results).toEqual([
            { id: "gateway", description: "gateway holds", status: "failed", problem: "not alive", hint: "fix gateway" },
        ]);
        expect(sleeps).toHaveLength(3);
    });
});

describe("the tool checks", () => {
    it("run each tool's version command once: whether it works (fails the run) and whether its version is wanted (warns)", async () => {
        const { runner, commands } = fakeRunner({
            "kubectl version": ok(JSON.stringify({ clientVersion: { major: "1", minor: "29", gitVersion: "v1.29.3" } })),
            "linkerd version": ok("edge-26.8.3\n"),
        });
        const outcome = await runChecks("tools", toolChecks(["kubectl", "linkerd"], runner, {}), recorder().reporter);
        expect(commands()).toEqual(["kubectl version --client -o json", "linkerd version --client --short"]);
        expect(statuses(outcome.results)).toEqual(["kubectl:passed", "kubectl-version:warned", "linkerd:passed", "linkerd-version:passed"]);
        expect(outcome.results[1]).toMatchObject({
            description: "kubectl is 1.30.0 or later",
            problem: "found v1.29.3",
            hint: REQUIREMENTS.kubectl.install,
        });
        expect(outcome.success).toBe(true);
    });

    it("a tool not on PATH, or failing, fails its check with what to do", async () => {
        const { runner } = fakeRunner({
            "linkerd version": { status: null, stdout: "", stderr: "spawn linkerd ENOENT", missing: true },
            "kubectl version": { status: 1, stdout: "", stderr: "error: unknown flag: --client\n", missing: false },
        });
        const outcome = await runChecks("tools", toolChecks(["linkerd", "kubectl"], runner, {}), recorder().reporter);
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
        ]);
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
    });

    it("pin the linkerd CLI to the program's default Linkerd, and kubectl within one minor of the oldest Kubernetes the program takes", () => {
        expect(REQUIREMENTS.linkerd.wants).toEqual({ pinned: linkerdRelease(projectDefaults().linkerdVersion as string) });
        expect(REQUIREMENTS.kubectl.wants).toEqual({ atLeast: `1.${MIN_KUBERNETES_MINOR - 1}.0` });
    });
});
