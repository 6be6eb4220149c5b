// What the flows and checks tell the operator, as typed events; ui/ renders them (plain lines for CI
// and pipes, a live view on a terminal). Flows never print: they report here and return results.
import type { CheckResult } from "./checks/framework";

export type ReportEvent =
    /** A step on one subject (a stack, a cluster) began; `title` says what, e.g. "pulumi up: the cloud stack cloud". */
    | { kind: "step-started"; subject: string; title: string }
    | { kind: "step-finished"; subject: string }
    | { kind: "step-failed"; subject: string; reason: string }
    /** A chunk of what a subject's program printed (Pulumi's progress, k3d's log). */
    | { kind: "output"; subject: string; stream: "stdout" | "stderr"; text: string }
    /** Something a flow decided that the operator should know, e.g. going past a gone edge stack. */
    | { kind: "notice"; text: string }
    /** A command's closing text, printed as it is. */
    | { kind: "message"; text: string }
    /** What a command did, thing by thing, as a table under a title. */
    | { kind: "table"; title: string; headers: string[]; rows: string[][] }
    /** One check's result; `retrying` ones come again. */
    | { kind: "check"; result: CheckResult }
    /** A set of checks ended: the reporter prints their summary. */
    | { kind: "checks-done"; title: string; results: CheckResult[] }
    /** Steps on many sites begin, at most `parallel` at once, until sites-done: their output runs side by side. */
    | { kind: "sites-started"; title: string; parallel: number }
    /** The run over the sites ended: the reporter prints each stack's outcome. */
    | { kind: "sites-done"; title: string; outcomes: SiteOutcome[] }
    /** npm run status: the cloud stack and every registered site's. */
    | { kind: "status"; stacks: StackStatus[]; live: boolean };

/** How one stack fared in a run over many sites. */
export interface SiteOutcome {
    /** The edge site; undefined for the cloud stack. */
    site?: string;
    stack: string;
    /** passed: down went past it (--continue-past-gone-edges); kept: the cloud stack, left standing because edge stacks link to it. */
    result: "ok" | "failed" | "passed" | "kept";
    /** How long its step took; undefined when it ran none. */
    durationMs?: number;
    /** Why it failed, was passed or was kept: the CLI's error lines, the first one the gist. */
    errors?: string[];
}

/** One stack as npm run status sees it. */
export interface StackStatus {
    /** The edge site; undefined for the cloud stack. */
    site?: string;
    stack: string;
    /** Undefined when the backend could not tell (see problem). */
    exists?: boolean;
    /** The stack's last update, destroy or refresh (`pulumi stack history`); undefined before the first. */
    lastUpdate?: { kind: string; result: string; time: Date };
    /** The resources in its state (`pulumi stack export`). */
    resources?: number;
    /** With --live, an edge site's link to the cloud's gateway, as `linkerd multicluster gateways` reports it. */
    gateway?: { state: "alive" | "not alive" | "unknown"; detail?: string };
    /** What could not be read, in the CLI's words. */
    problem?: string;
}

export interface Reporter {
    report(event: ReportEvent): void;
}
