// docs/configuration.md, the configuration reference, held to what it documents: each key of
// CONFIG_KEYS once, with its type and default as Pulumi.yaml declares them, the stacks that read it as
// CONFIG_KEY_READERS has them, the values the parser takes from a fixed set, and an example that the
// model of `pulumi config` (pulumiConfig.ts) applies to a stack reading the key and that parseConfig
// accepts with a value other than the default.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { isDeepStrictEqual } from "node:util";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
    CONFIG_KEYS,
    CONFIG_KEY_READERS,
    ConfigContext,
    ConfigKey,
    KeyReaders,
    MeshConfig,
    Role,
    parseConfig,
    readKubeconfigFile,
    readsKey,
} from "../config";
import { ROLES } from "../config/keys";
import { k3sKubeconfig } from "./fakeApiServer";
import { FAKE_EDGE_PKI, configContext } from "./fixtures";
import { STACK_FILES, qualify } from "./harness";
import { readDocs } from "./docs";
import { StackConfig, applyConfigCommand, configCommands, declared, rawConfig, touchedKeys, typeProblem } from "./pulumiConfig";

const PAGE = "docs/configuration.md";
const FIELDS = ["Type", "Default", "Stacks", "Validated", "Example"] as const;
type Field = (typeof FIELDS)[number];

/** One key's entry in the reference: its `### \`key\`` heading and the five fields of its list. */
interface ReferenceEntry {
    key: string;
    fields: Partial<Record<Field, string>>;
}

/** The entries of the reference: every `### \`key\`` heading, with the `- **Field:** text` items up to the next heading. */
function referenceEntries(page: string): ReferenceEntry[] {
    return page
        .split(/^(?=#{1,6} )/m)
        .map((section) => ({ heading: /^### `(\w+)`\n/.exec(section), section }))
        .filter(({ heading }) => heading !== null)
        .map(({ heading, section }) => ({
            key: heading![1],
            fields: Object.fromEntries(
                [...section.matchAll(/^- \*\*(\w+):\*\* (.*(?:\n {2}.*)*)/gm)].map((match) => [match[1], match[2].replace(/\n {2}/g, " ")]),
            ),
        }));
}

/** A key's type in the reference's words: Pulumi.yaml's type, or `map` with the fields of its default. */
function typeLabel(key: string): string {
    const declaration = declared[key];
    if (declaration.type === "array") return `array of ${declaration.items!.type}s`;
    if (declaration.type !== undefined) return declaration.type;
    const fields = Object.keys(declaration.default as Record<string, unknown>);
    return `map: ${fields.map((field) => `\`${field}\``).join(", ")}`;
}

/** The stacks that read a key, in the reference's words: "both", "cloud with `cluster: eks`", "edge; cloud with `cluster: kubeconfig`". */
function stacksLabel(readers: KeyReaders): string {
    if (readers.cloud === true && readers.edge === true) return "both";
    const parts = ROLES.flatMap((role) => {
        const reader = readers[role];
        if (reader === undefined) return [];
        if (reader === true) return [{ always: true, text: role }];
        const conditions = Object.entries(reader.when).map(([key, value]) => `\`${key}: ${value}\``);
        return [{ always: false, text: `${role} with ${conditions.join(", ")}` }];
    });
    // A role that reads the key on every stack first.
    return [...parts.filter((part) => part.always), ...parts.filter((part) => !part.always)].map((part) => part.text).join("; ");
}

/** What an entry's Default says: `required` where Pulumi.yaml declares none, else the default as YAML, explained when empty. */
function defaultProblem(key: string, text: string): string | undefined {
    const declaration = declared[key];
    if (declaration.default === undefined) return text === "required" ? undefined : `Pulumi.yaml declares no default, so "required"`;
    const written = /^`([^`]+)`(.*)$/.exec(text);
    if (written === null) return `the default as YAML in a code span, ${JSON.stringify(declaration.default)}`;
    if (!isDeepStrictEqual(parse(written[1]), declaration.default)) return `Pulumi.yaml's default, ${JSON.stringify(declaration.default)}`;
    if (declaration.default === "" && !/^: \S/.test(written[2])) return `what an empty default means, after "\`""\`: "`;
    return undefined;
}

/** What is wrong with the reference's entries against CONFIG_KEYS, Pulumi.yaml and CONFIG_KEY_READERS. */
function referenceProblems(page: string): string[] {
    const entries = referenceEntries(page);
    const documented = entries.map((entry) => entry.key);
    const problems: string[] = [];
    for (const key of CONFIG_KEYS.filter((key) => !documented.includes(key))) problems.push(`${key}: not documented`);
    for (const key of documented.filter((key, index) => documented.indexOf(key) !== index)) problems.push(`${key}: documented twice`);
    for (const { key, fields } of entries) {
        if (!(CONFIG_KEYS as readonly string[]).includes(key)) {
            problems.push(`${key}: not a key the program reads`);
            continue;
        }
        const missing = FIELDS.filter((field) => fields[field] === undefined);
        if (missing.length > 0) {
            problems.push(`${key}: no ${missing.join(", ")}`);
            continue;
        }
        const expected = {
            Type: typeLabel(key),
            Stacks: stacksLabel(CONFIG_KEY_READERS[key as ConfigKey]),
        };
        for (const field of ["Type", "Stacks"] as const) {
            if (fields[field] !== expected[field]) problems.push(`${key}: ${field} is "${fields[field]}", expected "${expected[field]}"`);
        }
        const problem = defaultProblem(key, fields.Default!);
        if (problem !== undefined) problems.push(`${key}: Default is "${fields.Default}", expected ${problem}`);
    }
    return problems;
}

// The stacks an example is tried on: the stack files the project ships (harness.ts STACK_FILES, not the
// working copy's, which are the user's), and a cloud on an existing cluster. Their kubeconfig paths
// are files under a home directory of the test's own, read by the real reader.
const HOME = fs.mkdtempSync(path.join(os.tmpdir(), "config-reference-"));
const KUBECONFIG_FILES = ["k3s-edge.yaml", "k3s-edge-berlin.yaml", "lab-cloud.yaml"];
fs.mkdirSync(path.join(HOME, ".kube"));
for (const file of KUBECONFIG_FILES) {
    // parseConfig reads the servers and never connects to them; a cloud's must not be a loopback address.
    const kubeconfig = k3sKubeconfig(FAKE_EDGE_PKI, [
        { name: "default", server: "https://k3d-cloud-server-0:6443" },
        { name: "lab", server: "https://lab-server-0:6443" },
    ]);
    fs.writeFileSync(path.join(HOME, ".kube", file), kubeconfig);
}
const CONTEXT: ConfigContext = {
    ...configContext(new Date("2026-11-25T12:00:00Z")),
    readKubeconfigFile: (given) => readKubeconfigFile(given.replace(/^~(?=$|\/)/, HOME)),
};

interface StackKind {
    role: Role;
    file: Readonly<Record<string, unknown>>;
}
const STACK_KINDS: Readonly<Record<string, StackKind>> = {
    "cloud on EKS": { role: "cloud", file: STACK_FILES.cloud },
    "cloud with cluster: kubeconfig": {
        role: "cloud",
        file: { ...STACK_FILES.cloud, "edge-cloud-mesh:cluster": "kubeconfig", "edge-cloud-mesh:kubeconfig": "~/.kube/lab-cloud.yaml" },
    },
    edge: { role: "edge", file: STACK_FILES.edge },
};

function stackOf(kind: StackKind): StackConfig {
    return new Map(Object.entries(kind.file).map(([key, value]) => [key, { object: typeof value !== "string", value }]));
}

/** The kinds of stack that read a key. */
function readingKinds(key: ConfigKey): [string, StackKind][] {
    return Object.entries(STACK_KINDS).filter(([, kind]) => readsKey(CONFIG_KEY_READERS[key], kind.role, rawConfig(stackOf(kind))));
}

function parseStack(stack: StackConfig, role: Role): { config?: MeshConfig; error?: string } {
    try {
        return { config: parseConfig(rawConfig(stack), role, CONTEXT) };
    } catch (error) {
        return { error: (error as Error).message };
    }
}

/** Keys the parser files under the network (a VPC the stack creates, or an existing one). */
const NETWORK_FIELDS: Partial<Record<ConfigKey, string>> = {
    vpcCidr: "cidr",
    availabilityZoneCount: "availabilityZoneCount",
    nodeSubnets: "nodeSubnets",
    vpcId: "vpcId",
    publicSubnetIds: "publicSubnetIds",
    privateSubnetIds: "privateSubnetIds",
};

/** The value the parser made of a key. */
function parsedValue(config: MeshConfig, key: ConfigKey): unknown {
    const field = NETWORK_FIELDS[key];
    if (field === undefined) return (config as unknown as Record<string, unknown>)[key];
    return "network" in config ? (config.network as Record<string, unknown>)[field] : undefined;
}

/**
 * What is wrong with a key's example: its commands must write the key, through keys that exist, with
 * values of their declared type; on every kind of stack that reads the key and keeps its role (an
 * example for `role` changes the others'), parseConfig must accept the result; and on one at least the
 * parsed value must differ from the one the key's default gives (or the default must be no valid value).
 */
function exampleProblems(key: ConfigKey, example: string): string[] {
    const commands = [...example.matchAll(/`([^`]+)`/g)].flatMap((match) => configCommands(match[1]));
    if (commands.length === 0) return [`${key}: the example has no pulumi config command`];
    const touched = [...new Set(commands.flatMap(touchedKeys))];
    const problems: string[] = [];
    if (!touched.includes(key)) problems.push(`${key}: the example does not write ${key}`);
    for (const other of touched.filter((other) => !(CONFIG_KEYS as readonly string[]).includes(other)))
        problems.push(`${key}: the example writes ${other}, which the program does not read`);
    let tried = 0;
    let accepted = 0;
    let differs = false;
    for (const [name, kind] of readingKinds(key)) {
        const stack = stackOf(kind);
        try {
            for (const command of commands) applyConfigCommand(stack, command);
        } catch (error) {
            problems.push(`${key}: the example fails on ${name}: ${(error as Error).message}`);
            continue;
        }
        if (rawConfig(stack).role !== kind.role) continue;
        tried++;
        for (const written of touched) {
            const problem = typeProblem(stack, written);
            if (problem !== undefined) problems.push(`${key}: on ${name}: ${problem}`);
        }
        const example = parseStack(stack, kind.role);
        if (example.config === undefined) {
            problems.push(`${key}: parseConfig rejects the example on ${name}: ${example.error}`);
            continue;
        }
        accepted++;
        if (parsedValue(example.config, key) === undefined) problems.push(`${key}: the parsed configuration has no value for it`);
        const atDefault = new Map(stack);
        atDefault.delete(qualify(key));
        const fallback = parseStack(atDefault, kind.role);
        if (fallback.config === undefined || !isDeepStrictEqual(parsedValue(fallback.config, key), parsedValue(example.config, key)))
            differs = true;
    }
    if (tried === 0) problems.push(`${key}: no stack that reads it keeps its role with the example`);
    else if (accepted > 0 && !differs) problems.push(`${key}: the example gives the value the default gives`);
    return problems;
}

const page = readDocs().find((doc) => doc.path === PAGE)!.text;
const entries = referenceEntries(page);
const entryOf = (key: ConfigKey) => entries.find((entry) => entry.key === key)!;

describe(`${PAGE}, the configuration reference`, () => {
    it("documents each key the program reads once, with its type and default as Pulumi.yaml declares them and its stacks as CONFIG_KEY_READERS has them", () => {
        expect(entries.map((entry) => entry.key).sort()).toEqual([...CONFIG_KEYS].sort());
        expect(referenceProblems(page)).toEqual([]);
    });

    it("words the stacks that read a key as CONFIG_KEY_READERS has them", () => {
        expect(stacksLabel(CONFIG_KEY_READERS.role)).toBe("both");
        expect(stacksLabel(CONFIG_KEY_READERS.cloudStack)).toBe("edge");
        expect(stacksLabel(CONFIG_KEY_READERS.nodes)).toBe("cloud with `cluster: eks`");
        expect(stacksLabel(CONFIG_KEY_READERS.kubeconfig)).toBe("edge; cloud with `cluster: kubeconfig`");
    });

    it("says required exactly where the key at its default stops the stacks that read it as missing", () => {
        for (const key of CONFIG_KEYS) {
            const required = /\brequired\b/.test(entryOf(key).fields.Default!);
            for (const [name, kind] of readingKinds(key)) {
                const stack = stackOf(kind);
                stack.delete(qualify(key));
                const missing = parseStack(stack, kind.role).error?.includes(`edge-cloud-mesh:${key}: is missing`) ?? false;
                expect(missing, `${key} on ${name}`).toBe(required);
            }
        }
    });

    it("names every value the parser accepts for a key it takes from a fixed set", () => {
        const enumerated: string[] = [];
        for (const key of CONFIG_KEYS) {
            const [, kind] = readingKinds(key)[0];
            const stack = stackOf(kind);
            stack.set(qualify(key), { object: false, value: "not-a-value" });
            const error = parseStack(stack, kind.role).error ?? "";
            const accepted = new RegExp(`edge-cloud-mesh:${key}: "not-a-value" is not accepted; accepted: (.*)$`, "m").exec(error);
            if (accepted === null) continue;
            enumerated.push(key);
            for (const value of accepted[1].split(" or ").map((value) => value.replace(/^"|"$/g, "")))
                expect(entryOf(key).fields.Validated, key).toContain(`\`${value}\``);
        }
        // The check reads the parser's message: it must find the keys it is about.
        expect(enumerated).toEqual(expect.arrayContaining(["role", "cluster", "gatewayApiCrds", "viz", "splitMode", "capacityType"]));
    });

    it.each(CONFIG_KEYS.map((key) => [key]))("%s: its example runs through pulumi config and the config parser", (key) => {
        expect(exampleProblems(key, entryOf(key).fields.Example!)).toEqual([]);
    });

    it("keeps the page's own anchors (the rest are checked with every page's links)", () => {
        expect(page).toContain("\n## What AWS would accept but cannot work\n");
        expect(page).toContain("\n## Lists and maps: write the whole value\n");
    });
});

describe("the reference's checks can fail", () => {
    const replaced = (from: string, to: string) => {
        expect(page, from).toContain(from);
        return page.replace(from, to);
    };

    it("a wrong default, type or stacks, or a key left out, is found", () => {
        expect(referenceProblems(replaced("- **Default:** `[m7g.large]`", "- **Default:** `[m7g.xlarge]`"))).toEqual([
            'instanceTypes: Default is "`[m7g.xlarge]`", expected Pulumi.yaml\'s default, ["m7g.large"]',
        ]);
        expect(referenceProblems(replaced('- **Default:** `"1.35"`', "- **Default:** `1.35`"))[0]).toMatch(/^kubernetesVersion: Default/);
        expect(referenceProblems(replaced("- **Default:** `2`", "- **Default:** `two`"))[0]).toMatch(/^availabilityZoneCount: Default/);
        expect(referenceProblems(replaced("- **Default:** required", "- **Default:** `cloud`"))[0]).toMatch(/^role: Default/);
        expect(referenceProblems(replaced("- **Type:** map: `min`, `desired`, `max`", "- **Type:** map"))[0]).toMatch(/^nodes: Type/);
        // What the old table said of the EKS keys: a cloud on another cluster does not read them.
        const vpcCidr = page.split("### `vpcCidr`")[1];
        const wrongStacks = page.replace(vpcCidr, vpcCidr.replace("- **Stacks:** cloud with `cluster: eks`", "- **Stacks:** cloud"));
        expect(referenceProblems(wrongStacks)).toEqual(['vpcCidr: Stacks is "cloud", expected "cloud with `cluster: eks`"']);
        const withoutDemo = page.replace(/### `demo`\n[\s\S]*?(?=\n## )/, "");
        expect(referenceProblems(withoutDemo)).toEqual(["demo: not documented"]);
    });

    it("an example the parser rejects, one that shows the default, and one of the wrong type are found", () => {
        expect(exampleProblems("capacityType", "`pulumi config set capacityType RESERVED`").join()).toMatch(
            /parseConfig rejects the example on cloud on EKS: [\s\S]*capacityType: "RESERVED" is not accepted/,
        );
        expect(exampleProblems("viz", "`pulumi config set viz true`")).toEqual(["viz: the example gives the value the default gives"]);
        expect(exampleProblems("edgeSites", "`pulumi config set --path 'edgeSites[1]' edge-berlin`").join()).toMatch(
            /edgeSites: on cloud on EKS: Stack with configuration key 'edgeSites' must be of type 'array'/,
        );
        expect(exampleProblems("vpcId", "`pulumi config set vpcId vpc-0123456789abcdef0`").join()).toMatch(
            /an existing VPC needs vpcId, publicSubnetIds and privateSubnetIds together/,
        );
        expect(exampleProblems("kubeContext", "`pulumi config set kubeContext k3d-elsewhere`").join()).toMatch(/kubeContext/);
        expect(exampleProblems("nodes", "`pulumi config set vpcCidr 10.1.0.0/16`")).toContain("nodes: the example does not write nodes");
    });
});
