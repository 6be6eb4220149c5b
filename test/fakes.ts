// In-process fakes of the operator commands' ports, for the tests of their order logic: a Pulumi
// workspace and a tool runner that record every call in order, a reporter that keeps every event
// and renders them as the plain reporter would, and a clock that moves only when it is slept on. The real ports are tested against stand-in CLIs
// (test/standins.ts).
import type { Clock } from "../scripts/checks/framework";
import type { ReportEvent, Reporter } from "../scripts/events";
import type { RawOutputs } from "../scripts/pulumi/decode";
import { ConfigValues, LastUpdate, MeshStack, MeshWorkspace, PulumiError, PulumiStep } from "../scripts/pulumi/port";
import type { ToolResult, ToolRunner } from "../scripts/tools/runner";
import { plainReporter } from "../scripts/ui/plain";

export interface FakeStackSpec {
    outputs?: RawOutputs;
    /** The stack's config values, by key. */
    config?: Record<string, unknown>;
    /** Operations that fail on this stack, as the CLI would: a PulumiError with this stderr. */
    fails?: ("up" | "destroy" | "preview")[];
    /** Not created yet: `createStack` creates it with the rest of this spec. */
    absent?: boolean;
    lastUpdate?: LastUpdate;
    /** The resources in its state. */
    resources?: number;
}

/** A workspace whose stacks record every operation, in order, as "<operation> <stack>". */
export function fakeWorkspace(stacks: Record<string, FakeStackSpec>) {
    const calls: string[] = [];
    const stack = (name: string, spec: FakeStackSpec): MeshStack => {
        const operation = async (op: "up" | "destroy" | "preview", step: PulumiStep, onOutput: (text: string) => void) => {
            calls.push(`${op} ${name}`);
            onOutput(`output of ${op} ${name}\n`);
            if (spec.fails?.includes(op)) throw new PulumiError(name, step, `warning: something\nerror: ${op} of ${name} failed\n`);
        };
        return {
            name,
            up: async (onOutput) => {
                await operation("up", "pulumi up", onOutput);
                return spec.outputs ?? {};
            },
            preview: async (onOutput, expectNoChanges) => {
                calls.push(`expectNoChanges=${expectNoChanges}`);
                await operation("preview", "pulumi preview", onOutput);
            },
            destroy: (onOutput) => operation("destroy", "pulumi destroy", onOutput),
            outputs: async () => {
                calls.push(`outputs ${name}`);
                return spec.outputs ?? {};
            },
            config: async (key) => {
                calls.push(`config ${name} ${key}`);
                return spec.config?.[key];
            },
            setConfig: async (values: ConfigValues) => {
                calls.push(`set-config ${name} ${JSON.stringify(values)}`);
            },
            lastUpdate: async () => {
                calls.push(`history ${name}`);
                return spec.lastUpdate;
            },
            resourceCount: async () => {
                calls.push(`export ${name}`);
                return spec.resources ?? 0;
            },
        };
    };
    const workspace: MeshWorkspace = {
        async stack(name) {
            const spec = stacks[name];
            return spec === undefined || spec.absent ? undefined : stack(name, spec);
        },
        async createStack(name) {
            calls.push(`init ${name}`);
            return stack(name, (stacks[name] = { ...stacks[name], absent: false }));
        },
        async stackNames() {
            calls.push("list");
            return Object.keys(stacks).filter((name) => !stacks[name].absent);
        },
    };
    return { workspace, calls };
}

/** A reporter that keeps every event, and what the plain reporter prints for them (stdout and stderr). */
export function recordingReporter() {
    const events: ReportEvent[] = [];
    let stdout = "";
    let stderr = "";
    const plain = plainReporter({ write: (text: string) => (stdout += text) }, { write: (text: string) => (stderr += text) });
    const reporter: Reporter = {
        report(event) {
            events.push(event);
            plain.report(event);
        },
    };
    return { reporter, events, stdout: () => stdout, stderr: () => stderr };
}

export const ok = (stdout = ""): ToolResult => ({ status: 0, stdout, stderr: "", missing: false });

/** Every tool at the version the commands want, as their version commands print it. */
export const TOOLS_AT_PINS: Record<string, ToolResult> = {
    "docker info": ok("28.3.2\n"),
    "k3d version": ok("k3d version v5.9.0\nk3s version v1.32.5-k3s1 (default)\n"),
    "pulumi version": ok("v3.248.0\n"),
    "kubectl version": ok(JSON.stringify({ clientVersion: { gitVersion: "v1.35.6" } })),
    "linkerd version": ok("edge-26.8.3\n"),
};

/** A runner that answers by the command's first words and records every command with the env it got. */
export function fakeRunner(answers: Record<string, ToolResult>) {
    const calls: { argv: string[]; env: NodeJS.ProcessEnv }[] = [];
    const runner: ToolRunner = {
        async run(argv, { env }) {
            calls.push({ argv, env });
            const key = Object.keys(answers)
                .filter((prefix) => argv.join(" ").startsWith(prefix))
                .sort((a, b) => b.length - a.length)[0];
            return key === undefined ? ok() : answers[key];
        },
    };
    return { runner, calls, commands: () => calls.map(({ argv }) => argv.join(" ")) };
}

/** A clock that only moves when the runner sleeps: retries take no time. `sleeps` are the waits asked for, in order. */
export function fakeClock() {
    let now = 0;
    const sleeps: number[] = [];
    const clock: Clock = {
        now: () => now,
        sleep: async (ms) => {
            sleeps.push(ms);
            now += ms;
        },
    };
    return { clock, sleeps };
}
