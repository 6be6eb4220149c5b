// The gates of a rotation's phase, on each cluster: `linkerd check --proxy`, and the meshed pods that
// still run the identity of an earlier phase. Both run before a phase is advanced, where what the step
// needs stops it (a pod with another bundle before a switch or a drop, a pod started before the phase
// before a drop), and after its ups, where what is left to restart is listed for the next phase.
//
// A proxy reads the trust bundle once, when it starts, and takes a new certificate from its cluster's
// identity controller every day or so (linkerd2-proxy; leaves live 24 h). So every meshed pod must
// start after its cluster's control plane took the phase: with the phase's bundle, and with a
// certificate of the phase's issuer, which is what makes dropping the previous anchor safe. No tool
// here reads a proxy's certificate (`linkerd identity` port-forwards to each pod and prints text), so
// the pods are judged by what the cluster records: the program's own workloads carry the phase's
// checksum/mesh-identity annotation; any other meshed pod must have been created after the cluster's
// linkerd-identity ReplicaSet of the phase was (kubectl rollout restart makes new ones).
import { MESH_IDENTITY_ANNOTATION } from "../../components/trustPhases";
import { KubeFlags, meshedPodsArgs, replicaSetsArgs, rolloutRestartCommand } from "../tools/kubectl";
import { linkerdProxyCheckArgs } from "../tools/linkerd";
import type { ToolRunner } from "../tools/runner";
import type { Check } from "./framework";
import { TrustPhase, dropsAnchor } from "./trustPhase";
import { ClusterTarget, failure, kubectlFlagsText, linkerdVerdict } from "./verify";

/** `linkerd check --proxy`'s check that every meshed pod outside the control plane holds the cluster's bundle (pkg/healthcheck/healthcheck.go, a warning). */
export const CERTIFICATE_MATCH = "linkerd-identity-data-plane: data plane proxies certificate match CA";

/** The label of the control plane's identity pods (charts/linkerd-control-plane/templates/identity.yaml). */
const IDENTITY_COMPONENT = { label: "linkerd.io/control-plane-component", value: "identity" };

interface Owner {
    kind: string;
    name: string;
}

interface ObjectMeta {
    name: string;
    namespace: string;
    creationTimestamp: string;
    deletionTimestamp?: string;
    annotations?: Record<string, string>;
    ownerReferences?: (Owner & { controller?: boolean })[];
}

/** The items of `kubectl get ... -o json` (a List). */
function items<T>(json: string): T[] {
    const parsed = JSON.parse(json) as { items?: T[] };
    if (!Array.isArray(parsed.items)) throw new Error("no items");
    return parsed.items;
}

/** The object's controller (the owner reference marked so), or its first owner. */
function controllerOf(meta: ObjectMeta): Owner | undefined {
    const owners = meta.ownerReferences ?? [];
    return owners.find((owner) => owner.controller) ?? owners[0];
}

/** A meshed pod as a rotation judges it. */
export interface MeshedPod {
    namespace: string;
    name: string;
    created: number;
    /** Running or about to, and not on its way out: a pod that ended runs no proxy, and one being deleted has been replaced. */
    live: boolean;
    checksum?: string;
    owner?: Owner;
}

export function meshedPods(json: string): MeshedPod[] {
    return items<{ metadata: ObjectMeta; status?: { phase?: string } }>(json).map(({ metadata, status }) => ({
        namespace: metadata.namespace,
        name: metadata.name,
        created: Date.parse(metadata.creationTimestamp),
        live: status?.phase !== "Succeeded" && status?.phase !== "Failed" && metadata.deletionTimestamp === undefined,
        checksum: metadata.annotations?.[MESH_IDENTITY_ANNOTATION],
        owner: controllerOf(metadata),
    }));
}

/** A ReplicaSet: its owner, when it was made, and what its pod template carries. */
export interface ReplicaSet {
    namespace: string;
    name: string;
    created: number;
    owner?: Owner;
    checksum?: string;
    identity: boolean;
}

export function replicaSets(json: string): ReplicaSet[] {
    return items<{
        metadata: ObjectMeta;
        spec?: { template?: { metadata?: { annotations?: Record<string, string>; labels?: Record<string, string> } } };
    }>(json).map(({ metadata, spec }) => ({
        namespace: metadata.namespace,
        name: metadata.name,
        created: Date.parse(metadata.creationTimestamp),
        owner: controllerOf(metadata),
        checksum: spec?.template?.metadata?.annotations?.[MESH_IDENTITY_ANNOTATION],
        identity: spec?.template?.metadata?.labels?.[IDENTITY_COMPONENT.label] === IDENTITY_COMPONENT.value,
    }));
}

/**
 * When the cluster's identity controller began to run the phase of `checksum`: its oldest ReplicaSet
 * whose template carries it (a later restart of the controller makes another, with the same checksum).
 * Undefined when none does: the control plane has not taken the phase.
 */
export function phaseStart(sets: ReplicaSet[], checksum: string): number | undefined {
    const times = sets.filter((set) => set.identity && set.checksum === checksum).map((set) => set.created);
    return times.length > 0 ? Math.min(...times) : undefined;
}

/** What is left to restart on one cluster. */
export interface PendingRestarts {
    /** By namespace: the workloads as `kubectl rollout restart` takes them, `deployment/<name>`. */
    workloads: Record<string, string[]>;
    /** Pods `rollout restart` does not reach, each `<namespace>/<pod>` and why. */
    others: string[];
}

const RESTARTABLE: Record<string, string> = { Deployment: "deployment", StatefulSet: "statefulset", DaemonSet: "daemonset" };

/**
 * The meshed pods that started before the phase of `checksum` reached their cluster (`since`) and do
 * not carry its annotation (the program restarts its own), by the workload to restart: a pod's
 * ReplicaSet leads to its Deployment.
 */
export function pendingRestarts(pods: MeshedPod[], sets: ReplicaSet[], checksum: string, since: number): PendingRestarts {
    const workloads: Record<string, Set<string>> = {};
    const others: string[] = [];
    for (const pod of pods.filter((candidate) => candidate.live && candidate.checksum !== checksum && candidate.created < since)) {
        const set =
            pod.owner?.kind === "ReplicaSet"
                ? sets.find((candidate) => candidate.namespace === pod.namespace && candidate.name === pod.owner!.name)
                : undefined;
        // A ReplicaSet no Deployment owns is the workload itself.
        const workload = set?.owner ?? pod.owner;
        const kind = workload && RESTARTABLE[workload.kind];
        if (kind === undefined) {
            const why = workload === undefined ? "no controller" : `${workload.kind} ${workload.name}`;
            others.push(`${pod.namespace}/${pod.name} (${why}: delete it once what replaces it is ready)`);
            continue;
        }
        (workloads[pod.namespace] ??= new Set()).add(`${kind}/${workload!.name}`);
    }
    return {
        workloads: Object.fromEntries(
            Object.keys(workloads)
                .sort()
                .map((namespace) => [namespace, [...workloads[namespace]].sort()]),
        ),
        others: others.sort(),
    };
}

export function hasPending(pending: PendingRestarts): boolean {
    return Object.keys(pending.workloads).length > 0 || pending.others.length > 0;
}

/** One `kubectl rollout restart` per namespace, on the cluster of `access`. */
export function restartCommands(access: KubeFlags, pending: PendingRestarts): string[] {
    return Object.entries(pending.workloads).map(([namespace, workloads]) => rolloutRestartCommand(access, namespace, workloads));
}

/** Which restarts still to do fail the gates (the others warn): what the next step needs done. */
export interface GateStrictness {
    /** A meshed pod injected with another bundle than the cluster's: before a switch or a drop, every proxy must trust the anchor that is to sign. */
    bundles: boolean;
    /** A meshed pod started before the phase reached its cluster: before a drop, every proxy must hold a certificate of the phase's issuers. */
    started: boolean;
}

export interface ClusterPhase {
    target: ClusterTarget;
    /** "cloud cluster" or "edge". */
    role: string;
    /** The cluster's checksum/mesh-identity in the phase it should run (the cloud's trust.issuers[cluster]). */
    checksum: string;
}

/** What the step from one phase to the next needs done first: nothing for an addition (every proxy trusts the issuers, which stay). */
export function strictnessBefore(from: TrustPhase, to: TrustPhase): GateStrictness {
    const drops = dropsAnchor(from, to);
    return { bundles: drops || from.issuerTrustAnchor !== to.issuerTrustAnchor, started: drops };
}

/** After a phase's ups nothing fails for a restart still to do: it is listed for the next phase. */
export const AFTER_THE_UPS: GateStrictness = { bundles: false, started: false };

/**
 * The gates on one cluster. `record` receives what is left to restart there, for the operator's commands.
 * Without `proxyCheck`, only the pods' gate.
 */
export function rotationChecks(
    cluster: ClusterPhase,
    strict: GateStrictness,
    runner: ToolRunner,
    env: NodeJS.ProcessEnv,
    record: (pending: PendingRestarts) => void,
    proxyCheck = true,
): Check[] {
    const { target, role, checksum } = cluster;
    const flags = kubectlFlagsText(target.access);
    const proxy: Check = {
        id: `linkerd-check-proxy:${target.name}`,
        description: `linkerd check --proxy passes on the ${role} ${target.name} (every meshed pod holds the cluster's trust bundle)`,
        hint: `linkerd check --proxy ${flags} says more; a pod with another bundle gets this one when its workload restarts (the commands below)`,
        run: () =>
            linkerdVerdict(
                runner,
                linkerdProxyCheckArgs(target.access),
                target.linkerdEnv,
                (warning) => strict.bundles && warning.startsWith(CERTIFICATE_MATCH),
            ),
    };
    const restarted: Check = {
        id: `restarted:${target.name}`,
        description: `every meshed pod on the ${role} ${target.name} started in this phase (${MESH_IDENTITY_ANNOTATION} ${checksum.slice(0, 12)})`,
        hint: "a pod the program does not own restarts with its workload (the commands below); rollout restart makes new pods one by one, as an update does",
        async run() {
            const podsArgs = meshedPodsArgs(target.access);
            const podsResult = await runner.run(podsArgs, { env });
            if (podsResult.status !== 0) return failure(podsArgs, podsResult);
            const setsArgs = replicaSetsArgs(target.access);
            const setsResult = await runner.run(setsArgs, { env });
            if (setsResult.status !== 0) return failure(setsArgs, setsResult);
            let pods: MeshedPod[];
            let sets: ReplicaSet[];
            try {
                pods = meshedPods(podsResult.stdout);
                sets = replicaSets(setsResult.stdout);
            } catch {
                return `\`kubectl ${flags} get pods,replicasets\` printed no list of them`;
            }
            const since = phaseStart(sets, checksum);
            if (since === undefined)
                return `no linkerd-identity ReplicaSet carries ${MESH_IDENTITY_ANNOTATION} ${checksum.slice(0, 12)}: the control plane has not taken this phase (kubectl ${flags} -n linkerd rollout status deploy/linkerd-identity)`;
            const pending = pendingRestarts(pods, sets, checksum, since);
            record(pending);
            if (!hasPending(pending)) return undefined;
            const listed = [
                ...Object.entries(pending.workloads).flatMap(([namespace, workloads]) =>
                    workloads.map((workload) => `${namespace}/${workload}`),
                ),
                ...pending.others,
            ];
            const problem = `started before the phase reached the cluster (${new Date(since).toISOString()}): ${listed.join(", ")}`;
            return strict.started ? problem : { warning: problem };
        },
    };
    return proxyCheck ? [proxy, restarted] : [restarted];
}
