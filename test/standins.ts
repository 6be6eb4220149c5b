// Stand-in executables for the CLIs the operator commands run, answering as the real ones do at their
// pinned versions (test/standins/<tool>.cjs, one per tool). standIns() builds a directory to put
// first on PATH, holding the stand-ins asked for and node (which they run on) and nothing else, and a
// state directory they keep their world in; a test writes that world, runs the real code, and reads
// back what each stand-in was asked (and, for pulumi, when each call started and ended). To add a
// tool: write test/standins/<tool>.cjs against the same STANDIN_STATE, add it to StandIn, and give
// its state a writer here.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export type StandIn = "pulumi" | "linkerd";

/** What the Pulumi stand-in does with one stack, by operation (as the CLI's command words: "up", "stack select", "config set-all"...). */
export interface PulumiStackSpec {
    /** The stack's config, keys as the CLI keeps them (`edge-cloud-mesh:role`), lists as lists. */
    config?: Record<string, string | string[]>;
    outputs?: Record<string, unknown>;
    /** Outputs printed as "[secret]" without --show-secrets. */
    secretOutputs?: string[];
    /** The outputs an `up` leaves (else the outputs stay). */
    upOutputs?: Record<string, unknown>;
    /** Operations that fail, with what the CLI writes and its exit code (1 unless given). */
    fail?: Record<string, { stderr?: string; stdout?: string; code?: number }>;
    /** Operations that take this long, in milliseconds. */
    takesMs?: Record<string, number>;
    /** `preview` shows a change (with --expect-no-changes, the CLI fails). */
    changes?: boolean;
    /** The resources in the stack's state (`stack export`), the stack resource (`pulumi:pulumi:Stack`) among them. */
    resources?: { type: string; name: string }[];
    /** The resources an `up` leaves (else they stay); a destroy leaves none. */
    upResources?: { type: string; name: string }[];
    /** Earlier updates, oldest first (times in Unix seconds, as the backend keeps them); each up and destroy adds one. */
    history?: {
        version: number;
        kind: string;
        result: string;
        startTime: number;
        endTime?: number;
        resourceChanges?: Record<string, number>;
    }[];
}

export interface PulumiCall {
    argv: string[];
    /** The Pulumi variables the CLI ran with (backend, passphrase, PULUMI_K8S_DELETE_UNREACHABLE). */
    env: Record<string, string>;
    /** When the CLI started and ended (Date.now()), and its exit code. */
    start: number;
    end: number;
    code: number;
}

/** A cluster as the linkerd stand-in sees it: what `multicluster gateways -o json` reports, or why it cannot reach the cluster. */
export interface LinkerdClusterSpec {
    gateways?: { clusterName: string; alive: boolean; numberOfServices: number; latency: number }[];
    /** Links whose metrics could not be read ("Failed to get gateway status for <cluster>: <error>"), left out of gateways. */
    failedMetrics?: Record<string, string>;
    /** The cluster cannot be reached: the API error in the CLI's `Error:` line. */
    unreachable?: string;
}

export function standIns(tools: StandIn[]) {
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), "standin-bin-"));
    const state = fs.mkdtempSync(path.join(os.tmpdir(), "standin-state-"));
    fs.symlinkSync(process.execPath, path.join(bin, "node"));
    for (const tool of tools) fs.symlinkSync(path.join(__dirname, "standins", `${tool}.cjs`), path.join(bin, tool));
    const pulumiStacks = path.join(state, "pulumi", "stacks");
    fs.mkdirSync(pulumiStacks, { recursive: true });
    const stackFile = (name: string) => path.join(pulumiStacks, `${encodeURIComponent(name)}.json`);
    return {
        bin,
        /** The environment a run gets: PATH is the stand-ins and node only. */
        env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
            return { PATH: bin, STANDIN_STATE: state, ...extra };
        },
        /** A stack of the backend; with `uncreated`, one that `pulumi stack init` will create as described. */
        pulumiStack(name: string, spec: PulumiStackSpec = {}, options: { uncreated?: boolean } = {}): void {
            const file = options.uncreated ? path.join(state, "pulumi", "uncreated", `${encodeURIComponent(name)}.json`) : stackFile(name);
            fs.mkdirSync(path.dirname(file), { recursive: true });
            fs.writeFileSync(file, JSON.stringify({ config: {}, outputs: {}, history: [], ...spec }, null, 2));
        },
        /** A stack as the stand-in keeps it now, or undefined when it has none. */
        readPulumiStack(name: string): (PulumiStackSpec & { config: Record<string, string | string[]> }) | undefined {
            return fs.existsSync(stackFile(name)) ? JSON.parse(fs.readFileSync(stackFile(name), "utf8")) : undefined;
        },
        /** Each call, in the order they started, with when it ended. */
        pulumiCalls(): PulumiCall[] {
            const records = logLines(path.join(state, "pulumi", "calls.log"));
            const ends = new Map(records.filter((record) => "end" in record).map((record) => [record.call, record]));
            return records
                .filter((record) => "argv" in record)
                .map(({ call, ...record }) => ({ ...record, end: ends.get(call)?.end, code: ends.get(call)?.code }));
        },
        /** A cluster the linkerd stand-in reaches through this kubeconfig context (or, without one, this kubeconfig file). */
        linkerdCluster(contextOrFile: string, spec: LinkerdClusterSpec): void {
            const file = path.join(state, "linkerd", "clusters", `${encodeURIComponent(contextOrFile)}.json`);
            fs.mkdirSync(path.dirname(file), { recursive: true });
            fs.writeFileSync(file, JSON.stringify({ gateways: [], ...spec }));
        },
        linkerdCalls(): string[][] {
            return logLines(path.join(state, "linkerd", "calls.log")).map((record) => record.argv);
        },
    };
}

/** The most calls (of pulumiCalls()) that ran at the same moment. */
export function mostAtOnce(calls: { start: number; end: number }[]): number {
    const moments = calls.flatMap(({ start, end }) => [
        { at: start, change: 1 },
        { at: end, change: -1 },
    ]);
    // An end and a start at the same millisecond: the end first.
    moments.sort((a, b) => a.at - b.at || a.change - b.change);
    let now = 0;
    let most = 0;
    for (const { change } of moments) most = Math.max(most, (now += change));
    return most;
}

/** The JSON lines of a stand-in's log. */
function logLines(file: string): any[] {
    if (!fs.existsSync(file)) return [];
    return fs
        .readFileSync(file, "utf8")
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line));
}

export type StandIns = ReturnType<typeof standIns>;
