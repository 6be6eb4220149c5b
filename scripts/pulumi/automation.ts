// The port (port.ts) through Pulumi's Automation API: the Pulumi CLI on PATH, this checkout's program,
// and whatever backend the CLI is logged in to (or PULUMI_BACKEND_URL names). The only module in
// scripts/ that imports the Automation API. Read against sdk/nodejs/automation@v3.248.0: every call
// runs the CLI (cmd.ts exec) and turns a non-zero exit into a CommandError whose message starts with
// `code: -2` (execa throws, and exec rewraps its error); the CLI's stderr is only in that message, or
// in the onError stream of the commands that take one (up, preview, destroy).
import { CommandError, ConfigMap, ConfigValue, LocalWorkspace, OutputMap, Stack, StackNotFoundError } from "@pulumi/pulumi/automation";
import { OperatorError } from "../errors";
import { REQUIREMENTS } from "../tools/requirements";
import type { RawOutputs } from "./decode";
import { ConfigKey, namespaced } from "./keys";
import { errorLines } from "../tools/runner";
import { ConfigValues, MeshStack, MeshWorkspace, Output, PulumiError, PulumiStep } from "./port";

/**
 * execa's message inside a CommandError's: CommandResult.toString() puts it between ` stderr: ` and
 * ` err?: `. It is its own line ("Command failed with exit code 1: pulumi ...", or "Command failed
 * with ENOENT: pulumi version" without a CLI), then the CLI's stderr, then its stdout.
 */
function execaMessage(error: CommandError): string[] {
    return (/\n stderr: ([\s\S]*?)\n err\?: /.exec(error.message)?.[1] ?? "").split("\n");
}

/**
 * Runs one CLI command through the Automation API; its failure becomes a PulumiError (or, without a
 * CLI, the install hint). `streamed` holds what a command that streams (onOutput, onError) wrote: its
 * error's message would mix stdout into stderr, and a failed program writes its diagnostics to stdout.
 */
async function attempt<T>(
    stack: string | undefined,
    step: PulumiStep,
    action: () => Promise<T>,
    streamed?: { stdout: string; stderr: string },
): Promise<T> {
    try {
        return await action();
    } catch (error) {
        if (!(error instanceof CommandError)) throw error;
        const [failure, ...said] = execaMessage(error);
        if (failure.startsWith("Command failed with ENOENT: ")) {
            throw new OperatorError(`${REQUIREMENTS.pulumi.name} is not installed (no pulumi on PATH)`, REQUIREMENTS.pulumi.install);
        }
        throw new PulumiError(stack, step, streamed?.stderr ?? said.join("\n"), errorLines(streamed?.stdout ?? ""));
    }
}

/** An update (up, preview, destroy): its stdout goes to onOutput as it comes; both streams are kept for the error. */
function update<T>(
    stack: string,
    step: PulumiStep,
    onOutput: Output,
    action: (onOutput: Output, onError: Output) => Promise<T>,
): Promise<T> {
    const streamed = { stdout: "", stderr: "" };
    return attempt(
        stack,
        step,
        () =>
            action(
                (text) => {
                    streamed.stdout += text;
                    onOutput(text);
                },
                (text) => (streamed.stderr += text),
            ),
        streamed,
    );
}

/** The stack's outputs as plain values (secrets shown: they stay in this process). */
function values(outputs: OutputMap): RawOutputs {
    return Object.fromEntries(Object.entries(outputs).map(([key, output]) => [key, output.value]));
}

/** A value as `pulumi config --json` prints it: `objectValue` (lists, maps) beside the JSON text, else the string. */
function configValue(value: (ConfigValue & { objectValue?: unknown }) | undefined): unknown {
    return value !== undefined && "objectValue" in value ? value.objectValue : value?.value;
}

function configEntries(values: ConfigValues): [ConfigKey, string | string[]][] {
    return Object.entries(values) as [ConfigKey, string | string[]][];
}

/** The values as `config set-all --path` takes them: a list as its items, `key[0]`, `key[1]`... */
function setAllValues(values: ConfigValues): ConfigMap {
    return Object.fromEntries(
        configEntries(values).flatMap(([key, value]) =>
            typeof value === "string"
                ? [[namespaced(key), { value }]]
                : value.map((item, index) => [`${namespaced(key)}[${index}]`, { value: item }]),
        ),
    );
}

function meshStack(stack: Stack): MeshStack {
    const name = stack.name;
    // `pulumi config` prints every key at once: read once for the keys a flow asks for, again after a write.
    let config: Promise<ConfigMap> | undefined;
    const allConfig = () =>
        (config ??= stack.getAllConfig().catch((error: unknown) => {
            config = undefined;
            throw error;
        }));
    return {
        name,
        up: (onOutput) =>
            update(name, "pulumi up", onOutput, async (onOutput, onError) =>
                values((await stack.up({ onOutput, onError, color: "auto" })).outputs),
            ),
        preview: (onOutput, expectNoChanges) =>
            update(name, "pulumi preview", onOutput, async (onOutput, onError) => {
                await stack.preview({ onOutput, onError, color: "auto", expectNoChanges, diff: expectNoChanges });
            }),
        destroy: (onOutput) =>
            update(name, "pulumi destroy", onOutput, async (onOutput, onError) => {
                await stack.destroy({ onOutput, onError, color: "auto" });
            }),
        outputs: () => attempt(name, "pulumi stack output", async () => values(await stack.outputs())),
        config: (key) => attempt(name, "pulumi config", async () => configValue((await allConfig())[namespaced(key)])),
        setConfig: (values) =>
            attempt(name, "pulumi config set-all", async () => {
                config = undefined;
                // A list is removed first, so that a longer list there keeps none of its other items.
                const lists = configEntries(values).flatMap(([key, value]) => (Array.isArray(value) ? [namespaced(key)] : []));
                if (lists.length > 0) await stack.removeAllConfig(lists);
                await stack.setAllConfig(setAllValues(values), true);
            }),
        // Without --show-secrets: the entry's config stays encrypted, and no passphrase is needed.
        lastUpdate: () =>
            attempt(name, "pulumi stack history", async () => {
                const info = await stack.info(false);
                return info && { kind: info.kind, result: info.result, startTime: info.startTime, endTime: info.endTime };
            }),
        // The deployment's resources (apitype.DeploymentV3; "resources" is left out when there are none).
        resourceCount: () =>
            attempt(name, "pulumi stack export", async () => {
                const resources = ((await stack.exportStack()).deployment as { resources?: unknown } | null)?.resources;
                return Array.isArray(resources) ? resources.length : 0;
            }),
    };
}

/**
 * The CLI runs with this process's environment (`pulumi version` with it alone, every other command
 * with the workspace's envVars on top: execa extends it), so a variable can only be taken away from
 * the CLI here: this process's environment becomes `env`.
 */
function useEnvironment(env: NodeJS.ProcessEnv): void {
    for (const key of Object.keys(process.env)) if (env[key] === undefined) delete process.env[key];
    Object.assign(process.env, env);
}

/**
 * The workspace of the program in `workDir`; the CLI runs with exactly `env`. Every operator command
 * makes one: a second, with another environment, would change the first one's too (useEnvironment).
 * Selecting stacks side by side (the edge stacks, --parallel at a time) is safe: each `pulumi stack
 * select` writes the workspace's selected stack by a rename of a temporary file (pkg/workspace
 * workspace.go Save, atomicWriteFile@v3.248.0), and no command here relies on it, each naming its stack
 * (--stack, or `stack init <name>`). The last one selected stays the selected stack of the checkout.
 */
export async function automationWorkspace(workDir: string, env: NodeJS.ProcessEnv): Promise<MeshWorkspace> {
    useEnvironment(env);
    const workspace = await attempt(undefined, "pulumi version", () => LocalWorkspace.create({ workDir }));
    return {
        stack: (name) =>
            attempt(name, "pulumi stack select", async () => {
                try {
                    return meshStack(await Stack.select(name, workspace));
                } catch (error) {
                    if (error instanceof StackNotFoundError) return undefined;
                    throw error;
                }
            }),
        createStack: (name) => attempt(name, "pulumi stack init", async () => meshStack(await Stack.create(name, workspace))),
        // A self-managed backend may print a stack as organization/<project>/<stack> (pkg/backend/diy String).
        stackNames: () =>
            attempt(undefined, "pulumi stack ls", async () => (await workspace.listStacks()).map((stack) => stack.name.split("/").pop()!)),
    };
}
