// Pulumi as the operator commands use it: one workspace (the CLI's backend and this program), its
// stacks, and one error for any CLI command that fails. pulumi/automation.ts backs it with the
// Automation API; tests drive the flows with recording fakes, and the adapter against a stand-in CLI.
import { OperatorError } from "../errors";
import { errorLines, stderrDetail } from "../tools/runner";
import type { RawOutputs } from "./decode";
import type { ConfigKey } from "./keys";

/** Where Pulumi's progress goes, as it comes. */
export type Output = (text: string) => void;

/** Whole config values: a string, or a list that replaces the stack's list (an empty list leaves the Pulumi.yaml default). */
export type ConfigValues = Partial<Record<ConfigKey, string | string[]>>;

export interface MeshStack {
    readonly name: string;
    /** `pulumi up`; resolves to the stack's outputs. */
    up(onOutput: Output): Promise<RawOutputs>;
    /** `pulumi preview`; with expectNoChanges it fails when the preview shows any change. */
    preview(onOutput: Output, expectNoChanges: boolean): Promise<void>;
    /** `pulumi destroy`. */
    destroy(onOutput: Output): Promise<void>;
    /** The stack's current outputs (none before the first `up` and after a destroy). */
    outputs(): Promise<RawOutputs>;
    /** A key's value (a list as a list), Pulumi.yaml's default included; undefined when it has none. */
    config(key: ConfigKey): Promise<unknown>;
    /** Writes each key's whole value. */
    setConfig(values: ConfigValues): Promise<void>;
    /** The stack's last update, destroy or refresh (the newest entry of `pulumi stack history`), or undefined before the first. */
    lastUpdate(): Promise<LastUpdate | undefined>;
    /** How many resources the stack's state holds (`pulumi stack export`), as `pulumi stack` counts them. */
    resourceCount(): Promise<number>;
}

/** One entry of a stack's history. */
export interface LastUpdate {
    /** update, destroy, refresh, import... */
    kind: string;
    /** succeeded, failed, in-progress... */
    result: string;
    startTime: Date;
    /** Undefined while it is in progress. */
    endTime?: Date;
}

export interface MeshWorkspace {
    /** The stack of that name, or undefined when the backend has none. */
    stack(name: string): Promise<MeshStack | undefined>;
    /** `pulumi stack init`. */
    createStack(name: string): Promise<MeshStack>;
    /** The backend's stacks of this project, as --stack takes them. */
    stackNames(): Promise<string[]>;
}

/** The CLI commands behind the port, as the operator would type them. */
export type PulumiStep =
    | "pulumi version"
    | "pulumi stack select"
    | "pulumi stack init"
    | "pulumi stack ls"
    | "pulumi stack output"
    | "pulumi stack history"
    | "pulumi stack export"
    | "pulumi config"
    | "pulumi config set-all"
    | "pulumi up"
    | "pulumi preview"
    | "pulumi destroy";

/** A Pulumi CLI command that failed: on which stack, which command, and what the CLI wrote to stderr. */
export class PulumiError extends OperatorError {
    constructor(
        readonly stack: string | undefined,
        readonly step: PulumiStep,
        readonly stderr: string,
        /** The `error:` lines of an update's output: a failed program reports its diagnostics on stdout, not stderr. */
        readonly diagnostics: string[] = [],
    ) {
        super(
            `\`${step}\`${stack === undefined ? "" : ` on the stack ${JSON.stringify(stack)}`} failed: ${pulumiErrorLines(stderr, diagnostics).join("; ")}`,
        );
    }

    /** Why, in the CLI's words, line by line: its `error:` lines, else the program's, else its last lines, else where to look. */
    get errorLines(): string[] {
        return pulumiErrorLines(this.stderr, this.diagnostics);
    }

    /** The error lines in one line. */
    get reason(): string {
        return this.errorLines.join("; ");
    }
}

function pulumiErrorLines(stderr: string, diagnostics: string[]): string[] {
    const errors = errorLines(stderr);
    if (errors.length > 0) return errors;
    if (diagnostics.length > 0) return diagnostics;
    return [stderrDetail(stderr) || "its output is above"];
}
