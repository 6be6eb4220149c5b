// npm run up / down / preview: the whole mesh on the stacks the flags or the environment name.
import { downMesh, previewMesh, StackNames, upMesh } from "../flows/mesh";
import type { Command, Options, Values } from "./command";

const STACK_OPTIONS = {
    "cloud-stack": { type: "string" },
    "edge-stack-prefix": { type: "string" },
} satisfies Options;

const ABOUT =
    "The cloud stack is --cloud-stack, else CLOUD_STACK, else cloud; each edge site's stack is --edge-stack-prefix (else\n" +
    'EDGE_STACK_PREFIX, else "") followed by the site\'s name, e.g. edge, or acme/edge-cloud-mesh/edge with the prefix acme/edge-cloud-mesh/.';

/** The stacks a run works on: the flags, else CLOUD_STACK and EDGE_STACK_PREFIX, else cloud and the site's name. */
export function stackNames(values: Values, env: NodeJS.ProcessEnv): StackNames {
    return {
        cloudStack: (values["cloud-stack"] as string | undefined) ?? (env.CLOUD_STACK || "cloud"),
        edgeStackPrefix: (values["edge-stack-prefix"] as string | undefined) ?? env.EDGE_STACK_PREFIX ?? "",
    };
}

export const STACK_COMMANDS: Command[] = [
    {
        name: "up",
        options: STACK_OPTIONS,
        about: ABOUT,
        async run(values, context) {
            await upMesh(await context.workspace(context.env), stackNames(values, context.env), context.reporter);
        },
    },
    {
        name: "down",
        options: { ...STACK_OPTIONS, "continue-past-gone-edges": { type: "boolean", default: false } },
        about: ABOUT,
        async run(values, context) {
            const passed = await downMesh(
                await context.workspace(context.env),
                stackNames(values, context.env),
                { continuePastGoneEdges: values["continue-past-gone-edges"] === true },
                context.reporter,
            );
            if (passed.length > 0)
                context.reporter.report({
                    kind: "message",
                    text: `\nLeft as they were (gone, or failed to destroy): ${passed.join(", ")}\n`,
                });
        },
    },
    {
        name: "preview",
        options: { ...STACK_OPTIONS, "expect-no-changes": { type: "boolean", default: false } },
        about: ABOUT,
        async run(values, context) {
            await previewMesh(
                await context.workspace(context.env),
                stackNames(values, context.env),
                values["expect-no-changes"] === true,
                context.reporter,
            );
        },
    },
];
