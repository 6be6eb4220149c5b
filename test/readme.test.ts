import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { CONFIG_KEYS } from "../config";
import { K3S_KUBECONFIG, runMesh } from "./fixtures";
import { ROOT, StackRun, runStack } from "./harness";

const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
const configKeys: readonly string[] = CONFIG_KEYS;

function section(heading: string): string {
    return readme.split(`\n## ${heading}\n`)[1].split("\n## ")[0];
}

describe("the README", () => {
    let cloud: StackRun;
    let edge: StackRun;
    beforeAll(async () => {
        ({ cloud, edge } = await runMesh());
    });

    it("sets only config keys that exist", () => {
        const commands = [...readme.matchAll(/pulumi config set (?:--\S+ )*'?([\w:.-]+?)(?:\[\d+\])?'? /g)].map((match) => match[1]);
        expect(commands.length).toBeGreaterThan(5);
        for (const key of commands) {
            if (key.includes(":")) {
                const [namespace, name] = key.split(":");
                expect(["aws", "edge-cloud-mesh"], key).toContain(namespace);
                if (namespace === "edge-cloud-mesh") expect(configKeys, key).toContain(name);
            } else {
                expect(configKeys, `pulumi config set ${key}`).toContain(key);
            }
        }
    });

    it("names only config keys that exist", () => {
        for (const [, key] of readme.matchAll(/edge-cloud-mesh:(\w+)/g)) expect(configKeys, key).toContain(key);
        // Keys named in prose as `key`: anything that looks like a key of ours must be one.
        const mentioned = [...readme.matchAll(/`([a-z][A-Za-z]+)`/g)].map((match) => match[1]);
        for (const key of configKeys) expect(mentioned, `README mentions ${key}`).toContain(key);
    });

    it("reads only stack outputs that exist", () => {
        const outputs = new Set([...Object.keys(cloud.outputs), ...Object.keys(edge.outputs)]);
        const read = [...readme.matchAll(/pulumi stack output (\w+)/g)].map((match) => match[1]);
        expect(read.length).toBeGreaterThan(2);
        for (const output of read) expect([...outputs], output).toContain(output);
    });

    it("documents exactly the outputs each stack has, on EKS and on a cluster reached through a kubeconfig", async () => {
        const rows = [...section("Stack outputs").matchAll(/^\| `(\w+)` \| (cloud on EKS|cloud|edge|both) \|/gm)];
        const documented = (...stacks: string[]) =>
            rows
                .filter(([, , where]) => stacks.includes(where) || where === "both")
                .map(([, name]) => name)
                .sort();
        expect(documented("cloud", "cloud on EKS")).toEqual(Object.keys(cloud.outputs).sort());
        expect(documented("edge")).toEqual(Object.keys(edge.outputs).sort());
        const kubeconfigCloud = await runStack("cloud", {
            config: { cluster: "kubeconfig", kubeconfig: K3S_KUBECONFIG, apiServerAddress: "https://k3d-cloud-server-0:6443" },
            secretKeys: ["kubeconfig"],
        });
        expect(documented("cloud")).toEqual(Object.keys(kubeconfigCloud.outputs).sort());
    });

    it("tears down in the order the cloud stack prints", () => {
        expect(cloud.outputs.destroyOrder.value).toEqual(["pulumi destroy --stack edge", "pulumi destroy --stack cloud"]);
        expect(section("Tear down")).toContain("pulumi destroy --stack edge\npulumi destroy --stack cloud");
    });
});
