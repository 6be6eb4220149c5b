// Checks as data, and one runner for them, after the Linkerd CLI's pkg/healthcheck (edge-26.8.3): a
// check has a description, a hint, whether its failure stops the rest (fatal) or only warns, and how
// long it may be retried; the runner hands every result to the reporter, returns them all, and ends
// with a summary. The tool checks (checks/tools.ts), verify's (checks/verify.ts) and rotate's gates
// (checks/rotation.ts) use it.
import type { Reporter } from "../events";

export interface Check {
    /** Stable, for other checks' `needs` and for tests. */
    id: string;
    /** What holds when the check passes, e.g. "k3d is installed and answers". */
    description: string;
    /** What to do when it fails. */
    hint: string;
    /** A failure stops the checks after it (they could not pass). */
    fatal?: boolean;
    /** A failure is reported but does not fail the run. */
    warning?: boolean;
    /** Retried while it fails, for up to this long, ... */
    retryForMs?: number;
    /** ... every so often (RETRY_INTERVAL_MS unless given). */
    retryEveryMs?: number;
    /** Runs only when the check of this id passed; skipped otherwise. */
    needs?: string;
    /** What it found: undefined when it passes, the problem when it fails, or a warning (a problem that does not fail the run). */
    run(): Promise<CheckAnswer>;
}

/** A passing check's undefined, a failing check's problem, or a warning: checks that run a CLI with its own verdicts (linkerd check) warn as it does. */
export type CheckAnswer = string | { warning: string } | undefined;

export type CheckStatus = "passed" | "failed" | "warned" | "skipped" | "retrying";

export interface CheckResult {
    id: string;
    description: string;
    status: CheckStatus;
    problem?: string;
    hint?: string;
}

export interface ChecksOutcome {
    /** No check failed (warnings do not count). */
    success: boolean;
    results: CheckResult[];
}

/** Time, injectable so that tests of retries take no time. */
export interface Clock {
    now(): number;
    sleep(ms: number): Promise<void>;
}

export const SYSTEM_CLOCK: Clock = {
    now: () => Date.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** How long a retried check waits between tries. */
export const RETRY_INTERVAL_MS = 1_000;

async function runCheck(check: Check, reporter: Reporter, clock: Clock): Promise<CheckResult> {
    const deadline = clock.now() + (check.retryForMs ?? 0);
    for (;;) {
        const answer = await check.run();
        const base = { id: check.id, description: check.description };
        if (answer === undefined) return { ...base, status: "passed" };
        if (typeof answer !== "string") return { ...base, status: "warned", problem: answer.warning, hint: check.hint };
        const problem = answer;
        if (clock.now() < deadline) {
            reporter.report({ kind: "check", result: { ...base, status: "retrying", problem } });
            await clock.sleep(check.retryEveryMs ?? RETRY_INTERVAL_MS);
            continue;
        }
        return { ...base, status: check.warning ? "warned" : "failed", problem, hint: check.hint };
    }
}

/** Runs the checks in order, reporting each result and then the summary under `title`. */
export async function runChecks(title: string, checks: Check[], reporter: Reporter, clock: Clock = SYSTEM_CLOCK): Promise<ChecksOutcome> {
    const results: CheckResult[] = [];
    let stopped = false;
    for (const check of checks) {
        const needed = check.needs === undefined || results.find((result) => result.id === check.needs)?.status === "passed";
        const result: CheckResult =
            stopped || !needed
                ? { id: check.id, description: check.description, status: "skipped" }
                : await runCheck(check, reporter, clock);
        reporter.report({ kind: "check", result });
        results.push(result);
        if (result.status === "failed" && check.fatal) stopped = true;
    }
    reporter.report({ kind: "checks-done", title, results });
    return { success: results.every((result) => result.status !== "failed"), results };
}
