// The tool checks, from tools/requirements.ts: for each tool, that its version command works (Docker's
// only when its engine answers), then, as a warning, that it is at a version the commands accept.
import { OperatorError } from "../errors";
import type { Reporter } from "../events";
import { REQUIREMENTS, ToolId, accepts, wantedText } from "../tools/requirements";
import { ToolResult, ToolRunner, stderrDetail } from "../tools/runner";
import { Check, runChecks } from "./framework";

export function toolChecks(tools: ToolId[], runner: ToolRunner, env: NodeJS.ProcessEnv): Check[] {
    return tools.flatMap((id): Check[] => {
        const tool = REQUIREMENTS[id];
        const command = tool.versionArgs.join(" ");
        let answer: Promise<ToolResult> | undefined;
        const versionCommand = () => (answer ??= runner.run(tool.versionArgs, { env }));
        return [
            {
                id,
                description: `${tool.name} answers \`${command}\``,
                hint: tool.install,
                async run() {
                    const result = await versionCommand();
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
                warning: true,
                needs: id,
                async run() {
                    const version = tool.parseVersion((await versionCommand()).stdout);
                    if (version === undefined) return `\`${command}\` printed no version`;
                    return accepts(tool.wants, version) ? undefined : `found ${version}`;
                },
            },
        ];
    });
}

/** Checks the tools a command needs before it changes anything; fails naming what is missing and how to install it. */
export async function requireTools(
    purpose: string,
    tools: ToolId[],
    deps: { runner: ToolRunner; reporter: Reporter },
    env: NodeJS.ProcessEnv,
): Promise<void> {
    const outcome = await runChecks("tools", toolChecks(tools, deps.runner, env), deps.reporter);
    if (outcome.success) return;
    const failed = outcome.results.filter((result) => result.status === "failed");
    throw new OperatorError(
        `${purpose}: ${failed.map((result) => `${result.description}: ${result.problem}`).join("; ")}`,
        [...new Set(failed.map((result) => result.hint))].join("\n"),
    );
}
