// npm run up / down / preview: the whole mesh on the stacks the flags or the environment name, the
// edge stacks --parallel at a time.
import { OperatorError } from "../errors";
import { downMesh, previewMesh, StackNames, upMesh } from "../flows/mesh";
import { DEFAULT_PARALLEL } from "../flows/pool";
import type { Command, Options, Values } from "./command";

/** How a command on the whole mesh is told its stacks (stackNames). */
export const NAME_OPTIONS = {
    "cloud-stack": { type: "string" },
    "edge-stack-prefix": { type: "string" },
} satisfies Options;

export const STACK_OPTIONS = { ...NAME_OPTIONS, parallel: { type: "string" } } satisfies Options;

export const ABOUT =
    "The cloud stack is --cloud-stack, else CLOUD_STACK, else cloud; each edge site's stack is --edge-stack-prefix (else\n" +
    'EDGE_STACK_PREFIX, else "") followed by the site\'s name, e.g. edge, or acme/edge-cloud-mesh/edge with the prefix acme/edge-cloud-mesh/.\n' +
    `The edge stacks run --parallel at a time (${DEFAULT_PARALLEL} unless given), after the cloud stack (up, preview) or before it (down).`;

/** The stacks a run works on: the flags, else CLOUD_STACK and EDGE_STACK_PREFIX, else cloud and the site's name. */
export function stackNames(values: Values, env: NodeJS.ProcessEnv): StackNames {
    return {
        cloudStack: (values["cloud-stack"] as string | undefined) ?? (env.CLOUD_STACK || "cloud"),
        edgeStackPrefix: (values["edge-stack-prefix"] as string | undefined) ?? env.EDGE_STACK_PREFIX ?? "",
    };
}

/** --parallel: a whole number of 1 or more; a usage error (exit code 2) naming the flag otherwise. */
export function parallelOf(values: Values): number {
    const given = values.parallel as string | undefined;
    if (given === undefined) return DEFAULT_PARALLEL;
    if (!/^\d+$/.test(given) || Number(given) < 1) {
        throw new OperatorError(
            `--parallel takes a whole number of 1 or more (how many edge stacks run at once), not ${JSON.stringify(given)}`,
            `e.g. --parallel ${DEFAULT_PARALLEL}`,
            2,
        );
    }
    return Number(given);
}

export const STACK_COMMANDS: Command[] = [
    {
        name: "up",
        options: STACK_OPTIONS,
        tools: ["pulumi"],
        validate: parallelOf,
        about: ABOUT,
        async run(values, context) {
            const parallel = parallelOf(values);
            await upMesh(await context.workspace(context.env), stackNames(values, context.env), context.reporter, { parallel });
        },
    },
    {
        name: "down",
        options: { ...STACK_OPTIONS, "continue-past-gone-edges": { type: "boolean", default: false } },
        tools: ["pulumi"],
        validate: parallelOf,
        about: ABOUT,
        async run(values, context) {
            const options = { continuePastGoneEdges: values["continue-past-gone-edges"] === true, parallel: parallelOf(values) };
            await downMesh(await context.workspace(context.env), stackNames(values, context.env), options, context.reporter);
        },
    },
    {
        name: "preview",
        options: { ...STACK_OPTIONS, "expect-no-changes": { type: "boolean", default: false } },
        tools: ["pulumi"],
        validate: parallelOf,
        about: ABOUT,
        async run(values, context) {
            const parallel = parallelOf(values);
            await previewMesh(
                await context.workspace(context.env),
                stackNames(values, context.env),
                values["expect-no-changes"] === true,
                context.reporter,
                { parallel },
            );
        },
    },
];
