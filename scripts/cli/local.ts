// npm run local:up / local:down / local:preview / local:reset: the local environment, on its own stacks,
// backend and passphrase (flows/localEnv.ts), for every command they run.
import { OperatorError } from "../errors";
import { localDown, localReset, localUp } from "../flows/local";
import { LOCAL, SPLIT_MODES, SplitMode, hasLocalState, localEnvironment, localPulumiAssignments } from "../flows/localEnv";
import { previewMesh } from "../flows/mesh";
import type { Command, CommandContext, Values } from "./command";

const ABOUT =
    `The local commands name their own stacks, ${LOCAL.stacks.cloudStack} and ${LOCAL.stacks.edgeStackPrefix}edge; ` +
    `local:up -- --split-mode weighted|failover sets the edge's splitMode (else it keeps its own).`;

function localDeps(context: CommandContext) {
    return { runner: context.runner, workspace: context.workspace, reporter: context.reporter };
}

function splitMode(values: Values): SplitMode | undefined {
    const given = values["split-mode"] as string | undefined;
    if (given === undefined || (SPLIT_MODES as readonly string[]).includes(given)) return given as SplitMode | undefined;
    throw new OperatorError(`npm run local:up: --split-mode ${JSON.stringify(given)}; accepted: ${SPLIT_MODES.join(" or ")}`, undefined, 2);
}

export const LOCAL_COMMANDS: Command[] = [
    {
        name: "local:up",
        options: { "split-mode": { type: "string" } },
        validate: splitMode,
        // kubectl and linkerd for what local:up says to run next (verify, the frontend, the failover demo).
        tools: ["docker", "k3d", "pulumi", "kubectl", "linkerd"],
        about: ABOUT,
        async run(values, context) {
            const env = localEnvironment(context.root, context.env);
            const { frontendCommand } = await localUp(context.root, env, localDeps(context), { splitMode: splitMode(values) });
            context.reporter.report({
                kind: "message",
                text:
                    `\nThe mesh runs on the k3d clusters cloud and edge (kubeconfigs in ${LOCAL.dir}/). Check it as the tutorial does ` +
                    `(linkerd check on both, the link, the mirror, answers from both clusters through the frontend):\n\n` +
                    `  npm run verify\n\n` +
                    `Open the frontend on the edge (http://localhost:8080/ answers as the split says, http://localhost:8080/cloud/ from the cloud, through the mirror):\n\n` +
                    `  ${frontendCommand}\n\n` +
                    `Fail over: npm run local:up -- --split-mode failover, then npm run failover (--split-mode weighted goes back).\n` +
                    `Tear it all down: npm run local:down; then npm run local:reset forgets the local state.\n` +
                    `The stacks are ${LOCAL.stacks.cloudStack} and ${LOCAL.stacks.edgeStackPrefix}edge, in ${LOCAL.dir}/state; to use the pulumi CLI on them:\n` +
                    `  export ${localPulumiAssignments(env)}\n`,
            });
        },
    },
    {
        name: "local:down",
        options: {},
        tools: ["docker", "k3d", "pulumi"],
        about: ABOUT,
        async run(_values, context) {
            await localDown(context.root, localEnvironment(context.root, context.env), localDeps(context));
            context.reporter.report({
                kind: "message",
                text:
                    `\nThe local environment is gone. Its state (${LOCAL.dir}/state) keeps the two empty stacks for the next npm run local:up; ` +
                    `npm run local:reset forgets them, the passphrase and the stacks' config files.\n`,
            });
        },
    },
    {
        name: "local:reset",
        options: {},
        tools: ["docker", "k3d"],
        about: ABOUT,
        async run(_values, context) {
            const forgotten = await localReset(context.root, context.env, localDeps(context));
            context.reporter.report({
                kind: "message",
                text:
                    forgotten.length === 0
                        ? "\nThere was no local state to forget.\n"
                        : `\nForgotten: ${forgotten.join(", ")}. The next npm run local:up starts afresh.\n`,
            });
        },
    },
    {
        name: "local:preview",
        options: {},
        tools: ["pulumi"],
        about: ABOUT,
        async run(_values, context) {
            // Else the CLI's own words: it cannot open the backend's folder ("unable to open bucket file://...").
            if (!hasLocalState(context.root))
                throw new OperatorError(`there are no local stacks to preview (no ${LOCAL.dir}/state)`, "npm run local:up makes them.");
            await previewMesh(await context.workspace(localEnvironment(context.root, context.env)), LOCAL.stacks, true, context.reporter);
        },
    },
];
