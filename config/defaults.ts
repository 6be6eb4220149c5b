// Reads Pulumi.yaml (with kubeconfigFile.ts and awsProfiles.ts, the only files config/ reads): the parser needs its
// defaults to tell a key set on purpose from one the engine filled in.
import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";

/** The defaults Pulumi.yaml declares, by key: their one home, which the engine applies before the program runs. */
export function projectDefaults(): Readonly<Record<string, unknown>> {
    const project = parseYaml(fs.readFileSync(path.join(__dirname, "..", "Pulumi.yaml"), "utf8"));
    return Object.fromEntries(
        Object.entries<{ default?: unknown } | null>(project.config ?? {})
            .filter(([key, declaration]) => !key.includes(":") && declaration?.default !== undefined)
            .map(([key, declaration]) => [key, declaration?.default]),
    );
}
