// What each edge site costs the cloud stack, measured under Pulumi's mocks: the real program (index.ts)
// runs as the cloud stack with N sites in edgeSites (test/harness.ts); every resource it registers is
// recorded with its inputs, and the mocks' answer (the outputs the state would keep) is captured too.
// The figures in docs/scale.md come from `npm run bench:scale`.
import { renderTable } from "../scripts/ui/table";
import { runStack } from "../test/harness";
import { mocks } from "../test/mocks";

export interface ScaleFigure {
    sites: number;
    /** Resources the program registers (charts count once: their rendered objects are the provider's, not registered under mocks). */
    resources: number;
    /** JSON of every registered resource's inputs, and of the outputs the mocks answered with (the state keeps both). */
    inputsBytes: number;
    outputsBytes: number;
    /** JSON of what the state keeps besides them: URN, type, parent, provider, dependencies. */
    metadataBytes: number;
    /** JSON of the stack's outputs (the root resource's outputs in the state). */
    stackOutputsBytes: number;
    /** Wall time of one run of the program under mocks, registration included. */
    evaluationMs: number;
}

/** Site names as edgeSites takes them. */
export function siteNames(count: number): string[] {
    return Array.from({ length: count }, (_, index) => `edge-${String(index + 1).padStart(4, "0")}`);
}

/** Runs the cloud stack once per count of sites (after one run unmeasured, which loads the program) and measures each. */
export async function measureCloudScale(counts: number[]): Promise<ScaleFigure[]> {
    await runStack("cloud", { config: { edgeSites: siteNames(1) } });
    const figures: ScaleFigure[] = [];
    const answer = mocks.newResource;
    let outputsBytes = 0;
    mocks.newResource = async (args) => {
        const result = await answer.call(mocks, args);
        outputsBytes += JSON.stringify(result.state).length;
        return result;
    };
    try {
        for (const sites of counts) {
            outputsBytes = 0;
            const started = performance.now();
            const run = await runStack("cloud", { config: { edgeSites: siteNames(sites) } });
            const evaluationMs = performance.now() - started;
            figures.push({
                sites,
                resources: run.resources.length,
                inputsBytes: run.resources.reduce((sum, resource) => sum + JSON.stringify(resource.rawInputs).length, 0),
                outputsBytes,
                metadataBytes: run.resources.reduce(
                    (sum, { urn, type, parent, provider, dependencies, propertyDependencies }) =>
                        sum + JSON.stringify({ urn, type, parent, provider, dependencies, propertyDependencies }).length,
                    0,
                ),
                stackOutputsBytes: JSON.stringify(
                    Object.fromEntries(Object.entries(run.outputs).map(([key, output]) => [key, output.value])),
                ).length,
                evaluationMs,
            });
        }
    } finally {
        mocks.newResource = answer;
    }
    return figures;
}

/** The state the figures add up to: every resource's inputs, outputs and metadata, and the stack's outputs. */
export function stateBytes(figure: ScaleFigure): number {
    return figure.inputsBytes + figure.outputsBytes + figure.metadataBytes + figure.stackOutputsBytes;
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;

/** The figures as the benchmark prints them: one row per count of sites, then what one more site adds. */
export function formatScale(figures: ScaleFigure[]): string {
    const table = renderTable(
        ["SITES", "RESOURCES", "INPUTS", "OUTPUTS", "METADATA", "STACK OUTPUTS", "STATE (JSON)", "EVALUATION"],
        figures.map((figure) => [
            String(figure.sites),
            String(figure.resources),
            kib(figure.inputsBytes),
            kib(figure.outputsBytes),
            kib(figure.metadataBytes),
            kib(figure.stackOutputsBytes),
            kib(stateBytes(figure)),
            `${(figure.evaluationMs / 1000).toFixed(1)} s`,
        ]),
    );
    const [first, last] = [figures[0], figures.at(-1)!];
    const added = last.sites > first.sites ? last.sites - first.sites : 0;
    const perSite =
        added === 0
            ? ""
            : `\neach site adds ${(last.resources - first.resources) / added} resources and ` +
              `${((stateBytes(last) - stateBytes(first)) / added / 1024).toFixed(1)} KiB of state JSON (from ${first.sites} to ${last.sites} sites)\n`;
    return `the cloud stack under mocks (test/harness.ts), edgeSites of N sites\n${table}${perSite}`;
}
