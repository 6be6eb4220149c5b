// What a command is: its name, its own flags (node:util parseArgs options), what it says under the
// usage, and how it runs with what the entry hands it.
import type { ParseArgsConfig } from "node:util";
import type { Reporter } from "../events";
import type { MeshWorkspace } from "../pulumi/port";
import type { ToolId } from "../tools/requirements";
import type { ToolRunner } from "../tools/runner";

export type Options = NonNullable<ParseArgsConfig["options"]>;

/** The flags as parseArgs returns them, by flag name. */
export type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

/** The real world, as the entry builds it (tests pass fakes). */
export interface CommandContext {
    env: NodeJS.ProcessEnv;
    /** The checkout. */
    root: string;
    reporter: Reporter;
    runner: ToolRunner;
    /** The Pulumi workspace, its CLI run with exactly `env`. */
    workspace(env: NodeJS.ProcessEnv): Promise<MeshWorkspace>;
}

export interface Command {
    /** As npm runs it: `npm run <name>`. */
    name: string;
    options: Options;
    /** The programs it runs, checked (installed, at a version it accepts) before it runs. */
    tools: ToolId[];
    /** Throws the usage error of a flag value it does not take, before anything runs (the tools' checks included). */
    validate?(values: Values): void;
    /** Said once under the usage, for all the commands that share it. */
    about: string;
    run(values: Values, context: CommandContext): Promise<void>;
}
