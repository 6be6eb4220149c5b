// The whole mesh in one command: the cloud stack and every edge stack registered in it, in the order
// they depend on each other. Up: the cloud stack first (edge stacks read its outputs), then the edge
// stacks, a few at a time. Down: every edge stack first (each links to the cloud), a few at a time,
// then the cloud stack. A site's failure does not stop the others: the run ends with a summary of
// every stack and fails when any did. Pulumi comes in through the port (pulumi/port.ts); each
// stack's step and output go to the reporter.
import { OperatorError } from "../errors";
import type { Reporter, SiteOutcome } from "../events";
import { RawOutputs, cloudOutputs, textList } from "../pulumi/decode";
import { MeshStack, MeshWorkspace } from "../pulumi/port";
import { DEFAULT_PARALLEL } from "./pool";
import { StackRun, Target, acrossSites, described, failedStacks, missingStack, siteStep, timedStep } from "./sites";

/** How the stacks are named: the cloud stack, and each edge site's stack as the prefix and the site. */
export interface StackNames {
    cloudStack: string;
    /** Prepended to a site's name to name its stack: "" (the stack is named after the site), "local-", "acme/edge-cloud-mesh/". */
    edgeStackPrefix: string;
}

export function edgeStackName(names: StackNames, site: string): string {
    return `${names.edgeStackPrefix}${site}`;
}

export interface ParallelOptions {
    /** Edge stacks run at most this many at once (DEFAULT_PARALLEL when not given). */
    parallel?: number;
}

/** The stack `name`, `what` to a sentence: an OperatorError saying how to create it (and `notRun`) when the backend has none. */
async function requireStack(workspace: MeshWorkspace, what: string, name: string, notRun: string): Promise<MeshStack> {
    const stack = await workspace.stack(name);
    if (stack === undefined) throw new OperatorError(`${missingStack(what, name)}${notRun && ` ${notRun}`}`);
    return stack;
}

/** The cloud stack, which every run starts from: an OperatorError saying how to create it (and `notRun`) when the backend has none. */
export function requireCloudStack(workspace: MeshWorkspace, names: StackNames, notRun = ""): Promise<MeshStack> {
    return requireStack(workspace, "the cloud stack", names.cloudStack, notRun);
}

/** An edge site's stack, for a command on one site at a time (verify, failover): likewise. */
export function requireEdgeStack(workspace: MeshWorkspace, names: StackNames, site: string, notRun = ""): Promise<MeshStack> {
    return requireStack(workspace, `the edge site ${JSON.stringify(site)}`, edgeStackName(names, site), notRun);
}

/** The sites the cloud stack registered: from its outputs, or its `edgeSites` config while it has none (an `up` that never finished). */
export async function sitesOf(cloud: MeshStack): Promise<string[]> {
    return cloudOutputs(await cloud.outputs()).edgeSiteNames ?? textList(await cloud.config("edgeSites")) ?? [];
}

function siteTarget(names: StackNames, site: string): Target {
    return { site, stack: edgeStackName(names, site) };
}

function parallelOf(options: ParallelOptions): number {
    return options.parallel ?? DEFAULT_PARALLEL;
}

function outcomes(runs: StackRun<unknown>[]): SiteOutcome[] {
    return runs.map((run) => run.outcome);
}

/** Reports the run's summary (`summary`, the cloud stack first); throws the run's error when any of `runs` failed. */
function summarize(reporter: Reporter, title: string, summary: SiteOutcome[], runs: StackRun<unknown>[], what: string, next = ""): void {
    reporter.report({ kind: "sites-done", title, outcomes: summary });
    const failed = runs.filter((run) => run.outcome.result === "failed");
    if (failed.length > 0) throw new OperatorError(`${failedStacks(failed, runs.length, what)}${next}`);
}

export interface UpResult {
    cloud: RawOutputs;
    /** Each edge site's stack outputs, by site. */
    edges: Record<string, RawOutputs>;
}

/** `pulumi up` on the cloud stack, then on every edge stack it registers, `parallel` at a time. */
export async function upMesh(
    workspace: MeshWorkspace,
    names: StackNames,
    reporter: Reporter,
    options: ParallelOptions = {},
): Promise<UpResult> {
    const cloud = await requireCloudStack(workspace, names, "Nothing was run.");
    const cloudRun = await timedStep(reporter, { stack: cloud.name }, `pulumi up: the cloud stack ${cloud.name}`, (onOutput) =>
        cloud.up(onOutput),
    );
    if (cloudRun.value === undefined) throw new OperatorError(`${cloudRun.failure} No edge stack was run.`);
    const sites = cloudOutputs(cloudRun.value).edgeSiteNames;
    if (sites === undefined) {
        throw new OperatorError(`the cloud stack ${JSON.stringify(cloud.name)} has no output edgeSiteNames: is its role cloud?`);
    }
    const edges = await acrossSites(reporter, "pulumi up: the edge stacks", sites, parallelOf(options), (site) => {
        const target = siteTarget(names, site);
        return siteStep(workspace, reporter, target, `pulumi up: the edge stack ${target.stack} (site ${site})`, (edge, onOutput) =>
            edge.up(onOutput),
        );
    });
    summarize(reporter, "pulumi up", outcomes([cloudRun, ...edges]), edges, "edge stacks failed");
    return {
        cloud: cloudRun.value,
        edges: Object.fromEntries(edges.map((run, index) => [sites[index], run.value!])),
    };
}

/**
 * `pulumi preview` of the cloud stack, then of every edge stack it registers, `parallel` at a time;
 * with expectNoChanges any change fails. An edge stack previews against the cloud stack's outputs,
 * not its preview: it runs whatever the cloud's preview showed.
 */
export async function previewMesh(
    workspace: MeshWorkspace,
    names: StackNames,
    expectNoChanges: boolean,
    reporter: Reporter,
    options: ParallelOptions = {},
): Promise<void> {
    const cloud = await requireCloudStack(workspace, names, "Nothing was previewed.");
    const sites = await sitesOf(cloud);
    const command = `pulumi preview${expectNoChanges ? " --expect-no-changes" : ""}`;
    const cloudRun = await timedStep(reporter, { stack: cloud.name }, `${command}: ${cloud.name}`, (onOutput) =>
        cloud.preview(onOutput, expectNoChanges),
    );
    const edges = await acrossSites(reporter, `${command}: the edge stacks`, sites, parallelOf(options), (site) => {
        const target = siteTarget(names, site);
        return siteStep(workspace, reporter, target, `${command}: ${target.stack}`, (edge, onOutput) =>
            edge.preview(onOutput, expectNoChanges),
        );
    });
    const stacks = [cloudRun, ...edges];
    const what = expectNoChanges ? "stacks show changes or failed to preview" : "stacks failed to preview";
    summarize(reporter, command, outcomes(stacks), stacks, what);
}

export interface DownOptions extends ParallelOptions {
    /** Destroy the cloud stack past edge stacks that do not exist or whose destroy failed. */
    continuePastGoneEdges: boolean;
}

/**
 * `pulumi destroy` on every edge stack, `parallel` at a time, then on the cloud stack, only when every
 * edge stack is gone (or, with continuePastGoneEdges, was gone past). The sites come from the cloud
 * stack's outputs, or its `edgeSites` config when it has none (an `up` that never finished). Returns
 * the edge stacks it went past.
 */
export async function downMesh(workspace: MeshWorkspace, names: StackNames, options: DownOptions, reporter: Reporter): Promise<string[]> {
    const cloud = await requireCloudStack(workspace, names, "Nothing was destroyed.");
    const sites = await sitesOf(cloud);
    const edges = await acrossSites(reporter, "pulumi destroy: the edge stacks", sites, parallelOf(options), async (site) => {
        const target = siteTarget(names, site);
        const run = await siteStep(
            workspace,
            reporter,
            target,
            `pulumi destroy: the edge stack ${target.stack} (site ${site})`,
            (edge, onOutput) => edge.destroy(onOutput),
        );
        if (run.outcome.result !== "failed" || !options.continuePastGoneEdges) return run;
        reporter.report({ kind: "notice", text: `going past ${described(target)}: ${run.outcome.errors!.join("; ")}` });
        return { ...run, outcome: { ...run.outcome, result: "passed" as const } };
    });
    const left = edges.filter((run) => run.outcome.result === "failed").map((run) => run.outcome.stack);
    if (left.length > 0) {
        const kept: SiteOutcome = { stack: cloud.name, result: "kept", errors: [`edge stacks link to it: ${left.join(", ")}`] };
        summarize(
            reporter,
            "pulumi destroy",
            [kept, ...outcomes(edges)],
            edges,
            "edge stacks were not destroyed",
            ` The cloud stack ${JSON.stringify(cloud.name)} was not destroyed: edge sites link to it. Fix that and run npm run down ` +
                `again. If a site is gone for good: PULUMI_K8S_DELETE_UNREACHABLE=true npm run down forgets an unreachable cluster's ` +
                `resources, and npm run down -- --continue-past-gone-edges destroys the cloud stack past the edge stacks it cannot destroy.`,
        );
    }
    const cloudRun = await timedStep(reporter, { stack: cloud.name }, `pulumi destroy: the cloud stack ${cloud.name}`, (onOutput) =>
        cloud.destroy(onOutput),
    );
    summarize(reporter, "pulumi destroy", outcomes([cloudRun, ...edges]), [cloudRun], "stacks failed", " Run npm run down again.");
    return edges.filter((run) => run.outcome.result === "passed").map((run) => run.outcome.stack);
}
