// components/ is the lower layer: a component can be read and changed with only its own file and the
// modules it imports from components/ open. So nothing in components/ imports the program's modules
// (config/, contract.ts, index.ts, commands.ts); the one module outside it that it may use is
// policy/rules.ts, the rules it shares with the policy pack.
//
// config/ parses without the Pulumi runtime and without reading files: only its index.ts, which
// loads the stack's config, imports the Pulumi SDK, and only defaults.ts, kubeconfigFile.ts and
// awsProfiles.ts (the AWS shared config files aws:profile must name a profile of) read files.
// keys.ts imports nothing, so that the operator commands (scripts/) may import it.
//
// scripts/ (the operator commands): cli/ parses and prints; flows/ and checks/ decide and report,
// never reaching up into cli/ or ui/; tools/ and pulumi/ are the ways out of the process, and one file
// each holds the way itself (child processes, sockets, the Automation API, the program's config key list).
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "./harness";
import { importSpecifiers } from "./imports";

const COMPONENTS = path.join(ROOT, "components");
const SHARED_RULES = path.join(ROOT, "policy", "rules");
const SCRIPTS = path.join(ROOT, "scripts");

/** What is wrong with one import of a file in components/: a module outside it other than the shared rules. */
function layerProblem(specifier: string): string | undefined {
    if (!specifier.startsWith(".")) return undefined; // a package or a Node built-in
    const target = path.resolve(COMPONENTS, specifier);
    if (path.dirname(target) === COMPONENTS || target === SHARED_RULES) return undefined;
    return `${specifier} is above components/`;
}

function componentFiles(): string[] {
    return fs.readdirSync(COMPONENTS).filter((file) => file.endsWith(".ts"));
}

describe("components/", () => {
    it("imports nothing from above it: only its own modules, policy/rules and packages", () => {
        const problems = componentFiles().flatMap((file) =>
            importSpecifiers(fs.readFileSync(path.join(COMPONENTS, file), "utf8"))
                .map(layerProblem)
                .filter((problem) => problem !== undefined)
                .map((problem) => `${file}: ${problem}`),
        );
        expect(componentFiles()).toEqual(expect.arrayContaining(["linkerd.ts", "linkerdInstall.ts", "eksCluster.ts"]));
        expect(problems).toEqual([]);
    });

    it("the layer check can fail: imports of config, contract, index or commands are caught", () => {
        const source = [
            'import type { CapacityType } from "../config";',
            'import { CONFIG_KEYS } from "../config/keys";',
            'import type { GatewayEndpoint } from "../contract";',
            'import main = require("../index");',
            'export { watchSplitCommand } from "../commands";',
            'import { policies } from "../policy/policies";',
            'import { parseIpv4Cidr } from "../policy/rules";',
            'import { installExtension } from "./linkerd";',
            'import * as k8s from "@pulumi/kubernetes";',
            'import * as fs from "node:fs";',
        ].join("\n");
        expect(importSpecifiers(source).map(layerProblem)).toEqual([
            "../config is above components/",
            "../config/keys is above components/",
            "../contract is above components/",
            "../index is above components/",
            "../commands is above components/",
            "../policy/policies is above components/",
            undefined,
            undefined,
            undefined,
            undefined,
        ]);
    });
});

const CONFIG = path.join(ROOT, "config");

/** Modules that only some files of config/ may import. */
const CONFIG_SINGLE_IMPORTERS = [
    { what: "the Pulumi SDK", matches: (specifier: string) => specifier.startsWith("@pulumi/"), files: ["index.ts"] },
    {
        what: "the file system",
        matches: (specifier: string) => /^(node:)?fs(\/|$)/.test(specifier),
        files: ["defaults.ts", "kubeconfigFile.ts", "awsProfiles.ts"],
    },
];

/** What is wrong with one import of a file in config/. */
function configImportProblem(file: string, specifier: string): string | undefined {
    if (file === "keys.ts") return `${specifier}: keys.ts imports nothing, so that scripts/ may import it`;
    const rule = CONFIG_SINGLE_IMPORTERS.find((candidate) => candidate.matches(specifier));
    if (rule === undefined || rule.files.includes(file)) return undefined;
    return `${specifier}: only ${rule.files.join(" and ")} may import ${rule.what}`;
}

describe("config/", () => {
    it("touches the Pulumi runtime only in index.ts, reads files only in defaults.ts, kubeconfigFile.ts and awsProfiles.ts, and keys.ts imports nothing", () => {
        const files = fs.readdirSync(CONFIG).filter((file) => file.endsWith(".ts"));
        const problems = files.flatMap((file) =>
            importSpecifiers(fs.readFileSync(path.join(CONFIG, file), "utf8"))
                .map((specifier) => configImportProblem(file, specifier))
                .filter((problem) => problem !== undefined)
                .map((problem) => `${file}: ${problem}`),
        );
        expect(files).toEqual(
            expect.arrayContaining(["index.ts", "keys.ts", "parse.ts", "defaults.ts", "kubeconfigFile.ts", "awsProfiles.ts"]),
        );
        expect(problems).toEqual([]);
    });

    it("the check can fail: the SDK or the file system imported elsewhere, or anything imported by keys.ts, is caught", () => {
        expect(
            [
                ["parse.ts", "@pulumi/pulumi"],
                ["edge.ts", "@pulumi/pulumi/runtime"],
                ["index.ts", "@pulumi/pulumi"],
                ["kubeconfigAccess.ts", "node:fs"],
                ["eks.ts", "fs/promises"],
                ["kubeconfigFile.ts", "node:fs"],
                ["awsProfiles.ts", "node:fs"],
                ["defaults.ts", "fs"],
                ["network.ts", "node:os"],
                ["keys.ts", "./types"],
                ["cloud.ts", "./keys"],
            ].map(([file, specifier]) => configImportProblem(file, specifier)),
        ).toEqual([
            "@pulumi/pulumi: only index.ts may import the Pulumi SDK",
            "@pulumi/pulumi/runtime: only index.ts may import the Pulumi SDK",
            undefined,
            "node:fs: only defaults.ts and kubeconfigFile.ts and awsProfiles.ts may import the file system",
            "fs/promises: only defaults.ts and kubeconfigFile.ts and awsProfiles.ts may import the file system",
            undefined,
            undefined,
            undefined,
            undefined,
            "./types: keys.ts imports nothing, so that scripts/ may import it",
            undefined,
        ]);
    });
});

/** What each part of scripts/ may import from scripts/ (a folder, or a top-level file by its name), and "program" for the program's modules. */
const MAY_IMPORT: Record<string, string[]> = {
    errors: [],
    paths: [],
    events: ["checks"],
    tools: ["errors"],
    pulumi: ["tools", "errors", "program"],
    aws: [],
    checks: ["tools", "aws", "errors", "events", "program"],
    flows: ["checks", "pulumi", "tools", "errors", "events"],
    ui: ["checks", "events"],
    cli: ["flows", "checks", "pulumi", "aws", "tools", "errors", "events", "program"],
    mesh: ["cli", "ui", "flows", "checks", "pulumi", "aws", "tools", "errors", "events", "paths"],
};

/** The one file in scripts/ that may import each of these: the way out of the process it holds. */
const SOLE_IMPORTER: Record<string, string> = {
    "node:child_process": "tools/spawn.ts",
    child_process: "tools/spawn.ts",
    "@pulumi/pulumi/automation": "pulumi/automation.ts",
    // Sockets: the loopback proxy verify gives linkerd.
    "node:net": "tools/connectProxy.ts",
    "node:http": "tools/connectProxy.ts",
    "@aws-sdk/client-eks": "aws/eksOffer.ts",
    // The program's key list, a leaf module.
    "config/keys": "pulumi/keys.ts",
};

/**
 * The program's modules scripts/ may import: the key list, the contract's types, the EKS version table
 * check:eks-versions checks, and the trust slots, phases and restart annotation rotate reads the mesh by.
 */
const PROGRAM_MODULES = ["config/keys", "contract", "components/eksVersions", "components/trustPhases"];

/** The part of scripts/ a path there belongs to: its folder, or a top-level file's name. */
function part(relative: string): string {
    return relative.split(path.sep)[0].replace(/\.ts$/, "");
}

/** What is wrong with one import of a file of scripts/ (`file` relative to scripts/). */
function scriptsProblem(file: string, specifier: string): string | undefined {
    const resolved = specifier.startsWith(".") ? path.relative(SCRIPTS, path.resolve(SCRIPTS, path.dirname(file), specifier)) : undefined;
    const program = resolved?.startsWith("..") ? path.relative(ROOT, path.resolve(SCRIPTS, resolved)) : undefined;
    const sole = SOLE_IMPORTER[program ?? specifier];
    if (sole !== undefined && sole !== file) return `${specifier}: only ${sole} imports it`;
    if (resolved === undefined) return undefined;
    if (program !== undefined && !PROGRAM_MODULES.includes(program))
        return `${specifier}: scripts/ imports only ${PROGRAM_MODULES.join(", ")} of the program`;
    const from = part(file);
    const to = program === undefined ? part(resolved) : "program";
    if (to === from || MAY_IMPORT[from].includes(to)) return undefined;
    return `${specifier}: ${from}/ does not import ${to === "program" ? "the program's modules" : to}`;
}

function scriptFiles(dir = SCRIPTS): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) return scriptFiles(full);
        return entry.name.endsWith(".ts") ? [path.relative(SCRIPTS, full)] : [];
    });
}

describe("scripts/", () => {
    it("each part imports only the parts below it, and one file each holds child processes, the Automation API and the config module", () => {
        const files = scriptFiles();
        expect(files).toEqual(
            expect.arrayContaining(["mesh.ts", "tools/spawn.ts", "pulumi/automation.ts", "flows/mesh.ts", "cli/registry.ts"]),
        );
        expect(new Set(files.map(part))).toEqual(new Set(Object.keys(MAY_IMPORT)));
        const problems = files.flatMap((file) =>
            importSpecifiers(fs.readFileSync(path.join(SCRIPTS, file), "utf8"))
                .map((specifier) => scriptsProblem(file, specifier))
                .filter((problem) => problem !== undefined)
                .map((problem) => `${file}: ${problem}`),
        );
        expect(problems).toEqual([]);
    });

    it("the checks can fail: flows and checks reaching cli/ or ui/, a second importer of each way out, the program from outside pulumi/", () => {
        const cases: [string, string][] = [
            ["flows/mesh.ts", "../ui/plain"],
            ["flows/local.ts", "../cli/registry"],
            ["checks/tools.ts", "../ui/table"],
            ["checks/tools.ts", "../flows/mesh"],
            ["tools/runner.ts", "../pulumi/port"],
            ["flows/local.ts", "node:child_process"],
            ["tools/runner.ts", "child_process"],
            ["cli/stacks.ts", "@pulumi/pulumi/automation"],
            ["cli/eksVersions.ts", "@aws-sdk/client-eks"],
            ["pulumi/port.ts", "../../config/keys"],
            ["pulumi/keys.ts", "../../config"],
            ["flows/mesh.ts", "../../contract"],
            ["tools/spawn.ts", "node:child_process"],
            ["pulumi/automation.ts", "@pulumi/pulumi/automation"],
            ["pulumi/keys.ts", "../../config/keys"],
            ["pulumi/decode.ts", "../../contract"],
            ["flows/local.ts", "../pulumi/port"],
            ["mesh.ts", "./ui/reporter"],
        ];
        expect(cases.map(([file, specifier]) => scriptsProblem(file, specifier))).toEqual([
            "../ui/plain: flows/ does not import ui",
            "../cli/registry: flows/ does not import cli",
            "../ui/table: checks/ does not import ui",
            "../flows/mesh: checks/ does not import flows",
            "../pulumi/port: tools/ does not import pulumi",
            "node:child_process: only tools/spawn.ts imports it",
            "child_process: only tools/spawn.ts imports it",
            "@pulumi/pulumi/automation: only pulumi/automation.ts imports it",
            "@aws-sdk/client-eks: only aws/eksOffer.ts imports it",
            "../../config/keys: only pulumi/keys.ts imports it",
            "../../config: scripts/ imports only config/keys, contract, components/eksVersions, components/trustPhases of the program",
            "../../contract: flows/ does not import the program's modules",
            undefined,
            undefined,
            undefined,
            undefined,
            undefined,
            undefined,
        ]);
    });
});
