// npm run local:up / local:down: the exact commands they run (k3d, docker) and the Pulumi operations,
// in order, with recording fakes of the tool runner and the Pulumi port; and the stacks' config they
// write, run through the real program under mocks. Nothing here runs Docker, k3d or the Pulumi CLI;
// the Pulumi port runs against a stand-in CLI in test/pulumiPort.test.ts.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
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
import { k3dClusterNames, k3dCreateArgs, k3dDeleteArgs } from "../scripts/tools/k3d";
import type { ToolRunner } from "../scripts/tools/runner";
import { FakeStackSpec, TOOLS_AT_PINS, fakeRunner, fakeWorkspace, ok, recordingReporter } from "./fakes";
import { K3S_KUBECONFIG } from "./fixtures";
import { runStack, single } from "./harness";

const SUBNETS = JSON.stringify([{ Subnet: "172.18.0.0/16", Gateway: "172.18.0.1" }, { Subnet: "fd00:18::/64" }]);
const K3D_CLUSTERS = (...names: string[]) => JSON.stringify(names.map((name) => ({ name, serversCount: 1, nodes: [] })));
const TOOL_CHECKS = ["docker info --format {{.ServerVersion}}", "k3d version", "pulumi version"];
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
        expect(k3dClusterNames(K3D_CLUSTERS("cloud", "other"))).toEqual(["cloud", "other"]);
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
    it("checks Docker, k3d and the Pulumi CLI first, reports each check, and says what is missing and how to install it", async () => {
        const { runner, commands } = fakeRunner({
            ...TOOLS_AT_PINS,
            "k3d version": { status: null, stdout: "", stderr: "spawn k3d ENOENT", missing: true },
            "docker info": { status: 1, stdout: "", stderr: "Cannot connect to the Docker daemon\n", missing: false },
        });
        const fresh = fs.mkdtempSync(path.join(os.tmpdir(), "checkout-"));
        const { deps, pulumi, stdout } = fakeDeps(runner, {});
        const error = (await localUp(fresh, {}, deps).catch((caught: Error) => caught)) as OperatorError;
        expect(error).toBeInstanceOf(OperatorError);
        expect(error.message).toBe(
            "the local environment needs Docker, k3d and the Pulumi CLI: " +
                "Docker answers `docker info --format {{.ServerVersion}}`: exit code 1: Cannot connect to the Docker daemon; " +
                "k3d answers `k3d version`: no k3d on PATH",
        );
        expect(error.hint).toBe(
            "install Docker Engine (https://docs.docker.com/engine/install/) or Docker Desktop, and start it (Docker Desktop, or sudo systemctl start docker)\n" +
                "install k3d v5.9.0: curl -s https://raw.githubusercontent.com/k3d-io/k3d/main/install.sh | TAG=v5.9.0 bash (https://k3d.io)",
        );
        expect(stdout()).toBe(
            [
                "",
                "tools",
                "      CHECK                                                     PROBLEM",
                "FAIL  Docker answers `docker info --format {{.ServerVersion}}`  exit code 1: Cannot connect to the Docker daemon",
                "skip  Docker is 20.10.5 or later",
                "FAIL  k3d answers `k3d version`                                 no k3d on PATH",
                "skip  k3d is v5.9.0",
                "ok    the Pulumi CLI answers `pulumi version`",
                "ok    the Pulumi CLI is 3.248.0 or later, before 4.0.0",
                "",
                "What to do:",
                `  Docker answers \`docker info --format {{.ServerVersion}}\`: ${error.hint!.split("\n")[0]}`,
                `  k3d answers \`k3d version\`: ${error.hint!.split("\n")[1]}`,
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
            ...TOOLS_AT_PINS,
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
            ...TOOL_CHECKS,
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

    it("run again, it converges: no cluster or stack is created twice, the config is written again", async () => {
        const { runner, commands } = fakeRunner({
            ...TOOLS_AT_PINS,
            "k3d cluster list": ok(K3D_CLUSTERS("cloud", "edge")),
            "docker network inspect": ok(SUBNETS),
        });
        const { deps, pulumi } = fakeDeps(runner, STACKS());
        await localUp(checkout(), {}, deps);
        expect(commands().filter((command) => /cluster create/.test(command))).toEqual([]);
        expect(pulumi.filter((call) => !call.startsWith("set-config"))).toEqual(["list", "up local-cloud", "up local-edge"]);
        expect(pulumi.filter((call) => call.startsWith("set-config"))).toHaveLength(2);
    });

    it("stops when the edge exists without the cloud: the edge learns the cloud's address when it starts", async () => {
        const { runner, commands } = fakeRunner({ ...TOOLS_AT_PINS, "k3d cluster list": ok(K3D_CLUSTERS("edge")) });
        await expect(localUp(checkout(), {}, fakeDeps(runner, {}).deps)).rejects.toThrow(
            /^the k3d cluster edge exists but cloud does not: .* Run npm run local:down, then npm run local:up again\.$/,
        );
        expect(commands().some((command) => command.includes("cluster create"))).toBe(false);
    });

    it("stops when a cluster was deleted behind its stack's back, before creating anything", async () => {
        const { runner, commands } = fakeRunner({ ...TOOLS_AT_PINS, "k3d cluster list": ok(K3D_CLUSTERS("cloud")) });
        const { deps, pulumi } = fakeDeps(runner, STACKS());
        await expect(localUp(checkout(), {}, deps)).rejects.toThrow(
            /^the k3d cluster edge is gone, but the stack local-edge still holds what was deployed into it\. Run npm run local:down/,
        );
        expect(commands().some((command) => command.includes("cluster create"))).toBe(false);
        expect(pulumi).toEqual(["list", "outputs local-edge"]);
    });

    it("a failed k3d command stops the run, naming the command and what k3d said last", async () => {
        const { runner } = fakeRunner({
            ...TOOLS_AT_PINS,
            "k3d cluster list": ok("[]"),
            "k3d cluster create cloud": {
                status: 1,
                stdout: "",
                stderr: "INFO[0000] Prep: Network\nERRO[0001] Failed Cluster Start\nFATA[0001] Cluster creation FAILED\n",
                missing: false,
            },
        });
        await expect(localUp(checkout(), {}, fakeDeps(runner, {}).deps)).rejects.toThrow(
            `\`${k3dCreateArgs("cloud", LOCAL).join(" ")}\` failed: INFO[0000] Prep: Network; ERRO[0001] Failed Cluster Start; FATA[0001] Cluster creation FAILED`,
        );
    });
});

describe("npm run local:down", () => {
    it("destroys the stacks (npm run down: edges first), then deletes the clusters, edge first, and the network", async () => {
        const { runner, commands } = fakeRunner({ ...TOOLS_AT_PINS, "k3d cluster list": ok(K3D_CLUSTERS("cloud", "edge")) });
        const { deps, pulumi, environments } = fakeDeps(runner, STACKS());
        await localDown(checkout(), { PATH: "/bin" }, deps);
        expect(environments).toEqual([{ PATH: "/bin" }]);
        expect(pulumi).toEqual(["list", "outputs local-cloud", "destroy local-edge", "destroy local-cloud"]);
        expect(commands().slice(TOOL_CHECKS.length)).toEqual([
            "k3d cluster list --output json",
            "k3d cluster delete edge cloud",
            "docker network inspect edge-cloud-mesh --format {{json .IPAM.Config}}",
            "docker network rm edge-cloud-mesh",
        ]);
    });

    it("where k3d says a cluster is gone, the destroy forgets what it held (for that run only)", async () => {
        const { runner, commands } = fakeRunner({
            ...TOOLS_AT_PINS,
            "k3d cluster list": ok(K3D_CLUSTERS("cloud")),
            "docker network inspect": { status: 1, stdout: "", stderr: "no such network", missing: false },
        });
        const { deps, environments, stdout } = fakeDeps(runner, STACKS());
        await localDown(checkout(), { PATH: "/bin" }, deps);
        expect(environments).toEqual([{ PATH: "/bin", PULUMI_K8S_DELETE_UNREACHABLE: "true" }]);
        expect(stdout()).toMatch(/\n=== the k3d cluster\(s\) edge no longer exist: their resources are dropped from the state\n/);
        expect(commands().slice(-2)).toEqual([
            "k3d cluster delete cloud",
            "docker network inspect edge-cloud-mesh --format {{json .IPAM.Config}}",
        ]);
    });

    it("a failed destroy leaves the clusters, so that it can be run again", async () => {
        const { runner, commands } = fakeRunner({ ...TOOLS_AT_PINS, "k3d cluster list": ok(K3D_CLUSTERS("cloud", "edge")) });
        const stacks = STACKS();
        stacks["local-edge"].fails = ["destroy"];
        await expect(localDown(checkout(), {}, fakeDeps(runner, stacks).deps)).rejects.toThrow(
            /^the edge stack "local-edge" \(site "edge"\) failed at `pulumi destroy`: .* The cloud stack "local-cloud" was not destroyed/,
        );
        expect(commands().some((command) => command.startsWith("k3d cluster delete"))).toBe(false);
    });

    it("without a state directory, asks for no stack and deletes what there is", async () => {
        const { runner, commands } = fakeRunner({ ...TOOLS_AT_PINS, "k3d cluster list": ok(K3D_CLUSTERS("cloud", "edge")) });
        const { deps, pulumi, environments } = fakeDeps(runner, STACKS());
        await localDown(fs.mkdtempSync(path.join(os.tmpdir(), "checkout-")), {}, deps);
        expect(pulumi).toEqual([]);
        expect(environments).toEqual([]);
        expect(commands().slice(TOOL_CHECKS.length, TOOL_CHECKS.length + 2)).toEqual([
            "k3d cluster list --output json",
            "k3d cluster delete edge cloud",
        ]);
    });

    it("without stacks (nothing was deployed), deletes what there is", async () => {
        const { runner, commands } = fakeRunner({ ...TOOLS_AT_PINS, "k3d cluster list": ok(K3D_CLUSTERS("edge")) });
        const { deps, pulumi } = fakeDeps(runner, {});
        await localDown(checkout(), {}, deps);
        expect(pulumi).toEqual(["list"]);
        expect(commands()).toContain("k3d cluster delete edge");
    });
});
