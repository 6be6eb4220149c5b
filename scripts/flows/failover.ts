// `npm run failover`: the failover demo, e2e/failover.sh, on the clusters the stacks describe: the
// script gets the edge's and the cloud's kubeconfig and context (EDGE_KUBECONFIG, EDGE_CONTEXT,
// CLOUD_KUBECONFIG, CLOUD_CONTEXT, its header) from their `kubeAccess` outputs, so nobody types them;
// the rest of its environment (FAILOVER_BY and its tuning) passes through. It refuses, saying how to
// switch, when the edge's split mode is not the one FAILOVER_BY runs in.
import * as path from "node:path";
import { OperatorError } from "../errors";
import type { Reporter } from "../events";
import { cloudOutputs, edgeOutputs, text } from "../pulumi/decode";
import type { MeshWorkspace } from "../pulumi/port";
import { KubeFlags, expandHome, kubectl } from "../tools/kubectl";
import { ToolRunner, stderrDetail } from "../tools/runner";
import type { SplitMode } from "./localEnv";
import { StackNames, requireCloudStack, requireEdgeStack } from "./mesh";
import { reportedStep } from "./steps";

export interface FailoverDeps {
    runner: ToolRunner;
    reporter: Reporter;
}

export interface FailoverOptions {
    /** The edge site to fail over; the cloud stack's first by default. */
    site?: string;
    /** How to put the edge stack in a split mode, as the operator would run it. */
    switchSplit: (edgeStack: string, mode: SplitMode) => string;
}

/** The split mode the script's FAILOVER_BY runs in (its header): cloud-scale with the split weighted, every other mode in failover. */
export function splitModeFor(failoverBy: string | undefined): SplitMode {
    return failoverBy === "cloud-scale" ? "weighted" : "failover";
}

/** The script's variables for one cluster: its kubeconfig (`~` resolved), and its context, which the script needs. */
async function scriptAccess(
    deps: FailoverDeps,
    env: NodeJS.ProcessEnv,
    access: KubeFlags,
): Promise<{ kubeconfig?: string; context: string }> {
    const kubeconfig = access.kubeconfig && expandHome(access.kubeconfig);
    if (access.context) return { kubeconfig, context: access.context };
    // The script names a context always: the kubeconfig's current one.
    const argv = kubectl({ kubeconfig: access.kubeconfig }, "config", "current-context");
    const result = await deps.runner.run(argv, { env });
    if (result.status !== 0) throw new OperatorError(`\`${argv.join(" ")}\` failed: ${stderrDetail(result.stderr)}`);
    return { kubeconfig, context: result.stdout.trim() };
}

/** Runs e2e/failover.sh of the checkout at `root` on the stacks' clusters, its output streamed; fails when it does. */
export async function runFailover(
    root: string,
    workspace: MeshWorkspace,
    names: StackNames,
    options: FailoverOptions,
    deps: FailoverDeps,
    env: NodeJS.ProcessEnv,
): Promise<void> {
    const cloudStack = await requireCloudStack(workspace, names, "Nothing was run.");
    const cloud = cloudOutputs(await cloudStack.outputs());
    const sites = cloud.edgeSiteNames ?? [];
    const site = options.site ?? sites[0];
    if (site === undefined || !sites.includes(site))
        throw new OperatorError(
            `the cloud stack ${JSON.stringify(cloudStack.name)} registers ${site === undefined ? "no edge site: is the mesh up?" : `no edge site ${JSON.stringify(site)}; it registers ${JSON.stringify(sites)}`}`,
        );
    const edgeStack = await requireEdgeStack(workspace, names, site, "Nothing was run.");
    const edge = edgeOutputs(await edgeStack.outputs());
    if (edge.frontendCommand === undefined)
        throw new OperatorError(
            `the edge stack ${JSON.stringify(edgeStack.name)} runs no demo (demo: false, or no up yet): the failover demo fails over its podinfo`,
        );
    const wanted = splitModeFor(env.FAILOVER_BY);
    const mode = text(await edgeStack.config("splitMode")) ?? "weighted";
    if (mode !== wanted)
        throw new OperatorError(
            `the edge stack ${JSON.stringify(edgeStack.name)} has splitMode ${mode}: FAILOVER_BY=${env.FAILOVER_BY ?? "scale"} needs ${wanted}`,
            `Switch it: ${options.switchSplit(edgeStack.name, wanted)}`,
        );
    if (edge.kubeAccess === undefined || cloud.kubeAccess === undefined)
        throw new OperatorError(
            "the stacks have no output kubeAccess: an older version of the program brought them up; run their up once more",
        );
    const [edgeAccess, cloudAccess] = [await scriptAccess(deps, env, edge.kubeAccess), await scriptAccess(deps, env, cloud.kubeAccess)];
    const script = path.join(root, "e2e", "failover.sh");
    const scriptEnv: NodeJS.ProcessEnv = {
        ...env,
        EDGE_CONTEXT: edgeAccess.context,
        CLOUD_CONTEXT: cloudAccess.context,
        ...(edgeAccess.kubeconfig === undefined ? {} : { EDGE_KUBECONFIG: edgeAccess.kubeconfig }),
        ...(cloudAccess.kubeconfig === undefined ? {} : { CLOUD_KUBECONFIG: cloudAccess.kubeconfig }),
    };
    const result = await reportedStep(
        deps.reporter,
        "failover",
        `e2e/failover.sh: the edge ${site} (${edgeStack.name}) and the cloud (${cloudStack.name})`,
        (onOutput) => deps.runner.run(["bash", script], { env: scriptEnv, onOutput }),
    );
    if (result.status !== 0) throw new OperatorError(`e2e/failover.sh failed (exit code ${result.status}): its output is above`);
}
