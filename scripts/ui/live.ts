// The reporter for a terminal: what is running stays at the bottom, one line per step with its
// elapsed time, redrawn every second; everything else (headings, the programs' output, results)
// scrolls above it. Output is written whole lines at a time, each prefixed with its subject while
// more than one step runs, so that parallel runs (edge stacks side by side) stay readable.
import type { CheckResult } from "../checks/framework";
import type { Reporter, ReportEvent } from "../events";
import { renderChecks } from "./table";

export interface Terminal {
    write(text: string): unknown;
    /** The terminal's width; longer status lines are cut to it, so that redrawing stays in place. */
    columns?: number;
}

export interface LiveOptions {
    /** Milliseconds now; injectable for tests. */
    now?: () => number;
    /** Redraw every second (off in tests, which redraw through events). */
    tick?: boolean;
}

const SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏";

function elapsed(ms: number): string {
    const seconds = Math.floor(ms / 1000);
    return seconds < 60 ? `${seconds}s` : `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, "0")}s`;
}

export function liveReporter(terminal: Terminal, options: LiveOptions = {}): Reporter {
    const now = options.now ?? Date.now;
    const running = new Map<string, { title: string; since: number }>();
    const partial = new Map<string, string>();
    let retrying: CheckResult | undefined;
    let drawn = 0;

    const statusLines = () => {
        const frame = SPINNER[Math.floor(now() / 1000) % SPINNER.length];
        const lines = [...running.values()].map((step) => `${frame} ${step.title}  ${elapsed(now() - step.since)}`);
        if (retrying !== undefined) lines.push(`${frame} ${retrying.description} (waiting: ${retrying.problem})`);
        const width = (terminal.columns ?? Infinity) - 1;
        return lines.map((line) => (line.length > width ? line.slice(0, width) : line));
    };
    const draw = () => {
        // Back to the first status line, and clear from there down.
        if (drawn > 0) terminal.write(`\x1b[${drawn}F\x1b[J`);
        const lines = statusLines();
        terminal.write(lines.map((line) => `${line}\n`).join(""));
        drawn = lines.length;
    };
    /** Writes text above the status lines. */
    const above = (text: string) => {
        if (drawn > 0) terminal.write(`\x1b[${drawn}F\x1b[J`);
        drawn = 0;
        terminal.write(text);
        draw();
    };
    const lines = (subject: string, text: string) => {
        const prefix = running.size > 1 ? `${subject} | ` : "";
        return text
            .split("\n")
            .map((line) => `${prefix}${line}\n`)
            .join("");
    };
    /** The subject's output up to its last newline; the rest waits for more. */
    const output = (subject: string, text: string) => {
        const buffered = (partial.get(subject) ?? "") + text;
        const end = buffered.lastIndexOf("\n");
        partial.set(subject, buffered.slice(end + 1));
        if (end >= 0) above(lines(subject, buffered.slice(0, end)));
    };
    const finish = (subject: string, mark: string, reason?: string) => {
        const rest = partial.get(subject);
        if (rest) above(lines(subject, rest));
        partial.delete(subject);
        const step = running.get(subject);
        running.delete(subject);
        if (step !== undefined)
            above(`${mark} ${step.title} (${elapsed(now() - step.since)})${reason === undefined ? "" : `: ${reason}`}\n`);
    };

    if (options.tick ?? true) setInterval(() => (running.size > 0 || retrying !== undefined) && draw(), 1000).unref();

    return {
        report(event: ReportEvent) {
            switch (event.kind) {
                case "step-started":
                    running.set(event.subject, { title: event.title, since: now() });
                    above(`\n=== ${event.title}\n`);
                    return;
                case "step-finished":
                    return finish(event.subject, "✓");
                case "step-failed":
                    return finish(event.subject, "×", event.reason);
                case "output":
                    return output(event.subject, event.text);
                case "notice":
                    return above(`\n=== ${event.text}\n`);
                case "message":
                    return above(event.text);
                case "check":
                    retrying = event.result.status === "retrying" ? event.result : undefined;
                    return draw();
                case "checks-done":
                    return above(renderChecks(event.title, event.results));
            }
        },
    };
}
