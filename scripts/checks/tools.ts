// The tool checks, from tools/requirements.ts: for each tool, that its version command works (Docker's
// only when its engine answers), then that it is at a version the commands accept: outside a range
// (too old for what the commands rely on) a failure, another version than a pinned one a warning.
import { OperatorError } from "../errors";
import type { Reporter } from "../events";
import { REQUIREMENTS, ToolId, accepts, wantedText } from "../tools/requirements";
import { ToolRunner, stderrDetail } from "../tools/runner";
import { Check, runChecks } from "./framework";

/** The checks of `tools`, two each; their version commands start at once, side by side (a runner's run never rejects). */
export function toolChecks(tools: ToolId[], runner: ToolRunner, env: NodeJS.ProcessEnv): Check[] {
    return tools.flatMap((id): Check[] => {
        const tool = REQUIREMENTS[id];
        const command = tool.versionArgs.join(" ");
        const answer = runner.run(tool.versionArgs, { env });
        return [
            {
                id,
                description: `${tool.name} answers \`${command}\``,
                hint: tool.install,
                async run() {
                    const result = await answer;
                    if (result.missing) return `no ${tool.versionArgs[0]} on PATH`;
                    if (result.status !== 0)
                        return `exit code ${result.status}${result.stderr.trim() ? `: ${stderrDetail(result.stderr)}` : ""}`;
                    return undefined;
                },
            },
            {
                id: `${id}-version`,
                description: `${tool.name} is ${wantedText(tool.wants)}`,
                hint: tool.install,
                warning: "pinned" in tool.wants,
                needs: id,
                async run() {
                    const version = tool.parseVersion((await answer).stdout);
                    if (version === undefined) return `\`${command}\` printed no version`;
                    return accepts(tool.wants, version) ? undefined : `found ${version}`;
                },
            },
        ];
    });
}

/** The tools in words: "kubectl, the linkerd CLI and the Pulumi CLI". */
function toolNames(tools: ToolId[]): string {
    const names = tools.map((id) => REQUIREMENTS[id].name);
    return names.length < 2 ? names.join("") : `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
}

/**
 * Checks the tools `what` needs before it changes anything, and shows their table when one is missing,
 * failing or at another version; fails naming what is missing or too old and how to install it.
 */
export async function requireTools(
    what: string,
    tools: ToolId[],
    deps: { runner: ToolRunner; reporter: Reporter },
    env: NodeJS.ProcessEnv,
): Promise<void> {
    if (tools.length === 0) return;
    // The summary only when a tool needs attention: every run of every command checks its tools.
    const reporter: Reporter = {
        report: (event) =>
            (event.kind !== "checks-done" || event.results.some((result) => result.status !== "passed")) && deps.reporter.report(event),
    };
    const outcome = await runChecks("tools", toolChecks(tools, deps.runner, env), reporter);
    if (outcome.success) return;
    const failed = outcome.results.filter((result) => result.status === "failed");
    throw new OperatorError(
        `${what} needs ${toolNames(tools)}: ${failed.map((result) => `${result.description}: ${result.problem}`).join("; ")}`,
        [...new Set(failed.map((result) => result.hint))].join("\n"),
    );
}
