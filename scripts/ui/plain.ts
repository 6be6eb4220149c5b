// The reporter for CI and pipes: each step as a `=== ` heading, the programs' output streamed as it
// comes (stderr to stderr), notices as headings, and check, site and status summaries as tables.
// While edge stacks run side by side, or more than one step runs, output goes a whole line at a time,
// each line prefixed with its stack: `edge-berlin | ...`.
import type { Reporter } from "../events";
import { lineBuffer, withPrefix } from "./lines";
import { renderChecks, renderSites, renderStatus, renderTable } from "./table";

export interface TextSink {
    write(text: string): unknown;
}

export function plainReporter(out: TextSink, err: TextSink): Reporter {
    const running = new Set<string>();
    const buffer = lineBuffer();
    let sideBySide = false;
    const prefixed = () => sideBySide || running.size > 1;
    const sink = (stream: "stdout" | "stderr") => (stream === "stdout" ? out : err);
    /** The rest of a subject's lines, once its step ended. */
    const flush = (subject: string) => {
        for (const stream of ["stdout", "stderr"] as const)
            sink(stream).write(withPrefix(`${subject} | `, buffer.rest(`${stream} ${subject}`)));
        running.delete(subject);
    };
    return {
        report(event) {
            switch (event.kind) {
                case "step-started":
                    running.add(event.subject);
                    out.write(`\n=== ${event.title}\n`);
                    return;
                case "notice":
                    out.write(`\n=== ${event.text}\n`);
                    return;
                case "output":
                    sink(event.stream).write(
                        prefixed()
                            ? withPrefix(`${event.subject} | `, buffer.lines(`${event.stream} ${event.subject}`, event.text))
                            : event.text,
                    );
                    return;
                case "message":
                    out.write(event.text);
                    return;
                case "checks-done":
                    out.write(renderChecks(event.title, event.results));
                    return;
                case "table":
                    out.write(`\n${event.title}\n${renderTable(event.headers, event.rows)}`);
                    return;
                case "sites-started":
                    sideBySide = event.parallel > 1;
                    out.write(`\n=== ${event.title}${sideBySide ? `, ${event.parallel} at a time` : ""}\n`);
                    return;
                case "sites-done":
                    sideBySide = false;
                    out.write(renderSites(event.title, event.outcomes));
                    return;
                case "status":
                    out.write(renderStatus(event.stacks, event.live));
                    return;
                // The run's error and the summary say what failed; a finished step or one check's result adds nothing to a log.
                case "step-finished":
                case "step-failed":
                    flush(event.subject);
                    return;
                case "check":
                    return;
            }
        },
    };
}
