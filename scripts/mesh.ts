// npm run up / down / preview, and local:up / local:down / local:preview (package.json): the command
// line, and the real Pulumi (Automation API) and command runner behind the orchestration.
import { spawn } from "node:child_process";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { automationWorkspace } from "./automation";
import { CommandRunner, LOCAL, LocalDeps, LocalError, localDown, localEnvironment, localUp } from "./local";
import { MeshRunError, StackNames, downMesh, previewMesh, upMesh } from "./orchestrate";

/** The checkout: this file runs compiled, from bin/scripts/. */
const ROOT = path.resolve(__dirname, "..", "..");

export const COMMANDS = ["up", "down", "preview", "local:up", "local:down", "local:preview"] as const;
export type Command = (typeof COMMANDS)[number];

export interface MeshArgs {
    command: Command;
    names: StackNames;
    continuePastGoneEdges: boolean;
    expectNoChanges: boolean;
}

export const USAGE =
    "usage: npm run up|down|preview -- [--cloud-stack <name>] [--edge-stack-prefix <prefix>] [--continue-past-gone-edges] [--expect-no-changes]\n" +
    "       npm run local:up|local:down|local:preview\n" +
    "The cloud stack is --cloud-stack, else CLOUD_STACK, else cloud; each edge site's stack is --edge-stack-prefix (else\n" +
    'EDGE_STACK_PREFIX, else "") followed by the site\'s name, e.g. edge, or acme/edge-cloud-mesh/edge with the prefix acme/edge-cloud-mesh/.';

/** The command line and environment of one run; throws the usage for anything it does not know. */
export function parseMeshArgs(argv: string[], env: NodeJS.ProcessEnv): MeshArgs {
    const { values, positionals } = parseArgs({
        args: argv,
        allowPositionals: true,
        options: {
            "cloud-stack": { type: "string" },
            "edge-stack-prefix": { type: "string" },
            "continue-past-gone-edges": { type: "boolean", default: false },
            "expect-no-changes": { type: "boolean", default: false },
        },
    });
    const command = positionals[0] as Command;
    if (positionals.length !== 1 || !COMMANDS.includes(command)) throw new Error(USAGE);
    const local = command.startsWith("local:");
    if (local && (values["cloud-stack"] !== undefined || values["edge-stack-prefix"] !== undefined)) {
        throw new Error(`${command} names its own stacks (${LOCAL.stacks.cloudStack}, ${LOCAL.stacks.edgeStackPrefix}edge)\n${USAGE}`);
    }
    return {
        command,
        names: local
            ? LOCAL.stacks
            : {
                  cloudStack: values["cloud-stack"] ?? (env.CLOUD_STACK || "cloud"),
                  edgeStackPrefix: values["edge-stack-prefix"] ?? env.EDGE_STACK_PREFIX ?? "",
              },
        continuePastGoneEdges: values["continue-past-gone-edges"] ?? false,
        expectNoChanges: (values["expect-no-changes"] ?? false) || command === "local:preview",
    };
}

const log = (text: string) => process.stdout.write(text);

/** Runs a command as a child process, showing its output unless captured. */
const runner: CommandRunner = {
    run(argv, { env, capture }) {
        return new Promise((resolve) => {
            const child = spawn(argv[0], argv.slice(1), { cwd: ROOT, env, stdio: ["ignore", capture ? "pipe" : "inherit", "pipe"] });
            let stdout = "";
            let stderr = "";
            child.stdout?.on("data", (chunk) => (stdout += chunk));
            child.stderr?.on("data", (chunk) => {
                stderr += chunk;
                if (!capture) process.stderr.write(chunk);
            });
            child.on("error", (error: NodeJS.ErrnoException) =>
                resolve({ status: null, stdout, stderr: error.message, missing: error.code === "ENOENT" }),
            );
            child.on("close", (status) => resolve({ status, stdout, stderr }));
        });
    },
};

/** Pulumi through the Automation API, with the environment given (which the CLI inherits whole). */
function workspace(env: NodeJS.ProcessEnv) {
    const defined = Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
    return automationWorkspace(ROOT, defined);
}

const localDeps: LocalDeps = {
    runner,
    up: async (names, env) => upMesh(await workspace(env), names, log),
    down: async (names, options, env) => downMesh(await workspace(env), names, options, log),
    log,
};

async function main(args: MeshArgs): Promise<void> {
    switch (args.command) {
        case "up":
            await upMesh(await workspace(process.env), args.names, log);
            return;
        case "down": {
            const passed = await downMesh(
                await workspace(process.env),
                args.names,
                { continuePastGoneEdges: args.continuePastGoneEdges },
                log,
            );
            if (passed.length > 0) log(`\nLeft as they were (gone, or failed to destroy): ${passed.join(", ")}\n`);
            return;
        }
        case "preview":
            await previewMesh(await workspace(process.env), args.names, args.expectNoChanges, log);
            return;
    }
    // The local environment: its own backend and passphrase, for this process and every command it runs.
    const env = localEnvironment(ROOT, process.env);
    delete process.env.PULUMI_CONFIG_PASSPHRASE;
    Object.assign(process.env, env);
    switch (args.command) {
        case "local:up":
            return localUp(ROOT, env, localDeps);
        case "local:down":
            return localDown(ROOT, env, localDeps);
        case "local:preview":
            return previewMesh(await workspace(env), args.names, true, log);
    }
}

if (require.main === module) {
    let args: MeshArgs;
    try {
        args = parseMeshArgs(process.argv.slice(2), process.env);
    } catch (error) {
        process.stderr.write(`${(error as Error).message}\n`);
        process.exit(2);
    }
    main(args).catch((error: unknown) => {
        const known = error instanceof MeshRunError || error instanceof LocalError;
        process.stderr.write(
            `\n${known ? "error: " : ""}${known ? (error as Error).message : ((error as Error).stack ?? String(error))}\n`,
        );
        process.exit(1);
    });
}
