// npm run up / down / preview / status, verify / failover, and the local:* commands (package.json):
// reads the command line, hands the command the real runner, Pulumi and reporter (its steps' output
// kept in a folder of their own under the temporary directory), and turns an OperatorError into
// `error: <message>`, its hint and its exit code; anything else is a bug, shown with its stack. It sets
// the exit code and lets the process end by itself rather than process.exit(), which drops what a pipe
// has not taken yet (writes to a pipe are asynchronous on POSIX: Node's "A note on process I/O"), and
// the summary and the error come last.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseCommandLine, runCommand } from "./cli/registry";
import { OperatorError } from "./errors";
import { ROOT } from "./paths";
import { automationWorkspace } from "./pulumi/automation";
import { spawnRunner } from "./tools/spawn";
import { withOutputLogs } from "./ui/logs";
import { reporterFor } from "./ui/reporter";

async function main(argv: string[]): Promise<void> {
    const { command, values } = parseCommandLine(argv);
    await runCommand(command, values, {
        env: process.env,
        root: ROOT,
        reporter: withOutputLogs(reporterFor(process.stdout, process.stderr, process.env), () =>
            fs.mkdtempSync(path.join(os.tmpdir(), `edge-cloud-mesh-${command.name.replace(":", "-")}-`)),
        ),
        runner: spawnRunner(ROOT),
        workspace: (env) => automationWorkspace(ROOT, env),
    });
}

main(process.argv.slice(2)).catch((error: unknown) => {
    if (error instanceof OperatorError) {
        process.stderr.write(`\nerror: ${error.message}\n${error.hint === undefined ? "" : `${error.hint}\n`}`);
        process.exitCode = error.exitCode;
        return;
    }
    process.stderr.write(`\n${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
});
