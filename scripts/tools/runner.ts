// How the commands run a program (k3d, docker, kubectl, linkerd; Pulumi goes through pulumi/): one
// interface, one real implementation (spawn.ts), recording fakes in tests.

export interface ToolResult {
    /** The exit code; null when the program did not start or was killed. */
    status: number | null;
    stdout: string;
    stderr: string;
    /** The program is not on PATH (ENOENT). */
    missing: boolean;
}

/** Where a running program's output goes, as it comes. */
export type OnOutput = (text: string, stream: "stdout" | "stderr") => void;

export interface ToolRunner {
    /** Runs argv with exactly `env`; stdout and stderr are always kept, and also handed to onOutput when given. */
    run(argv: string[], options: { env: NodeJS.ProcessEnv; onOutput?: OnOutput }): Promise<ToolResult>;
}

/** A word as a POSIX shell reads it back unchanged: bare when it holds nothing the shell would act on, else single-quoted. */
export function shellWord(word: string): string {
    return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** A command line to print for someone to paste: each word as `shellWord` writes it. */
export function shellLine(argv: string[]): string {
    return argv.map(shellWord).join(" ");
}

/** The `error:` lines of a program's text, without the `error: ` (the Pulumi CLI writes its errors so, cmdutil.DisplayErrorMessage; a failed program's diagnostics indent them). */
export function errorLines(text: string): string[] {
    return text
        .split("\n")
        .map((line) => line.trim())
        .filter((line) => line.startsWith("error: "))
        .map((line) => line.slice("error: ".length).trim());
}

/** Terminal colour codes: k3d colours its log lines on a pipe too (cmd/root.go: logrus ForceColors). */
const COLOUR_CODES = new RegExp(`${String.fromCharCode(0x1b)}\\[[0-9;]*m`, "g");

/** What a failed program said, in one line, without colour codes: its `error:` lines, else its last three lines (k3d and docker log the reason last). */
export function stderrDetail(stderr: string): string {
    const plain = stderr.replace(COLOUR_CODES, "");
    const errors = errorLines(plain);
    return (
        errors.length > 0
            ? errors
            : plain
                  .split("\n")
                  .map((line) => line.trim())
                  .filter(Boolean)
                  .slice(-3)
    ).join("; ");
}
