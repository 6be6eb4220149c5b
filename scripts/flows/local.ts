// npm run local:up / local:down: the local environment (flows/localEnv.ts) brought up and torn down.
// k3d and docker run through the ToolRunner, Pulumi through the port; every step goes to the reporter.
import * as fs from "node:fs";
import { requireTools } from "../checks/tools";
import { OperatorError } from "../errors";
import type { Reporter } from "../events";
import { edgeOutputs } from "../pulumi/decode";
import type { MeshWorkspace } from "../pulumi/port";
import { ipv4Subnet, networkRemoveArgs, networkSubnetsArgs } from "../tools/docker";
import { K3D_LIST_ARGS, k3dClusterNames, k3dCreateArgs, k3dDeleteArgs, k3dKubeconfigArgs } from "../tools/k3d";
import { OnOutput, ToolRunner, stderrDetail } from "../tools/runner";
import { LOCAL, LocalCluster, clusterStack, deletionOrder, localPaths, prepareLocalDirectory, stackConfig } from "./localEnv";
import { downMesh, upMesh } from "./mesh";
import { reportedStep } from "./steps";

export interface LocalDeps {
    runner: ToolRunner;
    /** The Pulumi workspace, its CLI run with exactly `env`. */
    workspace(env: NodeJS.ProcessEnv): Promise<MeshWorkspace>;
    reporter: Reporter;
}

function checkTools(deps: LocalDeps, env: NodeJS.ProcessEnv): Promise<void> {
    return requireTools("the local environment needs Docker, k3d and the Pulumi CLI", ["docker", "k3d", "pulumi"], deps, env);
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

async function existingClusters(deps: LocalDeps, env: NodeJS.ProcessEnv): Promise<LocalCluster[]> {
    const names = k3dClusterNames(await mustRun(deps, K3D_LIST_ARGS, env));
    return LOCAL.clusters.filter((cluster) => names.includes(cluster));
}

export interface LocalUpResult {
    /** How to open the demo's frontend on the edge (the edge stack's output). */
    frontendCommand?: string;
}

/**
 * `npm run local:up`: checks the tools, creates what is missing (the clusters, the stacks), writes the
 * stacks' config and brings the mesh up. Run again, it converges. `env` is the local environment's
 * (localEnvironment).
 */
export async function localUp(root: string, env: NodeJS.ProcessEnv, deps: LocalDeps): Promise<LocalUpResult> {
    await checkTools(deps, env);
    prepareLocalDirectory(root);
    const paths = localPaths(root);
    const workspace = await deps.workspace(env);
    const stacks = await workspace.stackNames();
    const clusters = await existingClusters(deps, env);

    for (const cluster of LOCAL.clusters) {
        if (clusters.includes(cluster)) continue;
        // The edge learns the cloud's in-network address when it starts (k3d's CoreDNS records).
        if (cluster === "cloud" && clusters.includes("edge")) {
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

    for (const [name, values] of Object.entries(stackConfig(root, subnet))) {
        const stack = stacks.includes(name) ? await workspace.stack(name) : undefined;
        await (stack ?? (await workspace.createStack(name))).setConfig(values);
    }

    const result = await upMesh(workspace, LOCAL.stacks, deps.reporter);
    return { frontendCommand: edgeOutputs(result.edges.edge ?? {}).frontendCommand };
}

/**
 * `npm run local:down`: destroys the stacks (edge first), then deletes the clusters and the network.
 * Where k3d says a cluster is gone, the destroy forgets what it held (PULUMI_K8S_DELETE_UNREACHABLE):
 * only then, and only for this run.
 */
export async function localDown(root: string, env: NodeJS.ProcessEnv, deps: LocalDeps): Promise<void> {
    await checkTools(deps, env);
    const clusters = await existingClusters(deps, env);
    const gone = LOCAL.clusters.filter((cluster) => !clusters.includes(cluster));
    // Without a state directory there is no stack (and the file backend would refuse to open it).
    if (fs.existsSync(localPaths(root).state)) {
        const workspace = await deps.workspace(gone.length > 0 ? { ...env, PULUMI_K8S_DELETE_UNREACHABLE: "true" } : env);
        if ((await workspace.stackNames()).includes(LOCAL.stacks.cloudStack)) {
            if (gone.length > 0)
                deps.reporter.report({
                    kind: "notice",
                    text: `the k3d cluster(s) ${gone.join(", ")} no longer exist: their resources are dropped from the state`,
                });
            await downMesh(workspace, LOCAL.stacks, { continuePastGoneEdges: false }, deps.reporter);
        }
    }
    if (clusters.length > 0) {
        await reportedStep(deps.reporter, "k3d clusters", `deleting the k3d clusters ${clusters.join(", ")}`, (onOutput) =>
            mustRun(deps, k3dDeleteArgs(deletionOrder(clusters)), env, onOutput),
        );
    }
    if ((await deps.runner.run(networkSubnetsArgs(LOCAL.network), { env })).status === 0) {
        const subject = `docker network ${LOCAL.network}`;
        await mustRun(deps, networkRemoveArgs(LOCAL.network), env, (text, stream) =>
            deps.reporter.report({ kind: "output", subject, stream, text }),
        );
    }
}
