// npm run status: the cloud stack and every edge site it registers, as the backend knows them (the
// stack exists, its last update, the resources in its state) and, live, whether each site's link to
// the cloud's gateway is alive, as the site's own service mirror probes it. The stacks are read
// `parallel` at a time (each read is a CLI run); the table goes to the reporter, and the run fails
// when any stack needs attention.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { requireTools } from "../checks/tools";
import { OperatorError } from "../errors";
import type { Reporter, StackStatus } from "../events";
import { edgeOutputs, text } from "../pulumi/decode";
import { MeshStack, MeshWorkspace, PulumiError } from "../pulumi/port";
import { gatewaysArgs, gatewaysProblem, parseGateways } from "../tools/gateways";
import { expandHome } from "../tools/kubectl";
import type { ToolResult, ToolRunner } from "../tools/runner";
import { StackNames, edgeStackName, requireCloudStack, sitesOf } from "./mesh";
import { runPool } from "./pool";
import type { Target } from "./sites";

export interface StatusDeps {
    workspace: MeshWorkspace;
    runner: ToolRunner;
    reporter: Reporter;
    /** The environment the tools run with. */
    env: NodeJS.ProcessEnv;
}

export interface StatusOptions {
    /** Ask each edge site's linkerd whether its link to the cloud's gateway is alive. */
    live: boolean;
    /** Stacks read at once. */
    parallel: number;
}

/**
 * Runs `use` with a file holding the stack's kubeconfig value: the file it names (`~` is the home
 * directory, as the program reads it, config/kubeconfigFile.ts), or, for the contents given inline
 * (as config/kubeconfigAccess.ts tells them apart), a private temporary file.
 */
async function withKubeconfigFile<T>(value: string, use: (file: string) => Promise<T>): Promise<T> {
    if (!value.includes("\n") && !value.trimStart().startsWith("{")) return use(expandHome(value));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "edge-cloud-mesh-kubeconfig-"));
    try {
        fs.writeFileSync(path.join(dir, "kubeconfig"), value, { mode: 0o600 });
        return await use(path.join(dir, "kubeconfig"));
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/** The link to `linked` (all links when unknown) in what `linkerd multicluster gateways` answered. */
export function gatewayOf(result: ToolResult, linked: string | undefined): NonNullable<StackStatus["gateway"]> {
    const gateways = result.status === 0 ? parseGateways(result.stdout) : undefined;
    if (gateways === undefined) return { state: "unknown", detail: gatewaysProblem(result.stderr) || "linkerd printed no gateways" };
    const links = gateways.filter((gateway) => linked === undefined || gateway.clusterName === linked);
    if (links.length === 0) {
        return { state: "unknown", detail: gatewaysProblem(result.stderr) || `linkerd reports no gateway${linked ? ` of ${linked}` : ""}` };
    }
    const dead = links.filter((gateway) => !gateway.alive);
    if (dead.length > 0) return { state: "not alive", detail: dead.map((gateway) => gateway.clusterName).join(", ") };
    return { state: "alive", detail: links.map((gateway) => `${gateway.clusterName} ${gateway.latency}ms`).join(", ") };
}

async function liveGateway(stack: MeshStack, deps: StatusDeps): Promise<NonNullable<StackStatus["gateway"]>> {
    const kubeconfig = text(await stack.config("kubeconfig"));
    if (!kubeconfig) return { state: "unknown", detail: "the stack sets no kubeconfig" };
    const context = text(await stack.config("kubeContext"));
    const linked = edgeOutputs(await stack.outputs()).linkedCluster;
    return withKubeconfigFile(kubeconfig, async (file) =>
        gatewayOf(await deps.runner.run(gatewaysArgs({ kubeconfig: file, context }), { env: deps.env }), linked),
    );
}

async function statusOf(target: Target, deps: StatusDeps, options: StatusOptions, cloud: MeshStack): Promise<StackStatus> {
    try {
        const stack = target.site === undefined ? cloud : await deps.workspace.stack(target.stack);
        if (stack === undefined) return { ...target, exists: false };
        const update = await stack.lastUpdate();
        return {
            ...target,
            exists: true,
            lastUpdate: update && { kind: update.kind, result: update.result, time: update.endTime ?? update.startTime },
            resources: await stack.resourceCount(),
            gateway: options.live && target.site !== undefined ? await liveGateway(stack, deps) : undefined,
        };
    } catch (error) {
        if (!(error instanceof OperatorError)) throw error;
        return { ...target, problem: error instanceof PulumiError ? `\`${error.step}\`: ${error.reason}` : error.message };
    }
}

/** What needs attention in a stack, or undefined when nothing does. */
export function attention(status: StackStatus): string | undefined {
    if (status.problem !== undefined) return "could not be read";
    if (status.exists === false) return "no stack";
    if (status.lastUpdate === undefined) return "never updated";
    if (status.lastUpdate.result !== "succeeded") return `its last ${status.lastUpdate.kind} ${status.lastUpdate.result}`;
    if (status.gateway !== undefined && status.gateway.state !== "alive") return `gateway ${status.gateway.state}`;
    return undefined;
}

/** Reports the status of every stack, and returns it; throws after the report when any stack needs attention. */
export async function meshStatus(deps: StatusDeps, names: StackNames, options: StatusOptions): Promise<StackStatus[]> {
    const cloud = await requireCloudStack(deps.workspace, names);
    const sites = await sitesOf(cloud);
    if (options.live && sites.length > 0) {
        await requireTools("npm run status -- --live asks each edge site's linkerd for its gateways", ["linkerd"], deps, deps.env);
    }
    const targets: Target[] = [{ stack: cloud.name }, ...sites.map((site) => ({ site, stack: edgeStackName(names, site) }))];
    const stacks = await runPool(targets, options.parallel, (target) => statusOf(target, deps, options, cloud));
    deps.reporter.report({ kind: "status", stacks, live: options.live });
    const needing = stacks.flatMap((status) => {
        const why = attention(status);
        return why === undefined ? [] : [`${status.stack} (${why})`];
    });
    if (needing.length > 0) {
        throw new OperatorError(`${needing.length} of ${stacks.length} stacks need attention: ${needing.join(", ")}.`);
    }
    return stacks;
}
