// Every `pulumi config` command the README or the program tells people to run, checked against the
// keys it touches, through the model of `pulumi config set/set-all/rm` in pulumiConfig.ts (read from
// pulumi/pulumi v3.248.0; there is no Pulumi CLI here).
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { CONFIG_KEY_READERS, ConfigKey, PROJECT, RawConfig, parseConfig, readsKey } from "../config";
import { setListCommand } from "../contract";
import { docsText } from "./docs";
import { K3S_KUBECONFIG, configContext } from "./fixtures";
import { ROOT, configError, qualify, runStack, sourceFiles } from "./harness";
import { StackConfig, applyConfigCommand, configCommands, declared, effective, rawConfig, touchedKeys, typeProblem } from "./pulumiConfig";

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
