// Every step's full output, kept in a file per subject (a stack, a cluster) under one folder per run,
// made when the first step starts and named then: the live view shows only each running stack's
// latest line, and a summary names the files of the stacks that failed.
import * as fs from "node:fs";
import * as path from "node:path";
import type { Reporter } from "../events";

/** Wraps `reporter`: output also goes to `<folder>/<subject>.log`, the folder made by `makeFolder` on the first step. */
export function withOutputLogs(reporter: Reporter, makeFolder: () => string): Reporter {
    let folder: string | undefined;
    const files = new Map<string, string>();
    /** The subjects whose log file could not be written. */
    const unwritable = new Set<string>();
    const fileOf = (subject: string) => {
        let file = files.get(subject);
        if (file === undefined) {
            const base = subject.replace(/[^\w.-]+/g, "_");
            const taken = new Set(files.values());
            file = path.join(folder!, `${base}.log`);
            for (let count = 2; taken.has(file); count++) file = path.join(folder!, `${base}-${count}.log`);
            files.set(subject, file);
        }
        return file;
    };
    return {
        report(event) {
            if (event.kind === "step-started" && folder === undefined) {
                folder = makeFolder();
                reporter.report({ kind: "notice", text: `each step's full output is kept in ${folder}/` });
            }
            if (event.kind === "output" && folder !== undefined && !unwritable.has(event.subject)) {
                const file = fileOf(event.subject);
                try {
                    fs.appendFileSync(file, event.text);
                } catch (error) {
                    // A full disk or a cleaned-up temporary directory: the run goes on (this runs inside the CLI's output
                    // stream, where a throw would end the process and every site's run), only without that stack's log.
                    unwritable.add(event.subject);
                    reporter.report({
                        kind: "notice",
                        text: `the output of ${event.subject} is no longer kept in ${file}: ${(error as Error).message}`,
                    });
                }
            }
            reporter.report(event);
            if (event.kind === "sites-done") {
                const failed = event.outcomes.filter(
                    (outcome) => outcome.result === "failed" && files.has(outcome.stack) && !unwritable.has(outcome.stack),
                );
                if (failed.length > 0)
                    reporter.report({
                        kind: "message",
                        text: `\nThe full output of each stack that failed:\n${failed.map((outcome) => `  ${files.get(outcome.stack)}\n`).join("")}`,
                    });
            }
        },
    };
}
