// Every command the operator runs, and the command line read against them: a command takes only its
// own flags, and the usage is made from the commands' own flags.
import { parseArgs } from "node:util";
import { requireTools } from "../checks/tools";
import { OperatorError } from "../errors";
import type { Command, CommandContext, Values } from "./command";
import { DEPLOYED_COMMANDS } from "./deployed";
import { EKS_VERSIONS_COMMANDS } from "./eksVersions";
import { LOCAL_COMMANDS } from "./local";
import { STACK_COMMANDS } from "./stacks";
import { STATUS_COMMAND } from "./status";

export const COMMANDS: Command[] = [...STACK_COMMANDS, STATUS_COMMAND, ...DEPLOYED_COMMANDS, ...LOCAL_COMMANDS, ...EKS_VERSIONS_COMMANDS];

/** The command's flags, e.g. `[--cloud-stack <stack>] [--continue-past-gone-edges]`: a string flag's value is named by its last word. */
function flagsOf(command: Command): string {
    return Object.entries(command.options)
        .map(([flag, option]) => (option.type === "string" ? `[--${flag} <${flag.split("-").pop()}>]` : `[--${flag}]`))
        .join(" ");
}

/** One line per command, then what the commands say about themselves. */
export function usage(commands: Command[] = COMMANDS): string {
    const lines = commands.map((command, index) => {
        const flags = flagsOf(command);
        return `${index === 0 ? "usage:" : "      "} npm run ${command.name}${flags ? ` -- ${flags}` : ""}`;
    });
    return [...lines, ...new Set(commands.map((command) => command.about))].join("\n");
}

/** The command and its flags; an OperatorError (exit code 2) with the usage for anything else. */
export function parseCommandLine(argv: string[]): { command: Command; values: Values } {
    const [name, ...rest] = argv;
    const command = COMMANDS.find((candidate) => candidate.name === name);
    if (command === undefined) {
        throw new OperatorError(name === undefined ? "no command given" : `unknown command ${JSON.stringify(name)}`, usage(), 2);
    }
    try {
        return { command, values: parseArgs({ args: rest, options: command.options, strict: true }).values };
    } catch (error) {
        // parseArgs says what it did not take in its first sentence ("Unknown option '--x'", "Unexpected argument 'y'").
        const what = (error as Error).message.split(". ")[0];
        const flags = flagsOf(command);
        throw new OperatorError(`npm run ${name}: ${what}; ${name} takes ${flags || "no flags"}`, usage([command]), 2);
    }
}

/** Runs the command once the tools it needs are there: what is missing or too old, and how to install it, fails it before it does anything. */
export async function runCommand(command: Command, values: Values, context: CommandContext): Promise<void> {
    command.validate?.(values);
    await requireTools(`npm run ${command.name}`, command.tools, context, context.env);
    await command.run(values, context);
}
