// npm run local:up / local:down: the exact commands they run (k3d, docker) and the Pulumi operations,
// in order, with recording fakes of the tool runner and the Pulumi port; and the stacks' config they
// write, run through the real program under mocks. Nothing here runs Docker, k3d or the Pulumi CLI;
// the Pulumi port runs against a stand-in CLI in test/pulumiPort.test.ts.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { COMMANDS, runCommand } from "../scripts/cli/registry";
import { OperatorError } from "../scripts/errors";
import { LocalDeps, localDown, localUp } from "../scripts/flows/local";
import {
    LOCAL,
    deletionOrder,
    inNetworkApiServer,
    localEnvironment,
    localPaths,
    prepareLocalDirectory,
    stackConfig,
} from "../scripts/flows/localEnv";
import type { MeshWorkspace } from "../scripts/pulumi/port";
import { ipv4Subnet } from "../scripts/tools/docker";
import { k3dClusters, k3dCreateArgs, k3dDeleteArgs } from "../scripts/tools/k3d";
import { REQUIREMENTS } from "../scripts/tools/requirements";
import type { ToolRunner } from "../scripts/tools/runner";
import { FakeStackSpec, TOOLS_AT_PINS, fakeRunner, fakeWorkspace, ok, recordingReporter } from "./fakes";
import { K3S_KUBECONFIG } from "./fixtures";
import { runStack, single } from "./harness";

const TOOL_CHECKS = [
    "docker info --format {{.ServerVersion}}",
    "k3d version",
    "pulumi version",
    "kubectl version --client -o json",
    "linkerd version --client --short",
];
const SUBNETS = JSON.stringify([{ Subnet: "172.18.0.0/16", Gateway: "172.18.0.1" }, { Subnet: "fd00:18::/64" }]);
/** `k3d cluster list --output json` with these clusters, every server running. */
const K3D_CLUSTERS = (...names: string[]) => JSON.stringify(names.map((name) => ({ name, serversRunning: 1, serversCount: 1, nodes: [] })));
const FRONTEND = "kubectl --kubeconfig /x/.local/edge.kubeconfig --context k3d-edge -n test port-forward svc/frontend 8080:8080";
/** The local stacks, as an up leaves them. */
const STACKS = (): Record<string, FakeStackSpec> => ({
    "local-cloud": { outputs: { edgeSiteNames: ["edge"] } },
    "local-edge": { outputs: { frontendCommand: FRONTEND } },
});

function fakeDeps(runner: ToolRunner, stacks: Record<string, FakeStackSpec>) {
    const { workspace, calls } = fakeWorkspace(stacks);
    const environments: NodeJS.ProcessEnv[] = [];
    const { reporter, stdout } = recordingReporter();
    const deps: LocalDeps = {
        runner,
        reporter,
        async workspace(env): Promise<MeshWorkspace> {
            environments.push(env);
            return workspace;
        },
    };
    return { deps, pulumi: calls, environments, stdout };
}

function checkout(): string {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "checkout-"));
    prepareLocalDirectory(root);
    return root;
}

describe("the commands, exactly", () => {
    it("creates each cluster on the shared network, from the pinned k3s, its API on loopback, its certificate naming its in-network name", () => {
        expect(k3dCreateArgs("cloud", LOCAL)).toEqual([
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
        expect(k3dCreateArgs("edge", LOCAL)).toContain("--tls-san=k3d-edge-server-0@server:0");
        expect(inNetworkApiServer("cloud")).toBe("https://k3d-cloud-server-0:6443");
    });

    it("creates the cloud first (the edge's CoreDNS learns the cloud's names when it starts) and deletes the edge first", () => {
        expect(LOCAL.clusters).toEqual(["cloud", "edge"]);
        expect(k3dDeleteArgs(deletionOrder(["cloud", "edge"]))).toEqual(["k3d", "cluster", "delete", "edge", "cloud"]);
        expect(k3dDeleteArgs(deletionOrder(["cloud"]))).toEqual(["k3d", "cluster", "delete", "cloud"]);
    });

    it("reads k3d's cluster list and Docker's subnets", () => {
        expect(k3dClusters(K3D_CLUSTERS("cloud", "other"))).toEqual([
            { name: "cloud", running: true },
            { name: "other", running: true },
        ]);
        const halfCreated = JSON.stringify([
            { name: "edge", serversRunning: 0, serversCount: 1 },
            { name: "lb-only", serversCount: 0 },
        ]);
        expect(k3dClusters(halfCreated)).toEqual([
            { name: "edge", running: false },
            { name: "lb-only", running: false },
        ]);
        expect(ipv4Subnet(SUBNETS, LOCAL.network)).toBe("172.18.0.0/16");
        expect(() => ipv4Subnet(JSON.stringify([{ Subnet: "fd00::/64" }]), LOCAL.network)).toThrow(/has no IPv4 subnet/);
    });

    it("gives each stack its whole config: the cloud's lists as lists", () => {
        expect(stackConfig("/work/checkout", "172.18.0.0/16")).toEqual({
            "local-cloud": {
                role: "cloud",
                cluster: "kubeconfig",
                clusterName: "cloud",
                kubeconfig: "/work/checkout/.local/cloud.kubeconfig",
                kubeContext: "k3d-cloud",
                apiServerAddress: "https://k3d-cloud-server-0:6443",
                gatewaySourceCidrs: ["172.18.0.0/16"],
                edgeSites: ["edge"],
            },
            "local-edge": {
                role: "edge",
                clusterName: "edge",
                kubeconfig: "/work/checkout/.local/edge.kubeconfig",
                kubeContext: "k3d-edge",
                cloudStack: "local-cloud",
            },
        });
    });
});

describe("the config local:up writes makes working stacks (the real program, under mocks)", () => {
    it("local-cloud on the cloud cluster and local-edge linked to it, with the stacks named as local:up names them", async () => {
        const root = checkout();
        // The k3d kubeconfigs, played by the tests' loopback API servers (each with the Gateway API CRDs k3s ships).
        for (const cluster of LOCAL.clusters)
            fs.writeFileSync(localPaths(root).kubeconfig(cluster), K3S_KUBECONFIG.replace(/default/g, `k3d-${cluster}`));
        const config = stackConfig(root, "172.18.0.0/16");
        const cloud = await runStack("local-cloud", { config: config["local-cloud"], gatewayIngress: [{ ip: "172.18.0.3" }] });
        expect(cloud.outputs.edgeSiteNames.value).toEqual(["edge"]);
        expect(cloud.outputs.apiEndpoint.value).toBe("https://k3d-cloud-server-0:6443");
        expect(single(cloud, "pulumi:providers:kubernetes").inputs.context).toBe("k3d-cloud");
        const edge = await runStack("local-edge", { config: config["local-edge"], stackReferences: { "local-cloud": cloud.outputs } });
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
    it("checks every tool it and the next steps need before anything, says what is missing or too old and how to install it", async () => {
        const { runner, commands } = fakeRunner({
            ...TOOLS_AT_PINS,
            "k3d version": { status: null, stdout: "", stderr: "spawn k3d ENOENT", missing: true },
            "docker info": { status: 1, stdout: "", stderr: "Cannot connect to the Docker daemon\n", missing: false },
            "pulumi version": ok("v3.200.1\n"),
        });
        const fresh = fs.mkdtempSync(path.join(os.tmpdir(), "checkout-"));
        const { deps, pulumi, stdout } = fakeDeps(runner, {});
        const command = COMMANDS.find((candidate) => candidate.name === "local:up")!;
        const context = { ...deps, env: {}, root: fresh };
        const error = (await runCommand(command, {}, context).catch((caught: Error) => caught)) as OperatorError;
        expect(error).toBeInstanceOf(OperatorError);
        expect(error.message).toBe(
            "npm run local:up needs Docker, k3d, the Pulumi CLI, kubectl and the linkerd CLI: " +
                "Docker answers `docker info --format {{.ServerVersion}}`: exit code 1: Cannot connect to the Docker daemon; " +
                "k3d answers `k3d version`: no k3d on PATH; " +
                "the Pulumi CLI is 3.248.0 or later, before 4.0.0: found v3.200.1",
        );
        expect(error.hint).toBe([REQUIREMENTS.docker.install, REQUIREMENTS.k3d.install, REQUIREMENTS.pulumi.install].join("\n"));
        const rows: [string, string, string?][] = [
            ["FAIL", "Docker answers `docker info --format {{.ServerVersion}}`", "exit code 1: Cannot connect to the Docker daemon"],
            ["skip", "Docker is 20.10.5 or later"],
            ["FAIL", "k3d answers `k3d version`", "no k3d on PATH"],
            ["skip", "k3d is v5.9.0"],
            ["ok", "the Pulumi CLI answers `pulumi version`"],
            ["FAIL", "the Pulumi CLI is 3.248.0 or later, before 4.0.0", "found v3.200.1"],
            ["ok", "kubectl answers `kubectl version --client -o json`"],
            ["ok", "kubectl is 1.30.0 or later"],
            ["ok", "the linkerd CLI answers `linkerd version --client --short`"],
            ["ok", "the linkerd CLI is edge-26.8.3"],
        ];
        const width = Math.max(...rows.map(([, description]) => description.length));
        expect(stdout()).toBe(
            [
                "",
                "tools",
                `      ${"CHECK".padEnd(width)}  PROBLEM`,
                ...rows.map(([status, description, problem]) =>
                    `${status.padEnd(4)}  ${description.padEnd(width)}  ${problem ?? ""}`.trimEnd(),
                ),
                "",
                "What to do:",
                `  Docker answers \`docker info --format {{.ServerVersion}}\`: ${REQUIREMENTS.docker.install}`,
                `  k3d answers \`k3d version\`: ${REQUIREMENTS.k3d.install}`,
                `  the Pulumi CLI is 3.248.0 or later, before 4.0.0: ${REQUIREMENTS.pulumi.install}`,
                "",
            ].join("\n"),
        );
        expect(commands()).toEqual(TOOL_CHECKS);
        expect(pulumi).toEqual([]);
        expect(fs.existsSync(localPaths(fresh).dir)).toBe(false);
    });

    it("on a fresh machine: creates the clusters (cloud first), writes their kubeconfigs, creates and configures the stacks, then brings the mesh up", async () => {
        const root = checkout();
        const env = localEnvironment(root, { PATH: "/bin" });
        const { runner, calls, commands } = fakeRunner({
            "k3d cluster list": ok("[]"),
            "k3d kubeconfig get cloud": ok("cloud kubeconfig"),
            "k3d kubeconfig get edge": ok("edge kubeconfig"),
            "docker network inspect": ok(SUBNETS),
        });
        const stacks = STACKS();
        for (const spec of Object.values(stacks)) spec.absent = true;
        const { deps, pulumi, environments, stdout } = fakeDeps(runner, stacks);
        expect(await localUp(root, env, deps)).toEqual({ frontendCommand: FRONTEND });
        const config = stackConfig(root, "172.18.0.0/16");
        expect(commands()).toEqual([
            "k3d cluster list --output json",
            k3dCreateArgs("cloud", LOCAL).join(" "),
            k3dCreateArgs("edge", LOCAL).join(" "),
            "k3d kubeconfig get cloud",
            "k3d kubeconfig get edge",
            "docker network inspect edge-cloud-mesh --format {{json .IPAM.Config}}",
        ]);
        expect(pulumi).toEqual([
            "list",
            "init local-cloud",
            `set-config local-cloud ${JSON.stringify(config["local-cloud"])}`,
            "init local-edge",
            `set-config local-edge ${JSON.stringify(config["local-edge"])}`,
            "up local-cloud",
            "up local-edge",
        ]);
        for (const call of calls) expect(call.env.PULUMI_BACKEND_URL).toBe(`file://${root}/.local/state`);
        expect(environments).toEqual([env]);
        expect(fs.readFileSync(localPaths(root).kubeconfig("edge"), "utf8")).toBe("edge kubeconfig");
        expect(fs.statSync(localPaths(root).kubeconfig("cloud")).mode & 0o777).toBe(0o600);
        expect(stdout()).toMatch(
            /\n=== creating the k3d cluster cloud\n[\s\S]*\n=== creating the k3d cluster edge\n[\s\S]*\n=== pulumi up: the cloud stack local-cloud\n/,
        );
    });

    it("run again, it converges: no cluster or stack is created twice, the config is written again, with the split mode asked for", async () => {
        const { runner, commands } = fakeRunner({
            "k3d cluster list": ok(K3D_CLUSTERS("cloud", "edge")),
            "docker network inspect": ok(SUBNETS),
        });
        const { deps, pulumi } = fakeDeps(runner, STACKS());
        const root = checkout();
        await localUp(root, {}, deps, { splitMode: "failover" });
        expect(commands().filter((command) => /cluster (create|start)/.test(command))).toEqual([]);
        expect(pulumi.filter((call) => !call.startsWith("set-config"))).toEqual(["list", "up local-cloud", "up local-edge"]);
        expect(pulumi.filter((call) => call.startsWith("set-config"))).toEqual([
            `set-config local-cloud ${JSON.stringify(stackConfig(root, "172.18.0.0/16")["local-cloud"])}`,
            `set-config local-edge ${JSON.stringify({ ...stackConfig(root, "172.18.0.0/16")["local-edge"], splitMode: "failover" })}`,
        ]);
    });

    it("starts a cluster k3d lists but whose server does not run (Docker restarted, or an interrupted create)", async () => {
        const stopped = JSON.stringify([
            { name: "cloud", serversRunning: 1, serversCount: 1 },
            { name: "edge", serversRunning: 0, serversCount: 1 },
        ]);
        const { runner, commands } = fakeRunner({ "k3d cluster list": ok(stopped), "docker network inspect": ok(SUBNETS) });
        await localUp(checkout(), {}, fakeDeps(runner, STACKS()).deps);
        expect(commands().filter((command) => /^k3d cluster (create|start)/.test(command))).toEqual(["k3d cluster start edge"]);
    });

    it("stops when the edge exists without the cloud: the edge learns the cloud's address when it starts", async () => {
        const { runner, commands } = fakeRunner({ "k3d cluster list": ok(K3D_CLUSTERS("edge")) });
        await expect(localUp(checkout(), {}, fakeDeps(runner, {}).deps)).rejects.toThrow(
            /^the k3d cluster edge exists but cloud does not: .* Run npm run local:down, then npm run local:up again\.$/,
        );
        expect(commands().some((command) => command.includes("cluster create"))).toBe(false);
    });

    it("stops when a cluster was deleted behind its stack's back, before creating anything", async () => {
        const { runner, commands } = fakeRunner({ "k3d cluster list": ok(K3D_CLUSTERS("cloud")) });
        const { deps, pulumi } = fakeDeps(runner, STACKS());
        await expect(localUp(checkout(), {}, deps)).rejects.toThrow(
            /^the k3d cluster edge is gone, but the stack local-edge still holds what was deployed into it\. Run npm run local:down/,
        );
        expect(commands().some((command) => command.includes("cluster create"))).toBe(false);
        expect(pulumi).toEqual(["list", "outputs local-edge"]);
    });

    it("a failed k3d command stops the run, naming the command and what k3d said last, without its colours", async () => {
        // k3d logs info to stdout and errors to stderr, coloured and padded as logrus prints them (cmd/root.go@v5.9.0).
        const logrus = (level: string, message: string) => `\x1b[31m${level}\x1b[0m[0001] ${message.padEnd(44)} \n`;
        const { runner } = fakeRunner({
            "k3d cluster list": ok("[]"),
            "k3d cluster create cloud": {
                status: 1,
                stdout: "\x1b[36mINFO\x1b[0m[0000] Prep: Network                                \n",
                stderr:
                    logrus("ERRO", "Failed Cluster Start: Failed to start server k3d-cloud-server-0") +
                    logrus("ERRO", "Failed to create cluster >>> Rolling Back") +
                    logrus("FATA", "Cluster creation FAILED, all changes have been rolled back!"),
                missing: false,
            },
        });
        await expect(localUp(checkout(), {}, fakeDeps(runner, {}).deps)).rejects.toThrow(
            `\`${k3dCreateArgs("cloud", LOCAL).join(" ")}\` failed: ERRO[0001] Failed Cluster Start: Failed to start server k3d-cloud-server-0; ` +
                "ERRO[0001] Failed to create cluster >>> Rolling Back; FATA[0001] Cluster creation FAILED, all changes have been rolled back!",
        );
    });
});

describe("npm run local:down", () => {
    it("destroys the stacks (edge first), then deletes the clusters, edge first, and the network, and says what became of each", async () => {
        const { runner, commands } = fakeRunner({ "k3d cluster list": ok(K3D_CLUSTERS("cloud", "edge")) });
        const { deps, pulumi, environments, stdout } = fakeDeps(runner, STACKS());
        await localDown(checkout(), { PATH: "/bin" }, deps);
        expect(environments).toEqual([{ PATH: "/bin" }]);
        expect(pulumi).toEqual(["list", "destroy local-edge", "destroy local-cloud"]);
        expect(commands()).toEqual([
            "k3d cluster list --output json",
            "k3d cluster delete edge cloud",
            "docker network inspect edge-cloud-mesh --format {{json .IPAM.Config}}",
            "docker network rm edge-cloud-mesh",
        ]);
        expect(stdout()).toContain(
            [
                "local:down",
                "                                WHAT BECAME OF IT",
                "stack local-edge                destroyed",
                "stack local-cloud               destroyed",
                "k3d cluster edge                deleted",
                "k3d cluster cloud               deleted",
                "docker network edge-cloud-mesh  removed",
            ].join("\n"),
        );
    });

    it("where k3d says a cluster is gone, the destroy forgets what it held (for that run only)", async () => {
        const { runner, commands } = fakeRunner({
            "k3d cluster list": ok(K3D_CLUSTERS("cloud")),
            "docker network inspect": { status: 1, stdout: "", stderr: "no such network", missing: false },
        });
        const { deps, environments, stdout } = fakeDeps(runner, STACKS());
        await localDown(checkout(), { PATH: "/bin" }, deps);
        expect(environments).toEqual([{ PATH: "/bin", PULUMI_K8S_DELETE_UNREACHABLE: "true" }]);
        expect(stdout()).toMatch(/\n=== the k3d cluster\(s\) edge no longer run: the destroy forgets what they held/);
        expect(stdout()).toMatch(/stack local-edge +destroyed; what the cluster edge held is forgotten\n/);
        expect(commands().slice(-2)).toEqual([
            "k3d cluster delete cloud",
            "docker network inspect edge-cloud-mesh --format {{json .IPAM.Config}}",
        ]);
    });

    it("a failed destroy still deletes the clusters and the network, then fails saying why and what to run next", async () => {
        const { runner, commands } = fakeRunner({ "k3d cluster list": ok(K3D_CLUSTERS("cloud", "edge")) });
        const stacks = STACKS();
        stacks["local-edge"].fails = ["destroy"];
        const { deps, pulumi } = fakeDeps(runner, stacks);
        const error = (await localDown(checkout(), {}, deps).catch((caught: Error) => caught)) as OperatorError;
        expect(error.message).toBe(
            '`pulumi destroy` on the stack "local-edge" failed: destroy of local-edge failed. The clusters and the network are deleted all the same.',
        );
        expect(error.hint).toMatch(
            /^Run npm run local:down again: with the clusters gone, the destroy forgets what they held\. Or forget all local state: npm run local:reset\.$/,
        );
        expect(pulumi).toEqual(["list", "destroy local-edge", "destroy local-cloud"]);
        expect(commands()).toContain("k3d cluster delete edge cloud");
        expect(commands()).toContain("docker network rm edge-cloud-mesh");
    });

    it("without a state directory, asks for no stack and deletes what there is", async () => {
        const { runner, commands } = fakeRunner({ "k3d cluster list": ok(K3D_CLUSTERS("cloud", "edge")) });
        const { deps, pulumi, environments } = fakeDeps(runner, STACKS());
        await localDown(fs.mkdtempSync(path.join(os.tmpdir(), "checkout-")), {}, deps);
        expect(pulumi).toEqual([]);
        expect(environments).toEqual([]);
        expect(commands().slice(0, 2)).toEqual(["k3d cluster list --output json", "k3d cluster delete edge cloud"]);
    });

    it("with the cloud stack but no edge stack (a first local:up interrupted between them), destroys the one and deletes everything", async () => {
        const { runner, commands } = fakeRunner({ "k3d cluster list": ok(K3D_CLUSTERS("cloud", "edge")) });
        const { deps, pulumi, stdout } = fakeDeps(runner, { "local-cloud": {} });
        await localDown(checkout(), {}, deps);
        expect(pulumi).toEqual(["list", "destroy local-cloud"]);
        expect(commands()).toContain("k3d cluster delete edge cloud");
        expect(stdout()).toMatch(/stack local-edge +none \(never created\)\n/);
    });
});
