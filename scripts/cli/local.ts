// npm run local:up / local:down / local:preview: the local environment, on its own stacks, backend and
// passphrase (flows/localEnv.ts), for every command they run.
import { localDown, localUp } from "../flows/local";
import { LOCAL, localEnvironment } from "../flows/localEnv";
import { previewMesh } from "../flows/mesh";
import type { Command, CommandContext } from "./command";

const ABOUT = `The local commands take no flags: they name their own stacks, ${LOCAL.stacks.cloudStack} and ${LOCAL.stacks.edgeStackPrefix}edge.`;

function localDeps(context: CommandContext) {
    return { runner: context.runner, workspace: context.workspace, reporter: context.reporter };
}

export const LOCAL_COMMANDS: Command[] = [
    {
        name: "local:up",
        options: {},
        about: ABOUT,
        async run(_values, context) {
            const env = localEnvironment(context.root, context.env);
            const { frontendCommand } = await localUp(context.root, env, localDeps(context));
            context.reporter.report({
                kind: "message",
                text:
                    `\nThe mesh runs on the k3d clusters cloud and edge (kubeconfigs in ${LOCAL.dir}/). Open the frontend on the edge:\n\n` +
                    `  ${frontendCommand}\n\n` +
                    `http://localhost:8080/ answers from both clusters (refresh), http://localhost:8080/cloud/ from the cloud, through the mirror.\n` +
                    `The stacks are ${LOCAL.stacks.cloudStack} and ${LOCAL.stacks.edgeStackPrefix}edge, in ${LOCAL.dir}/state; to use the pulumi CLI on them:\n` +
                    `  export PULUMI_BACKEND_URL=${env.PULUMI_BACKEND_URL} PULUMI_CONFIG_PASSPHRASE_FILE=${env.PULUMI_CONFIG_PASSPHRASE_FILE}\n` +
                    `Tear it all down with: npm run local:down\n`,
            });
        },
    },
    {
        name: "local:down",
        options: {},
        about: ABOUT,
        async run(_values, context) {
            await localDown(context.root, localEnvironment(context.root, context.env), localDeps(context));
            context.reporter.report({
                kind: "message",
                text: `\nThe local environment is gone. Its state (${LOCAL.dir}/state) keeps the two empty stacks for the next npm run local:up; rm -rf ${LOCAL.dir} forgets them.\n`,
            });
        },
    },
    {
        name: "local:preview",
        options: {},
        about: ABOUT,
        async run(_values, context) {
            await previewMesh(await context.workspace(localEnvironment(context.root, context.env)), LOCAL.stacks, true, context.reporter);
        },
    },
];
