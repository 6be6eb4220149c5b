// npm run status: one table for the cloud stack and every edge site it registers; --live asks each
// site's linkerd whether its link to the cloud's gateway is alive.
import { meshStatus } from "../flows/status";
import type { Command } from "./command";
import { ABOUT, STACK_OPTIONS, parallelOf, stackNames } from "./stacks";

export const STATUS_COMMAND: Command = {
    name: "status",
    options: { ...STACK_OPTIONS, live: { type: "boolean", default: false } },
    // With --live, linkerd too: flows/status.ts checks it then.
    tools: ["pulumi"],
    validate: parallelOf,
    about: ABOUT,
    async run(values, context) {
        await meshStatus(
            { workspace: await context.workspace(context.env), runner: context.runner, reporter: context.reporter, env: context.env },
            stackNames(values, context.env),
            { live: values.live === true, parallel: parallelOf(values) },
        );
    },
};
