// components/ is the lower layer: a component can be read and changed with only its own file and the
// modules it imports from components/ open. So nothing in components/ imports the program's modules
// (config/, contract.ts, index.ts, commands.ts); the one module outside it that it may use is
// policy/rules.ts, the rules it shares with the policy pack.
//
// config/ parses without the Pulumi runtime and without reading files: only its index.ts, which
// loads the stack's config, imports the Pulumi SDK, and only defaults.ts, kubeconfigFile.ts and
// awsProfiles.ts (the AWS shared config files aws:profile must name a profile of) read files. keys.ts imports nothing, so that the operator commands (scripts/) may import it.
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "./harness";
import { importSpecifiers } from "./imports";

const COMPONENTS = path.join(ROOT, "components");
const SHARED_RULES = path.join(ROOT, "policy", "rules");

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
