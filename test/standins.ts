// Stand-in executables for the CLIs the operator commands run, answering as the real ones do at their
// pinned versions (test/standins/<tool>.cjs, one per tool). standIns() builds a directory to put
// first on PATH, holding the stand-ins asked for and node (which they run on) and nothing else, and a
// state directory they keep their world in; a test writes that world, runs the real code, and reads
// back what each stand-in was asked (and, for pulumi, when each call started and ended). To add a
// tool: write test/standins/<tool>.cjs against the same STANDIN_STATE (test/standins/world.cjs), add
// it to StandIn, and give its state a writer here.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export type StandIn = "pulumi" | "docker" | "k3d" | "kubectl" | "linkerd";

/** What the Pulumi stand-in does with one stack, by operation (as the CLI's command words: "up", "stack init", "config set-all"...). */
export interface PulumiStackSpec {
    /** The stack's config, keys as the CLI keeps them (`edge-cloud-mesh:role`), lists as lists. */
    config?: Record<string, unknown>;
    outputs?: Record<string, unknown>;
    /** Outputs printed as "[secret]" without --show-secrets. */
    secretOutputs?: string[];
    /** The outputs an `up` leaves (else the outputs stay). */
    upOutputs?: Record<string, unknown>;
    /** Operations that fail, with what the CLI writes and its exit code (1 unless given). */
    fail?: Record<string, Failure>;
    /** Operations that take this long, in milliseconds. */
    takesMs?: Record<string, number>;
    /** `preview` shows a change (with --expect-no-changes, the CLI fails). */
    changes?: boolean;
    /**
     * What an `up` leaves when it depends on the stack's inputs (before upOutputs): the first entry whose
     * config values (Pulumi.yaml's defaults applied) and whose other stack's outputs (read as a
     * StackReference would) match gives the outputs, and what the clusters hold afterwards, by kube context.
     */
    upWhen?: {
        config?: Record<string, unknown>;
        stackOutputs?: { stack: string; outputs: Record<string, unknown> };
        outputs: Record<string, unknown>;
        kube?: Record<string, KubeWorld>;
    }[];
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

export interface Failure {
    stdout?: string;
    stderr?: string;
    code?: number;
    /** An `up` that fails after it changed the clusters: they hold what its upWhen case gives; the outputs stay as they were. */
    applied?: boolean;
}

export interface ToolCall {
    argv: string[];
    /** The variables the tool logs that it ran with (Pulumi's: backend, passphrase, PULUMI_K8S_DELETE_UNREACHABLE; linkerd's and kubectl's: HTTPS_PROXY). */
    env: Record<string, string>;
}

export interface PulumiCall extends ToolCall {
    /** When the CLI started and ended (Date.now()), and its exit code. */
    start: number;
    end: number;
    code: number;
}

/** A cluster as the linkerd stand-in sees it first, for `multicluster gateways`: what it reports, or why it cannot reach the cluster. */
export interface LinkerdClusterSpec {
    gateways?: { clusterName: string; alive: boolean; numberOfServices: number; latency: number }[];
    /** Links whose metrics could not be read ("Failed to get gateway status for <cluster>: <error>"), left out of gateways. */
    failedMetrics?: Record<string, string>;
    /** The cluster cannot be reached: the API error in the CLI's `Error:` line. */
    unreachable?: string;
}

/** What one kube context's cluster holds, as kubectl and linkerd see it (test/standins/kubectl.cjs, linkerd.cjs). */
export interface KubeWorld {
    /** By `<namespace>/<name>`. */
    services?: Record<string, { labels?: Record<string, string> }>;
    pods?: {
        namespace: string;
        name: string;
        labels?: Record<string, string>;
        annotations?: Record<string, string>;
        /** creationTimestamp, RFC 3339. */
        created?: string;
        /** Its controller: a ReplicaSet, StatefulSet, DaemonSet, Job. */
        owner?: { kind: string; name: string };
        /** Running unless given. */
        phase?: string;
        /** The bundle its proxy was injected with (LINKERD2_PROXY_IDENTITY_TRUST_ANCHORS). */
        trustAnchors?: string;
    }[];
    /** Deployments by `<namespace>/<name>`: their first container's image. */
    deployments?: Record<string, { image: string }>;
    /** What each pod's container wrote, line by line, by `<namespace>/<pod>` (kubectl logs). */
    logs?: Record<string, string[]>;
    /** The objects `kubectl apply -f -` was given, in order. */
    applied?: Record<string, any>[];
    /** ReplicaSets: their owner, creation and pod template's labels and annotations. */
    replicaSets?: {
        namespace: string;
        name: string;
        created: string;
        owner?: { kind: string; name: string };
        labels?: Record<string, string>;
        annotations?: Record<string, string>;
    }[];
    /** The backends of each HTTPRoute (and TrafficSplit), by `<namespace>/<name>`; a backend without a weight has it unset. */
    routes?: Record<string, { name: string; weight?: number }[]>;
    trafficSplits?: Record<string, { name: string; weight?: number }[]>;
    /** Workloads kubectl exec reaches, by `<namespace>/<kind>/<name>`: the pod and its containers. */
    workloads?: Record<string, { name: string; containers: string[] }>;
    /** What `get --raw <path>` answers, by path (e.g. a pod's port through the API server's proxy). */
    raw?: Record<string, string>;
    /** What the frontend answers on each path, in turn: a cluster's name (podinfo there), an HTTP status, or "none". */
    frontend?: Record<string, string[]>;
    linkerd?: {
        /** The core check categories (else a healthy control plane). */
        check?: { categoryName: string; checks: { description: string; result: string; error?: string; hint?: string }[] }[];
        /**
         * The cluster's Links: the server and CA of their credentials, the CLI version that made them (else edge-26.8.3),
         * and the kube context whose world is the target cluster, whose trust bundle `multicluster check` compares.
         */
        links?: { target: string; server: string; caPem: string; createdBy?: string; targetContext?: string }[];
        /** The ConfigMap linkerd-identity-trust-roots' bundle, which `check --proxy` holds the pods' proxies to (and linkerd-config's, the same). */
        trustBundle?: string;
        /** `multicluster gateways -o json` (null before any status). */
        gateways?: { clusterName: string; alive: boolean; numberOfServices: number; latency: number }[] | null;
    };
}

export function standIns(tools: StandIn[], options: { real?: string[] } = {}) {
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), "standin-bin-"));
    fs.symlinkSync(process.execPath, path.join(bin, "node"));
    for (const tool of tools) fs.symlinkSync(path.join(__dirname, "standins", `${tool}.cjs`), path.join(bin, tool));
    // Real programs a test needs beside the stand-ins (bash for a script).
    for (const program of options.real ?? []) fs.symlinkSync(path.join("/usr/bin", program), path.join(bin, program));
    return world(bin, fs.mkdtempSync(path.join(os.tmpdir(), "standin-state-")));
}

/** The stand-ins of `bin` in the world kept in `state`. */
function world(bin: string, state: string) {
    const stateFile = (...parts: string[]) => {
        const file = path.join(state, ...parts);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        return file;
    };
    const readJson = (file: string, fallback: unknown) => (fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : fallback);
    const writeJson = (file: string, value: unknown) => fs.writeFileSync(file, JSON.stringify(value, null, 2));
    const pulumiStacks = (backend?: string) =>
        backend === undefined ? path.join(state, "pulumi", "stacks") : path.join(backend, ".pulumi", "stacks", "edge-cloud-mesh");
    const stackFile = (name: string, backend?: string) => path.join(pulumiStacks(backend), `${encodeURIComponent(name)}.json`);
    const calls = (tool: StandIn): ToolCall[] => logLines(path.join(state, tool, "calls.log")).filter((record) => "argv" in record);
    return {
        bin,
        state,
        /** The same stand-ins in a copy of this world, to go two ways from one point. */
        fork() {
            const copy = fs.mkdtempSync(path.join(os.tmpdir(), "standin-state-"));
            fs.cpSync(state, copy, { recursive: true });
            return world(bin, copy);
        },
        /** The environment a run gets: PATH is the stand-ins and node only. */
        env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
            return { PATH: bin, STANDIN_STATE: state, ...extra };
        },
        /**
         * A stack of the backend the CLI is logged in to (or of the self-managed backend in `backend`);
         * with `uncreated`, one that `pulumi stack init` will create as described, on any backend.
         */
        pulumiStack(name: string, spec: PulumiStackSpec = {}, options: { uncreated?: boolean; backend?: string } = {}): void {
            const file = options.uncreated
                ? stateFile("pulumi", "uncreated", `${encodeURIComponent(name)}.json`)
                : stackFile(name, options.backend);
            fs.mkdirSync(path.dirname(file), { recursive: true });
            writeJson(file, { config: {}, outputs: {}, history: [], ...spec });
        },
        /** A stack as the stand-in keeps it now, or undefined when it has none. */
        readPulumiStack(name: string, backend?: string): (PulumiStackSpec & { config: Record<string, unknown> }) | undefined {
            return readJson(stackFile(name, backend), undefined);
        },
        /** The Pulumi CLI at another version than 3.248.0. */
        pulumiVersion(version: string): void {
            fs.writeFileSync(stateFile("pulumi", "version"), `${version}\n`);
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
            writeJson(stateFile("linkerd", "clusters", `${encodeURIComponent(contextOrFile)}.json`), { gateways: [], ...spec });
        },
        linkerdCalls: (): string[][] => calls("linkerd").map(({ argv }) => argv),
        calls,
        /** Every call of the tools, in order of the tools given, as command lines. */
        commandLines: (tool: StandIn) => calls(tool).map(({ argv }) => [tool, ...argv].join(" ")),
        /** Docker's engine, stopped or at another version. */
        dockerEngine(engine: { running?: boolean; version?: string }): void {
            writeJson(stateFile("docker", "engine.json"), engine);
        },
        dockerNetworks: (): Record<string, { subnet: string }> => readJson(path.join(state, "docker", "networks.json"), {}),
        /** k3d's clusters, by name. */
        k3dClusters: (): Record<string, { network: string; apiPort: number; running: boolean }> =>
            readJson(path.join(state, "k3d", "clusters.json"), {}),
        /** A k3d cluster that exists already. */
        k3dCluster(name: string, cluster: { network: string; apiPort: number; running?: boolean }): void {
            const file = stateFile("k3d", "clusters.json");
            writeJson(file, { ...readJson(file, {}), [name]: { image: "rancher/k3s:v1.35.6-k3s1", running: true, ...cluster } });
        },
        /** The API port `k3d cluster create <name>` publishes. */
        k3dPort(name: string, port: number): void {
            const file = stateFile("k3d", "ports.json");
            writeJson(file, { ...readJson(file, {}), [name]: port });
        },
        /** What the cluster of a kube context holds. */
        kube(context: string, world: KubeWorld): void {
            writeJson(stateFile("kube", `${context}.json`), world);
        },
        /** What the cluster of a kube context holds now (an up may have changed it). */
        readKube: (context: string): KubeWorld => readJson(path.join(state, "kube", `${context}.json`), {}),
        /** Makes `<tool> <command>` fail as given ("cluster create edge", "network inspect"); undefined takes the failure away. */
        fail(tool: Exclude<StandIn, "pulumi">, command: string, failure: (Failure & { leaves?: "stopped" }) | undefined): void {
            const file = stateFile(tool, "fail.json");
            const failures = readJson(file, {});
            if (failure === undefined) delete failures[command];
            else failures[command] = failure;
            writeJson(file, failures);
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

export type StandIns = ReturnType<typeof world>;
