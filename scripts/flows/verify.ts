// `npm run verify`: the mesh the stacks describe, checked as the seed tutorial checks it
// (checks/verify.ts). Each cluster comes from its stack's outputs (kubeAccess, the services, the
// link), each edge's split from its config; nothing is assumed about where the clusters run, so the
// local stacks and AWS stacks are verified alike.
//
// The edges' linkerd commands check the link's credentials from this machine, at the cloud API server
// address the Link names. Where that is not the address this machine's kubeconfig reaches the cloud at
// (the local cloud: https://k3d-cloud-server-0:6443, a name only the Docker network knows, and
// 127.0.0.1:<port> here), they run with HTTPS_PROXY set to a proxy of this run's own on loopback that
// maps the one to the other (tools/connectProxy.ts): no /etc/hosts entry, no sudo.
import { Check, ChecksOutcome, Clock, SYSTEM_CLOCK, runChecks } from "../checks/framework";
import { CloudTarget, EdgeTarget, SplitExpectation, verifyChecks } from "../checks/verify";
import { OperatorError } from "../errors";
import type { Reporter } from "../events";
import { RawOutputs, cloudOutputs, edgeOutputs, splitWeights, text } from "../pulumi/decode";
import type { MeshStack, MeshWorkspace } from "../pulumi/port";
import { ConnectProxy, startConnectProxy } from "../tools/connectProxy";
import { KubeFlags, serverArgs } from "../tools/kubectl";
import { ToolRunner, stderrDetail } from "../tools/runner";
import { StackNames, requireCloudStack, requireEdgeStack } from "./mesh";

export interface VerifyDeps {
    runner: ToolRunner;
    reporter: Reporter;
    /** For the checks' retries; tests pass one that does not wait. */
    clock?: Clock;
}

/** The stack's outputs; an OperatorError when it has none yet. */
async function deployedOutputs(stack: MeshStack): Promise<RawOutputs> {
    const outputs = await stack.outputs();
    if (Object.keys(outputs).length === 0)
        throw new OperatorError(
            `the stack ${JSON.stringify(stack.name)} has no outputs: bring the mesh up first (npm run up, or npm run local:up)`,
        );
    return outputs;
}

function requireAccess(stack: MeshStack, access: KubeFlags | undefined): KubeFlags {
    if (access === undefined)
        throw new OperatorError(
            `the stack ${JSON.stringify(stack.name)} has no output kubeAccess: an older version of the program brought it up. ` +
                `Run npm run up (or npm run local:up) once, then npm run verify again.`,
        );
    return access;
}

/** Where the demo's split sends `/` on an edge: its config (splitMode, trafficSplit, trafficSplitApi) as it was brought up with. */
async function splitExpectation(stack: MeshStack, site: string, cloud: string): Promise<SplitExpectation> {
    const api = text(await stack.config("trafficSplitApi")) === "smi" ? "smi" : "httproute";
    if (text(await stack.config("splitMode")) === "failover") return { mode: "failover", api, answersFrom: [site] };
    const weights = splitWeights(await stack.config("trafficSplit")) ?? { local: 1, cloud: 1 };
    return {
        mode: "weighted",
        api,
        answersFrom: [...(weights.local > 0 ? [site] : []), ...(weights.cloud > 0 ? [cloud] : [])],
    };
}

/** `host:port` of an https URL. */
function hostPort(url: string): string {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || "443"}`;
}

/** The mesh's clusters as the checks reach them, without the linkerd environment the proxy decides. */
async function readMesh(workspace: MeshWorkspace, names: StackNames) {
    const cloudStack = await requireCloudStack(workspace, names, "Nothing was verified.");
    const cloud = cloudOutputs(await deployedOutputs(cloudStack));
    const cloudName = cloud.clusterName ?? "cloud";
    const edges = [];
    for (const site of cloud.edgeSiteNames ?? []) {
        const stack = await requireEdgeStack(workspace, names, site, "Nothing was verified.");
        const outputs = edgeOutputs(await deployedOutputs(stack));
        edges.push({
            name: site,
            stack: stack.name,
            access: requireAccess(stack, outputs.kubeAccess),
            cloud: outputs.linkedCluster ?? cloudName,
            mirroredServices: outputs.mirroredServices ?? [],
            // The demo's frontend is there when the stack prints how to open it.
            split:
                outputs.frontendCommand === undefined ? undefined : await splitExpectation(stack, site, outputs.linkedCluster ?? cloudName),
        });
    }
    return {
        cloud: {
            name: cloudName,
            stack: cloudStack.name,
            access: requireAccess(cloudStack, cloud.kubeAccess),
            exportedServices: cloud.exportedServices ?? [],
        },
        apiEndpoint: cloud.apiEndpoint,
        edges,
    };
}

/** The proxy from the Link's address of the cloud API server to this machine's, when they differ. */
async function linkProxy(
    apiEndpoint: string | undefined,
    cloudAccess: KubeFlags,
    deps: VerifyDeps,
    env: NodeJS.ProcessEnv,
): Promise<ConnectProxy | undefined> {
    if (apiEndpoint === undefined) return undefined;
    const argv = serverArgs(cloudAccess);
    const result = await deps.runner.run(argv, { env });
    if (result.status !== 0 || !result.stdout.trim())
        throw new OperatorError(`\`${argv.join(" ")}\` failed: ${stderrDetail(result.stderr) || "it printed no server"}`);
    const [link, here] = [hostPort(apiEndpoint), hostPort(result.stdout.trim())];
    if (link === here) return undefined;
    const proxy = await startConnectProxy({ [link]: here });
    deps.reporter.report({
        kind: "notice",
        text: `the edges' Link names the cloud API server ${link}; linkerd reaches it through ${proxy.url}, a proxy of this run, at ${here}, where this machine's kubeconfig does`,
    });
    return proxy;
}

/** The clusters of the mesh as the checks reach them. */
export interface MeshTargets {
    cloud: CloudTarget;
    edges: EdgeTarget[];
}

/**
 * Runs the checks `checksOf` gives for the mesh of these stacks, under the title `titleOf` gives for
 * the stacks' names; the outcome says whether all passed. `env` is the one the CLIs run with.
 */
export async function checkMesh(
    workspace: MeshWorkspace,
    names: StackNames,
    deps: VerifyDeps,
    env: NodeJS.ProcessEnv,
    titleOf: (stacks: string) => string,
    checksOf: (targets: MeshTargets) => Check[],
): Promise<ChecksOutcome> {
    const mesh = await readMesh(workspace, names);
    const proxy = await linkProxy(mesh.apiEndpoint, mesh.cloud.access, deps, env);
    try {
        const cloud: CloudTarget = { ...mesh.cloud, linkerdEnv: env };
        const edgeEnv = proxy === undefined ? env : { ...env, HTTPS_PROXY: proxy.url };
        const edges: EdgeTarget[] = mesh.edges.map((edge) => ({ ...edge, linkerdEnv: edgeEnv }));
        const stacks = [cloud.stack, ...edges.map((edge) => edge.stack)].join(", ");
        return await runChecks(titleOf(stacks), checksOf({ cloud, edges }), deps.reporter, deps.clock ?? SYSTEM_CLOCK);
    } finally {
        await proxy?.close();
    }
}

/** Runs every check of verify on the mesh of these stacks; the outcome says whether all passed. `env` is the one the CLIs run with. */
export function verifyMesh(workspace: MeshWorkspace, names: StackNames, deps: VerifyDeps, env: NodeJS.ProcessEnv): Promise<ChecksOutcome> {
    return checkMesh(
        workspace,
        names,
        deps,
        env,
        (stacks) => `verify: the stacks ${stacks}`,
        (targets) => verifyChecks(targets, deps.runner, env),
    );
}
