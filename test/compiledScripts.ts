// The operator commands as npm runs them, compiled by `tsc -p scripts`, once per test run however many
// test files run them: the first to ask compiles into the folder test/globalSetup.ts made for the run,
// and the others (other workers among them) wait for it. Each caller gets a checkout copy of its own
// with the compiled bin/ in it. --noCheck: `tsc --noEmit` type-checks scripts/ already (tsconfig.json
// includes it), and emitting alone takes half the time.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { ROOT } from "./harness";
import { checkoutCopy } from "./localWorld";

const WAIT_MS = 120_000;

/** Sleeps the thread: a worker waits for another's compile without an event loop to yield to. */
function pause(ms: number): void {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** bin/ of this run's compile, made by the first caller of the run. */
function compiledBin(): string {
    const dir = process.env.COMPILED_SCRIPTS_DIR;
    if (!dir) throw new Error("COMPILED_SCRIPTS_DIR is not set: test/globalSetup.ts makes it");
    const [bin, done, failed] = ["bin", "done", "failed"].map((name) => path.join(dir, name));
    try {
        // Whoever makes the lock compiles.
        fs.mkdirSync(path.join(dir, "lock"));
    } catch {
        for (const until = Date.now() + WAIT_MS; !fs.existsSync(done); pause(100)) {
            if (fs.existsSync(failed)) throw new Error(`tsc -p scripts failed:\n${fs.readFileSync(failed, "utf8")}`);
            if (Date.now() > until) throw new Error(`no compiled scripts in ${dir} after ${WAIT_MS / 1000} s`);
        }
        return bin;
    }
    const tsc = path.join(ROOT, "node_modules", "typescript", "bin", "tsc");
    try {
        execFileSync(process.execPath, [tsc, "-p", "scripts", "--outDir", bin, "--noCheck"], { cwd: ROOT, encoding: "utf8" });
    } catch (error) {
        const { stdout, stderr } = error as { stdout?: string; stderr?: string };
        fs.writeFileSync(failed, `${stdout ?? ""}${stderr ?? ""}`);
        throw error;
    }
    fs.writeFileSync(done, "");
    return bin;
}

/** A copy of the checkout (Pulumi.yaml, node_modules linked) with the compiled commands in bin/: run bin/scripts/mesh.js in it. */
export function compiledCheckout(): string {
    const copy = checkoutCopy(ROOT);
    fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(copy, "node_modules"));
    fs.cpSync(compiledBin(), path.join(copy, "bin"), { recursive: true });
    return copy;
}
