// Where the checkout is, whether this code runs from scripts/ (tests) or compiled from bin/scripts/
// (npm run ...): the nearest directory above it that holds the project's Pulumi.yaml.
import * as fs from "node:fs";
import * as path from "node:path";

function projectRoot(start: string): string {
    for (let dir = start; ; dir = path.dirname(dir)) {
        if (fs.existsSync(path.join(dir, "Pulumi.yaml"))) return dir;
        if (path.dirname(dir) === dir) throw new Error(`no Pulumi.yaml in ${start} or above it`);
    }
}

export const ROOT = projectRoot(__dirname);
