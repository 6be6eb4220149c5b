// npm run local:up / local:down / local:reset: the local environment (flows/localEnv.ts) brought up,
// torn down and forgotten. k3d and docker run through the ToolRunner, Pulumi through the port; every
// step goes to the reporter. The commands check their tools before they run these (cli/local.ts).
//
// local:up's steps, each of which a later local:up takes up where an interrupted one stopped:
//   1. .local/ and its passphrase (kept once written)
//   2. the k3d cluster cloud, then edge (a listed cluster is kept, and started when it does not run)
//   3. their kubeconfigs in .local/ (written again each time)
//   4. the Docker network's subnet (read)
//   5. the stacks local-cloud, then local-edge (created when missing), and their config (written whole)
//   6. pulumi up on local-cloud, then local-edge (npm run up's order)
// local:down destroys what there is and deletes what there is, past anything missing or failing.
import * as fs from "node:fs";
import * as path from "node:path";
import { OperatorError } from "../errors";
import type { Reporter } from "../events";
import { edgeOutputs } from "../pulumi/decode";
import { MeshWorkspace, PulumiError } from "../pulumi/port";
import { ipv4Subnet, networkRemoveArgs, networkSubnetsArgs } from "../tools/docker";
import { K3D_LIST_ARGS, K3dCluster, k3dClusters, k3dCreateArgs, k3dDeleteArgs, k3dKubeconfigArgs, k3dStartArgs } from "../tools/k3d";
import { OnOutput, ToolRunner, stderrDetail } from "../tools/runner";
import {
    LOCAL,
    LocalCluster,
    SplitMode,
    clusterStack,
    deletionOrder,
    hasLocalState,
    localPaths,
    localStackFiles,
    prepareLocalDirectory,
    stackConfig,
} from "./localEnv";
import { upMesh } from "./mesh";
import { reportedStep } from "./steps";

export interface LocalDeps {
    runner: ToolRunner;
    /** The Pulumi workspace, its CLI run with exactly `env`. */
    workspace(env: NodeJS.ProcessEnv): Promise<MeshWorkspace>;
    reporter: Reporter;
}

/** Runs argv; its stdout, or a failure naming the command and what it said. */
async function mustRun(deps: LocalDeps, argv: string[], env: NodeJS.ProcessEnv, onOutput?: OnOutput): Promise<string> {
    const result = await deps.runner.run(argv, { env, onOutput });
    if (result.status !== 0) {
        const detail = stderrDetail(result.stderr);
        throw new OperatorError(`\`${argv.join(" ")}\` failed${detail ? `: ${detail}` : ""}`);
    }
    return result.stdout;
}

/** The local environment's clusters that k3d lists, running or not. */
async function localClusters(deps: LocalDeps, env: NodeJS.ProcessEnv): Promise<(K3dCluster & { name: LocalCluster })[]> {
    return k3dClusters(await mustRun(deps, K3D_LIST_ARGS, env)).filter((cluster): cluster is K3dCluster & { name: LocalCluster } =>
        (LOCAL.clusters as readonly string[]).includes(cluster.name),
    );
}

export interface LocalUpOptions {
    /** Written into the edge stack's splitMode; without it the stack keeps its own. */
    splitMode?: SplitMode;
}

export interface LocalUpResult {
    /** How to open the demo's frontend on the edge (the edge stack's output). */
    frontendCommand?: string;
}

/**
 * `npm run local:up`: creates what is missing (the clusters, the stacks), writes the stacks' config
 * and brings the mesh up. Run again, it converges. `env` is the local environment's (localEnvironment).
 */
export async function localUp(root: string, env: NodeJS.ProcessEnv, deps: LocalDeps, options: LocalUpOptions = {}): Promise<LocalUpResult> {
    prepareLocalDirectory(root);
    const paths = localPaths(root);
    const workspace = await deps.workspace(env);
    const stacks = await workspace.stackNames();
    const clusters = await localClusters(deps, env);

    for (const cluster of LOCAL.clusters) {
        const listed = clusters.find((candidate) => candidate.name === cluster);
        if (listed?.running) continue;
        if (listed !== undefined) {
            // Stopped (Docker restarted) or left half-created by an interrupted create.
            await reportedStep(
                deps.reporter,
                `k3d cluster ${cluster}`,
                `starting the k3d cluster ${cluster} (not every server of it runs)`,
                (onOutput) => mustRun(deps, k3dStartArgs(cluster), env, onOutput),
            );
            continue;
        }
        // The edge learns the cloud's in-network address when it starts (k3d's CoreDNS records).
        if (cluster === "cloud" && clusters.some((candidate) => candidate.name === "edge")) {
            throw new OperatorError(
                "the k3d cluster edge exists but cloud does not: the edge learns the cloud's address on the Docker network when it " +
                    "starts. Run npm run local:down, then npm run local:up again.",
            );
        }
        const stack = clusterStack(cluster);
        // A stack that remembers resources in a cluster that was deleted would never recreate them.
        const held = stacks.includes(stack) ? await (await workspace.stack(stack))?.outputs() : undefined;
        if (held !== undefined && Object.keys(held).length > 0) {
            throw new OperatorError(
                `the k3d cluster ${cluster} is gone, but the stack ${stack} still holds what was deployed into it. ` +
                    `Run npm run local:down (it forgets what the missing cluster held), then npm run local:up again.`,
            );
        }
        await reportedStep(deps.reporter, `k3d cluster ${cluster}`, `creating the k3d cluster ${cluster}`, (onOutput) =>
            mustRun(deps, k3dCreateArgs(cluster, LOCAL), env, onOutput),
        );
    }
    for (const cluster of LOCAL.clusters) {
        fs.writeFileSync(paths.kubeconfig(cluster), await mustRun(deps, k3dKubeconfigArgs(cluster), env), { mode: 0o600 });
    }
    const subnet = ipv4Subnet(await mustRun(deps, networkSubnetsArgs(LOCAL.network), env), LOCAL.network);

    for (const [name, values] of Object.entries(stackConfig(root, subnet, options.splitMode))) {
        const stack = stacks.includes(name) ? await workspace.stack(name) : undefined;
        await (stack ?? (await workspace.createStack(name))).setConfig(values);
    }

    const result = await upMesh(workspace, LOCAL.stacks, deps.reporter);
    return { frontendCommand: edgeOutputs(result.edges.edge ?? {}).frontendCommand };
}

/** One line of what local:down did: the thing, and what became of it. */
type DownRow = [string, string];

/** The local stacks, edge first: destroyed where they exist, each whatever became of the other. */
async function destroyLocalStacks(
    root: string,
    env: NodeJS.ProcessEnv,
    deps: LocalDeps,
    gone: LocalCluster[],
    rows: DownRow[],
): Promise<PulumiError[]> {
    if (!hasLocalState(root)) {
        rows.push([`stacks ${LOCAL.clusters.map(clusterStack).join(", ")}`, `none: no state in ${LOCAL.dir}/state`]);
        return [];
    }
    if (gone.length > 0)
        deps.reporter.report({
            kind: "notice",
            text: `the k3d cluster(s) ${gone.join(", ")} no longer run: the destroy forgets what they held (PULUMI_K8S_DELETE_UNREACHABLE)`,
        });
    const workspace = await deps.workspace(gone.length > 0 ? { ...env, PULUMI_K8S_DELETE_UNREACHABLE: "true" } : env);
    const stacks = await workspace.stackNames();
    const failures: PulumiError[] = [];
    for (const cluster of deletionOrder([...LOCAL.clusters])) {
        const name = clusterStack(cluster);
        const stack = stacks.includes(name) ? await workspace.stack(name) : undefined;
        if (stack === undefined) {
            rows.push([`stack ${name}`, "none (never created)"]);
            continue;
        }
        try {
            await reportedStep(deps.reporter, name, `pulumi destroy: ${name}`, (onOutput) =>
                stack.destroy((text) => onOutput(text, "stdout")),
            );
            rows.push([`stack ${name}`, gone.includes(cluster) ? `destroyed; what the cluster ${cluster} held is forgotten` : "destroyed"]);
        } catch (error) {
            if (!(error instanceof PulumiError)) throw error;
            failures.push(error);
            rows.push([`stack ${name}`, `destroy failed at \`${error.step}\`: ${error.reason}`]);
        }
    }
    return failures;
}

/**
 * `npm run local:down`: destroys the stacks that exist (edge first), then deletes the clusters and the
 * network, whatever the destroys did: the clusters are the resources. Where a cluster is gone or does
 * not run, the destroy forgets what it held (PULUMI_K8S_DELETE_UNREACHABLE): only then, for this run.
 * Reports what became of each; a failed destroy fails the run after everything else is done.
 */
export async function localDown(root: string, env: NodeJS.ProcessEnv, deps: LocalDeps): Promise<void> {
    const clusters = await localClusters(deps, env);
    const gone = LOCAL.clusters.filter((cluster) => !clusters.some((listed) => listed.name === cluster && listed.running));
    const rows: DownRow[] = [];
    try {
        const failures = await destroyLocalStacks(root, env, deps, gone, rows);
        const existing = deletionOrder(clusters.map((cluster) => cluster.name));
        if (existing.length > 0) {
            await reportedStep(deps.reporter, "k3d clusters", `deleting the k3d clusters ${existing.join(", ")}`, (onOutput) =>
                mustRun(deps, k3dDeleteArgs(existing), env, onOutput),
            );
        }
        for (const cluster of deletionOrder([...LOCAL.clusters]))
            rows.push([`k3d cluster ${cluster}`, existing.includes(cluster) ? "deleted" : "none (already gone)"]);
        const network = `docker network ${LOCAL.network}`;
        if ((await deps.runner.run(networkSubnetsArgs(LOCAL.network), { env })).status === 0) {
            await mustRun(deps, networkRemoveArgs(LOCAL.network), env, (text, stream) =>
                deps.reporter.report({ kind: "output", subject: network, stream, text }),
            );
            rows.push([network, "removed"]);
        } else rows.push([network, "none (already gone)"]);
        if (failures.length > 0) {
            throw new OperatorError(
                `${failures.map((failure) => failure.message).join("; ")}. The clusters and the network are deleted all the same.`,
                `Run npm run local:down again: with the clusters gone, the destroy forgets what they held. ` +
                    `Or forget all local state: npm run local:reset.`,
            );
        }
    } finally {
        deps.reporter.report({ kind: "table", title: "local:down", headers: ["", "WHAT BECAME OF IT"], rows });
    }
}

/**
 * `npm run local:reset`: forgets the local state, the passphrase and the local stacks' config files
 * (which hold the passphrase's salt), so that the next local:up starts afresh. Refuses while the
 * clusters exist: they would be left with no stack that knows them. Returns what it forgot.
 */
export async function localReset(root: string, env: NodeJS.ProcessEnv, deps: LocalDeps): Promise<string[]> {
    const clusters = await localClusters(deps, env);
    if (clusters.length > 0) {
        throw new OperatorError(
            `the k3d cluster(s) ${clusters.map((cluster) => cluster.name).join(", ")} still exist, and the local state is what knows ` +
                `what runs in them`,
            "Run npm run local:down first (it destroys the stacks and deletes the clusters and the network), then npm run local:reset.",
        );
    }
    const forgotten: string[] = [];
    const dir = localPaths(root).dir;
    if (fs.existsSync(dir)) {
        fs.rmSync(dir, { recursive: true, force: true });
        forgotten.push(`${LOCAL.dir}/ (the state of the stacks, the passphrase, the kubeconfigs)`);
    }
    for (const file of localStackFiles(root)) {
        if (!fs.existsSync(file)) continue;
        fs.rmSync(file);
        forgotten.push(path.basename(file));
    }
    return forgotten;
}
