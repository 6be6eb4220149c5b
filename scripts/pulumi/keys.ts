// The program's config keys as the Pulumi CLI names them. This is the one module in scripts/ that
// imports the program's key list (config/keys.ts, a leaf): ConfigKey, and the project, their namespace.
import { PROJECT, type ConfigKey } from "../../config/keys";

export type { ConfigKey };

/** `edge-cloud-mesh:<key>`: the namespace is added here and nowhere else. */
export function namespaced(key: ConfigKey): string {
    return `${PROJECT}:${key}`;
}
