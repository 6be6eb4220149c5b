// Steps on many stacks at once, each timed and kept apart: a stack's failure becomes its outcome (a
// row of the summary) and a sentence (for the run's error) instead of stopping the others.
import { OperatorError } from "../errors";
import type { Reporter, SiteOutcome } from "../events";
import { MeshStack, MeshWorkspace, Output, PulumiError } from "../pulumi/port";
import { runPool } from "./pool";
import { reportedStep } from "./steps";

/** A stack of the run: an edge site's, or the cloud's (no site). */
export interface Target {
    site?: string;
    stack: string;
}

/** One stack's part in a run: its outcome, its value when it succeeded, and why it failed in a sentence. */
export interface StackRun<T> {
    outcome: SiteOutcome;
    value?: T;
    failure?: string;
}

/** The stack as a sentence names it: `the edge stack "edge" (site "edge")`, `the cloud stack "cloud"`. */
export function described(target: Target): string {
    return target.site === undefined
        ? `the cloud stack ${JSON.stringify(target.stack)}`
        : `the edge stack ${JSON.stringify(target.stack)} (site ${JSON.stringify(target.site)})`;
}

/** What went wrong, in the CLI's words: at which command and why. */
function failedAt(error: OperatorError): string {
    return error instanceof PulumiError ? ` at \`${error.step}\`: ${error.reason}.` : `: ${error.message}`;
}

/**
 * A failure that is not the CLI's (not an OperatorError: a bug here or in the Automation API) as the
 * site's own: its stack trace as the error lines, so that it stops no other site and the summary
 * still lists every one.
 */
function unexpected(error: unknown): { errors: string[]; said: string } {
    const errors = (error instanceof Error ? (error.stack ?? String(error)) : String(error)).split("\n");
    return { errors, said: ` with an unexpected error: ${errors[0]}` };
}

/** A run that failed for `errors`, said as `failure`. */
function failedRun<T>(target: Target, errors: string[], failure: string, durationMs?: number): StackRun<T> {
    return { outcome: { ...target, result: "failed", durationMs, errors }, failure };
}

/** Runs one stack's step, timed; its failure, the CLI's or unexpected, is the run's outcome. */
export async function timedStep<T>(
    reporter: Reporter,
    target: Target,
    title: string,
    action: (onOutput: Output) => Promise<T>,
): Promise<StackRun<T>> {
    const started = Date.now();
    try {
        const value = await reportedStep(reporter, target.stack, title, (onOutput) => action((text) => onOutput(text, "stdout")));
        return { outcome: { ...target, result: "ok", durationMs: Date.now() - started }, value };
    } catch (error) {
        if (!(error instanceof OperatorError)) {
            const { errors, said } = unexpected(error);
            return failedRun(target, errors, `${described(target)} failed${said}`, Date.now() - started);
        }
        const errors = error instanceof PulumiError ? error.errorLines : [error.message];
        return failedRun(target, errors, `${described(target)} failed${failedAt(error)}`, Date.now() - started);
    }
}

/** `<what>: the backend ... has no stack "<name>". Create and configure it ...`: how to make a stack a run needs. */
export function missingStack(what: string, name: string): string {
    return (
        `${what}: the backend you are logged in to has no stack ${JSON.stringify(name)}. Create and configure it ` +
        `(pulumi stack init ${name}; see docs/edge-sites.md), or name the stacks with --cloud-stack and --edge-stack-prefix.`
    );
}

/** The site's stack, or the failed run saying why there is none: the backend has no such stack, or the CLI could not select it. */
async function siteStack<T>(workspace: MeshWorkspace, target: Target): Promise<MeshStack | StackRun<T>> {
    try {
        const stack = await workspace.stack(target.stack);
        if (stack !== undefined) return stack;
    } catch (error) {
        if (!(error instanceof OperatorError)) {
            const { errors, said } = unexpected(error);
            return failedRun(target, errors, `${described(target)} could not be selected${said}`);
        }
        return failedRun(target, [error.message], `${described(target)} could not be selected${failedAt(error)}`);
    }
    const missing = `the backend you are logged in to has no stack ${JSON.stringify(target.stack)}`;
    return failedRun(target, [missing], missingStack(`the edge site ${JSON.stringify(target.site)}`, target.stack));
}

/** One site's step on its stack, timed: the failed run that says why when the site has no stack. */
export async function siteStep<T>(
    workspace: MeshWorkspace,
    reporter: Reporter,
    target: Target,
    title: string,
    action: (stack: MeshStack, onOutput: Output) => Promise<T>,
): Promise<StackRun<T>> {
    const stack = await siteStack<T>(workspace, target);
    return "outcome" in stack ? stack : timedStep(reporter, target, title, (onOutput) => action(stack, onOutput));
}

/**
 * Runs `run` for every site, at most `parallel` at once, after the sites-started event (the caller
 * reports sites-done); resolves to the runs in the sites' order, a site's failure of any kind among them.
 */
export async function acrossSites<T>(
    reporter: Reporter,
    title: string,
    sites: string[],
    parallel: number,
    run: (site: string) => Promise<StackRun<T>>,
): Promise<StackRun<T>[]> {
    reporter.report({ kind: "sites-started", title, parallel: Math.min(parallel, sites.length) });
    return runPool(sites, parallel, run);
}

/** The run's error for the stacks that failed: the one's own sentence, or how many and which. */
export function failedStacks(failed: StackRun<unknown>[], total: number, what: string): string {
    if (failed.length === 1) return failed[0].failure!;
    const stacks = failed.map((run) => JSON.stringify(run.outcome.stack)).join(", ");
    return `${failed.length} of ${total} ${what}: ${stacks} (the summary above has each one's error).`;
}
