// The orchestration's stacks, through Pulumi's Automation API: the Pulumi CLI on PATH, this checkout's
// program, and whatever backend the CLI is logged in to (or PULUMI_BACKEND_URL names).
import { LocalWorkspace, OutputMap, Stack, StackNotFoundError } from "@pulumi/pulumi/automation";
import type { MeshStack, MeshWorkspace, Output } from "./orchestrate";

/** The stack's outputs as plain values (secrets shown: they stay in this process). */
function values(outputs: OutputMap): Record<string, unknown> {
    return Object.fromEntries(Object.entries(outputs).map(([key, output]) => [key, output.value]));
}

/** A config value as `pulumi config --json` prints it: lists as JSON text, or already parsed. */
function listValue(value: { value?: string; objectValue?: unknown } | undefined): string[] {
    const parsed = value?.objectValue ?? (value?.value === undefined ? [] : JSON.parse(value.value));
    return Array.isArray(parsed) ? parsed.map(String) : [];
}

function meshStack(stack: Stack): MeshStack {
    return {
        name: stack.name,
        async up(onOutput: Output) {
            return values((await stack.up({ onOutput, color: "auto" })).outputs);
        },
        async preview(onOutput: Output, expectNoChanges: boolean) {
            await stack.preview({ onOutput, color: "auto", expectNoChanges, diff: expectNoChanges });
        },
        async destroy(onOutput: Output) {
            await stack.destroy({ onOutput, color: "auto" });
        },
        async outputs() {
            return values(await stack.outputs());
        },
        async edgeSites() {
            return listValue((await stack.getAllConfig())["edge-cloud-mesh:edgeSites"]);
        },
    };
}

/** The workspace of the program in `workDir`, with `envVars` added to the CLI's environment. */
export async function automationWorkspace(workDir: string, envVars: Record<string, string> = {}): Promise<MeshWorkspace> {
    const workspace = await LocalWorkspace.create({ workDir, envVars });
    return {
        async stack(name: string) {
            try {
                return meshStack(await Stack.select(name, workspace));
            } catch (error) {
                if (error instanceof StackNotFoundError) return undefined;
                throw error;
            }
        },
    };
}
