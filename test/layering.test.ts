// components/ is the lower layer: a component can be read and changed with only its own file and the
// modules it imports from components/ open. So nothing in components/ imports the program's modules
// (config.ts, contract.ts, index.ts, commands.ts); the one module outside it that it may use is
// policy/rules.ts, the rules it shares with the policy pack.
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
