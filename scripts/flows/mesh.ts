// The whole mesh in one command: the cloud stack and every edge stack registered in it, in the order
// they depend on each other. Up: the cloud stack first (edge stacks read its outputs), then each edge
// stack in the order of its `edgeSites`. Down: every edge stack first (each links to the cloud), then
// the cloud stack. Pulumi comes in through the port (pulumi/port.ts); each stack's step and output go
// to the reporter; a failure is an OperatorError that says which stack, which command, why, and what
// was not run.
import { OperatorError } from "../errors";
import type { Reporter } from "../events";
import { RawOutputs, cloudOutputs, textList } from "../pulumi/decode";
import { MeshStack, MeshWorkspace, Output, PulumiError } from "../pulumi/port";
import { reportedStep } from "./steps";

/** How the stacks are named: the cloud stack, and each edge site's stack as the prefix and the site. */
export interface StackNames {
    cloudStack: string;
    /** Prepended to a site's name to name its stack: "" (the stack is named after the site), "local-", "acme/edge-cloud-mesh/". */
    edgeStackPrefix: string;
}

export function edgeStackName(names: StackNames, site: string): string {
    return `${names.edgeStackPrefix}${site}`;
}

async function requireStack(workspace: MeshWorkspace, name: string, what: string, notRun: string): Promise<MeshStack> {
    const stack = await workspace.stack(name);
    if (stack === undefined) {
        throw new OperatorError(
            `${what}: the backend you are logged in to has no stack ${JSON.stringify(name)}. Create and configure it ` +
                `(pulumi stack init ${name}; see the README), or name the stacks with --cloud-stack and --edge-stack-prefix. ${notRun}`,
        );
    }
    return stack;
}

/** Runs one stack's step; a failure of the CLI stops the run, saying which command failed, why, and what was not run. */
async function step<T>(
    reporter: Reporter,
    stack: string,
    title: string,
    action: (onOutput: Output) => Promise<T>,
    failed: string,
    notRun: string,
): Promise<T> {
    try {
        return await reportedStep(reporter, stack, title, (onOutput) => action((text) => onOutput(text, "stdout")));
    } catch (error) {
        if (!(error instanceof PulumiError)) throw error;
        throw new OperatorError(`${failed} at \`${error.step}\`: ${error.reason}. ${notRun}`.trim());
    }
}

function notRunMessage(stacks: string[]): string {
    return stacks.length === 0 ? "" : `Not run: ${stacks.map((name) => JSON.stringify(name)).join(", ")}.`;
}

/** The sites the cloud stack registered: from its outputs, or its `edgeSites` config while it has none (an `up` that never finished). */
async function sitesOf(cloud: MeshStack): Promise<string[]> {
    return cloudOutputs(await cloud.outputs()).edgeSiteNames ?? textList(await cloud.config("edgeSites")) ?? [];
}

export interface UpResult {
    cloud: RawOutputs;
    /** Each edge site's stack outputs, by site. */
    edges: Record<string, RawOutputs>;
}

/** `pulumi up` on the cloud stack, then on each edge stack it registers, in order. */
export async function upMesh(workspace: MeshWorkspace, names: StackNames, reporter: Reporter): Promise<UpResult> {
    const cloud = await requireStack(workspace, names.cloudStack, "the cloud stack", "Nothing was run.");
    const cloudUpOutputs = await step(
        reporter,
        cloud.name,
        `pulumi up: the cloud stack ${cloud.name}`,
        (onOutput) => cloud.up(onOutput),
        `the cloud stack ${JSON.stringify(cloud.name)} failed`,
        "No edge stack was run.",
    );
    const sites = cloudOutputs(cloudUpOutputs).edgeSiteNames;
    if (sites === undefined) {
        throw new OperatorError(`the cloud stack ${JSON.stringify(cloud.name)} has no output edgeSiteNames: is its role cloud?`);
    }
    const edges: Record<string, RawOutputs> = {};
    for (const [index, site] of sites.entries()) {
        const name = edgeStackName(names, site);
        const notRun = notRunMessage(sites.slice(index + 1).map((later) => edgeStackName(names, later)));
        const edge = await requireStack(workspace, name, `the edge site ${JSON.stringify(site)}`, notRun);
        edges[site] = await step(
            reporter,
            edge.name,
            `pulumi up: the edge stack ${edge.name} (site ${site})`,
            (onOutput) => edge.up(onOutput),
            `the edge stack ${JSON.stringify(edge.name)} (site ${JSON.stringify(site)}) failed`,
            notRun,
        );
    }
    return { cloud: cloudUpOutputs, edges };
}

/** `pulumi preview` of the cloud stack, then of each edge stack it registers; with expectNoChanges any change fails the run. */
export async function previewMesh(
    workspace: MeshWorkspace,
    names: StackNames,
    expectNoChanges: boolean,
    reporter: Reporter,
): Promise<void> {
    const cloud = await requireStack(workspace, names.cloudStack, "the cloud stack", "Nothing was previewed.");
    const sites = await sitesOf(cloud);
    const stacks = [cloud.name, ...sites.map((site) => edgeStackName(names, site))];
    for (const [index, name] of stacks.entries()) {
        const notRun = notRunMessage(stacks.slice(index + 1));
        const stack =
            index === 0 ? cloud : await requireStack(workspace, name, `the edge site ${JSON.stringify(sites[index - 1])}`, notRun);
        const failed = expectNoChanges
            ? `the preview of ${JSON.stringify(name)} shows changes or failed`
            : `the preview of ${JSON.stringify(name)} failed`;
        await step(
            reporter,
            name,
            `pulumi preview${expectNoChanges ? " --expect-no-changes" : ""}: ${name}`,
            (onOutput) => stack.preview(onOutput, expectNoChanges),
            failed,
            notRun,
        );
    }
}

export interface DownOptions {
    /** Go on to the next edge stack, and to the cloud, past an edge stack that does not exist or whose destroy fails. */
    continuePastGoneEdges: boolean;
}

/**
 * `pulumi destroy` on every edge stack, then on the cloud stack. The sites come from the cloud stack's
 * outputs, or its `edgeSites` config when it has none (an `up` that never finished). Returns the edge
 * stacks it went past (only with continuePastGoneEdges).
 */
export async function downMesh(workspace: MeshWorkspace, names: StackNames, options: DownOptions, reporter: Reporter): Promise<string[]> {
    const cloud = await requireStack(workspace, names.cloudStack, "the cloud stack", "Nothing was destroyed.");
    const sites = await sitesOf(cloud);
    const keptCloud =
        `The cloud stack ${JSON.stringify(cloud.name)} was not destroyed: edge sites link to it. Fix that and run npm run down again. ` +
        `If the site is gone for good: PULUMI_K8S_DELETE_UNREACHABLE=true npm run down forgets an unreachable cluster's resources, ` +
        `and npm run down -- --continue-past-gone-edges destroys the rest without that edge stack.`;
    const passed: string[] = [];
    for (const site of sites) {
        const name = edgeStackName(names, site);
        const gone = (why: string) => {
            if (!options.continuePastGoneEdges)
                throw new OperatorError(
                    `stopped at the edge stack ${JSON.stringify(name)} (site ${JSON.stringify(site)}): ${why}. ${keptCloud}`,
                );
            reporter.report({ kind: "notice", text: `going past the edge stack ${name} (site ${site}): ${why}` });
            passed.push(name);
        };
        const edge = await workspace.stack(name);
        if (edge === undefined) {
            gone("the backend you are logged in to has no such stack");
            continue;
        }
        try {
            await reportedStep(reporter, edge.name, `pulumi destroy: the edge stack ${edge.name} (site ${site})`, (onOutput) =>
                edge.destroy((text) => onOutput(text, "stdout")),
            );
        } catch (error) {
            if (!(error instanceof PulumiError)) throw error;
            gone(`its destroy failed at \`${error.step}\`: ${error.reason}`);
        }
    }
    await step(
        reporter,
        cloud.name,
        `pulumi destroy: the cloud stack ${cloud.name}`,
        (onOutput) => cloud.destroy(onOutput),
        `the cloud stack ${JSON.stringify(cloud.name)} failed to destroy`,
        "Run npm run down again.",
    );
    return passed;
}
