import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { CONFIG_KEYS } from "../config";
import { COMMANDS } from "../scripts/cli/registry";
import { REQUIREMENTS } from "../scripts/tools/requirements";
import { docSection, docsText, readDocs, shellCommands } from "./docs";
import { K3S_KUBECONFIG, runMesh } from "./fixtures";
import { FRONTEND_RUNTIME } from "../components/demoWorkloads";
import { relayConfig } from "../components/remoteRelay";
import { ROOT, StackRun, runStack } from "./harness";

const docs = docsText();
const configKeys: readonly string[] = CONFIG_KEYS;

describe("the README", () => {
    let cloud: StackRun;
    let edge: StackRun;
    beforeAll(async () => {
        ({ cloud, edge } = await runMesh());
    });

    it("sets only config keys that exist", () => {
        const commands = [...docs.matchAll(/pulumi config set (?:--\S+ )*'?([\w:.-]+?)(?:\[\d+\])?'? /g)].map((match) => match[1]);
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
        // Not inside a URN (`::edge-cloud-mesh:identity:MeshIdentity$...`), where the namespace is the component type's.
        for (const [, key] of docs.matchAll(/(?<!:)edge-cloud-mesh:(\w+)\b(?!:)/g)) expect(configKeys, key).toContain(key);
        // Keys named in prose as `key`: anything that looks like a key of ours must be one.
        const mentioned = [...docs.matchAll(/`([a-z][A-Za-z]+)`/g)].map((match) => match[1]);
        for (const key of configKeys) expect(mentioned, `README mentions ${key}`).toContain(key);
    });

    it("reads only stack outputs that exist", () => {
        const outputs = new Set([...Object.keys(cloud.outputs), ...Object.keys(edge.outputs)]);
        const read = [...docs.matchAll(/pulumi stack output (\w+)/g)].map((match) => match[1]);
        expect(read.length).toBeGreaterThan(2);
        for (const output of read) expect([...outputs], output).toContain(output);
    });

    it("documents exactly the outputs each stack has, on EKS and on a cluster reached through a kubeconfig", async () => {
        const rows = [...docSection("Stack outputs").matchAll(/^\| `(\w+)` \| (cloud on EKS|cloud|edge|both) \|/gm)];
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
        expect(docSection("Tear down")).toContain("pulumi destroy --stack edge\npulumi destroy --stack cloud");
    });
});

/** Each kubectl or linkerd invocation in a line (a pipeline or `$(...)` may hold several). */
function clusterCommands(line: string): string[] {
    return [...line.matchAll(/(?:^|[|;&(]\s*|\$\()\s*((?:kubectl|linkerd) [^|;&)#]*)/g)].map((match) => match[1].trim());
}

describe("the README's commands reach the cluster they mean", () => {
    it("every kubectl and linkerd command names its kubeconfig or context (the edge's is a file of its own; the cloud is the current context)", () => {
        const commands = shellCommands(docs).flatMap(clusterCommands);
        expect(commands.length).toBeGreaterThan(5);
        for (const command of commands) expect(command, command).toMatch(/--kubeconfig \S+|--context \S+/);
        // So are the commands given inline in the text.
        // (A span of two words, such as `kubectl port-forward`, names a command in prose.)
        const inline = [...docs.matchAll(/`(kubectl [^`]+)`/g)].map((match) => match[1]).filter((command) => command.split(" ").length > 2);
        expect(inline.length).toBeGreaterThan(3);
        for (const command of inline) expect(command, command).toMatch(/--kubeconfig \S+|--context \S+/);
    });

    it("the check can fail: a command without either is caught", () => {
        expect(clusterCommands("linkerd multicluster check   # the link")).toEqual(["linkerd multicluster check"]);
        expect(clusterCommands("POD=$(kubectl -n test get pod) && kubectl --context cloud get ns | grep x")).toEqual([
            "kubectl -n test get pod",
            "kubectl --context cloud get ns",
        ]);
    });

    it("the tap example shows traffic the demo sends: the client's calls to podinfo that the split's relay sends to the gateway", () => {
        const tap = shellCommands(docs).find((line) => /linkerd viz tap/.test(line))!;
        expect(tap).toMatch(/deploy\/podinfo-cloud-relay/);
        expect(tap).toMatch(/grep ':4143 tls=true'/);
        // nginx sends the mirror's name as the authority (proxy_pass to it, no Host header of its own).
        expect(relayConfig("podinfo-cloud", "podinfo-local", FRONTEND_RUNTIME)).not.toMatch(/proxy_set_header Host/);
        expect(docs).toMatch(
            /# req id=\S+ proxy=out src=\S+ dst=<gateway address>:4143 tls=true :method=GET :authority=podinfo-cloud\.test\.svc\.cluster\.local:9898 :path=\//,
        );
    });

    it("every manual link-gen names the site's own service account: the chart's default one is not rendered", () => {
        // Commands, their continuation lines joined; prose quotes the command name in backticks.
        const commands = docs
            .replace(/\\\n\s*/g, " ")
            .split("\n")
            .filter((line) => /multicluster link-gen /.test(line) && !line.includes("`"));
        expect(commands.length).toBeGreaterThan(0);
        for (const command of commands) expect(command).toMatch(/--service-account-name linkerd-service-mirror-remote-access-\w+/);
    });

    it("quotes the URN it replaces, which is one the cloud stack registers (URNs contain $)", async () => {
        const replace = shellCommands(docs).find((line) => line.includes("--replace"))!;
        const urn = /--replace '([^']+)'/.exec(replace)?.[1];
        expect(urn).toContain("$");
        const { cloud } = await runMesh();
        expect(cloud.resources.map((resource) => resource.urn)).toContain(urn);
        expect(urn).toMatch(/tls:index\/privateKey:PrivateKey::mesh-issuer-edge$/);
    });

    it("checks the API endpoint with the URL the stack outputs, without a second scheme", async () => {
        const { cloud } = await runMesh();
        expect(cloud.outputs.apiEndpoint.value).toMatch(/^https:\/\//);
        expect(docs).not.toMatch(/https:\/\/<apiEndpoint>/);
        expect(docs).toContain("`curl -k <apiEndpoint>/version`");
    });

    it("never sets kubeconfig to an unquoted ~ path, which the shell would expand into one machine's home", () => {
        const sets = shellCommands(docs).filter((line) => /pulumi config set (--\S+ )*kubeconfig /.test(line));
        expect(sets.length).toBeGreaterThan(0);
        for (const line of sets) expect(line, line).not.toMatch(/kubeconfig ~/);
        // The edge stack's file already names the path the workflows write the kubeconfig to.
        expect(fs.readFileSync(path.join(ROOT, "Pulumi.edge.yaml"), "utf8")).toContain("edge-cloud-mesh:kubeconfig: ~/.kube/k3s-edge.yaml");
    });

    it("says where k3s keeps its kubeconfig and that another server address needs --tls-san", () => {
        const step = docSection("2. The edge stack");
        expect(step).toContain("/etc/rancher/k3s/k3s.yaml");
        expect(step).toContain("--tls-san <address>");
        // Before the first `pulumi up` of the edge stack.
        expect(step.indexOf("--tls-san")).toBeLessThan(step.indexOf("\npulumi up\n"));
    });

    it("names the Pulumi CLI versions it supports: the SDK's minor version or later", () => {
        const sdk = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).dependencies["@pulumi/pulumi"];
        const minor = /^~(\d+\.\d+)\.\d+$/.exec(sdk)![1];
        expect(docSection("Prerequisites")).toContain(`version ${minor} or a later 3.x`);
    });

    it("states the cloud stack's cost, default and demo, dated, before the first `pulumi up`, and that destroy stops it", () => {
        const setUp = docSection("What it costs");
        const aws = readDocs().find((page) => page.path === "docs/aws.md")!.text;
        expect(aws.indexOf("\n## What it costs\n")).toBeLessThan(aws.indexOf("\npulumi up\n"));
        for (const item of [
            "EKS control plane",
            "m7g.large",
            "t4g.small",
            "NAT gateway",
            "Network Load Balancer",
            "public IPv4",
            "eu-west-1",
            "as of December 2026",
        ]) {
            expect(setUp, item).toContain(item);
        }
        expect(setUp).toMatch(/about \*\*\$0\.37 an hour/);
        expect(setUp).toMatch(/the cheaper demo below about \*\*\$0\.19 an hour/);
        expect(setUp).toMatch(/`pulumi destroy --stack cloud` has finished \(which stops all of it\)/);
        // Each column's hourly items add up to the total stated; the demo's stays within $0.20.
        const rows = [...setUp.matchAll(/^\| [^|]+ \| (?:about )?(\d+(?:\.\d+)?) \| (?:about )?(\d+(?:\.\d+)?) \|$/gm)];
        expect(rows).toHaveLength(6);
        const total = (column: number) => rows.reduce((sum, row) => sum + Number(row[column]), 0);
        expect(total(1)).toBeCloseTo(0.37, 1);
        expect(total(2)).toBeCloseTo(0.19, 1);
        expect(total(2)).toBeLessThanOrEqual(0.2);
    });

    it("says how long each stack's up and destroy take", () => {
        expect(docSection("What it costs")).toMatch(
            /`pulumi up` of the cloud stack takes about 15 to 20 minutes, and `pulumi destroy` about 15 to 25/,
        );
        expect(docs).toMatch(/Expect the edge `pulumi up` to take a few minutes/);
        expect(docSection("Tear down")).toMatch(/`pulumi destroy --stack edge`\*\* \(a minute or two\)/);
    });
});

describe("the commands the stacks print name their cluster's kubeconfig or context", () => {
    it.each([
        ["an inline kubeconfig", {}, "--kubeconfig ~/.kube/k3s-edge.yaml"],
        ["a kubeconfig context", { kubeContext: "lab", gatewayApiCrds: "install" }, "--kubeconfig ~/.kube/k3s-edge.yaml --context lab"],
    ])("edge, with %s", async (_label, edgeConfig, flags) => {
        const { cloud, edge } = await runMesh({ edge: edgeConfig });
        // kubeAccess says the same, for the operator commands to build theirs.
        const [, kubeconfig, context] = /--kubeconfig (\S+)(?: --context (\S+))?/.exec(flags)!;
        expect(edge.outputs.kubeAccess.value).toEqual(context ? { kubeconfig, context } : { kubeconfig });
        expect(cloud.outputs.kubeAccess.value).toEqual({ context: "cloud" });
        for (const output of ["vizDashboardCommand", "frontendCommand", "watchSplitCommand"]) {
            for (const command of clusterCommands(edge.outputs[output].value)) expect(command, output).toContain(flags);
        }
        for (const output of ["vizDashboardCommand", "frontendCommand"]) {
            expect(cloud.outputs[output].value, output).toMatch(/^kubectl --context cloud /);
        }
    });
});

describe("the local path, as a newcomer runs it from the docs", () => {
    const section = docSection("Try it on your machine");
    const commands = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((block) =>
        block[1]
            .split("\n")
            .map((line) => line.replace(/\s+#.*$/, "").trim())
            .filter((line) => line.startsWith("npm ")),
    );

    it("goes clone → npm ci → local:up → verify → the failover demo → local:down → reset, in that order", () => {
        const sequence = [
            "npm ci",
            "npm run local:up",
            "npm run verify",
            "npm run local:up -- --split-mode failover",
            "npm run failover",
            "npm run local:down",
            "npm run local:reset",
        ];
        const positions = sequence.map((command) => commands.indexOf(command));
        expect(
            positions.every((position) => position >= 0),
            JSON.stringify(commands),
        ).toBe(true);
        expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    });

    it("runs only npm scripts that exist, each a command the entry knows, with flags it takes", () => {
        const scripts = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).scripts as Record<string, string>;
        for (const [name, script] of Object.entries(scripts).filter(([, script]) => script.includes("bin/scripts/mesh.js")))
            expect(script, name).toBe(`tsc -p scripts && node bin/scripts/mesh.js ${name}`);
        const run = [...docs.matchAll(/npm run ([\w:-]+)((?: -- (?:--[\w-]+(?: [\w<>/.-]+)?\s*)+)?)/g)];
        expect(run.length).toBeGreaterThan(10);
        for (const [text, name, flags] of run) {
            expect(Object.keys(scripts), text).toContain(name);
            const command = COMMANDS.find((candidate) => candidate.name === name);
            if (command === undefined) continue;
            for (const [, flag] of flags.matchAll(/--([\w-]+)/g)) expect(Object.keys(command.options), text).toContain(flag);
        }
    });

    it("names each tool's install command as the checks do, and needs no sudo, no hosts file and no rm -rf .local", () => {
        for (const id of ["k3d", "linkerd"] as const) {
            const install = REQUIREMENTS[id].install;
            const command =
                id === "k3d"
                    ? install.slice(install.indexOf("curl"), install.indexOf(" ("))
                    : install.slice(install.indexOf("curl"), install.indexOf(", then"));
            expect(section.replace(/\\\|/g, "|"), id).toContain(command);
        }
        expect(section).toContain("edge-26.8.3");
        expect(section).toContain("kubectl");
        expect(docs).not.toMatch(/sudo tee|\/etc\/hosts|rm -rf \.local/);
    });
});
