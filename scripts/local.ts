// The whole mesh on this machine: two k3d clusters, "cloud" and "edge", on one Docker network, and the
// two stacks in a state backend inside the checkout (.local/), so no account and no AWS. The commands
// it runs are built here by pure functions; CommandRunner runs them (tests pass a recording fake).
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import type { DownOptions, Output, StackNames, UpResult } from "./orchestrate";

export const LOCAL = {
    /** The Docker network both clusters join: the edge reaches the cloud's API server and gateway on it. */
    network: "edge-cloud-mesh",
    /** k3s v1.35.6+k3s1 (June 2026): Kubernetes 1.35, in Linkerd edge-26.8.3's range; Traefik v3.7.4 with the Gateway API CRDs. */
    k3sImage: "rancher/k3s:v1.35.6-k3s1",
    /** Created in this order: k3d writes the network's members into a cluster's CoreDNS when it starts, so edge pods resolve the cloud's server by name. */
    clusters: ["cloud", "edge"] as const,
    /** The local stacks are local-cloud and local-edge: their config files (Pulumi.local-*.yaml) stay out of the way of Pulumi.cloud.yaml and Pulumi.edge.yaml. */
    stacks: { cloudStack: "local-cloud", edgeStackPrefix: "local-" } satisfies StackNames,
    /** Everything the local environment keeps, inside the checkout (git ignores it). */
    dir: ".local",
};

export type LocalCluster = (typeof LOCAL.clusters)[number];

/** Where the local environment keeps its state, passphrase and kubeconfigs. */
export function localPaths(root: string) {
    const dir = path.join(root, LOCAL.dir);
    return {
        dir,
        state: path.join(dir, "state"),
        passphrase: path.join(dir, "passphrase"),
        kubeconfig: (cluster: LocalCluster) => path.join(dir, `${cluster}.kubeconfig`),
    };
}

/** The kubeconfig context k3d names after a cluster. */
export function k3dContext(cluster: LocalCluster): string {
    return `k3d-${cluster}`;
}

/** The cluster's server container, by its name on the Docker network. */
export function k3dServer(cluster: LocalCluster): string {
    return `k3d-${cluster}-server-0`;
}

/** Where the other cluster's pods reach this cluster's API server: by container name, on the shared network. */
export function inNetworkApiServer(cluster: LocalCluster): string {
    return `https://${k3dServer(cluster)}:6443`;
}

/**
 * `k3d cluster create` for one of the two clusters. The API is published on loopback only, on a free
 * port (the kubeconfig this machine uses); the server's certificate names its container, the address
 * the edge's link controller uses (k3s adds the node name itself; stated here so it does not depend on
 * that); the kubeconfig goes to .local/, not into ~/.kube/config.
 */
export function k3dCreateArgs(cluster: LocalCluster): string[] {
    return [
        "k3d",
        "cluster",
        "create",
        cluster,
        "--image",
        LOCAL.k3sImage,
        "--network",
        LOCAL.network,
        "--api-port",
        "127.0.0.1:random",
        "--k3s-arg",
        `--tls-san=${k3dServer(cluster)}@server:0`,
        "--kubeconfig-update-default=false",
        "--wait",
    ];
}

export const K3D_LIST_ARGS = ["k3d", "cluster", "list", "--output", "json"];

export function k3dKubeconfigArgs(cluster: LocalCluster): string[] {
    return ["k3d", "kubeconfig", "get", cluster];
}

/** Deletes the clusters given, the edge first. */
export function k3dDeleteArgs(clusters: LocalCluster[]): string[] {
    return ["k3d", "cluster", "delete", ...[...clusters].sort((a, b) => LOCAL.clusters.indexOf(b) - LOCAL.clusters.indexOf(a))];
}

export const NETWORK_SUBNETS_ARGS = ["docker", "network", "inspect", LOCAL.network, "--format", "{{json .IPAM.Config}}"];
export const NETWORK_REMOVE_ARGS = ["docker", "network", "rm", LOCAL.network];

/** The cluster names in `k3d cluster list --output json`. */
export function k3dClusterNames(json: string): string[] {
    const clusters = JSON.parse(json) as { name?: string }[];
    return clusters.map((cluster) => cluster.name ?? "").filter(Boolean);
}

/** The network's IPv4 subnet in `docker network inspect --format '{{json .IPAM.Config}}'`. */
export function ipv4Subnet(json: string): string {
    const configs = (JSON.parse(json) ?? []) as { Subnet?: string }[];
    const subnet = configs.map((config) => config.Subnet ?? "").find((candidate) => /^\d+\.\d+\.\d+\.\d+\/\d+$/.test(candidate));
    if (subnet === undefined)
        throw new LocalError(`the Docker network ${LOCAL.network} has no IPv4 subnet (docker network inspect ${LOCAL.network})`);
    return subnet;
}

/** The stack names in `pulumi stack ls --json`, as given to --stack (a self-managed backend may qualify them). */
export function stackNames(json: string): string[] {
    return (JSON.parse(json) as { name: string }[]).map((stack) => stack.name.split("/").pop()!);
}

/** The values each local stack gets: the cloud on the k3d cluster "cloud", one edge site on "edge". */
export function stackConfig(root: string, subnet: string): Record<string, Record<string, string>> {
    const paths = localPaths(root);
    return {
        [LOCAL.stacks.cloudStack]: {
            role: "cloud",
            cluster: "kubeconfig",
            clusterName: "cloud",
            kubeconfig: paths.kubeconfig("cloud"),
            kubeContext: k3dContext("cloud"),
            apiServerAddress: inNetworkApiServer("cloud"),
            // The edge's pods reach the gateway from the edge node's address on the shared network.
            "gatewaySourceCidrs[0]": subnet,
            "edgeSites[0]": "edge",
        },
        [`${LOCAL.stacks.edgeStackPrefix}edge`]: {
            role: "edge",
            clusterName: "edge",
            kubeconfig: paths.kubeconfig("edge"),
            kubeContext: k3dContext("edge"),
            cloudStack: LOCAL.stacks.cloudStack,
        },
    };
}

/**
 * The commands that write one stack's config: its lists are removed first, so that the whole list is
 * what gets written (`--path 'key[0]'` alone would keep a longer list's other entries).
 */
export function stackConfigArgs(stack: string, values: Record<string, string>): string[][] {
    const lists = [
        ...new Set(
            Object.keys(values)
                .filter((key) => key.includes("["))
                .map((key) => key.split("[")[0]),
        ),
    ];
    const set = [
        "pulumi",
        "config",
        "set-all",
        "--stack",
        stack,
        "--path",
        ...Object.entries(values).flatMap(([key, value]) => ["--plaintext", `${key}=${value}`]),
    ];
    return lists.length > 0 ? [["pulumi", "config", "rm-all", "--stack", stack, ...lists], set] : [set];
}

export function stackInitArgs(stack: string): string[] {
    return ["pulumi", "stack", "init", stack, "--no-select"];
}

export const STACK_LIST_ARGS = ["pulumi", "stack", "ls", "--json"];

export function stackOutputArgs(stack: string): string[] {
    return ["pulumi", "stack", "output", "--stack", stack, "--json"];
}

/**
 * The environment of every Pulumi command of the local environment: the state backend in .local/state,
 * and the passphrase in .local/passphrase, whatever the user's shell says. PULUMI_CONFIG_PASSPHRASE
 * would win over the file (pulumi pkg/secrets/passphrase readPassphrase), so it is dropped for the run.
 */
export function localEnvironment(root: string, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
    const paths = localPaths(root);
    const local: NodeJS.ProcessEnv = {
        ...env,
        PULUMI_BACKEND_URL: `file://${paths.state}`,
        PULUMI_CONFIG_PASSPHRASE_FILE: paths.passphrase,
    };
    delete local.PULUMI_CONFIG_PASSPHRASE;
    return local;
}

/** Creates .local/ with its state directory and, once, a random passphrase only this user can read. */
export function prepareLocalDirectory(root: string): void {
    const paths = localPaths(root);
    fs.mkdirSync(paths.state, { recursive: true });
    if (!fs.existsSync(paths.passphrase))
        fs.writeFileSync(paths.passphrase, `${crypto.randomBytes(24).toString("base64url")}\n`, { mode: 0o600 });
}

// ---- the tools ----

export interface Tool {
    name: string;
    /** A command that works only when the tool is installed (and, for Docker, its daemon answers). */
    check: string[];
    install: string;
}

export const TOOLS: Tool[] = [
    {
        name: "Docker",
        check: ["docker", "info", "--format", "{{.ServerVersion}}"],
        install: "install Docker Engine (https://docs.docker.com/engine/install/) or Docker Desktop, and start it",
    },
    {
        name: "k3d",
        check: ["k3d", "version"],
        install:
            "install k3d v5.9.0: curl -s https://raw.githubusercontent.com/k3d-io/k3d/main/install.sh | TAG=v5.9.0 bash (https://k3d.io)",
    },
    {
        name: "the Pulumi CLI",
        check: ["pulumi", "version"],
        install: "install it: curl -fsSL https://get.pulumi.com | sh (https://www.pulumi.com/docs/install/)",
    },
];

/** What is missing, one line per tool, or [] when all three work. */
export function toolProblems(results: { tool: Tool; result: CommandResult }[]): string[] {
    return results
        .filter(({ result }) => result.status !== 0)
        .map(({ tool, result }) =>
            result.missing
                ? `${tool.name} is not installed (no ${tool.check[0]} on PATH): ${tool.install}.`
                : `${tool.name} is installed but \`${tool.check.join(" ")}\` failed${result.stderr.trim() ? `: ${result.stderr.trim().split("\n")[0]}` : ""}. ` +
                  (tool.name === "Docker"
                      ? "Start Docker (Docker Desktop, or sudo systemctl start docker) and run this again."
                      : `Check it, or ${tool.install}.`),
        );
}

// ---- the flows ----

export interface CommandResult {
    status: number | null;
    stdout: string;
    stderr: string;
    /** The program is not on PATH. */
    missing?: boolean;
}

export interface CommandRunner {
    /** Runs argv with `env`; `capture` collects stdout instead of showing it. */
    run(argv: string[], options: { env: NodeJS.ProcessEnv; capture?: boolean }): Promise<CommandResult>;
}

/** A step of the local environment that could not be done: what, and what to do. */
export class LocalError extends Error {}

export interface LocalDeps {
    runner: CommandRunner;
    /** `npm run up` for these stacks, with extra environment variables for Pulumi. */
    up(names: StackNames, env: NodeJS.ProcessEnv): Promise<UpResult>;
    down(names: StackNames, options: DownOptions, env: NodeJS.ProcessEnv): Promise<string[]>;
    log: Output;
}

async function mustRun(deps: LocalDeps, argv: string[], env: NodeJS.ProcessEnv, capture = false): Promise<string> {
    const result = await deps.runner.run(argv, { env, capture });
    if (result.status !== 0) {
        const detail = result.stderr.trim().split("\n").slice(-3).join(" ");
        throw new LocalError(`\`${argv.join(" ")}\` failed${detail ? `: ${detail}` : ""}`);
    }
    return result.stdout;
}

async function checkTools(deps: LocalDeps, env: NodeJS.ProcessEnv): Promise<void> {
    const results = [];
    for (const tool of TOOLS) results.push({ tool, result: await deps.runner.run(tool.check, { env, capture: true }) });
    const problems = toolProblems(results);
    if (problems.length > 0) {
        throw new LocalError(
            `the local environment needs Docker, k3d and the Pulumi CLI:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`,
        );
    }
}

async function existingClusters(deps: LocalDeps, env: NodeJS.ProcessEnv): Promise<LocalCluster[]> {
    const names = k3dClusterNames(await mustRun(deps, K3D_LIST_ARGS, env, true));
    return LOCAL.clusters.filter((cluster) => names.includes(cluster));
}

async function existingStacks(deps: LocalDeps, env: NodeJS.ProcessEnv): Promise<string[]> {
    return stackNames(await mustRun(deps, STACK_LIST_ARGS, env, true));
}

/** The stack of a local cluster. */
function clusterStack(cluster: LocalCluster): string {
    return cluster === "cloud" ? LOCAL.stacks.cloudStack : `${LOCAL.stacks.edgeStackPrefix}${cluster}`;
}

/**
 * `npm run local:up`: checks the tools, creates what is missing (the clusters, the stacks), writes the
 * stacks' config, brings the mesh up and says how to open the frontend. Run again, it converges.
 * `env` is the local environment's (localEnvironment).
 */
export async function localUp(root: string, env: NodeJS.ProcessEnv, deps: LocalDeps): Promise<void> {
    await checkTools(deps, env);
    prepareLocalDirectory(root);
    const paths = localPaths(root);
    const stacks = await existingStacks(deps, env);
    const clusters = await existingClusters(deps, env);

    for (const cluster of LOCAL.clusters) {
        if (clusters.includes(cluster)) continue;
        // The edge learns the cloud's in-network address when it starts (k3d's CoreDNS records).
        if (cluster === "cloud" && clusters.includes("edge")) {
            throw new LocalError(
                "the k3d cluster edge exists but cloud does not: the edge learns the cloud's address on the Docker network when it " +
                    "starts. Run npm run local:down, then npm run local:up again.",
            );
        }
        const stack = clusterStack(cluster);
        // A stack that remembers resources in a cluster that was deleted would never recreate them.
        if (stacks.includes(stack) && Object.keys(JSON.parse(await mustRun(deps, stackOutputArgs(stack), env, true))).length > 0) {
            throw new LocalError(
                `the k3d cluster ${cluster} is gone, but the stack ${stack} still holds what was deployed into it. ` +
                    `Run npm run local:down (it forgets what the missing cluster held), then npm run local:up again.`,
            );
        }
        deps.log(`\n=== creating the k3d cluster ${cluster}\n`);
        await mustRun(deps, k3dCreateArgs(cluster), env);
    }
    for (const cluster of LOCAL.clusters) {
        fs.writeFileSync(paths.kubeconfig(cluster), await mustRun(deps, k3dKubeconfigArgs(cluster), env, true), { mode: 0o600 });
    }
    const subnet = ipv4Subnet(await mustRun(deps, NETWORK_SUBNETS_ARGS, env, true));

    for (const [stack, values] of Object.entries(stackConfig(root, subnet))) {
        if (!stacks.includes(stack)) await mustRun(deps, stackInitArgs(stack), env);
        for (const argv of stackConfigArgs(stack, values)) await mustRun(deps, argv, env);
    }

    const result = await deps.up(LOCAL.stacks, env);
    const frontend = result.edges.edge?.frontendCommand;
    deps.log(
        `\nThe mesh runs on the k3d clusters cloud and edge (kubeconfigs in ${LOCAL.dir}/). Open the frontend on the edge:\n\n` +
            `  ${frontend}\n\n` +
            `http://localhost:8080/ answers from both clusters (refresh), http://localhost:8080/cloud/ from the cloud, through the mirror.\n` +
            `The stacks are ${LOCAL.stacks.cloudStack} and ${LOCAL.stacks.edgeStackPrefix}edge, in ${LOCAL.dir}/state; to use the pulumi CLI on them:\n` +
            `  export PULUMI_BACKEND_URL=${env.PULUMI_BACKEND_URL} PULUMI_CONFIG_PASSPHRASE_FILE=${env.PULUMI_CONFIG_PASSPHRASE_FILE}\n` +
            `Tear it all down with: npm run local:down\n`,
    );
}

/**
 * `npm run local:down`: destroys the stacks (edge first), then deletes the clusters and the network.
 * Where k3d says a cluster is gone, the destroy forgets what it held (PULUMI_K8S_DELETE_UNREACHABLE):
 * only then, and only for this run.
 */
export async function localDown(root: string, env: NodeJS.ProcessEnv, deps: LocalDeps): Promise<void> {
    await checkTools(deps, env);
    // Without a state directory there is no stack (and the file backend would refuse to open it).
    const stacks = fs.existsSync(localPaths(root).state) ? await existingStacks(deps, env) : [];
    const clusters = await existingClusters(deps, env);
    if (stacks.includes(LOCAL.stacks.cloudStack)) {
        const gone = LOCAL.clusters.filter((cluster) => !clusters.includes(cluster));
        if (gone.length > 0)
            deps.log(`\n=== the k3d cluster(s) ${gone.join(", ")} no longer exist: their resources are dropped from the state\n`);
        await deps.down(
            LOCAL.stacks,
            { continuePastGoneEdges: false },
            gone.length > 0 ? { ...env, PULUMI_K8S_DELETE_UNREACHABLE: "true" } : env,
        );
    }
    if (clusters.length > 0) {
        deps.log(`\n=== deleting the k3d clusters ${clusters.join(", ")}\n`);
        await mustRun(deps, k3dDeleteArgs(clusters), env);
    }
    if ((await deps.runner.run(NETWORK_SUBNETS_ARGS, { env, capture: true })).status === 0) await mustRun(deps, NETWORK_REMOVE_ARGS, env);
    deps.log(
        `\nThe local environment is gone. Its state (${LOCAL.dir}/state) keeps the two empty stacks for the next npm run local:up; rm -rf ${LOCAL.dir} forgets them.\n`,
    );
}
