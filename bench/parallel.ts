// The benchmark of `--parallel` (issue 24): `npm run up`'s orchestration (flows/mesh.ts upMesh) through
// the real Automation API port against the stand-in Pulumi CLI (test/standins/pulumi.cjs), whose
// `pulumi up` takes a fixed time per stack. It brings up the cloud stack and `sites` edge stacks once
// with --parallel 1 and once with --parallel N and sets the wall times side by side with the goal:
// the cloud plus ⌈sites/N⌉ edge sites, within 10%. Not a test: timings depend on the machine.
import type { ReportEvent } from "../scripts/events";
import { upMesh } from "../scripts/flows/mesh";
import { ROOT } from "../scripts/paths";
import { automationWorkspace } from "../scripts/pulumi/automation";
import { renderTable } from "../scripts/ui/table";
import { mostAtOnce, standIns } from "../test/standins";

export interface ParallelBench {
    sites: number;
    /** The N compared with --parallel 1. */
    parallel: number;
    /** How long each edge stack's `pulumi up` takes in the stand-in CLI, and the cloud stack's. */
    edgeUpMs: number;
    cloudUpMs: number;
    /** How many CLI calls in a row measure one call's cost (10 unless given). */
    callSamples?: number;
}

export interface ParallelRun {
    parallel: number;
    wallMs: number;
    /** From the start to the end of the cloud stack's step. */
    cloudMs: number;
    /** The most edge `pulumi up`s that ran at once (the stand-in's call log). */
    edgeUpsAtOnce: number;
    /** CLI calls per edge site. */
    callsPerSite: number;
}

export interface ParallelBenchResult {
    bench: ParallelBench;
    sequential: ParallelRun;
    parallel: ParallelRun;
    /** One edge site end to end at --parallel 1 (its CLI calls included). */
    siteMs: number;
    /** The cloud plus ⌈sites/N⌉ edge sites, as measured at --parallel 1. */
    goalMs: number;
    /** The same with the stand-in's update times alone, without the CLI calls' cost. */
    updatesOnlyMs: number;
    /** One CLI call through the Automation API (`pulumi stack select`, which does nothing else), on average. */
    callMs: number;
}

/** Runs `action` with this process's environment restored after it: the port makes the CLI's environment its own. */
async function keepingEnvironment<T>(action: () => Promise<T>): Promise<T> {
    const saved = { ...process.env };
    try {
        return await action();
    } finally {
        for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
        Object.assign(process.env, saved);
    }
}

function siteNames(count: number): string[] {
    return Array.from({ length: count }, (_, index) => `site-${String(index + 1).padStart(2, "0")}`);
}

async function runOnce(bench: ParallelBench, parallel: number): Promise<ParallelRun> {
    const cli = standIns(["pulumi"]);
    const sites = siteNames(bench.sites);
    cli.pulumiStack("cloud", { upOutputs: { edgeSiteNames: sites }, takesMs: { up: bench.cloudUpMs } });
    for (const site of sites) cli.pulumiStack(site, { takesMs: { up: bench.edgeUpMs } });
    const workspace = await automationWorkspace(ROOT, cli.env());
    let cloudDone = 0;
    const reporter = {
        report(event: ReportEvent) {
            if (event.kind === "step-finished" && event.subject === "cloud") cloudDone = performance.now();
        },
    };
    const started = performance.now();
    await upMesh(workspace, { cloudStack: "cloud", edgeStackPrefix: "" }, reporter, { parallel });
    const wallMs = performance.now() - started;
    const calls = cli.pulumiCalls();
    const onSites = calls.filter(({ argv }) => sites.includes(argv[argv.indexOf("--stack") + 1]));
    return {
        parallel,
        wallMs,
        cloudMs: cloudDone - started,
        edgeUpsAtOnce: mostAtOnce(onSites.filter(({ argv }) => argv[0] === "up")),
        callsPerSite: onSites.length / sites.length,
    };
}

/** The cost of one CLI call through the Automation API: `count` stack selects in a row. */
async function callCost(count: number): Promise<number> {
    const cli = standIns(["pulumi"]);
    cli.pulumiStack("cloud");
    const workspace = await automationWorkspace(ROOT, cli.env());
    const started = performance.now();
    for (let call = 0; call < count; call++) await workspace.stack("cloud");
    return (performance.now() - started) / count;
}

export function benchParallel(bench: ParallelBench): Promise<ParallelBenchResult> {
    return keepingEnvironment(async () => {
        const callMs = await callCost(bench.callSamples ?? 10);
        const sequential = await runOnce(bench, 1);
        const parallel = await runOnce(bench, bench.parallel);
        const rounds = Math.ceil(bench.sites / bench.parallel);
        const siteMs = (sequential.wallMs - sequential.cloudMs) / bench.sites;
        return {
            bench,
            sequential,
            parallel,
            siteMs,
            callMs,
            goalMs: sequential.cloudMs + rounds * siteMs,
            updatesOnlyMs: bench.cloudUpMs + rounds * bench.edgeUpMs,
        };
    });
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const percent = (measured: number, goal: number) => `${measured >= goal ? "+" : ""}${(((measured - goal) / goal) * 100).toFixed(1)}%`;

/** The result as the benchmark prints it: the two wall times side by side, the goal, and what one CLI call costs. */
export function formatBench(result: ParallelBenchResult): string {
    const { bench, sequential, parallel } = result;
    const rounds = Math.ceil(bench.sites / bench.parallel);
    const within = Math.abs(parallel.wallMs - result.goalMs) <= result.goalMs * 0.1;
    return [
        `${bench.sites} edge sites; each edge \`pulumi up\` takes ${bench.edgeUpMs} ms in the stand-in CLI, the cloud's ${bench.cloudUpMs} ms`,
        "",
        renderTable(
            ["", "--parallel 1", `--parallel ${bench.parallel}`],
            [
                ["wall time", seconds(sequential.wallMs), seconds(parallel.wallMs)],
                ["of which the cloud stack", seconds(sequential.cloudMs), seconds(parallel.cloudMs)],
                ["edge updates at most at once", String(sequential.edgeUpsAtOnce), String(parallel.edgeUpsAtOnce)],
                ["CLI calls per edge site", String(sequential.callsPerSite), String(parallel.callsPerSite)],
            ],
        ).trimEnd(),
        "",
        `goal for --parallel ${bench.parallel}: the cloud plus ⌈${bench.sites}/${bench.parallel}⌉ = ${rounds} edge sites, each as long as one ` +
            `took at --parallel 1 (${seconds(result.siteMs)}): ${seconds(result.goalMs)}; measured ${seconds(parallel.wallMs)} ` +
            `(${percent(parallel.wallMs, result.goalMs)}): ${within ? "within" : "NOT within"} 10%`,
        `the stand-in's update times alone: ${seconds(result.updatesOnlyMs)} (${percent(parallel.wallMs, result.updatesOnlyMs)}): ` +
            `the rest is the CLI calls, ${result.callMs.toFixed(0)} ms each on average here (a node process per call)`,
    ].join("\n");
}
