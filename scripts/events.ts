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
    /** One check's result; `retrying` ones come again. */
    | { kind: "check"; result: CheckResult }
    /** A set of checks ended: the reporter prints their summary. */
    | { kind: "checks-done"; title: string; results: CheckResult[] };

export interface Reporter {
    report(event: ReportEvent): void;
}
