// npm run local:up / local:down: the exact commands they run (k3d, docker, pulumi), in order, with a
// recording fake in place of the real ones; and the stacks' config they write, run through the real
// program under mocks. Nothing here runs Docker, k3d or the Pulumi CLI.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import {
    CommandResult,
    CommandRunner,
    LOCAL,
    LocalDeps,
    LocalError,
    TOOLS,
    inNetworkApiServer,
    ipv4Subnet,
    k3dClusterNames,
    k3dCreateArgs,
    k3dDeleteArgs,
    localDown,
    localEnvironment,
    localPaths,
    localUp,
    prepareLocalDirectory,
    stackConfig,
    stackConfigArgs,
    stackNames,
    toolProblems,
} from "../scripts/local";
import type { DownOptions, StackNames } from "../scripts/orchestrate";
import { K3S_KUBECONFIG } from "./fixtures";
import { runStack, single } from "./harness";

const ok = (stdout = ""): CommandResult => ({ status: 0, stdout, stderr: "" });
const SUBNETS = JSON.stringify([{ Subnet: "172.18.0.0/16", Gateway: "172.18.0.1" }, { Subnet: "fd00:18::/64" }]);
const K3D_CLUSTERS = (...names: string[]) => JSON.stringify(names.map((name) => ({ name, serversCount: 1, nodes: [] })));

/** A runner that answers by the command's first words and records every command with the env it got. */
function fakeRunner(answers: Record<string, CommandResult>) {
    const calls: { argv: string[]; env: NodeJS.ProcessEnv }[] = [];
    const runner: CommandRunner = {
        async run(argv, { env }) {
            calls.push({ argv, env });
            const key = Object.keys(answers)
                .filter((prefix) => argv.join(" ").startsWith(prefix))
                .sort((a, b) => b.length - a.length)[0];
            return key === undefined ? ok() : answers[key];
        },
    };
    return { runner, calls, commands: () => calls.map(({ argv }) => argv.join(" ")) };
}

function fakeDeps(runner: CommandRunner) {
    const pulumi: { op: string; names: StackNames; env: NodeJS.ProcessEnv; options?: DownOptions }[] = [];
    const output: string[] = [];
    const deps: LocalDeps = {
        runner,
        async up(names, env) {
            pulumi.push({ op: "up", names, env });
            return {
                cloud: {},
                edges: {
                    edge: {
                        frontendCommand:
                            "kubectl --kubeconfig /x/.local/edge.kubeconfig --context k3d-edge -n test port-forward svc/frontend 8080:8080",
                    },
                },
            };
        },
        async down(names, options, env) {
            pulumi.push({ op: "down", names, env, options });
            return [];
        },
        log: (text) => output.push(text),
    };
    return { deps, pulumi, output };
}

function checkout(): string {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "checkout-"));
    prepareLocalDirectory(root);
    return root;
}

describe("the commands, exactly", () => {
    it("creates each cluster on the shared network, from the pinned k3s, its API on loopback, its certificate naming its in-network name", () => {
        expect(k3dCreateArgs("cloud")).toEqual([
            "k3d",
            "cluster",
            "create",
            "cloud",
            "--image",
            "rancher/k3s:v1.35.6-k3s1",
            "--network",
            "edge-cloud-mesh",
            "--api-port",
            "127.0.0.1:random",
            "--k3s-arg",
            "--tls-san=k3d-cloud-server-0@server:0",
            "--kubeconfig-update-default=false",
            "--wait",
        ]);
        expect(k3dCreateArgs("edge")).toContain("--tls-san=k3d-edge-server-0@server:0");
        expect(inNetworkApiServer("cloud")).toBe("https://k3d-cloud-server-0:6443");
    });

    it("creates the cloud first (the edge's CoreDNS learns the cloud's names when it starts) and deletes the edge first", () => {
        expect(LOCAL.clusters).toEqual(["cloud", "edge"]);
        expect(k3dDeleteArgs(["cloud", "edge"])).toEqual(["k3d", "cluster", "delete", "edge", "cloud"]);
        expect(k3dDeleteArgs(["cloud"])).toEqual(["k3d", "cluster", "delete", "cloud"]);
    });

    it("reads k3d's cluster list, Docker's subnets and Pulumi's stack list", () => {
        expect(k3dClusterNames(K3D_CLUSTERS("cloud", "other"))).toEqual(["cloud", "other"]);
        expect(ipv4Subnet(SUBNETS)).toBe("172.18.0.0/16");
        expect(() => ipv4Subnet(JSON.stringify([{ Subnet: "fd00::/64" }]))).toThrow(/has no IPv4 subnet/);
        expect(stackNames(JSON.stringify([{ name: "local-cloud" }, { name: "organization/edge-cloud-mesh/local-edge" }]))).toEqual([
            "local-cloud",
            "local-edge",
        ]);
    });

    it("writes each stack's config with set-all --path, whole lists (removed first)", () => {
        const config = stackConfig("/work/checkout", "172.18.0.0/16");
        expect(stackConfigArgs("local-cloud", config["local-cloud"])).toEqual([
            ["pulumi", "config", "rm-all", "--stack", "local-cloud", "gatewaySourceCidrs", "edgeSites"],
            [
                "pulumi",
                "config",
                "set-all",
                "--stack",
                "local-cloud",
                "--path",
                "--plaintext",
                "role=cloud",
                "--plaintext",
                "cluster=kubeconfig",
                "--plaintext",
                "clusterName=cloud",
                "--plaintext",
                "kubeconfig=/work/checkout/.local/cloud.kubeconfig",
                "--plaintext",
                "kubeContext=k3d-cloud",
                "--plaintext",
                "apiServerAddress=https://k3d-cloud-server-0:6443",
                "--plaintext",
                "gatewaySourceCidrs[0]=172.18.0.0/16",
                "--plaintext",
                "edgeSites[0]=edge",
            ],
        ]);
        expect(stackConfigArgs("local-edge", config["local-edge"])).toEqual([
            [
                "pulumi",
                "config",
                "set-all",
                "--stack",
                "local-edge",
                "--path",
                "--plaintext",
                "role=edge",
                "--plaintext",
                "clusterName=edge",
                "--plaintext",
                "kubeconfig=/work/checkout/.local/edge.kubeconfig",
                "--plaintext",
                "kubeContext=k3d-edge",
                "--plaintext",
                "cloudStack=local-cloud",
            ],
        ]);
    });
});

/** The stack config `pulumi config set-all --path` writes: `key[0]=v` becomes a list. */
function asEngineConfig(values: Record<string, string>): Record<string, unknown> {
    const config: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(values)) {
        const list = /^(\w+)\[(\d+)\]$/.exec(key);
        if (list === null) config[key] = value;
        else ((config[list[1]] ??= []) as string[])[Number(list[2])] = value;
    }
    return config;
}

describe("the config local:up writes makes working stacks (the real program, under mocks)", () => {
    it("local-cloud on the cloud cluster and local-edge linked to it, with the stacks named as local:up names them", async () => {
        const root = checkout();
        // The k3d kubeconfigs, played by the tests' loopback API servers (each with the Gateway API CRDs k3s ships).
        for (const cluster of LOCAL.clusters)
            fs.writeFileSync(localPaths(root).kubeconfig(cluster), K3S_KUBECONFIG.replace(/default/g, `k3d-${cluster}`));
        const config = stackConfig(root, "172.18.0.0/16");
        const cloud = await runStack("local-cloud", {
            config: asEngineConfig(config["local-cloud"]),
            gatewayIngress: [{ ip: "172.18.0.3" }],
        });
        expect(cloud.outputs.edgeSiteNames.value).toEqual(["edge"]);
        expect(cloud.outputs.apiEndpoint.value).toBe("https://k3d-cloud-server-0:6443");
        expect(single(cloud, "pulumi:providers:kubernetes").inputs.context).toBe("k3d-cloud");
        const edge = await runStack("local-edge", {
            config: asEngineConfig(config["local-edge"]),
            stackReferences: { "local-cloud": cloud.outputs },
        });
        expect(edge.outputs.linkedCluster.value).toBe("cloud");
        expect(edge.outputs.frontendCommand.value).toBe(
            `kubectl --kubeconfig ${localPaths(root).kubeconfig("edge")} --context k3d-edge -n test port-forward svc/frontend 8080:8080  # then open http://localhost:8080/ and http://localhost:8080/cloud/`,
        );
    });
});

describe("the local state backend and passphrase", () => {
    it("keeps state in .local/state and the passphrase in .local/passphrase, whatever the shell sets", () => {
        const env = localEnvironment("/work/checkout", {
            PATH: "/bin",
            PULUMI_BACKEND_URL: "s3://team-state",
            PULUMI_CONFIG_PASSPHRASE: "other",
        });
        expect(env).toEqual({
            PATH: "/bin",
            PULUMI_BACKEND_URL: "file:///work/checkout/.local/state",
            PULUMI_CONFIG_PASSPHRASE_FILE: "/work/checkout/.local/passphrase",
        });
    });

    it("creates a random passphrase once, readable by this user only", () => {
        const root = checkout();
        const { passphrase, state } = localPaths(root);
        const first = fs.readFileSync(passphrase, "utf8");
        expect(first).toMatch(/^[\w-]{32}\n$/);
        expect(fs.statSync(passphrase).mode & 0o777).toBe(0o600);
        expect(fs.statSync(state).isDirectory()).toBe(true);
        prepareLocalDirectory(root);
        expect(fs.readFileSync(passphrase, "utf8")).toBe(first);
        expect(fs.readFileSync(localPaths(checkout()).passphrase, "utf8")).not.toBe(first);
    });

    it("git ignores it, and the stack files of the local stacks", () => {
        const ignored = fs.readFileSync(path.join(__dirname, "..", ".gitignore"), "utf8").split("\n");
        expect(ignored).toEqual(expect.arrayContaining([".local/", "Pulumi.local-*.yaml"]));
    });
});

describe("npm run local:up", () => {
    it("checks Docker, k3d and the Pulumi CLI first, and says which is missing and how to install it", async () => {
        const missing: CommandResult = { status: null, stdout: "", stderr: "spawn k3d ENOENT", missing: true };
        const { runner, commands } = fakeRunner({
            "k3d version": missing,
            "docker info": { status: 1, stdout: "", stderr: "Cannot connect to the Docker daemon\n" },
        });
        const fresh = fs.mkdtempSync(path.join(os.tmpdir(), "checkout-"));
        const error = await localUp(fresh, {}, fakeDeps(runner).deps).catch((caught: Error) => caught);
        expect(error).toBeInstanceOf(LocalError);
        expect((error as Error).message).toBe(
            "the local environment needs Docker, k3d and the Pulumi CLI:\n" +
                "  - Docker is installed but `docker info --format {{.ServerVersion}}` failed: Cannot connect to the Docker daemon. Start Docker (Docker Desktop, or sudo systemctl start docker) and run this again.\n" +
                "  - k3d is not installed (no k3d on PATH): install k3d v5.9.0: curl -s https://raw.githubusercontent.com/k3d-io/k3d/main/install.sh | TAG=v5.9.0 bash (https://k3d.io).",
        );
        expect(commands()).toEqual(TOOLS.map((tool) => tool.check.join(" ")));
        expect(fs.existsSync(localPaths(fresh).dir)).toBe(false);
        expect(toolProblems([{ tool: TOOLS[2], result: missing }])).toEqual([
            "the Pulumi CLI is not installed (no pulumi on PATH): install it: curl -fsSL https://get.pulumi.com | sh (https://www.pulumi.com/docs/install/).",
        ]);
    });

    it("on a fresh machine: creates the clusters (cloud first), writes their kubeconfigs, creates and configures the stacks, then brings the mesh up", async () => {
        const root = checkout();
        const env = localEnvironment(root, { PATH: "/bin" });
        const { runner, calls, commands } = fakeRunner({
            "pulumi stack ls": ok("[]"),
            "k3d cluster list": ok("[]"),
            "k3d kubeconfig get cloud": ok("cloud kubeconfig"),
            "k3d kubeconfig get edge": ok("edge kubeconfig"),
            "docker network inspect": ok(SUBNETS),
        });
        const { deps, pulumi, output } = fakeDeps(runner);
        await localUp(root, env, deps);
        const config = stackConfig(root, "172.18.0.0/16");
        expect(commands()).toEqual([
            ...TOOLS.map((tool) => tool.check.join(" ")),
            "pulumi stack ls --json",
            "k3d cluster list --output json",
            k3dCreateArgs("cloud").join(" "),
            k3dCreateArgs("edge").join(" "),
            "k3d kubeconfig get cloud",
            "k3d kubeconfig get edge",
            "docker network inspect edge-cloud-mesh --format {{json .IPAM.Config}}",
            "pulumi stack init local-cloud --no-select",
            ...stackConfigArgs("local-cloud", config["local-cloud"]).map((argv) => argv.join(" ")),
            "pulumi stack init local-edge --no-select",
            ...stackConfigArgs("local-edge", config["local-edge"]).map((argv) => argv.join(" ")),
        ]);
        for (const call of calls) expect(call.env.PULUMI_BACKEND_URL).toBe(`file://${root}/.local/state`);
        expect(fs.readFileSync(localPaths(root).kubeconfig("edge"), "utf8")).toBe("edge kubeconfig");
        expect(fs.statSync(localPaths(root).kubeconfig("cloud")).mode & 0o777).toBe(0o600);
        expect(pulumi).toEqual([{ op: "up", names: { cloudStack: "local-cloud", edgeStackPrefix: "local-" }, env }]);
        expect(output.join("")).toMatch(
            /Open the frontend on the edge:\n\n {2}kubectl --kubeconfig \/x\/\.local\/edge\.kubeconfig --context k3d-edge -n test port-forward svc\/frontend 8080:8080\n/,
        );
        expect(output.join("")).toMatch(/Tear it all down with: npm run local:down/);
    });

    it("run again, it converges: no cluster or stack is created twice, the config is written again", async () => {
        const { runner, commands } = fakeRunner({
            "pulumi stack ls": ok(JSON.stringify([{ name: "local-cloud" }, { name: "local-edge" }])),
            "k3d cluster list": ok(K3D_CLUSTERS("cloud", "edge")),
            "docker network inspect": ok(SUBNETS),
        });
        const { deps, pulumi } = fakeDeps(runner);
        await localUp(checkout(), {}, deps);
        expect(commands().filter((command) => /cluster create|stack init/.test(command))).toEqual([]);
        expect(commands().filter((command) => command.startsWith("pulumi config set-all"))).toHaveLength(2);
        expect(pulumi.map(({ op }) => op)).toEqual(["up"]);
    });

    it("stops when the edge exists without the cloud: the edge learns the cloud's address when it starts", async () => {
        const { runner, commands } = fakeRunner({ "pulumi stack ls": ok("[]"), "k3d cluster list": ok(K3D_CLUSTERS("edge")) });
        await expect(localUp(checkout(), {}, fakeDeps(runner).deps)).rejects.toThrow(
            /^the k3d cluster edge exists but cloud does not: .* Run npm run local:down, then npm run local:up again\.$/,
        );
        expect(commands().some((command) => command.includes("cluster create"))).toBe(false);
    });

    it("stops when a cluster was deleted behind its stack's back, before creating anything", async () => {
        const { runner, commands } = fakeRunner({
            "pulumi stack ls": ok(JSON.stringify([{ name: "local-cloud" }, { name: "local-edge" }])),
            "k3d cluster list": ok(K3D_CLUSTERS("cloud")),
            "pulumi stack output --stack local-edge": ok(JSON.stringify({ linkedCluster: "cloud" })),
        });
        const { deps, pulumi } = fakeDeps(runner);
        await expect(localUp(checkout(), {}, deps)).rejects.toThrow(
            /^the k3d cluster edge is gone, but the stack local-edge still holds what was deployed into it\. Run npm run local:down/,
        );
        expect(commands().some((command) => command.includes("cluster create"))).toBe(false);
        expect(pulumi).toEqual([]);
    });
});

describe("npm run local:down", () => {
    it("destroys the stacks (npm run down: edges first), then deletes the clusters, edge first, and the network", async () => {
        const { runner, commands } = fakeRunner({
            "pulumi stack ls": ok(JSON.stringify([{ name: "local-cloud" }, { name: "local-edge" }])),
            "k3d cluster list": ok(K3D_CLUSTERS("cloud", "edge")),
        });
        const { deps, pulumi } = fakeDeps(runner);
        await localDown(checkout(), { PATH: "/bin" }, deps);
        expect(pulumi).toEqual([{ op: "down", names: LOCAL.stacks, options: { continuePastGoneEdges: false }, env: { PATH: "/bin" } }]);
        expect(commands().slice(TOOLS.length)).toEqual([
            "pulumi stack ls --json",
            "k3d cluster list --output json",
            "k3d cluster delete edge cloud",
            "docker network inspect edge-cloud-mesh --format {{json .IPAM.Config}}",
            "docker network rm edge-cloud-mesh",
        ]);
    });

    it("where k3d says a cluster is gone, the destroy forgets what it held (for that run only)", async () => {
        const { runner, commands } = fakeRunner({
            "pulumi stack ls": ok(JSON.stringify([{ name: "local-cloud" }, { name: "local-edge" }])),
            "k3d cluster list": ok(K3D_CLUSTERS("cloud")),
            "docker network inspect": { status: 1, stdout: "", stderr: "no such network" },
        });
        const { deps, pulumi } = fakeDeps(runner);
        await localDown(checkout(), { PATH: "/bin" }, deps);
        expect(pulumi[0].env).toEqual({ PATH: "/bin", PULUMI_K8S_DELETE_UNREACHABLE: "true" });
        expect(commands().slice(-2)).toEqual([
            "k3d cluster delete cloud",
            "docker network inspect edge-cloud-mesh --format {{json .IPAM.Config}}",
        ]);
    });

    it("a failed destroy leaves the clusters, so that it can be run again", async () => {
        const { runner, commands } = fakeRunner({
            "pulumi stack ls": ok(JSON.stringify([{ name: "local-cloud" }])),
            "k3d cluster list": ok(K3D_CLUSTERS("cloud", "edge")),
        });
        const { deps } = fakeDeps(runner);
        deps.down = async () => {
            throw new Error("stopped at the edge stack");
        };
        await expect(localDown(checkout(), {}, deps)).rejects.toThrow(/stopped at the edge stack/);
        expect(commands().some((command) => command.startsWith("k3d cluster delete"))).toBe(false);
    });

    it("without a state directory, asks for no stack and deletes what there is", async () => {
        const { runner, commands } = fakeRunner({ "k3d cluster list": ok(K3D_CLUSTERS("cloud", "edge")) });
        const { deps, pulumi } = fakeDeps(runner);
        await localDown(fs.mkdtempSync(path.join(os.tmpdir(), "checkout-")), {}, deps);
        expect(pulumi).toEqual([]);
        expect(commands().slice(TOOLS.length, TOOLS.length + 2)).toEqual([
            "k3d cluster list --output json",
            "k3d cluster delete edge cloud",
        ]);
    });

    it("without stacks (nothing was deployed), deletes what there is", async () => {
        const { runner, commands } = fakeRunner({ "pulumi stack ls": ok("[]"), "k3d cluster list": ok(K3D_CLUSTERS("edge")) });
        const { deps, pulumi } = fakeDeps(runner);
        await localDown(checkout(), {}, deps);
        expect(pulumi).toEqual([]);
        expect(commands()).toContain("k3d cluster delete edge");
    });
});
