// The real ToolRunner: the only place in scripts/ that starts a process itself (the Automation API
// starts the Pulumi CLI on its own, pulumi/automation.ts).
import { spawn } from "node:child_process";
import type { ToolRunner } from "./runner";

/** Runs programs in `cwd`, with their stdin closed. */
export function spawnRunner(cwd: string): ToolRunner {
    return {
        run(argv, { env, onOutput }) {
            return new Promise((resolve) => {
                const child = spawn(argv[0], argv.slice(1), { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
                let stdout = "";
                let stderr = "";
                child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
                    stdout += chunk;
                    onOutput?.(chunk, "stdout");
                });
                child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
                    stderr += chunk;
                    onOutput?.(chunk, "stderr");
                });
                child.on("error", (error: NodeJS.ErrnoException) =>
                    resolve({ status: null, stdout, stderr: error.message, missing: error.code === "ENOENT" }),
                );
                child.on("close", (status) => resolve({ status, stdout, stderr, missing: false }));
            });
        },
    };
}
