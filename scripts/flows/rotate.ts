// npm run rotate: one phase of a rotation of the mesh's trust anchor (docs/rotation.md). It reads
// where the rotation stands from the stacks alone (the cloud stack's config and `trust` output, each
// edge stack's meshIdentityChecksum), shows it with every anchor's and issuer's expiry, and then does
// one thing: advance one phase (check the mesh, set both config keys on the cloud stack, bring the
// cloud stack and then every edge stack up), finish a phase that stopped half-way (bring the stacks up,
// setting nothing), or refuse, saying how to get out. After the ups it runs verify and the phase's
// gates on every cluster, lists what the program does not own and must restart, and only then says
// that the next phase is safe.
import { ChecksOutcome, SYSTEM_CLOCK } from "../checks/framework";
import {
    AFTER_THE_UPS,
    ClusterPhase,
    GateStrictness,
    PendingRestarts,
    hasPending,
    restartCommands,
    rotationChecks,
    strictnessBefore,
} from "../checks/rotation";
import {
    RotationPlan,
    RotationState,
    TrustExports,
    TrustPhase,
    changesBundle,
    dropsAnchor,
    expiryRows,
    nextPhase,
    phaseText,
    planRotation,
    stepText,
} from "../checks/trustPhase";
import { verifyChecks } from "../checks/verify";
import { OperatorError } from "../errors";
import { RawOutputs, cloudOutputs, edgeOutputs } from "../pulumi/decode";
import type { MeshStack, MeshWorkspace } from "../pulumi/port";
import type { KubeFlags } from "../tools/kubectl";
import { ParallelOptions, StackNames, edgeStackName, requireCloudStack, upMesh } from "./mesh";
import { VerifyDeps, checkMesh } from "./verify";

export interface RotateOptions extends ParallelOptions {
    /** Show where the rotation stands and what the next run does; change nothing. */
    statusOnly: boolean;
    /** What precedes `pulumi` in a command the operator runs on these stacks: "" on the backend they are logged in to, the local environment's variables on the local stacks. */
    pulumiPrefix: string;
}

/** The commands that set the cloud stack's config to a phase, both keys and the whole list, as the operator would run them. */
export function phaseConfigCommand(stack: string, phase: TrustPhase, prefix = ""): string {
    const anchors = phase.trustAnchors.map((slot, index) => `--plaintext 'trustAnchors[${index}]=${slot}'`).join(" ");
    return (
        `${prefix}pulumi config rm trustAnchors --stack ${stack} && ` +
        `${prefix}pulumi config set-all --stack ${stack} --path ${anchors} --plaintext issuerTrustAnchor=${phase.issuerTrustAnchor}`
    );
}

/** Where the rotation stands, from the stacks. */
async function readRotation(workspace: MeshWorkspace, names: StackNames, cloud: MeshStack): Promise<RotationState> {
    const outputs = cloudOutputs(await cloud.outputs());
    if (outputs.trust === undefined) {
        throw new OperatorError(
            `the cloud stack ${JSON.stringify(cloud.name)} has no output trust: it was never brought up, or by a version without rotations`,
            "Run npm run up (or npm run local:up) once, then npm run rotate.",
        );
    }
    const edges = [];
    for (const site of outputs.edgeSiteNames ?? []) {
        const name = edgeStackName(names, site);
        const stack = await workspace.stack(name);
        const checksum = stack === undefined ? undefined : edgeOutputs(await stack.outputs()).meshIdentityChecksum;
        edges.push({ site, stack: name, checksum, missing: stack === undefined });
    }
    return {
        config: { trustAnchors: await cloud.config("trustAnchors"), issuerTrustAnchor: await cloud.config("issuerTrustAnchor") },
        deployed: outputs.trust,
        edges,
    };
}

/** What the plan does, in a sentence. */
function planText(plan: RotationPlan): string {
    switch (plan.action) {
        case "advance":
            return `${stepText(plan.from, plan.to)}: from the phase ${phaseText(plan.from)} to ${phaseText(plan.to)}`;
        case "resume":
            return plan.behind.length > 0
                ? `finish the phase ${phaseText(plan.to)}: bring up the edge sites that do not run it yet (${plan.behind.map((edge) => edge.site).join(", ")}), setting nothing`
                : `finish the step ${stepText(plan.from, plan.to)}, from ${phaseText(plan.from)} to ${phaseText(plan.to)}, which the cloud stack's config already asks for: bring every stack up, setting nothing`;
        case "refuse":
            return `nothing: ${plan.problem}`;
    }
}

function reportState(state: RotationState, cloud: string, plan: RotationPlan, deps: VerifyDeps): void {
    const { deployed } = state;
    const now = (deps.clock ?? SYSTEM_CLOCK).now();
    deps.reporter.report({
        kind: "table",
        title: `The trust anchors and issuers, in the phase ${phaseText(deployed)} (anchors ${deployed.trustAnchors.join(" and ")}; ${deployed.issuerTrustAnchor} signs the issuers)`,
        headers: ["CERTIFICATE", "SLOT", "EXPIRES", "IN"],
        rows: expiryRows(deployed, now),
    });
    deps.reporter.report({
        kind: "table",
        title: "Where each stack stands",
        headers: ["STACK", "SITE", "PHASE"],
        rows: [
            [cloud, "(cloud)", `${phaseText(deployed)}; its config asks for ${phaseText(state.config)}`],
            ...state.edges.map((edge) => [
                edge.stack,
                edge.site,
                edge.missing
                    ? `no such stack: create it (pulumi stack init ${edge.stack}, docs/edge-sites.md), or take the site out of edgeSites`
                    : edge.checksum === undefined
                      ? "no outputs: never brought up"
                      : edge.checksum === deployed.issuers[edge.site]?.meshIdentityChecksum
                        ? phaseText(deployed)
                        : `not ${phaseText(deployed)} yet (another identity)`,
            ]),
        ],
    });
    deps.reporter.report({ kind: "notice", text: `npm run rotate: ${planText(plan)}` });
}

/**
 * The gates on every cluster, each held to its checksum in `trust` (after the ups, `withVerify`, behind
 * verify's checks); with what is left to restart, as the commands that restart it.
 */
async function runGates(
    workspace: MeshWorkspace,
    names: StackNames,
    deps: VerifyDeps,
    env: NodeJS.ProcessEnv,
    trust: TrustExports,
    strict: GateStrictness,
    withVerify: boolean,
    title: string,
    proxyCheck = true,
): Promise<{ outcome: ChecksOutcome; restarts: string }> {
    const pending: { cluster: string; restarts: PendingRestarts; access: KubeFlags }[] = [];
    const outcome = await checkMesh(
        workspace,
        names,
        deps,
        env,
        (stacks) => `${title}, on the stacks ${stacks}`,
        (targets) => {
            const clusters: ClusterPhase[] = [
                { target: targets.cloud, role: "cloud cluster", checksum: trust.issuers[targets.cloud.name]?.meshIdentityChecksum ?? "" },
                ...targets.edges.map((edge) => ({
                    target: edge,
                    role: "edge",
                    checksum: trust.issuers[edge.name]?.meshIdentityChecksum ?? "",
                })),
            ];
            const gates = clusters.flatMap((cluster) =>
                rotationChecks(
                    cluster,
                    strict,
                    deps.runner,
                    env,
                    (restarts) => pending.push({ cluster: cluster.target.name, restarts, access: cluster.target.access }),
                    proxyCheck,
                ),
            );
            return withVerify ? [...verifyChecks(targets, deps.runner, env), ...gates] : gates;
        },
    );
    const waiting = pending.filter(({ restarts }) => hasPending(restarts));
    return { outcome, restarts: restartsText(waiting) };
}

/** What is left to restart, as the operator copies it: per cluster its commands, then the pods they do not reach; "" when nothing is. */
function restartsText(waiting: { cluster: string; restarts: PendingRestarts; access: KubeFlags }[]): string {
    if (waiting.length === 0) return "";
    const commands = waiting.flatMap(({ cluster, restarts, access }) => {
        const lines = restartCommands(access, restarts);
        return lines.length > 0 ? [`# ${cluster}`, ...lines] : [];
    });
    const others = waiting.flatMap(({ restarts }) => restarts.others);
    return (
        `\nThe meshed workloads the program does not own still run an earlier phase's identity (their proxies read the ` +
        `trust bundle when they start, and hold a certificate of the issuer they started with).\n` +
        (commands.length > 0 ? `Restart them:\n\n${commands.map((line) => `  ${line}\n`).join("")}` : "") +
        (others.length > 0 ? `\nRecreate these pods, which no rollout restart reaches:\n${others.map((pod) => `  ${pod}\n`).join("")}` : "")
    );
}

/** What the next npm run rotate does after the phase of `trust`: the next step, or, at the end of a rotation, the next rotation. */
function nextText(trust: TrustExports): string {
    const next = nextPhase(trust);
    if ("problem" in next) return `The next phase cannot be told: ${next.problem}`;
    const step = `npm run rotate will ${stepText(trust, next)} (the phase ${phaseText(next)})`;
    if (trust.trustAnchors.length > 1) return `The next ${step}`;
    const anchor = trust.anchors[trust.issuerTrustAnchor];
    return (
        `The rotation is complete: anchor ${trust.issuerTrustAnchor} alone signs${anchor ? `, until ${anchor.notAfter.slice(0, 10)}` : ""}; ` +
        `the next ${step} and start the next rotation`
    );
}

/** What the run says at the end: the phase is up, what is left to restart and whether the next phase waits for it, and what comes next. */
function doneText(phase: string, trust: TrustExports, restartsLeft: boolean): string {
    if (!restartsLeft)
        return `The phase ${phase} runs on every cluster, and every check passed: the next phase is safe. ${nextText(trust)}.`;
    const next = nextPhase(trust);
    const waits = "problem" in next || Object.values(strictnessBefore(trust, next)).some(Boolean);
    return (
        `The phase ${phase} is up on every stack. ` +
        (waits
            ? "Restart the workloads above before anything else: npm run rotate refuses the next phase until they have. "
            : "Restart the workloads above when you can: the next phase does not wait for them, the one after it does. ") +
        `${nextText(trust)}.`
    );
}

/**
 * npm run rotate on the mesh of these stacks: shows where the rotation stands, then advances one
 * phase, finishes the one under way, or refuses; with statusOnly, shows and stops.
 */
export async function rotateMesh(
    workspace: MeshWorkspace,
    names: StackNames,
    options: RotateOptions,
    deps: VerifyDeps,
    env: NodeJS.ProcessEnv,
): Promise<void> {
    const cloud = await requireCloudStack(workspace, names, "Nothing was changed.");
    const state = await readRotation(workspace, names, cloud);
    const plan = planRotation(state);
    reportState(state, cloud.name, plan, deps);
    if (options.statusOnly) {
        deps.reporter.report({ kind: "message", text: "\nNothing was changed (--status).\n" });
        return;
    }
    if (plan.action === "refuse") {
        throw new OperatorError(
            `npm run rotate: ${plan.problem}. Nothing was changed.`,
            plan.restore === undefined
                ? "See docs/rotation.md."
                : `To set the config back to the phase the cloud stack runs (${phaseText(plan.restore)}), then go on one phase at a time:\n` +
                      `  ${phaseConfigCommand(cloud.name, plan.restore, options.pulumiPrefix)}\n  npm run rotate`,
        );
    }
    const { from, to } = plan;
    const phase = phaseText(to);
    if (phaseText(to) !== phaseText(from)) {
        // The cloud's phase moves: what the step needs must be done everywhere (a switch: every proxy trusts the
        // anchor that is to sign; a drop: every proxy holds a certificate of the issuers of the anchor that stays).
        // A step under way that changes the bundle may have given the cloud's cluster its new bundle before its up
        // failed: `linkerd check --proxy` then fails on every edge ("clusters share trust anchors") and, on the cloud,
        // finds the pods holding the bundle they were right to hold. The pods' gate alone says what the step
        // needs: nothing for an addition; for a drop, a pod started in the phase holds its bundle and its issuers'
        // certificates.
        const halfway = plan.action === "resume" && changesBundle(from, to);
        const before = await runGates(
            workspace,
            names,
            deps,
            env,
            state.deployed,
            strictnessBefore(from, to),
            false,
            `rotate: the phase ${phaseText(from)} is done on every cluster (before ${stepText(from, to)})`,
            !halfway,
        );
        if (!before.outcome.success) {
            if (before.restarts) deps.reporter.report({ kind: "message", text: before.restarts });
            throw new OperatorError(
                `npm run rotate: the phase ${phaseText(from)} is not done on every cluster (the checks above), so ${stepText(from, to)} is not safe yet. Nothing was changed.`,
                (dropsAnchor(from, to)
                    ? `Every meshed pod must hold a certificate of the issuers of ${from.issuerTrustAnchor} before anchor ${from.trustAnchors.find((slot) => !to.trustAnchors.includes(slot))} goes. `
                    : "") + "Do what the checks say (and restart what is listed above), then npm run rotate again.",
            );
        }
    }
    if (plan.action === "advance") {
        await cloud.setConfig({ trustAnchors: to.trustAnchors, issuerTrustAnchor: to.issuerTrustAnchor });
        deps.reporter.report({
            kind: "notice",
            text: `set trustAnchors ${JSON.stringify(to.trustAnchors)} and issuerTrustAnchor ${JSON.stringify(to.issuerTrustAnchor)} on the cloud stack ${cloud.name}`,
        });
    }
    let up: RawOutputs;
    try {
        up = (await upMesh(workspace, names, deps.reporter, options)).cloud;
    } catch (error) {
        if (!(error instanceof OperatorError)) throw error;
        throw new OperatorError(
            `${error.message}\nThe phase ${phase} is half-way: what ran it and what did not still trust each other (neighbouring phases keep mTLS working, docs/rotation.md).`,
            `Fix what failed, then npm run rotate: it brings the rest to ${phase} and sets nothing.` +
                // Edge sites catching up with the cloud's phase have no phase of the cloud's to go back to.
                (phase === phaseText(from)
                    ? ""
                    : ` To go back to ${phaseText(from)} instead:\n  ${phaseConfigCommand(cloud.name, from, options.pulumiPrefix)}\n  npm run rotate`),
        );
    }
    const trust = cloudOutputs(up).trust;
    if (trust === undefined) throw new OperatorError(`the cloud stack ${JSON.stringify(cloud.name)} has no output trust after its up`);
    const after = await runGates(workspace, names, deps, env, trust, AFTER_THE_UPS, true, `rotate: the phase ${phase} on every cluster`);
    if (after.restarts) deps.reporter.report({ kind: "message", text: after.restarts });
    if (!after.outcome.success) {
        throw new OperatorError(
            `npm run rotate: the phase ${phase} is up on every stack, but checks failed (above)`,
            "Do what they say, then npm run rotate: it checks the phase again before the next one, and sets nothing until then.",
        );
    }
    deps.reporter.report({ kind: "message", text: `\n${doneText(phase, trust, after.restarts !== "")}\n` });
}
