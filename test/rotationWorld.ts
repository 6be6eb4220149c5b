// The local mesh (localWorld.ts) in a phase of a rotation of its trust anchor, as the stand-ins answer
// for it: the cloud stack's `trust` output and the edge stack's meshIdentityChecksum as the program
// makes them (contract.ts; the checksum from components/meshIdentity.ts), what `pulumi up` of each
// stack leaves in each phase (the cloud's by its config, the edge's by the cloud's outputs it reads),
// and the clusters: the control plane's identity ReplicaSet of each phase, the program's pods
// carrying the phase's checksum/mesh-identity, and meshed workloads the program does not own (a
// Deployment, a StatefulSet and a bare pod on the cloud; linkerd-smi's adaptor on the edge), which
// keep the bundle they were injected with until they are restarted. And npm run rotate run in it, as the
// entry runs it, with what each CLI was asked.
import { createHash } from "node:crypto";
import { meshIdentityChecksum } from "../components/meshIdentity";
import { MESH_IDENTITY_ANNOTATION, TRUST_PHASES, TrustPhase, TrustSlot } from "../components/trustPhases";
import type { TrustExports } from "../contract";
import { parseCommandLine, runCommand } from "../scripts/cli/registry";
import { OperatorError } from "../scripts/errors";
import { automationWorkspace } from "../scripts/pulumi/automation";
import { spawnRunner } from "../scripts/tools/spawn";
import { recordingReporter } from "./fakes";
import { WEIGHTED_ROUTE, localOutputs, localStacks } from "./localWorld";
import type { KubeWorld, StandIns } from "./standins";

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const CP_NS = "linkerd.io/control-plane-ns";

/** A rotation from a to b: b is the newer anchor. */
const ANCHORS: Record<TrustSlot, { notBefore: string; notAfter: string }> = {
    a: { notBefore: "2026-01-10T09:00:00Z", notAfter: "2036-01-08T09:00:00Z" },
    b: { notBefore: "2026-12-01T09:00:00Z", notAfter: "2036-11-29T09:00:00Z" },
};
const ISSUER_NOT_AFTER: Record<TrustSlot, string> = { a: "2027-06-01T09:00:00Z", b: "2027-12-01T09:00:00Z" };
const CLUSTERS = ["cloud", "edge"] as const;
type Cluster = (typeof CLUSTERS)[number];

/** A stand-in certificate: rotate never parses one, it compares them. */
function pem(what: string): string {
    return `-----BEGIN CERTIFICATE-----\n${Buffer.from(what).toString("base64")}\n-----END CERTIFICATE-----\n`;
}

function bundleOf(phase: TrustPhase): string {
    return phase.trustAnchors.map((slot) => pem(`anchor ${slot}`)).join("");
}

function checksumOf(phase: TrustPhase, cluster: Cluster): string {
    return meshIdentityChecksum(bundleOf(phase), pem(`issuer of ${cluster} signed by ${phase.issuerTrustAnchor}`));
}

export function trustOf(phase: TrustPhase): TrustExports {
    return {
        trustAnchors: phase.trustAnchors,
        issuerTrustAnchor: phase.issuerTrustAnchor,
        anchors: Object.fromEntries(phase.trustAnchors.map((slot) => [slot, { certPem: pem(`anchor ${slot}`), ...ANCHORS[slot] }])),
        issuers: Object.fromEntries(
            CLUSTERS.map((cluster) => [
                cluster,
                {
                    slot: phase.issuerTrustAnchor,
                    certPem: pem(`issuer of ${cluster} signed by ${phase.issuerTrustAnchor}`),
                    notAfter: ISSUER_NOT_AFTER[phase.issuerTrustAnchor],
                    meshIdentityChecksum: checksumOf(phase, cluster),
                },
            ]),
        ),
    };
}

/** The phase's config on the cloud stack, as the CLI keeps it. */
export function phaseConfig(phase: TrustPhase): Record<string, unknown> {
    return { "edge-cloud-mesh:trustAnchors": phase.trustAnchors, "edge-cloud-mesh:issuerTrustAnchor": phase.issuerTrustAnchor };
}

const short = (text: string) => createHash("sha256").update(text).digest("hex").slice(0, 5);
const iso = (time: number) => new Date(time).toISOString();

/** How the world stands in a phase: when its identity ReplicaSet was made, and whether the workloads the program does not own restarted since. */
export interface PhaseMoment {
    phase: TrustPhase;
    /** The phase before, whose bundle the workloads not restarted hold. */
    previous?: TrustPhase;
    /** They restarted after the phase reached the cluster. */
    restarted: boolean;
}

/** A meshed pod of a Deployment, through its ReplicaSet (which carries the pod template's checksum, if any). */
function deploymentPod(namespace: string, deployment: string, created: number, bundle: string, checksum?: string) {
    const set = `${deployment}-${short(`${deployment}${created}`)}`;
    const annotations = checksum === undefined ? {} : { annotations: { [MESH_IDENTITY_ANNOTATION]: checksum } };
    return {
        pod: {
            namespace,
            name: `${set}-x1`,
            labels: { app: deployment, [CP_NS]: "linkerd" },
            ...annotations,
            created: iso(created),
            owner: { kind: "ReplicaSet", name: set },
            trustAnchors: bundle,
        },
        set: {
            namespace,
            name: set,
            created: iso(created),
            owner: { kind: "Deployment", name: deployment },
            labels: { app: deployment },
            ...annotations,
        },
    };
}

/** What a cluster holds in the moment: the identity controller's ReplicaSets, the program's pods, the others. */
function clusterWorld(cluster: Cluster, moment: PhaseMoment, now = Date.now()): Partial<KubeWorld> {
    const { phase, previous, restarted } = moment;
    const checksum = checksumOf(phase, cluster);
    const phaseAt = now - 10 * MINUTE;
    // The workloads the program does not own: started two days ago with the previous phase's bundle, or since this phase.
    const stale = !restarted && previous !== undefined;
    const othersAt = stale ? now - 2 * DAY : now - 5 * MINUTE;
    const othersBundle = bundleOf(stale ? previous : phase);
    // The identity controller's ReplicaSet of each phase it ran: the earlier one's stays, scaled down.
    const identitySets = [
        ...(previous === undefined ? [] : [{ sum: checksumOf(previous, cluster), created: now - 3 * DAY }]),
        { sum: checksum, created: phaseAt },
    ].map(({ sum, created }) => ({
        namespace: "linkerd",
        name: `linkerd-identity-${short(sum)}`,
        created: iso(created),
        owner: { kind: "Deployment", name: "linkerd-identity" },
        labels: { "linkerd.io/control-plane-component": "identity", [CP_NS]: "linkerd" },
        annotations: { [MESH_IDENTITY_ANNOTATION]: sum },
    }));
    const identityPod = {
        namespace: "linkerd",
        name: `linkerd-identity-${short(checksum)}-x1`,
        labels: { "linkerd.io/control-plane-component": "identity", [CP_NS]: "linkerd" },
        annotations: { [MESH_IDENTITY_ANNOTATION]: checksum },
        created: iso(phaseAt),
        owner: { kind: "ReplicaSet", name: `linkerd-identity-${short(checksum)}` },
    };
    const own = deploymentPod("test", cluster === "cloud" ? "podinfo" : "frontend", phaseAt + MINUTE, bundleOf(phase), checksum);
    const other = deploymentPod(
        cluster === "cloud" ? "shop" : "linkerd-smi",
        cluster === "cloud" ? "cart" : "smi-adaptor",
        othersAt,
        othersBundle,
    );
    const pod = (name: string, labels: Record<string, string>, owner?: { kind: string; name: string }) => ({
        namespace: "shop",
        name,
        labels: { ...labels, [CP_NS]: "linkerd" },
        created: iso(othersAt),
        ...(owner === undefined ? {} : { owner }),
        trustAnchors: othersBundle,
    });
    const cloudOnly = cluster === "cloud" ? [pod("db-0", { app: "db" }, { kind: "StatefulSet", name: "db" }), pod("debug", {})] : [];
    return {
        pods: [identityPod, own.pod, other.pod, ...cloudOnly],
        replicaSets: [...identitySets, own.set, other.set],
        linkerd: { trustBundle: bundleOf(phase) },
    };
}

/** The frontend pod verify reads the metrics of: the edge's demo pod, by the name healthyMesh's raw metrics use. */
function withFrontendPod(world: Partial<KubeWorld>): Partial<KubeWorld> {
    const pods = world.pods!.map((pod) => (pod.labels?.app === "frontend" ? { ...pod, name: "frontend-7d9f8" } : pod));
    return { ...world, pods };
}

/** The phase before, on the rotation from a to b. */
function previousOf(phase: TrustPhase): TrustPhase | undefined {
    const index = TRUST_PHASES.findIndex((candidate) => JSON.stringify(candidate) === JSON.stringify(phase));
    return index > 0 ? TRUST_PHASES[index - 1] : undefined;
}

/**
 * The local mesh in the moment given, and how every `up` answers on a rotation from a to b: the cloud
 * stack's by its config, the edge stack's by the cloud's trust output, each leaving its cluster with
 * the phase's control plane and the other workloads not yet restarted.
 */
export function rotationMesh(
    cloudApi: { port: number; caPem: string },
    moment: PhaseMoment,
    options: { cloudConfig?: Record<string, unknown> } = {},
) {
    const worlds = (at: PhaseMoment) => ({
        cloud: clusterWorld("cloud", at),
        edge: withFrontendPod(clusterWorld("edge", at)),
    });
    // The edge splits with linkerd-smi, whose adaptor is meshed and not the program's to restart.
    const edgeConfig = { "edge-cloud-mesh:trafficSplitApi": "smi" };
    const mesh = localStacks(cloudApi, { edgeConfig, edge: { trafficSplits: { "test/podinfo": WEIGHTED_ROUTE } } });
    const { cli, root, paths } = mesh;
    // A phase's world on top of the healthy mesh's: the pods and ReplicaSets replaced, linkerd's answers kept.
    const healthy = { "k3d-cloud": cli.readKube("k3d-cloud"), "k3d-edge": cli.readKube("k3d-edge") };
    const clusters = (at: PhaseMoment): Record<string, KubeWorld> => {
        const { cloud, edge } = worlds(at);
        const onto = (base: KubeWorld, world: Partial<KubeWorld>) => ({
            ...base,
            ...world,
            linkerd: { ...base.linkerd, ...world.linkerd },
        });
        return { "k3d-cloud": onto(healthy["k3d-cloud"], cloud), "k3d-edge": onto(healthy["k3d-edge"], edge) };
    };
    for (const [context, world] of Object.entries(clusters(moment))) cli.kube(context, world);
    const base = localOutputs(root);
    const cloudOutputs = (phase: TrustPhase) => ({ ...base.cloud, trustBundlePem: bundleOf(phase), trust: trustOf(phase) });
    const edgeOutputs = (phase: TrustPhase) => ({ ...base.edge, meshIdentityChecksum: checksumOf(phase, "edge") });
    const upLeaves = (phase: TrustPhase) => clusters({ phase, previous: previousOf(phase), restarted: false });
    cli.pulumiStack(
        "local-cloud",
        {
            // The first phase is Pulumi.yaml's defaults.
            config:
                options.cloudConfig ?? (JSON.stringify(moment.phase) === JSON.stringify(TRUST_PHASES[0]) ? {} : phaseConfig(moment.phase)),
            outputs: cloudOutputs(moment.phase),
            upWhen: TRUST_PHASES.map((phase) => ({
                config: phaseConfig(phase),
                outputs: cloudOutputs(phase),
                kube: { "k3d-cloud": upLeaves(phase)["k3d-cloud"] },
            })),
        },
        { backend: paths.state },
    );
    cli.pulumiStack(
        "local-edge",
        {
            config: edgeConfig,
            outputs: edgeOutputs(moment.phase),
            upWhen: TRUST_PHASES.map((phase) => ({
                stackOutputs: { stack: "local-cloud", outputs: { trust: trustOf(phase) } },
                outputs: edgeOutputs(phase),
                kube: { "k3d-edge": upLeaves(phase)["k3d-edge"] },
            })),
        },
        { backend: paths.state },
    );
    return {
        ...mesh,
        /** The workloads the program does not own restarted, as the operator does with the printed commands. */
        restartOthers(phase: TrustPhase) {
            for (const [context, world] of Object.entries(clusters({ phase, previous: previousOf(phase), restarted: true })))
                cli.kube(context, world);
        },
    };
}

/** `npm run rotate -- <args>` as the entry runs it, in the mesh's checkout; what it printed, its error, and what each CLI was asked meanwhile. */
export async function rotate(mesh: { cli: StandIns; root: string }, ...args: string[]) {
    const { cli, root } = mesh;
    const before = { pulumi: cli.pulumiCalls().length, kubectl: cli.calls("kubectl").length, linkerd: cli.calls("linkerd").length };
    const { reporter, stdout } = recordingReporter();
    const { command, values } = parseCommandLine(["rotate", ...args]);
    let error: OperatorError | undefined;
    try {
        await runCommand(command, values, {
            env: cli.env(),
            root,
            reporter,
            runner: spawnRunner(root),
            workspace: (env) => automationWorkspace(root, env),
        });
    } catch (thrown) {
        if (!(thrown instanceof OperatorError)) throw thrown;
        error = thrown;
    }
    const commands = (tool: "kubectl" | "linkerd") =>
        cli
            .calls(tool)
            .slice(before[tool])
            .map(({ argv }) => argv)
            .filter((argv) => argv[0] !== "version");
    return {
        stdout: stdout(),
        error,
        pulumi: cli
            .pulumiCalls()
            .slice(before.pulumi)
            .filter((call) => call.argv[0] !== "version"),
        kubectl: commands("kubectl"),
        linkerd: commands("linkerd"),
    };
}

type Run = Awaited<ReturnType<typeof rotate>>;

/** The pulumi commands that change something, config writes and ups, as "<command words> <stack>". */
export function changes(run: Run): string[] {
    return run.pulumi.flatMap(({ argv }) => {
        const stack = argv[argv.indexOf("--stack") + 1];
        const words = argv.filter((arg, index) => !arg.startsWith("-") && argv[index - 1] !== "--stack").slice(0, 2);
        const change = words[0] === "up" || (words[0] === "config" && ["set-all", "rm-all", "rm"].includes(words[1]));
        return change ? [`${words[0] === "up" ? "up" : words.join(" ")} ${stack}`] : [];
    });
}

/** The clusters a linkerd check --proxy ran on, by context. */
export const proxyChecks = (run: Run) =>
    run.linkerd.filter((argv) => argv[0] === "check" && argv.includes("--proxy")).map((argv) => argv[argv.indexOf("--context") + 1]);
