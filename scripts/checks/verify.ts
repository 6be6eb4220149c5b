// The checks of the seed tutorial, as `npm run verify` runs them on a deployed mesh (after Linkerd's
// multicluster guide): on the cloud, `linkerd check` and the export of each service it exports; on each
// edge, the cloud's gateway alive (`linkerd multicluster gateways`), each mirrored service present,
// `linkerd check` and `linkerd multicluster check`, and with the demo, answers from both clusters
// through the frontend, as the split mode says, with mTLS to the mirror. Every command names its
// cluster as the stack's `kubeAccess` output does.
import {
    KubeFlags,
    kubectl,
    podNameArgs,
    shownCommand,
    podProxyArgs,
    probeAnswer,
    probeArgs,
    serviceArgs,
    serviceLabelArgs,
    splitBackendsArgs,
} from "../tools/kubectl";
import { gatewaysArgs, gatewaysProblem, parseGateways } from "../tools/gateways";
import { checkFindings, linkerdCheckArgs, multiclusterCheckArgs } from "../tools/linkerd";
import { ToolResult, ToolRunner, shellLine, stderrDetail } from "../tools/runner";
import { DEMO, greeting } from "./demo";
import type { Check, CheckAnswer } from "./framework";

export interface ClusterTarget {
    /** The cluster's name in the mesh (the cloud's clusterName, an edge's site). */
    name: string;
    /** The stack it was read from. */
    stack: string;
    access: KubeFlags;
    /** The environment its linkerd commands run with: an edge's reaches its cloud's API server (flows/verify.ts). */
    linkerdEnv: NodeJS.ProcessEnv;
}

export interface CloudTarget extends ClusterTarget {
    /** `<namespace>/<name>` of each service exported to the edges. */
    exportedServices: string[];
}

/** How the demo's split on an edge sends `/`: to these clusters, each at least once, and to no other. */
export interface SplitExpectation {
    mode: "weighted" | "failover";
    /** Where the split is declared: an HTTPRoute, or a TrafficSplit (trafficSplitApi). */
    api: "httproute" | "smi";
    /** The clusters `/` answers from: both with weights above 0, only the edge in failover mode. */
    answersFrom: string[];
}

export type RouteMode = "weighted" | "failover" | "local-only" | "invalid";

/**
 * The mode of a split from its backends' `<name>=<weight>` lines (e2e/failover.sh route_mode): failover
 * (the local service first, the one other backend with at least 1 and at most 1/1000 of its weight),
 * local-only (the other backend has weight 0), weighted, or invalid. An unset weight counts as 1.
 */
export function routeMode(lines: string[], localService: string): RouteMode {
    const backends = lines.filter(Boolean).map((line) => {
        const [name, weight] = [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)];
        return { name, weight: /^\d+$/.test(weight) ? Number(weight) : 1 };
    });
    const local = backends.find((backend) => backend.name === localService);
    const remotes = backends.filter((backend) => backend.name !== localService);
    if (local === undefined || remotes.length !== 1) return "invalid";
    if (remotes[0].weight === 0) return "local-only";
    return local.weight >= remotes[0].weight * 1000 ? "failover" : "weighted";
}

export interface EdgeTarget extends ClusterTarget {
    /** The cloud cluster it links to. */
    cloud: string;
    /** `<namespace>/<name>` of each service mirrored here. */
    mirroredServices: string[];
    /** Present when the edge runs the demo. */
    split?: SplitExpectation;
}

/** Requests per frontend check: enough that a 50/50 split shows both clusters. */
const FRONTEND_REQUESTS = 40;
/** The link, the mirrors and the gateway's probe settle within a couple of minutes of an `up`; checked every 5 s meanwhile. */
const SETTLE_MS = 120_000;
const RETRY_EVERY_MS = 5_000;

/** What a command that failed said, in one line. */
export function failure(argv: string[], result: ToolResult): string {
    if (result.missing) return `no ${argv[0]} on PATH`;
    const detail = stderrDetail(result.stderr);
    return `\`${shownCommand(argv)}\` exit code ${result.status}${detail ? `: ${detail}` : ""}`;
}

/** `linkerd check` or `linkerd multicluster check`: its failed checks fail this one, its warnings warn (those `failsOn` picks fail it). */
export async function linkerdVerdict(
    runner: ToolRunner,
    argv: string[],
    env: NodeJS.ProcessEnv,
    failsOn: (warning: string) => boolean = () => false,
): Promise<CheckAnswer> {
    const result = await runner.run(argv, { env });
    const findings = checkFindings(result.stdout);
    if (findings === undefined) return failure(argv, result);
    const errors = [...findings.errors, ...findings.warnings.filter(failsOn)];
    if (errors.length > 0) return errors.join("; ");
    if (result.status !== 0) return failure(argv, result);
    return findings.warnings.length > 0 ? { warning: findings.warnings.join("; ") } : undefined;
}

function linkerdCheck(target: ClusterTarget, role: string, runner: ToolRunner, needs?: string): Check {
    return {
        id: `linkerd-check:${target.name}`,
        description: `linkerd check passes on the ${role} ${target.name}`,
        hint: `linkerd check ${kubectlFlagsText(target.access)} says more`,
        needs,
        run: () => linkerdVerdict(runner, linkerdCheckArgs(target.access), target.linkerdEnv),
    };
}

export function kubectlFlagsText(access: KubeFlags): string {
    return shellLine(kubectl(access).slice(1));
}

/** Counts of a probe's answers, by message or failure: "21 greetings from edge, 19 greetings from cloud". */
function tally(answers: ReturnType<typeof probeAnswer>[]): Map<string, number> {
    const counts = new Map<string, number>();
    for (const answer of answers) {
        const key = "message" in answer ? answer.message : `failed (${answer.failed})`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return counts;
}

function tallyText(counts: Map<string, number>): string {
    return [...counts].map(([key, count]) => `${count} ${key}`).join(", ");
}

/** `requests` GETs of `path` from inside the frontend pod through its nginx; undefined when every answer came from `from`, and from each of `each`. */
async function frontendAnswers(
    runner: ToolRunner,
    edge: EdgeTarget,
    env: NodeJS.ProcessEnv,
    path: string,
    expected: { from: string[]; each: boolean },
): Promise<CheckAnswer> {
    const target = { namespace: DEMO.namespace, workload: `deploy/${DEMO.frontend}`, container: DEMO.client };
    const argv = probeArgs(edge.access, target, FRONTEND_REQUESTS, `http://localhost:${DEMO.frontendPort}${path}`);
    const result = await runner.run(argv, { env });
    if (result.status !== 0) return failure(argv, result);
    const answers = result.stdout.split("\n").filter(Boolean).map(probeAnswer);
    const counts = tally(answers);
    const wanted = expected.from.map(greeting);
    const unexpected = [...counts.keys()].filter((key) => !wanted.includes(key));
    const missing = expected.each ? wanted.filter((message) => !counts.has(message)) : [];
    if (answers.length === 0 || unexpected.length > 0 || missing.length > 0) {
        return `${answers.length} answers: ${tallyText(counts) || "none"}${missing.length > 0 ? `; none said "${missing.join('", "')}"` : ""}`;
    }
    return undefined;
}

function cloudChecks(cloud: CloudTarget, runner: ToolRunner, env: NodeJS.ProcessEnv): Check[] {
    return [
        linkerdCheck(cloud, "cloud cluster", runner),
        ...cloud.exportedServices.map((service): Check => ({
            id: `exported:${service}`,
            description: `the cloud exports ${service} (mirror.linkerd.io/exported=true)`,
            hint: "the cloud stack labels the services it exports: run its up again",
            async run() {
                const argv = serviceLabelArgs(cloud.access, service, "mirror.linkerd.io/exported");
                const result = await runner.run(argv, { env });
                if (result.status !== 0) return failure(argv, result);
                return result.stdout.trim() === "true" ? undefined : `its label is "${result.stdout.trim()}"`;
            },
        })),
    ];
}

function edgeChecks(edge: EdgeTarget, runner: ToolRunner, env: NodeJS.ProcessEnv): Check[] {
    const on = `on the edge ${edge.name}`;
    const gatewayId = `gateway:${edge.name}`;
    const checks: Check[] = [
        {
            id: gatewayId,
            description: `the gateway of ${edge.cloud} is alive ${on} (linkerd multicluster gateways)`,
            hint: `the edge's link probes the cloud's gateway: is the gateway's address reachable from the edge cluster (gatewaySourceCidrs)?`,
            retryForMs: SETTLE_MS,
            retryEveryMs: RETRY_EVERY_MS,
            async run() {
                const argv = gatewaysArgs(edge.access);
                const result = await runner.run(argv, { env: edge.linkerdEnv });
                if (result.status !== 0) return `\`${shownCommand(argv)}\` exit code ${result.status}: ${gatewaysProblem(result.stderr)}`;
                const statuses = parseGateways(result.stdout);
                if (statuses === undefined) return `\`${shownCommand(argv)}\` printed no gateways`;
                const gateway = statuses.find((status) => status.clusterName === edge.cloud);
                if (gateway === undefined) return `no gateway of ${edge.cloud} has a status yet`;
                return gateway.alive ? undefined : "its probe fails (alive: false)";
            },
        },
        ...edge.mirroredServices.map((service): Check => ({
            id: `mirror:${edge.name}:${service}`,
            description: `the mirror ${service} exists ${on}`,
            hint: `the service mirror creates it once the gateway is alive: linkerd multicluster check ${kubectlFlagsText(edge.access)}`,
            retryForMs: SETTLE_MS,
            retryEveryMs: RETRY_EVERY_MS,
            async run() {
                const argv = serviceArgs(edge.access, service);
                const result = await runner.run(argv, { env });
                return result.status === 0 ? undefined : failure(argv, result);
            },
        })),
        linkerdCheck(edge, "edge", runner),
        {
            id: `multicluster-check:${edge.name}`,
            description: `linkerd multicluster check passes ${on}`,
            hint: `linkerd multicluster check ${kubectlFlagsText(edge.access)} says more`,
            needs: gatewayId,
            // Its gateway probe check does not wait for the probe: once the gateway is alive it passes, soon after.
            retryForMs: SETTLE_MS / 2,
            retryEveryMs: RETRY_EVERY_MS,
            run: () => linkerdVerdict(runner, multiclusterCheckArgs(edge.access), edge.linkerdEnv),
        },
    ];
    if (edge.split === undefined) return checks;
    const split = edge.split;
    const wantedRoute: RouteMode =
        split.mode === "failover" ? "failover" : split.answersFrom.includes(edge.cloud) ? "weighted" : "local-only";
    const splitCheck: Check = {
        id: `split:${edge.name}`,
        description: `the split of ${DEMO.podinfo} ${on} is ${wantedRoute}, and every backend Service of it exists`,
        hint: `a backend Service that is missing fails every request the split gives it: run the edge stack's up again`,
        async run() {
            const argv = splitBackendsArgs(edge.access, DEMO.namespace, DEMO.podinfo, split.api);
            const result = await runner.run(argv, { env });
            if (result.status !== 0) return failure(argv, result);
            const lines = result.stdout.split("\n").filter(Boolean);
            for (const backend of lines.map((line) => line.slice(0, line.indexOf("=")))) {
                const service = serviceArgs(edge.access, `${DEMO.namespace}/${backend}`);
                const found = await runner.run(service, { env });
                if (found.status !== 0) return `its backend ${DEMO.namespace}/${backend}: ${failure(service, found)}`;
            }
            const mode = routeMode(lines, DEMO.podinfo);
            return mode === wantedRoute ? undefined : `it is ${mode}: ${lines.join(", ")}`;
        },
    };
    const cloudPath = `/${edge.cloud}/`;
    const cloudPathId = `frontend:${edge.name}:${cloudPath}`;
    const podinfoMirror = `${DEMO.podinfo}-${edge.cloud}`;
    return [
        ...checks,
        splitCheck,
        {
            id: `frontend:${edge.name}:/`,
            description:
                split.mode === "failover"
                    ? `the frontend ${on} answers / from ${edge.name} only (splitMode failover)`
                    : `the frontend ${on} answers / from ${split.answersFrom.join(" and ")} (splitMode weighted)`,
            hint: `run the edge stack's watchSplitCommand to see where the split sends podinfo's requests`,
            retryForMs: SETTLE_MS / 2,
            retryEveryMs: RETRY_EVERY_MS,
            run: () => frontendAnswers(runner, edge, env, "/", { from: split.answersFrom, each: true }),
        },
        {
            id: cloudPathId,
            description: `the frontend ${on} answers ${cloudPath} from ${edge.cloud}, through the mirror ${podinfoMirror}`,
            hint: `the mirror ${DEMO.namespace}/${podinfoMirror} needs the cloud's podinfo and the gateway`,
            retryForMs: SETTLE_MS / 2,
            retryEveryMs: RETRY_EVERY_MS,
            run: () => frontendAnswers(runner, edge, env, cloudPath, { from: [edge.cloud], each: true }),
        },
        {
            id: `mtls:${edge.name}`,
            description: `the frontend's requests to ${podinfoMirror} are mTLS (its proxy's response_total, tls="true")`,
            hint: "the gateway only accepts mTLS: a response without it went around the mesh",
            needs: cloudPathId,
            async run() {
                const podArgs = podNameArgs(edge.access, DEMO.namespace, DEMO.frontend);
                const pod = await runner.run(podArgs, { env });
                if (pod.status !== 0 || !pod.stdout.trim()) return failure(podArgs, pod);
                const metricsArgs = podProxyArgs(edge.access, DEMO.namespace, pod.stdout.trim(), "4191/proxy/metrics");
                const metrics = await runner.run(metricsArgs, { env });
                if (metrics.status !== 0) return failure(metricsArgs, metrics);
                const toMirror = metrics.stdout
                    .split("\n")
                    .filter((line) => line.startsWith("response_total{") && line.includes(`dst_service="${podinfoMirror}"`));
                if (toMirror.length === 0) return `its proxy counts no response from ${podinfoMirror}`;
                const plain = toMirror.filter((line) => !line.includes('tls="true"'));
                return plain.length === 0 ? undefined : `responses without tls="true": ${plain.join("; ")}`;
            },
        },
    ];
}

/** The checks, the cloud's first, then each edge's. `env` runs the kubectl commands. */
export function verifyChecks(targets: { cloud: CloudTarget; edges: EdgeTarget[] }, runner: ToolRunner, env: NodeJS.ProcessEnv): Check[] {
    return [...cloudChecks(targets.cloud, runner, env), ...targets.edges.flatMap((edge) => edgeChecks(edge, runner, env))];
}
