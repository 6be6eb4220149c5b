// The reporter for a terminal: what is running stays at the bottom, one line per step with its
// elapsed time, redrawn every second; everything else (headings, the programs' output, results)
// scrolls above it. Output is written whole lines at a time, each prefixed with its subject while
// more than one step runs. While edge stacks run side by side (sites-started with parallel > 1),
// their output does not scroll: each one's status line shows its latest line, the whole of it is in
// its log file (ui/logs.ts), and each result scrolls as it ends, then the summary.
import type { CheckResult } from "../checks/framework";
import type { Reporter, ReportEvent } from "../events";
import { lineBuffer, withPrefix } from "./lines";
import { duration, renderChecks, renderSites, renderStatus, renderTable } from "./table";

export interface Terminal {
    write(text: string): unknown;
    /** The terminal's width; longer status lines are cut to it, so that redrawing stays in place. */
    columns?: number;
    /** The terminal's height; status lines beyond it are counted in one line, as lines scrolled off the top cannot be redrawn. */
    rows?: number;
}

/**
 * A line of a program's output as one status line may show it: without escape sequences (a cut one
 * would swallow what follows) and control characters (a tab is wider than the one character counted,
 * a carriage return moves the cursor), so that its length is the columns it takes.
 */
function printable(line: string): string {
    // eslint-disable-next-line no-control-regex -- the escape sequences and control characters are what is taken out
    return line.replace(/\x1b\[[0-?]*[ -/]*[@-~]|\x1b[@-_]|[\x00-\x08\x0b-\x1f\x7f]/g, "").replace(/\t/g, " ");
}

export interface LiveOptions {
    /** Milliseconds now; injectable for tests. */
    now?: () => number;
    /** Redraw every second (off in tests, which redraw through events). */
    tick?: boolean;
}

const SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏";

export function liveReporter(terminal: Terminal, options: LiveOptions = {}): Reporter {
    const now = options.now ?? Date.now;
    const running = new Map<string, { title: string; since: number; latest?: string }>();
    const buffer = lineBuffer();
    let retrying: CheckResult | undefined;
    /** Steps run side by side, their output in their logs. */
    let sideBySide = false;
    let drawn = 0;

    const statusLines = () => {
        const frame = SPINNER[Math.floor(now() / 1000) % SPINNER.length];
        let lines = [...running.values()].map(
            (step) => `${frame} ${step.title}  ${duration(now() - step.since)}${step.latest ? `  ${step.latest}` : ""}`,
        );
        if (retrying !== undefined) lines.push(`${frame} ${retrying.description} (waiting: ${retrying.problem})`);
        const room = Math.max(1, (terminal.rows ?? Infinity) - 1);
        if (lines.length > room) lines = [...lines.slice(0, room - 1), `  and ${lines.length - room + 1} more running`];
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
    const prefix = (subject: string) => (running.size > 1 ? `${subject} | ` : "");
    const output = (subject: string, text: string) => {
        const lines = buffer.lines(subject, text);
        const step = running.get(subject);
        if (sideBySide && step !== undefined) {
            const latest = lines
                .map((line) => printable(line).trim())
                .filter(Boolean)
                .pop();
            if (latest !== undefined) step.latest = latest;
            return draw();
        }
        if (lines.length > 0) above(withPrefix(prefix(subject), lines));
    };
    const finish = (subject: string, mark: string, reason?: string) => {
        const rest = buffer.rest(subject);
        if (!sideBySide && rest.length > 0) above(withPrefix(prefix(subject), rest));
        const step = running.get(subject);
        running.delete(subject);
        if (step !== undefined)
            above(`${mark} ${step.title} (${duration(now() - step.since)})${reason === undefined ? "" : `: ${reason}`}\n`);
    };

    if (options.tick ?? true) setInterval(() => (running.size > 0 || retrying !== undefined) && draw(), 1000).unref();

    return {
        report(event: ReportEvent) {
            switch (event.kind) {
                case "step-started":
                    running.set(event.subject, { title: event.title, since: now() });
                    return sideBySide ? draw() : above(`\n=== ${event.title}\n`);
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
                case "table":
                    return above(`\n${event.title}\n${renderTable(event.headers, event.rows)}`);
                case "sites-started":
                    sideBySide = event.parallel > 1;
                    return above(`\n=== ${event.title}${sideBySide ? `, ${event.parallel} at a time` : ""}\n`);
                case "sites-done":
                    sideBySide = false;
                    return above(renderSites(event.title, event.outcomes));
                case "status":
                    return above(renderStatus(event.stacks, event.live));
            }
        },
    };
}
