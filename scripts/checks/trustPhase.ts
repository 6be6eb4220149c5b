// Where a rotation of the trust anchor stands, and what one run of npm run rotate does about it: the
// phase the cloud stack's config asks for, the one its `trust` output says it brought up, and whether
// every edge site runs that one too (its meshIdentityChecksum output equals the cloud's
// trust.issuers[site].meshIdentityChecksum). Pure: flows/rotate.ts reads the stacks and acts.
import { TRUST_PHASES, TRUST_SLOTS, TrustPhase, TrustSlot, inSlotOrder } from "../../components/trustPhases";
import type { TrustExports } from "../../contract";

export type { TrustExports, TrustPhase };

const DAY_MS = 24 * 3600_000;

/** A phase as config holds it, before it is known to be one. */
export interface PhaseConfig {
    trustAnchors: unknown;
    issuerTrustAnchor: unknown;
}

/** Where the phase stands on TRUST_PHASES (its anchors in any order, as the program takes them); -1 when it is none of them. */
export function phaseIndex(phase: PhaseConfig): number {
    const listed = phase.trustAnchors;
    const anchors =
        Array.isArray(listed) && new Set(listed).size === listed.length && listed.every((slot) => TRUST_SLOTS.includes(slot))
            ? inSlotOrder(listed)
            : listed;
    return TRUST_PHASES.findIndex(
        (candidate) =>
            JSON.stringify(candidate.trustAnchors) === JSON.stringify(anchors) && candidate.issuerTrustAnchor === phase.issuerTrustAnchor,
    );
}

/** `[a,b]/b`: the anchors every cluster trusts, then the one that signs the issuers. */
export function phaseText(phase: PhaseConfig): string {
    const anchors = Array.isArray(phase.trustAnchors) ? phase.trustAnchors.join(",") : JSON.stringify(phase.trustAnchors);
    return `[${anchors}]/${String(phase.issuerTrustAnchor)}`;
}

/** What going from one phase to its neighbour does: "add anchor b", "switch the issuers to b", "drop anchor a". */
export function stepText(from: TrustPhase, to: TrustPhase): string {
    const added = to.trustAnchors.find((slot) => !from.trustAnchors.includes(slot));
    if (added !== undefined) return `add anchor ${added}`;
    const dropped = from.trustAnchors.find((slot) => !to.trustAnchors.includes(slot));
    if (dropped !== undefined) return `drop anchor ${dropped}`;
    return `switch the issuers to ${to.issuerTrustAnchor}`;
}

/** Whether the step leaves an anchor out: before it, no proxy may hold a certificate that chains to that anchor. */
export function dropsAnchor(from: TrustPhase, to: TrustPhase): boolean {
    return to.trustAnchors.length < from.trustAnchors.length;
}

/** Whether the step changes the bundle: an addition or a drop (a switch keeps it byte for byte). */
export function changesBundle(from: TrustPhase, to: TrustPhase): boolean {
    return to.trustAnchors.length !== from.trustAnchors.length;
}

/**
 * The phase after the deployed one. With one anchor, the next rotation adds the other. With two, the
 * rotation heads for the newer one (the later notBefore): while the older one signs, the issuers
 * switch to the newer; once the newer signs, the older is dropped. A phase's config alone does not say
 * which way it goes: [a,b]/b is the switch of a rotation to b and the addition of a rotation back to a.
 */
export function nextPhase(deployed: TrustExports): TrustPhase | { problem: string } {
    const { trustAnchors, issuerTrustAnchor, anchors } = deployed;
    if (trustAnchors.length === 1) {
        return { trustAnchors: [...TRUST_SLOTS], issuerTrustAnchor };
    }
    const [a, b] = TRUST_SLOTS.map((slot) => Date.parse(anchors[slot]?.notBefore ?? ""));
    if (!(a !== b && Number.isFinite(a) && Number.isFinite(b))) {
        return {
            problem:
                `the anchors a and b were made at the same time (notBefore ${anchors.a?.notBefore}, ${anchors.b?.notBefore}), ` +
                "so nothing says which one the rotation heads for",
        };
    }
    const newer: TrustSlot = b > a ? "b" : "a";
    return issuerTrustAnchor === newer
        ? { trustAnchors: [newer], issuerTrustAnchor: newer }
        : { trustAnchors: [...deployed.trustAnchors], issuerTrustAnchor: newer };
}

/** An edge site's stack, and the checksum of the identity it runs (its meshIdentityChecksum output; undefined when it has none). */
export interface EdgePlace {
    site: string;
    stack: string;
    checksum?: string;
    /** The backend has no stack of that name. */
    missing?: boolean;
}

/** What the stacks say: the phase the cloud stack's config asks for, what its last up deployed, and each edge site's identity. */
export interface RotationState {
    config: PhaseConfig;
    deployed: TrustExports;
    edges: EdgePlace[];
}

export type RotationPlan =
    /** Everything runs the deployed phase: set the next one and bring it up. */
    | { action: "advance"; from: TrustPhase; to: TrustPhase }
    /**
     * A phase that did not reach every stack: bring it up, setting nothing. `to` is the config's phase,
     * one step from the deployed one (the cloud's up did not finish, or the config was edited by hand),
     * or the deployed one itself when edge sites lag behind the cloud (`behind`, else empty).
     */
    | { action: "resume"; from: TrustPhase; to: TrustPhase; behind: EdgePlace[] }
    /** Nothing to do safely: why, and the phase to set to get out (the deployed one). */
    | { action: "refuse"; problem: string; restore?: TrustPhase };

/** The edge sites whose identity is not the one the cloud's phase gives them. */
export function edgesBehind(state: RotationState): EdgePlace[] {
    return state.edges.filter(
        (edge) => edge.checksum === undefined || edge.checksum !== state.deployed.issuers[edge.site]?.meshIdentityChecksum,
    );
}

/** What one run of npm run rotate does: advance one phase, finish the one under way, or refuse (and why). */
export function planRotation(state: RotationState): RotationPlan {
    const deployedIndex = phaseIndex(state.deployed);
    const configIndex = phaseIndex(state.config);
    const deployed = TRUST_PHASES[deployedIndex];
    if (deployed === undefined)
        return { action: "refuse", problem: `the cloud stack's trust output holds no phase (${phaseText(state.deployed)})` };
    if (configIndex < 0) {
        return {
            action: "refuse",
            problem:
                `the cloud stack's config trustAnchors ${JSON.stringify(state.config.trustAnchors)} with issuerTrustAnchor ` +
                `${JSON.stringify(state.config.issuerTrustAnchor)} is no phase of a rotation (${TRUST_PHASES.map(phaseText).join(", ")})`,
            restore: deployed,
        };
    }
    const distance = Math.abs(configIndex - deployedIndex);
    if (distance > 1) {
        return {
            action: "refuse",
            problem:
                `the cloud stack's config asks for the phase ${phaseText(state.config)}, ${distance} phases from ${phaseText(deployed)}, ` +
                "the one it runs: a rotation goes one phase at a time, each on every cluster before the next (a proxy that trusts one " +
                "phase's anchors rejects the issuers of a phase two steps away)",
            restore: deployed,
        };
    }
    const behind = edgesBehind(state);
    if (distance === 1 && behind.length > 0) {
        return {
            action: "refuse",
            problem:
                `the cloud stack's config asks for the phase ${phaseText(state.config)}, but the edge sites ` +
                `${behind.map((edge) => edge.site).join(", ")} do not run ${phaseText(deployed)}, the one before it, yet: ` +
                "they would jump two phases",
            restore: deployed,
        };
    }
    if (distance === 1) return { action: "resume", from: deployed, to: TRUST_PHASES[configIndex], behind: [] };
    if (behind.length > 0) return { action: "resume", from: deployed, to: deployed, behind };
    const next = nextPhase(state.deployed);
    if ("problem" in next) return { action: "refuse", problem: next.problem };
    return { action: "advance", from: deployed, to: next };
}

/** The date of an RFC 3339 time, and the whole days from `now` to it (negative once past). */
export function expiry(notAfter: string, now: number): { date: string; daysLeft: number } {
    return { date: notAfter.slice(0, 10), daysLeft: Math.floor((Date.parse(notAfter) - now) / DAY_MS) };
}

/** One row per anchor and per cluster's issuer: what it is, its slot, when it expires and in how many days. */
export function expiryRows(trust: TrustExports, now: number): string[][] {
    const row = (what: string, slot: TrustSlot, notAfter: string) => {
        const { date, daysLeft } = expiry(notAfter, now);
        return [what, slot, date, daysLeft < 0 ? `expired ${-daysLeft} days ago` : `${daysLeft} days`];
    };
    return [
        ...trust.trustAnchors.flatMap((slot) => {
            const anchor = trust.anchors[slot];
            return anchor === undefined
                ? []
                : [row(`anchor ${slot}${slot === trust.issuerTrustAnchor ? " (signs)" : ""}`, slot, anchor.notAfter)];
        }),
        ...Object.entries(trust.issuers).map(([cluster, issuer]) => row(`issuer of ${cluster}`, issuer.slot, issuer.notAfter)),
    ];
}
