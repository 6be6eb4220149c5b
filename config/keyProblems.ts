// Key hygiene: a key of the project's namespace that the program does not read (a typo, with the
// nearest key it probably means), and a key set on a stack whose role does not read it.
import { isDeepStrictEqual } from "node:util";
import { CONFIG_KEYS, CONFIG_KEY_READERS, ConfigKey, KeyReaders, PROJECT, ROLES, RawConfig, Role, readsKey } from "./keys";
import { parseJson } from "./reader";

/** A key of the project's namespace that the program does not read: a typo, or a key of another program. */
export function unknownKeyProblems(raw: RawConfig): string[] {
    const known: readonly string[] = CONFIG_KEYS;
    return Object.keys(raw)
        .filter((key) => !known.includes(key))
        .map(
            (key) =>
                `${PROJECT}:${key} is not a key this program reads; ${suggestion(key)}. ` +
                `Correct the name, or remove it (pulumi config rm ${PROJECT}:${key}, or from the stack's ESC environment if it comes from there); ` +
                `every key is in docs/configuration.md.`,
        );
}

/** Who reads a key, in words: "edge stacks", "cloud stacks with cluster: kubeconfig and edge stacks". */
export function readersLabel(readers: KeyReaders): string {
    return ROLES.flatMap((role) => {
        const reader = readers[role];
        if (reader === undefined) return [];
        if (reader === true) return [`${role} stacks`];
        const conditions = Object.entries(reader.when).map(([key, value]) => `${key}: ${value}`);
        return [`${role} stacks with ${conditions.join(", ")}`];
    }).join(" and ");
}

/**
 * A key set on a stack that does not read it, to something other than its Pulumi.yaml default (the
 * engine hands over the default for every declared key, so only another value was set on purpose).
 */
export function misplacedKeyProblems(
    raw: RawConfig,
    role: Role,
    defaults: Readonly<Record<string, unknown>>,
    readers: Readonly<Record<string, KeyReaders>> = CONFIG_KEY_READERS,
): string[] {
    // The keys a reader's mode depends on (cluster), as the engine hands them over: at their default when not set.
    const settings: RawConfig = {
        ...Object.fromEntries(Object.entries(defaults).filter((entry): entry is [string, string] => typeof entry[1] === "string")),
        ...raw,
    };
    return Object.entries(readers)
        .filter(
            ([key, keyReaders]) => raw[key] !== undefined && !readsKey(keyReaders, role, settings) && !isDefault(raw[key], defaults[key]),
        )
        .map(([key, keyReaders]) => {
            const reader = keyReaders[role];
            const qualified = `${PROJECT}:${key}`;
            const remove = `pulumi config rm ${qualified}`;
            if (reader === undefined || reader === true) {
                return (
                    `${qualified} is read only by ${readersLabel(keyReaders)}, and this stack's role is ${role}: its value here would be ` +
                    `ignored. Set it on the stack that reads it, or remove it here (${remove}).`
                );
            }
            // This role reads the key in another mode (an EKS-only key on a cloud stack with cluster: kubeconfig):
            // say which mode this stack is in, and the other way out, switching the mode.
            const modes = Object.entries(reader.when);
            const now = modes
                .map(([mode]) => `${mode}: ${settings[mode]}${isDefault(settings[mode], defaults[mode]) ? " (the default)" : ""}`)
                .join(", ");
            const wanted = modes.map(([mode, value]) => `${mode}: ${value}`).join(", ");
            const set = modes.map(([mode, value]) => `pulumi config set ${mode} ${value}`).join(" && ");
            return (
                `${qualified} is read only by ${readersLabel(keyReaders)}, and this stack has ${now}: its value here would be ignored. ` +
                `Remove it here (${remove}), or set ${wanted} ${MODE_PURPOSES[wanted] ?? "if this stack should read it"} (${set}).`
            );
        });
}

/** What switching a cloud stack's mode to read a key means, said in the message that offers it. */
const MODE_PURPOSES: Readonly<Record<string, string>> = {
    "cluster: eks": "if this stack should create its cluster on EKS",
    "cluster: kubeconfig": "if this stack should use the existing cluster its kubeconfig reaches",
};

/** Whether a raw value is the Pulumi.yaml default (lists, maps, numbers and booleans arrive as JSON). */
function isDefault(raw: string | undefined, fallback: unknown): boolean {
    if (fallback === undefined) return raw === undefined;
    if (typeof fallback === "string") return raw === fallback;
    return raw !== undefined && isDeepStrictEqual(parseJson(raw), fallback);
}

/** Levenshtein distance, ignoring case. */
export function editDistance(a: string, b: string): number {
    const [x, y] = [a.toLowerCase(), b.toLowerCase()];
    let previous = Array.from({ length: y.length + 1 }, (_, j) => j);
    for (let i = 1; i <= x.length; i++) {
        const current = [i];
        for (let j = 1; j <= y.length; j++) {
            current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1));
        }
        previous = current;
    }
    return previous[y.length];
}

/** Keys of other packages that people set without their namespace, where they belong. */
const PROVIDER_KEYS: Readonly<Record<string, string>> = { region: "aws:region", profile: "aws:profile", assumeRoles: "aws:assumeRoles" };

/**
 * The key this program reads that `key` is probably a misspelling of: among keys that hold it (or that
 * it holds) letter by letter in order (`gatewayCidrs` in `gatewaySourceCidrs`), the nearest by edit
 * distance; else the nearest if it is close (at most a third of the longer name); else undefined.
 */
export function nearestKey(key: string): ConfigKey | undefined {
    const lower = key.toLowerCase();
    const nearestOf = (keys: readonly ConfigKey[]) =>
        keys.reduce((best, candidate) => (editDistance(key, candidate) < editDistance(key, best) ? candidate : best));
    const related = CONFIG_KEYS.filter(
        (candidate) => isSubsequence(lower, candidate.toLowerCase()) || isSubsequence(candidate.toLowerCase(), lower),
    );
    if (related.length > 0) return nearestOf(related);
    const nearest = nearestOf(CONFIG_KEYS);
    return editDistance(key, nearest) <= Math.floor(Math.max(key.length, nearest.length) / 3) ? nearest : undefined;
}

function isSubsequence(short: string, long: string): boolean {
    let matched = 0;
    for (const letter of long) if (letter === short[matched]) matched++;
    return matched === short.length;
}

/** What to suggest for a key the program does not read. */
function suggestion(key: string): string {
    if (PROVIDER_KEYS[key] !== undefined) return `it belongs to another package: set ${PROVIDER_KEYS[key]}`;
    const nearest = nearestKey(key);
    return nearest === undefined ? "no key of this program is close to it" : `the nearest one is ${nearest}`;
}
