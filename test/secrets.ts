// How a secret looks on the wire between the SDK and the engine.
import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";

export function isSecretValue(value: any): boolean {
    return value !== null && typeof value === "object" && value[specialSigKey] === specialSecretSig;
}

export function unwrapSecrets(value: any): any {
    if (isSecretValue(value)) return unwrapSecrets(value.value);
    if (Array.isArray(value)) return value.map(unwrapSecrets);
    if (value !== null && typeof value === "object") {
        return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, unwrapSecrets(item)]));
    }
    return value;
}
