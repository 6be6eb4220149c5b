// The reporter for CI and pipes: each step as a `=== ` heading, the programs' output streamed as it
// comes (stderr to stderr), notices as headings, and check summaries as tables.
import type { Reporter } from "../events";
import { renderChecks } from "./table";

export interface TextSink {
    write(text: string): unknown;
}

export function plainReporter(out: TextSink, err: TextSink): Reporter {
    return {
        report(event) {
            switch (event.kind) {
                case "step-started":
                    out.write(`\n=== ${event.title}\n`);
                    return;
                case "notice":
                    out.write(`\n=== ${event.text}\n`);
                    return;
                case "output":
                    (event.stream === "stdout" ? out : err).write(event.text);
                    return;
                case "message":
                    out.write(event.text);
                    return;
                case "checks-done":
                    out.write(renderChecks(event.title, event.results));
                    return;
                // The run's error says what failed; a finished step or one check's result adds nothing to a log.
                case "step-finished":
                case "step-failed":
                case "check":
                    return;
            }
        },
    };
}
