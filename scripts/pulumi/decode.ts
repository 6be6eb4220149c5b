// Stack outputs and config values come from the CLI as JSON of any shape; the scripts read them
// through these decoders, each field checked against its type in contract.ts (a field of another
// type reads as absent).
import type { CloudStackCommonOutputs, EdgeStackOutputs, KubeAccess, TrustExports } from "../../contract";

/** A stack's outputs as the CLI prints them (`pulumi stack output --json --show-secrets`). */
export type RawOutputs = Record<string, unknown>;

type Decoder<T> = (value: unknown) => T | undefined;

export const text: Decoder<string> = (value) => (typeof value === "string" ? value : undefined);

export const textList: Decoder<string[]> = (value) =>
    Array.isArray(value) && value.every((item) => typeof item === "string") ? value : undefined;

/** The `trafficSplit` config value, `{local, cloud}` weights (whole numbers, as the program takes them). */
export const splitWeights: Decoder<{ local: number; cloud: number }> = (value) => {
    if (typeof value !== "object" || value === null) return undefined;
    const { local, cloud } = value as Record<string, unknown>;
    return typeof local === "number" && typeof cloud === "number" ? { local, cloud } : undefined;
};

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `{kubeconfig?, context?}`, each a string when there. */
export const kubeAccess: Decoder<KubeAccess> = (value) => {
    if (!isRecord(value)) return undefined;
    const { kubeconfig, context } = value;
    if ([kubeconfig, context].some((field) => field !== undefined && typeof field !== "string")) return undefined;
    return {
        ...(kubeconfig === undefined ? {} : { kubeconfig: kubeconfig as string }),
        ...(context === undefined ? {} : { context: context as string }),
    };
};

const isSlot = (value: unknown) => value === "a" || value === "b";

/** Each value of a record that satisfies `valid`, else undefined. */
function recordOf<T>(value: unknown, valid: (entry: Record<string, unknown>) => boolean): Record<string, T> | undefined {
    return isRecord(value) && Object.values(value).every((entry) => isRecord(entry) && valid(entry))
        ? (value as Record<string, T>)
        : undefined;
}

const areStrings = (entry: Record<string, unknown>, keys: string[]) => keys.every((key) => typeof entry[key] === "string");

/** The cloud stack's `trust`: the phase, every anchor's validity and every cluster's issuer. */
export const trust: Decoder<TrustExports> = (value) => {
    if (!isRecord(value)) return undefined;
    const { trustAnchors, issuerTrustAnchor } = value;
    const anchors = recordOf<TrustExports["anchors"]["a"]>(value.anchors, (entry) =>
        areStrings(entry, ["certPem", "notBefore", "notAfter"]),
    );
    const issuers = recordOf<TrustExports["issuers"][string]>(
        value.issuers,
        (entry) => isSlot(entry.slot) && areStrings(entry, ["certPem", "notAfter", "meshIdentityChecksum"]),
    );
    if (!Array.isArray(trustAnchors) || !trustAnchors.every(isSlot) || !isSlot(issuerTrustAnchor) || !anchors || !issuers) return undefined;
    return { trustAnchors, issuerTrustAnchor, anchors, issuers } as TrustExports;
};

/** The fields `K` of the contract's type `T`, each decoded by a decoder of that field's type. */
function decode<T, K extends keyof T>(
    raw: RawOutputs,
    decoders: { [P in K]: Decoder<NonNullable<T[P]>> },
): { [P in K]?: NonNullable<T[P]> } {
    return Object.fromEntries(Object.entries(decoders).map(([key, decoder]) => [key, (decoder as Decoder<unknown>)(raw[key])])) as {
        [P in K]?: NonNullable<T[P]>;
    };
}

/** What the scripts read from a cloud stack: the edge sites it registers (in order), what verify checks on it, and the rotation's phase. */
export function cloudOutputs(raw: RawOutputs) {
    return decode<
        CloudStackCommonOutputs,
        "edgeSiteNames" | "clusterName" | "apiEndpoint" | "exportedServices" | "kubeAccess" | "trustBundlePem" | "trust"
    >(raw, {
        edgeSiteNames: textList,
        clusterName: text,
        apiEndpoint: text,
        exportedServices: textList,
        kubeAccess,
        trustBundlePem: text,
        trust,
    });
}

/** What the scripts read from an edge stack: the cloud cluster it links to, how to open its demo's frontend, what verify checks on it, and the phase it runs. */
export function edgeOutputs(raw: RawOutputs) {
    return decode<EdgeStackOutputs, "frontendCommand" | "linkedCluster" | "mirroredServices" | "kubeAccess" | "meshIdentityChecksum">(raw, {
        frontendCommand: text,
        linkedCluster: text,
        mirroredServices: textList,
        kubeAccess,
        meshIdentityChecksum: text,
    });
}
