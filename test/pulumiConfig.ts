// A model of what `pulumi config set/set-all/rm` write to a stack file, and of the config the engine
// then hands the program. There is no Pulumi CLI here; the model is read from pulumi/pulumi v3.248.0:
//   pkg/cmd/pulumi/config/config.go  `config set` has --path/--secret/--plaintext/--type and no --json;
//                                    `config set-all` takes --path and repeated --plaintext k=v
//   sdk/go/common/resource/config/map.go     Set: a one-segment path stores a plain string; a deeper path
//                                    starts from the stack file's value, or a new container (newContainer),
//                                    never from the Pulumi.yaml default; Remove without --path deletes the key
//   sdk/go/common/resource/config/object.go  newContainer(i) is a list of i+1 empty entries (written as null);
//                                    an index may extend a list by one; coerce makes true/false booleans and
//                                    integers numbers
//   sdk/go/common/workspace/config.go, project.go  defaults apply only to keys the stack file lacks; typed keys
//                                    are validated (an array must hold items of its type; a plain string is
//                                    no array)
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { CONFIG_KEYS, PROJECT, RawConfig } from "../config";
import { ROOT, qualify } from "./harness";

/** A key as Pulumi.yaml declares it. */
interface Declared {
    type?: "string" | "integer" | "boolean" | "array";
    items?: { type: string };
    default?: unknown;
    description?: string;
}
const project = parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8"));
/** Pulumi.yaml's declarations, by key (with the `pulumi:` and provider keys it sets). */
export const declared: Record<string, Declared> = project.config;

/** A stack file's config: a key's value is a plain string or a structured (object) value. */
export type StackConfig = Map<string, { object: boolean; value: unknown }>;
type Segment = string | number;

/** `edgeSites[1]`, `nodes.min`: the top key and the path below it. */
function parsePath(keyPath: string): [string, Segment[]] {
    const top = /^[^.[]+/.exec(keyPath)?.[0];
    if (top === undefined) throw new Error(`bad path ${keyPath}`);
    const below = [...keyPath.slice(top.length).matchAll(/\.([^.[]+)|\[(\d+)\]/g)];
    const rest: Segment[] = below.map((match) => (match[1] !== undefined ? match[1] : Number(match[2])));
    const consumed = top.length + below.reduce((length, match) => length + match[0].length, 0);
    if (consumed !== keyPath.length) throw new Error(`bad path ${keyPath}`);
    return [top, rest];
}

function coerce(value: string): unknown {
    if (value === "true" || value === "false") return value === "true";
    if (value.length > 1 && value.startsWith("0")) return value;
    return /^-?\d+$/.test(value) ? Number(value) : value;
}

function newContainer(head: Segment): unknown {
    return typeof head === "number" ? new Array(head + 1).fill(null) : {};
}

function setIn(container: unknown, pathBelow: Segment[], value: unknown, firstLevel: boolean): unknown {
    if (pathBelow.length === 0) return value;
    const [head, ...rest] = pathBelow;
    let target = container;
    const isContainer = Array.isArray(target) || (target !== null && typeof target === "object");
    if (!isContainer) {
        if (target !== null && target !== undefined && !firstLevel) throw new Error("expected a container");
        target = newContainer(head);
    }
    if (typeof head === "number") {
        if (!Array.isArray(target)) throw new Error("key for a map must be a string");
        if (head > target.length) throw new Error("array index out of range");
        if (head === target.length) target.push(null);
        target[head] = setIn(target[head], rest, value, false);
    } else {
        if (Array.isArray(target)) throw new Error("key for an array must be an int");
        (target as Record<string, unknown>)[head] = setIn((target as Record<string, unknown>)[head] ?? null, rest, value, false);
    }
    return target;
}

function setValue(stack: StackConfig, keyPath: string, value: string, usePath: boolean): void {
    if (!usePath) {
        stack.set(qualify(keyPath), { object: false, value });
        return;
    }
    const [top, below] = parsePath(keyPath);
    const key = qualify(top);
    if (below.length === 0) {
        stack.set(key, { object: false, value });
        return;
    }
    const existing = stack.get(key);
    const root = existing === undefined ? newContainer(below[0]) : structuredClone(existing.value);
    stack.set(key, { object: true, value: setIn(root, below, coerce(value), true) });
}

/** Applies one `pulumi config set|set-all|rm` command (its words after `pulumi config`). */
export function applyConfigCommand(stack: StackConfig, words: string[]): void {
    const [verb, ...rest] = words;
    const flags = new Set<string>();
    const pairs: string[] = [];
    const args: string[] = [];
    for (let index = 0; index < rest.length; index++) {
        const word = rest[index];
        if (word === "--stack" || word === "-s" || word === "--type") index++;
        else if (verb === "set-all" && (word === "--plaintext" || word === "--secret")) pairs.push(rest[++index]);
        else if (word.startsWith("--")) flags.add(word);
        else args.push(word);
    }
    if (flags.has("--json")) throw new Error("`pulumi config set --json` does not exist in 3.248");
    if (verb === "rm") {
        if (flags.has("--path")) throw new Error("rm --path is not modelled");
        stack.delete(qualify(args[0]));
    } else if (verb === "set") {
        setValue(stack, args[0], args[1] ?? "<stdin>", flags.has("--path"));
    } else if (verb === "set-all") {
        for (const pair of pairs) {
            const at = pair.indexOf("=");
            setValue(stack, pair.slice(0, at), pair.slice(at + 1), flags.has("--path"));
        }
    } else {
        throw new Error(`pulumi config ${verb} is not modelled`);
    }
}

/** Shell words of one line: quotes honoured, `#` comments and `< file` redirections dropped, split at && and ;. */
function shellCommands(line: string): string[][] {
    const commands: string[][] = [[]];
    const token = /'([^']*)'|"([^"]*)"|(&&|;)|(#.*$)|(<\s+\S+)|([^\s'"]+)/g;
    let word: string | undefined;
    for (const match of line.matchAll(token)) {
        const [, single, double, separator, comment, redirect, bare] = match;
        if (comment !== undefined) break;
        if (separator !== undefined) {
            commands.push([]);
            continue;
        }
        if (redirect !== undefined) continue;
        word = single ?? double ?? bare;
        // Adjacent quoted and bare parts form one word (--plaintext 'a=b' is two words; a'b' is one).
        const previous = match.index > 0 && !/\s/.test(line[match.index - 1]) && commands.at(-1)!.length > 0;
        if (previous) commands.at(-1)![commands.at(-1)!.length - 1] += word;
        else commands.at(-1)!.push(word);
    }
    return commands.filter((command) => command.length > 0);
}

/** The `pulumi config` commands in some text, as `set ...` word lists. */
export function configCommands(text: string): string[][] {
    return text
        .replace(/\\\n\s*/g, " ") // a shell joins continued lines
        .split("\n")
        .flatMap(shellCommands)
        .filter((words) => words[0] === "pulumi" && words[1] === "config" && ["set", "set-all", "rm"].includes(words[2]))
        .map((words) => words.slice(2));
}

/** The project keys a command touches. */
export function touchedKeys(words: string[]): string[] {
    const keys =
        words[0] === "set-all"
            ? words.filter((_, index) => ["--plaintext", "--secret"].includes(words[index - 1])).map((pair) => pair.split("=")[0])
            : [words.slice(1).find((word, index, all) => !word.startsWith("-") && !["--stack", "-s", "--type"].includes(all[index - 1]))!];
    return keys
        .map((key) => qualify(parsePath(key)[0]))
        .filter((key) => key.startsWith(`${PROJECT}:`))
        .map((key) => key.slice(PROJECT.length + 1));
}

/** The value a key has for `pulumi up`: the stack file's, else the Pulumi.yaml default. */
export function effective(stack: StackConfig, key: string): unknown {
    const stored = stack.get(qualify(key));
    if (stored === undefined) return declared[key]?.default;
    return stored.value;
}

/** The engine's type check of a declared key (workspace.ValidateConfigValue), on the stack file's value. */
export function typeProblem(stack: StackConfig, key: string): string | undefined {
    const declaration = declared[key];
    const stored = stack.get(qualify(key));
    if (declaration?.type === undefined || stored === undefined) return undefined;
    const value = stored.value;
    const ok = (type: string, item: unknown): boolean =>
        type === "string"
            ? typeof item === "string"
            : type === "integer"
              ? Number.isInteger(item) || (typeof item === "string" && /^-?\d+$/.test(item))
              : type === "boolean"
                ? typeof item === "boolean" || item === "true" || item === "false"
                : false;
    const valid =
        declaration.type === "array"
            ? Array.isArray(value) && value.every((item) => ok(declaration.items!.type, item))
            : ok(declaration.type, value);
    return valid ? undefined : `Stack with configuration key '${key}' must be of type '${declaration.type}': ${JSON.stringify(value)}`;
}

/** What the program reads for each key, as the engine delivers it: strings, and JSON for lists and maps. */
export function rawConfig(stack: StackConfig): RawConfig {
    const raw: RawConfig = {};
    for (const key of CONFIG_KEYS) {
        const value = effective(stack, key);
        if (value !== undefined) raw[key] = typeof value === "object" ? JSON.stringify(value) : String(value);
    }
    return raw;
}
