// The parser: raw keys in, a MeshConfig or every problem out. Role first, then what both sides
// share, then the cloud or the edge side. It reads no file and no runtime state: what it needs
// besides the keys comes in its ConfigContext.
import { parseCloud, CLUSTER_KINDS } from "./cloud";
import { parseEdge } from "./edge";
import { misplacedKeyProblems, unknownKeyProblems } from "./keyProblems";
import { ROLES, RawConfig } from "./keys";
import { parseMeshSide } from "./meshSide";
import { ConfigReader } from "./reader";
import { ConfigContext, MeshConfig } from "./types";

/** Configuration the program cannot run with; its message lists every problem, one a line. */
export class ConfigError extends Error {
    override name = "ConfigError";
}

/** Validates raw configuration. Collects every problem so that one run reports them all. */
export function parseConfig(raw: RawConfig, stack: string, context: ConfigContext): MeshConfig {
    const problems: string[] = unknownKeyProblems(raw);
    const reader = new ConfigReader(raw, problems);

    const role = reader.oneOf("role", ROLES);
    // Without a valid role there is no telling which keys matter.
    let config: MeshConfig | undefined;
    if (reader.isOneOf("role", ROLES)) {
        // Which keys a cloud stack reads depends on its cluster: judge them only against a valid one.
        if (role === "edge" || reader.isOneOf("cluster", CLUSTER_KINDS))
            problems.push(...misplacedKeyProblems(raw, role, context.defaults));
        const side = parseMeshSide(reader, stack);
        config = role === "cloud" ? parseCloud(reader, side, stack, context) : parseEdge(reader, side, context);
    }

    if (problems.length > 0 || config === undefined) {
        throw new ConfigError(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`);
    }
    return config;
}
