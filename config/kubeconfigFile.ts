// Reads the kubeconfig file the kubeconfig key names: with defaults.ts and awsProfiles.ts, the only files config/ reads.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { KubeconfigFile } from "./types";

/** What keeps the program from reading a kubeconfig file: missing, a directory, or unreadable (permissions, a symlink loop). */
function kubeconfigFileProblem(file: string): string | undefined {
    try {
        if (fs.statSync(file).isDirectory()) return `${JSON.stringify(file)} is a directory, not a kubeconfig file`;
        fs.accessSync(file, fs.constants.R_OK);
        return undefined;
    } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === "ENOENT") return `the file ${JSON.stringify(file)} does not exist`;
        return `the file ${JSON.stringify(file)} cannot be read (${code ?? (error as Error).message})`;
    }
}

/** The file a kubeconfig value names (`~` is the home directory), and its contents or what keeps the program from reading it. */
export function readKubeconfigFile(given: string): KubeconfigFile {
    const file = path.resolve(given.replace(/^~(?=$|\/)/, os.homedir()));
    const problem = kubeconfigFileProblem(file);
    return problem === undefined ? { path: file, text: fs.readFileSync(file, "utf8") } : { problem };
}
