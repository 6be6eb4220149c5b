// Stack outputs and config values come from the CLI as JSON of any shape; the scripts read them
// through these decoders, each field checked against its type in contract.ts (a field of another
// type reads as absent).
import type { CloudStackCommonOutputs, EdgeStackOutputs } from "../../contract";

/** A stack's outputs as the CLI prints them (`pulumi stack output --json --show-secrets`). */
export type RawOutputs = Record<string, unknown>;

type Decoder<T> = (value: unknown) => T | undefined;

export const text: Decoder<string> = (value) => (typeof value === "string" ? value : undefined);

export const textList: Decoder<string[]> = (value) =>
    Array.isArray(value) && value.every((item) => typeof item === "string") ? value : undefined;

/** The fields `K` of the contract's type `T`, each decoded by a decoder of that field's type. */
function decode<T, K extends keyof T>(
    raw: RawOutputs,
    decoders: { [P in K]: Decoder<NonNullable<T[P]>> },
): { [P in K]?: NonNullable<T[P]> } {
    return Object.fromEntries(Object.entries(decoders).map(([key, decoder]) => [key, (decoder as Decoder<unknown>)(raw[key])])) as {
        [P in K]?: NonNullable<T[P]>;
    };
}

/** What the scripts read from a cloud stack: the edge sites it registers, in order. */
export function cloudOutputs(raw: RawOutputs) {
    return decode<CloudStackCommonOutputs, "edgeSiteNames">(raw, { edgeSiteNames: textList });
}

/** What the scripts read from an edge stack: the cloud cluster it links to, how to open its demo's frontend. */
export function edgeOutputs(raw: RawOutputs) {
    return decode<EdgeStackOutputs, "linkedCluster" | "frontendCommand">(raw, { linkedCluster: text, frontendCommand: text });
}
