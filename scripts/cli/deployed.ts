// npm run verify / failover / rotate: commands on a mesh that is up. They work on the stacks the flags or the
// environment name (as npm run up does); without either, on the local stacks when local:up has made
// them, so that `npm run local:up` then `npm run verify` needs nothing typed in between. Each says
// which stacks it works on.
import { OperatorError } from "../errors";
import { runFailover } from "../flows/failover";
import { LOCAL, hasLocalState, localEnvironment, localPulumiAssignments } from "../flows/localEnv";
import type { StackNames } from "../flows/mesh";
import { rotateMesh } from "../flows/rotate";
import { verifyMesh } from "../flows/verify";
import type { Command, CommandContext, Values } from "./command";
import { NAME_OPTIONS, parallelOf, stackNames } from "./stacks";

const ABOUT =
    "verify, failover and rotate work on the stacks --cloud-stack and --edge-stack-prefix (or CLOUD_STACK and EDGE_STACK_PREFIX) name; " +
    `without them, on the local stacks\n${LOCAL.stacks.cloudStack} and ${LOCAL.stacks.edgeStackPrefix}edge when npm run local:up has made them (${LOCAL.dir}/state), else on cloud and the sites' names.\n` +
    "rotate advances the rotation of the trust anchor by one phase, on the cloud stack then every edge site (docs/rotation.md); --status only shows where it stands.";

interface ChosenStacks {
    names: StackNames;
    /** The environment the CLIs run with: the local backend and passphrase for the local stacks. */
    env: NodeJS.ProcessEnv;
    local: boolean;
}

/** The stacks a command on the deployed mesh works on, as ABOUT says; reported, with how to name others. */
function chosenStacks(name: string, values: Values, context: CommandContext): ChosenStacks {
    const named = [values["cloud-stack"], values["edge-stack-prefix"], context.env.CLOUD_STACK, context.env.EDGE_STACK_PREFIX].some(
        (value) => value !== undefined && value !== "",
    );
    const local = !named && hasLocalState(context.root);
    const names = local ? LOCAL.stacks : stackNames(values, context.env);
    context.reporter.report({
        kind: "notice",
        text: local
            ? `npm run ${name}: the local stacks ${names.cloudStack} and ${names.edgeStackPrefix}<site>, in ${LOCAL.dir}/state ` +
              `(other stacks: npm run ${name} -- --cloud-stack <stack> --edge-stack-prefix <prefix>)`
            : `npm run ${name}: the cloud stack ${names.cloudStack} and the edge stacks ${names.edgeStackPrefix}<site>, on the backend you are logged in to`,
    });
    return { names, env: local ? localEnvironment(context.root, context.env) : context.env, local };
}

export const DEPLOYED_COMMANDS: Command[] = [
    {
        name: "verify",
        options: NAME_OPTIONS,
        tools: ["pulumi", "kubectl", "linkerd"],
        about: ABOUT,
        async run(values, context) {
            const { names, env } = chosenStacks("verify", values, context);
            const outcome = await verifyMesh(await context.workspace(env), names, context, env);
            const failed = outcome.results.filter((result) => result.status === "failed").length;
            if (failed > 0)
                throw new OperatorError(
                    `verify: ${failed} of ${outcome.results.length} checks failed`,
                    "The table above says what each found, and what to do.",
                );
        },
    },
    {
        name: "failover",
        options: { ...NAME_OPTIONS, site: { type: "string" } },
        tools: ["pulumi", "kubectl", "bash"],
        about: ABOUT,
        async run(values, context) {
            const { names, env, local } = chosenStacks("failover", values, context);
            await runFailover(
                context.root,
                await context.workspace(env),
                names,
                {
                    site: values.site as string | undefined,
                    switchSplit: (edgeStack, mode) =>
                        local
                            ? `npm run local:up -- --split-mode ${mode}`
                            : `pulumi config set splitMode ${mode} --stack ${edgeStack} && npm run up`,
                },
                context,
                env,
            );
        },
    },
    {
        name: "rotate",
        options: { ...NAME_OPTIONS, parallel: { type: "string" }, status: { type: "boolean", default: false } },
        tools: ["pulumi", "kubectl", "linkerd"],
        validate: parallelOf,
        about: ABOUT,
        async run(values, context) {
            const { names, env, local } = chosenStacks("rotate", values, context);
            await rotateMesh(
                await context.workspace(env),
                names,
                {
                    parallel: parallelOf(values),
                    statusOnly: values.status === true,
                    // The pulumi CLI reaches the local stacks with the local backend and passphrase.
                    pulumiPrefix: local ? `${localPulumiAssignments(env)} ` : "",
                },
                context,
                env,
            );
        },
    },
];
