// The trust anchors' slots and the phases of a rotation, with no dependency: what the program and the
// operator command that rotates (npm run rotate) both need. The pod-template annotation that restarts
// whatever reads the bundle only when it starts is named here too, for the command to find what the
// program did not restart.

/**
 * The two places a trust anchor can hold. A rotation adds the other slot, moves the issuers to it,
 * then drops the first: `a` → `a,b` signing with a → `a,b` signing with b → `b`, and back the next time.
 */
export type TrustSlot = "a" | "b";
export const TRUST_SLOTS: readonly TrustSlot[] = ["a", "b"];

/** The slots, in the order the bundle lists them whatever the order they were given in. */
export function inSlotOrder(slots: readonly TrustSlot[]): TrustSlot[] {
    return TRUST_SLOTS.filter((slot) => slots.includes(slot));
}

/** A phase of a rotation: the cloud stack's config keys trustAnchors and issuerTrustAnchor. */
export interface TrustPhase {
    trustAnchors: TrustSlot[];
    issuerTrustAnchor: TrustSlot;
}

/**
 * Every phase there is, on one path: a rotation walks it from one end to the other (three phases
 * after the first), and the next rotation walks it back. Only neighbours on it may follow each other.
 */
export const TRUST_PHASES: readonly TrustPhase[] = [
    { trustAnchors: ["a"], issuerTrustAnchor: "a" },
    { trustAnchors: ["a", "b"], issuerTrustAnchor: "a" },
    { trustAnchors: ["a", "b"], issuerTrustAnchor: "b" },
    { trustAnchors: ["b"], issuerTrustAnchor: "b" },
];

/**
 * The pod-template annotation that restarts the control plane, every injected proxy of the program's
 * and the program's workloads whenever the bundle or the cluster's issuer changes.
 */
export const MESH_IDENTITY_ANNOTATION = "checksum/mesh-identity";
