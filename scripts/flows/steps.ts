// One step of a flow on one subject (a stack, a cluster), as the reporter sees it: started, its
// output as it comes, then finished or failed.
import type { Reporter } from "../events";
import { PulumiError } from "../pulumi/port";
import type { OnOutput } from "../tools/runner";

export async function reportedStep<T>(
    reporter: Reporter,
    subject: string,
    title: string,
    action: (onOutput: OnOutput) => Promise<T>,
): Promise<T> {
    reporter.report({ kind: "step-started", subject, title });
    try {
        const result = await action((text, stream) => reporter.report({ kind: "output", subject, stream, text }));
        reporter.report({ kind: "step-finished", subject });
        return result;
    } catch (error) {
        reporter.report({
            kind: "step-failed",
            subject,
            reason: error instanceof PulumiError ? error.reason : (error as Error).message,
        });
        throw error;
    }
}
