// The whole mesh in one command: the cloud stack and every edge stack registered in it, in the order
// they depend on each other. Up: the cloud stack first (edge stacks read its outputs), then each edge
// stack in the order of its `edgeSites`. Down: every edge stack first (each links to the cloud), then
// the cloud stack. Pulumi comes in through MeshWorkspace (automation.ts wraps the Automation API), so
// that tests drive the order with a recording fake.

/** Where Pulumi's progress goes, as it comes. */
export type Output = (text: string) => void;

/** One stack, as the orchestration uses it. */
export interface MeshStack {
    readonly name: string;
    /** Runs `pulumi up`; resolves to the stack's outputs, rejects when the update fails. */
    up(onOutput: Output): Promise<Record<string, unknown>>;
    /** Runs `pulumi preview`; with expectNoChanges it rejects when the preview shows any change. */
    preview(onOutput: Output, expectNoChanges: boolean): Promise<void>;
    /** Runs `pulumi destroy`. */
    destroy(onOutput: Output): Promise<void>;
    /** The stack's current outputs (empty before the first `up` and after a destroy). */
    outputs(): Promise<Record<string, unknown>>;
    /** The stack's `edgeSites` configuration, Pulumi.yaml's default included. */
    edgeSites(): Promise<string[]>;
}

export interface MeshWorkspace {
    /** The stack of that name, or undefined when the backend has none. */
    stack(name: string): Promise<MeshStack | undefined>;
}

/** How the stacks are named: the cloud stack, and each edge site's stack as the prefix and the site. */
export interface StackNames {
    cloudStack: string;
    /** Prepended to a site's name to name its stack: "" (the stack is named after the site), "local-", "acme/edge-cloud-mesh/". */
    edgeStackPrefix: string;
}

export function edgeStackName(names: StackNames, site: string): string {
    return `${names.edgeStackPrefix}${site}`;
}

/** A run that stopped: says which stack, why, and what was and was not done. */
export class MeshRunError extends Error {}

function heading(log: Output, text: string): void {
    log(`\n=== ${text}\n`);
}

async function requireStack(workspace: MeshWorkspace, name: string, what: string, notRun: string): Promise<MeshStack> {
    const stack = await workspace.stack(name);
    if (stack === undefined) {
        throw new MeshRunError(
            `${what}: the backend you are logged in to has no stack ${JSON.stringify(name)}. Create and configure it ` +
                `(pulumi stack init ${name}; see the README), or name the stacks with --cloud-stack and --edge-stack-prefix. ${notRun}`,
        );
    }
    return stack;
}

/** Runs one stack's step; a failure stops the run, saying what was not run. */
async function step<T>(action: () => Promise<T>, failed: string, notRun: string): Promise<T> {
    try {
        return await action();
    } catch (error) {
        if (error instanceof MeshRunError) throw error;
        throw new MeshRunError(`${failed} (${firstLine(error)}; its output is above). ${notRun}`);
    }
}

/** An error's first line: Pulumi's own output, above it, says the rest. */
function firstLine(error: unknown): string {
    return ((error as Error).message ?? String(error)).split("\n")[0];
}

function notRunMessage(stacks: string[]): string {
    return stacks.length === 0 ? "" : `Not run: ${stacks.map((name) => JSON.stringify(name)).join(", ")}.`;
}

/** The sites the cloud stack registered: from its outputs, or its `edgeSites` config while it has none (an `up` that never finished). */
async function sitesOf(cloud: MeshStack): Promise<string[]> {
    return registeredSites(await cloud.outputs()) ?? (await cloud.edgeSites());
}

/** The sites the cloud stack registered, from its outputs (`edgeSiteNames`). */
function registeredSites(outputs: Record<string, unknown>): string[] | undefined {
    const sites = outputs.edgeSiteNames;
    return Array.isArray(sites) && sites.every((site) => typeof site === "string") ? sites : undefined;
}

export interface UpResult {
    cloud: Record<string, unknown>;
    /** Each edge site's stack outputs, by site. */
    edges: Record<string, Record<string, unknown>>;
}

/** `pulumi up` on the cloud stack, then on each edge stack it registers, in order. */
export async function upMesh(workspace: MeshWorkspace, names: StackNames, log: Output): Promise<UpResult> {
    const cloud = await requireStack(workspace, names.cloudStack, "the cloud stack", "Nothing was run.");
    heading(log, `pulumi up: the cloud stack ${cloud.name}`);
    const cloudOutputs = await step(() => cloud.up(log), `the cloud stack ${JSON.stringify(cloud.name)} failed`, "No edge stack was run.");
    const sites = registeredSites(cloudOutputs);
    if (sites === undefined) {
        throw new MeshRunError(`the cloud stack ${JSON.stringify(cloud.name)} has no output edgeSiteNames: is its role cloud?`);
    }
    const edges: Record<string, Record<string, unknown>> = {};
    for (const [index, site] of sites.entries()) {
        const name = edgeStackName(names, site);
        const notRun = notRunMessage(sites.slice(index + 1).map((later) => edgeStackName(names, later)));
        const edge = await requireStack(workspace, name, `the edge site ${JSON.stringify(site)}`, notRun);
        heading(log, `pulumi up: the edge stack ${edge.name} (site ${site})`);
        edges[site] = await step(
            () => edge.up(log),
            `the edge stack ${JSON.stringify(edge.name)} (site ${JSON.stringify(site)}) failed`,
            notRun,
        );
    }
    return { cloud: cloudOutputs, edges };
}

/** `pulumi preview` of the cloud stack, then of each edge stack it registers; with expectNoChanges any change fails the run. */
export async function previewMesh(workspace: MeshWorkspace, names: StackNames, expectNoChanges: boolean, log: Output): Promise<void> {
    const cloud = await requireStack(workspace, names.cloudStack, "the cloud stack", "Nothing was previewed.");
    const sites = await sitesOf(cloud);
    const stacks = [cloud.name, ...sites.map((site) => edgeStackName(names, site))];
    for (const [index, name] of stacks.entries()) {
        const notRun = notRunMessage(stacks.slice(index + 1));
        const stack =
            index === 0 ? cloud : await requireStack(workspace, name, `the edge site ${JSON.stringify(sites[index - 1])}`, notRun);
        heading(log, `pulumi preview${expectNoChanges ? " --expect-no-changes" : ""}: ${name}`);
        const failed = expectNoChanges
            ? `the preview of ${JSON.stringify(name)} shows changes or failed`
            : `the preview of ${JSON.stringify(name)} failed`;
        await step(() => stack.preview(log, expectNoChanges), failed, notRun);
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
export async function downMesh(workspace: MeshWorkspace, names: StackNames, options: DownOptions, log: Output): Promise<string[]> {
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
                throw new MeshRunError(
                    `stopped at the edge stack ${JSON.stringify(name)} (site ${JSON.stringify(site)}): ${why}. ${keptCloud}`,
                );
            log(`\n=== going past the edge stack ${name} (site ${site}): ${why}\n`);
            passed.push(name);
        };
        const edge = await workspace.stack(name);
        if (edge === undefined) {
            gone("the backend you are logged in to has no such stack");
            continue;
        }
        heading(log, `pulumi destroy: the edge stack ${edge.name} (site ${site})`);
        try {
            await edge.destroy(log);
        } catch (error) {
            gone(`its destroy failed (${firstLine(error)}; its output is above)`);
        }
    }
    heading(log, `pulumi destroy: the cloud stack ${cloud.name}`);
    await step(() => cloud.destroy(log), `the cloud stack ${JSON.stringify(cloud.name)} failed to destroy`, "Run npm run down again.");
    return passed;
}
