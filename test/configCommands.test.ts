// Every `pulumi config` command the README or the program tells people to run, checked against the
// keys it touches. There is no Pulumi CLI here, so the commands run against a model of what
// `pulumi config set/set-all/rm` write, read from pulumi/pulumi v3.248.0:
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
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { CONFIG_KEYS, CONFIG_KEY_READERS, ConfigKey, PROJECT, RawConfig, parseConfig, readsKey } from "../config";
import { setListCommand } from "../contract";
import { docsText } from "./docs";
import { K3S_KUBECONFIG, configContext } from "./fixtures";
import { ROOT, configError, runStack, sourceFiles } from "./harness";

interface Declared {
    type?: "string" | "integer" | "boolean" | "array";
    items?: { type: string };
    default?: unknown;
    description?: string;
}
const project = parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8"));
const declared: Record<string, Declared> = project.config;

/** A stack file's config: a key's value is a plain string or a structured (object) value. */
type StackConfig = Map<string, { object: boolean; value: unknown }>;
type Segment = string | number;

function qualify(key: string): string {
    return key.includes(":") ? key : `${PROJECT}:${key}`;
}

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
function applyConfigCommand(stack: StackConfig, words: string[]): void {
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
function configCommands(text: string): string[][] {
    return text
        .replace(/\\\n\s*/g, " ") // a shell joins continued lines
        .split("\n")
        .flatMap(shellCommands)
        .filter((words) => words[0] === "pulumi" && words[1] === "config" && ["set", "set-all", "rm"].includes(words[2]))
        .map((words) => words.slice(2));
}

/** The project keys a command touches. */
function touchedKeys(words: string[]): string[] {
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
function effective(stack: StackConfig, key: string): unknown {
    const stored = stack.get(qualify(key));
    if (stored === undefined) return declared[key]?.default;
    return stored.value;
}

/** The engine's type check of a declared key (workspace.ValidateConfigValue), on the stack file's value. */
function typeProblem(stack: StackConfig, key: string): string | undefined {
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
function rawConfig(stack: StackConfig): RawConfig {
    const raw: RawConfig = {};
    for (const key of CONFIG_KEYS) {
        const value = effective(stack, key);
        if (value !== undefined) raw[key] = typeof value === "object" ? JSON.stringify(value) : String(value);
    }
    return raw;
}

function roleOf(key: string): "cloud" | "edge" {
    return declared[key]?.description?.startsWith("(edge)") ? "edge" : "cloud";
}

/** Stale stack-file values longer than anything the docs write, to show a command replaces the whole value. */
function staleStack(keys: string[]): StackConfig {
    const stack: StackConfig = new Map();
    for (const key of keys) {
        const fallback = declared[key]?.default;
        if (declared[key]?.type === "array")
            stack.set(qualify(key), { object: true, value: ["stale-0", "stale-1", "stale-2", "stale-3", "stale-4", "stale-5"] });
        else if (fallback !== null && typeof fallback === "object")
            stack.set(qualify(key), { object: true, value: { ...fallback, stale: 1 } });
    }
    return stack;
}

/**
 * What is wrong with a sequence of commands: applied to a stack with no value for its keys (they rely
 * on Pulumi.yaml) and to one with stale longer values, each list and map key must end up with the same
 * value both times (the commands wrote all of it), of its declared type, and accepted by parseConfig.
 */
function sequenceProblems(commands: string[][]): string[] {
    const keys = [...new Set(commands.flatMap(touchedKeys))];
    const fresh: StackConfig = new Map();
    const stale = staleStack(keys);
    try {
        for (const command of commands) applyConfigCommand(fresh, command);
        for (const command of commands) applyConfigCommand(stale, command);
    } catch (error) {
        return [(error as Error).message];
    }
    const problems: string[] = [];
    for (const key of keys) {
        const problem = typeProblem(fresh, key);
        if (problem !== undefined) problems.push(problem);
        if (JSON.stringify(effective(fresh, key)) !== JSON.stringify(effective(stale, key))) {
            problems.push(`${key}: writes part of the value; a longer stack value keeps ${JSON.stringify(effective(stale, key))}`);
        }
    }
    const structured = keys.filter((key) => declared[key]?.type === "array" || typeof declared[key]?.default === "object");
    for (const key of structured) {
        // The commands of one walkthrough write to both stacks; each stack holds only its role's keys.
        const role = roleOf(key);
        const readBy = (qualified: string) => CONFIG_KEY_READERS[qualified.slice(PROJECT.length + 1) as ConfigKey];
        // The stack as the commands leave it: a cloud stack on EKS unless they set another `cluster`.
        const cluster = String(effective(fresh, "cluster"));
        const ownKeys = new Map(
            [...fresh].filter(([qualified]) => readBy(qualified) === undefined || readsKey(readBy(qualified), role, { cluster })),
        );
        const raw: RawConfig = { ...rawConfig(ownKeys), role };
        // The kubeconfig a walkthrough names is a file on the reader's machine: the fixture's stands in for it.
        if (raw.role === "edge" || cluster === "kubeconfig") raw.kubeconfig = K3S_KUBECONFIG;
        try {
            parseConfig(raw, raw.role === "edge" ? "edge" : "cloud", configContext(new Date("2026-11-25T12:00:00Z")));
        } catch (error) {
            problems.push(`${key}: parseConfig rejects the result: ${(error as Error).message}`);
        }
    }
    return problems;
}

/** The README's commands: each sh block is one sequence, and each inline code span is one. */
function readmeSequences(readme: string): { where: string; commands: string[][] }[] {
    const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => ({
        where: match[1].trim().split("\n")[0],
        commands: configCommands(match[1]),
    }));
    const outside = readme.replace(/```[\s\S]*?```/g, "");
    const inline = [...outside.matchAll(/`([^`\n]*pulumi config[^`\n]*)`/g)].map((match) => ({
        where: match[1],
        commands: configCommands(match[1]),
    }));
    return [...blocks, ...inline].filter((sequence) => sequence.commands.length > 0);
}

const DOCS = docsText();

describe("the model of pulumi config agrees with the CLI's source", () => {
    it("reproduces the trap: --path into index 1 of a key the stack file lacks writes [null, x], which up rejects", () => {
        const stack: StackConfig = new Map();
        applyConfigCommand(stack, ["set", "--path", "edgeSites[1]", "edge-berlin", "--stack", "cloud"]);
        expect(stack.get("edge-cloud-mesh:edgeSites")).toEqual({ object: true, value: [null, "edge-berlin"] });
        expect(typeProblem(stack, "edgeSites")).toMatch(/must be of type 'array'/);
        expect(sequenceProblems([["set", "--path", "edgeSites[1]", "edge-berlin"]])).not.toEqual([]);
    });
    it("catches the subtler traps: a plain JSON string for a list, a partial map, --path [0] over a longer list", () => {
        expect(sequenceProblems([["set", "edgeSites", '["edge","edge-berlin"]']]).join()).toMatch(/must be of type 'array'/);
        expect(sequenceProblems([["set", "--path", "nodes.min", "3"]]).join()).toMatch(
            /nodes: parseConfig rejects the result: [\s\S]*desired is undefined/,
        );
        expect(sequenceProblems([["set", "--path", "apiAccessCidrs[0]", "203.0.113.0/24"]]).join()).toMatch(
            /apiAccessCidrs: writes part of the value/,
        );
        expect(sequenceProblems([["set", "--json", "edgeSites", "[]"]])).toEqual(["`pulumi config set --json` does not exist in 3.248"]);
    });
    it("accepts rm and set-all --path writing every entry, with integers stored as numbers", () => {
        const stack: StackConfig = new Map();
        for (const command of configCommands(
            "pulumi config rm nodes && pulumi config set-all --path --plaintext nodes.min=3 --plaintext nodes.desired=3 --plaintext nodes.max=5",
        )) {
            applyConfigCommand(stack, command);
        }
        expect(stack.get("edge-cloud-mesh:nodes")).toEqual({ object: true, value: { min: 3, desired: 3, max: 5 } });
        expect(sequenceProblems(configCommands(setListCommand("edgeSites", ["edge", "edge-berlin"], "cloud")))).toEqual([]);
    });
});

describe("the README's pulumi config commands", () => {
    const sequences = readmeSequences(DOCS);
    it("are found: the cloud stack's CIDRs, a second edge site, the traffic split, the node group", () => {
        const keys = new Set(sequences.flatMap((sequence) => sequence.commands.flatMap(touchedKeys)));
        for (const key of [
            "apiAccessCidrs",
            "gatewaySourceCidrs",
            "edgeSites",
            "trafficSplit",
            "nodes",
            "instanceTypes",
            "kubeconfig",
            "protectTrustAnchor",
        ]) {
            expect(keys, key).toContain(key);
        }
    });
    it.each(sequences.map((sequence) => [sequence.where, sequence.commands] as const))("%s", (_where, commands) => {
        expect(sequenceProblems(commands)).toEqual([]);
    });
});

describe("the commands the program's own messages give", () => {
    it("an edge site missing from the cloud stack: the command writes the whole list, old sites and the new one", async () => {
        const cloudOutputs = (await runStack("cloud", { config: { edgeSites: ["edge", "edge-berlin"] } })).outputs;
        const message = await configError("edge-paris", {
            config: { role: "edge", kubeconfig: K3S_KUBECONFIG, cloudStack: "acme/edge-cloud-mesh/cloud" },
            stackReferences: { "acme/edge-cloud-mesh/cloud": cloudOutputs },
        });
        const commands = configCommands(/\((pulumi config [^)]*)\)/.exec(message)![1]);
        expect(commands.map((command) => command[0])).toEqual(["rm", "set-all"]);
        expect(commands.every((command) => command.join(" ").includes("--stack acme/edge-cloud-mesh/cloud"))).toBe(true);
        expect(sequenceProblems(commands)).toEqual([]);
        const stack: StackConfig = new Map();
        for (const command of commands) applyConfigCommand(stack, command);
        expect(effective(stack, "edgeSites")).toEqual(["edge", "edge-berlin", "edge-paris"]);
    });
    it("every literal command in the program's sources", () => {
        const sources = [...sourceFiles("config"), "contract.ts", "index.ts", ...sourceFiles("components")];
        const literal = sources.flatMap((file) =>
            [...fs.readFileSync(path.join(ROOT, file), "utf8").matchAll(/pulumi config (?:set|set-all|rm)\b[^`)"\n]*/g)]
                .map((match) => match[0])
                .filter((command) => !command.includes("${") && command.trim() !== "pulumi config set"),
        );
        expect(literal.length).toBeGreaterThan(0);
        for (const command of literal) expect(sequenceProblems(configCommands(command)), command).toEqual([]);
    });
});
