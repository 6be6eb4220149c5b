// The policy pack stands alone: `pulumi policy publish` uploads policy/ and nothing else, then
// installs policy/package.json's dependencies. So nothing in it may import from outside it, every
// package it imports is declared there, and its tsconfig compiles it without the project's.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import { builtinModules } from "node:module";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "./harness";
import { importSpecifiers } from "./imports";

const POLICY = path.join(ROOT, "policy");
const pack = JSON.parse(fs.readFileSync(path.join(POLICY, "package.json"), "utf8"));
const lock = JSON.parse(fs.readFileSync(path.join(ROOT, "package-lock.json"), "utf8"));

/** The npm package a bare specifier names: `@scope/name` or `name`, without a subpath. */
function packageName(specifier: string): string {
    const parts = specifier.split("/");
    return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

/** What is wrong with one import of a file in `dir`, for a pack that must stand alone in `packRoot`. */
function importProblem(specifier: string, dir: string, packRoot: string, dependencies: Record<string, string>): string | undefined {
    if (specifier.startsWith(".")) {
        const target = path.resolve(dir, specifier);
        return path.relative(packRoot, target).startsWith("..") ? `${specifier} is outside the pack` : undefined;
    }
    if (specifier.startsWith("node:") || builtinModules.includes(specifier)) return undefined;
    return packageName(specifier) in dependencies ? undefined : `${packageName(specifier)} is not in policy/package.json`;
}

function packFiles(): string[] {
    return fs
        .readdirSync(POLICY, { recursive: true, encoding: "utf8" })
        .filter((file) => /\.[cm]?[jt]s$/.test(file) && !file.includes("node_modules"));
}

describe("the policy pack stands alone", () => {
    it("imports nothing from outside policy/ and only packages policy/package.json declares", () => {
        const problems = packFiles().flatMap((file) => {
            const full = path.join(POLICY, file);
            return importSpecifiers(fs.readFileSync(full, "utf8"))
                .map((specifier) => importProblem(specifier, path.dirname(full), POLICY, pack.dependencies))
                .filter((problem) => problem !== undefined)
                .map((problem) => `${file}: ${problem}`);
        });
        expect(packFiles()).toEqual(expect.arrayContaining(["index.ts", "policies.ts", "rules.ts"]));
        expect(problems).toEqual([]);
    });

    it("the import check can fail: a reach into the project or an undeclared package is caught", () => {
        const specifiers = importSpecifiers(
            'import { a } from "../config";\nexport { b } from "./rules";\nimport x = require("lodash/fp");\nimport "node:fs";\n',
        );
        expect(specifiers).toEqual(["../config", "./rules", "lodash/fp", "node:fs"]);
        expect(specifiers.map((specifier) => importProblem(specifier, POLICY, POLICY, { "@pulumi/policy": "1" }))).toEqual([
            "../config is outside the pack",
            undefined,
            "lodash is not in policy/package.json",
            undefined,
        ]);
    });

    it("declares the versions the project's lockfile installs, @pulumi/pulumi included (run-policy-pack comes from it)", () => {
        expect(Object.keys(pack.dependencies)).toEqual(expect.arrayContaining(["@pulumi/policy", "@pulumi/pulumi"]));
        for (const [name, version] of Object.entries(pack.dependencies)) {
            expect(version, name).toBe(lock.packages[`node_modules/${name}`]?.version);
        }
    });

    it("compiles with its own tsconfig, which extends nothing outside the pack", () => {
        const tsconfig = JSON.parse(fs.readFileSync(path.join(POLICY, "tsconfig.json"), "utf8"));
        expect(tsconfig.extends).toBeUndefined();
        const tsc = path.join(ROOT, "node_modules", "typescript", "bin", "tsc");
        const listed = execFileSync(process.execPath, [tsc, "-p", POLICY, "--noEmit", "--listFilesOnly"], { encoding: "utf8" })
            .split("\n")
            .filter((file) => file !== "" && !file.includes("node_modules"));
        expect(listed.map((file) => path.relative(POLICY, file)).sort()).toEqual(["index.ts", "policies.ts", "rules.ts"]);
        // Throws, with the compiler's messages, if the pack does not compile on its own.
        execFileSync(process.execPath, [tsc, "-p", POLICY, "--noEmit"], { encoding: "utf8" });
    }, 60_000);
});
