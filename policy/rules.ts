// Rules shared by the policy pack and the program (config/ imports them from here). They live in
// the pack so that it stands alone: `pulumi policy publish` uploads only this folder.
import { parse } from "yaml";

export type Architecture = "arm64" | "x86_64" | "unknown";

const INSTANCE_SIZE = /^(nano|micro|small|medium|large|xlarge|\d+xlarge|metal(-\d+xl)?)$/;
const INSTANCE_FAMILY = /^([a-z]+)(\d+)([a-z]*)(-flex)?$/;

/**
 * The CPU architecture of an EC2 instance type, from its name: Graviton families carry a `g` right
 * after the generation (m7g, c7gn, r6gd, t4g, im4gn, x2gd); a1 is the first Graviton.
 */
export function instanceArchitecture(instanceType: string): Architecture {
    const [family, size, ...rest] = instanceType.split(".");
    if (rest.length > 0 || size === undefined || !INSTANCE_SIZE.test(size)) return "unknown";
    const match = INSTANCE_FAMILY.exec(family);
    if (match === null) return "unknown";
    const [, series, generation, attributes] = match;
    if (series === "mac") return "unknown";
    if (series === "a" && generation === "1") return "arm64";
    return attributes.startsWith("g") ? "arm64" : "x86_64";
}

/** An IPv4 CIDR block, returned as [address as a 32-bit number, prefix length], or undefined. */
export function parseIpv4Cidr(value: string): [number, number] | undefined {
    const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(value);
    if (match === null) return undefined;
    const octets = match.slice(1, 5).map(Number);
    const prefix = Number(match[5]);
    if (octets.some((octet) => octet > 255) || prefix > 32) return undefined;
    return [octets.reduce((address, octet) => address * 256 + octet, 0), prefix];
}

/**
 * The charts Linkerd publishes at https://helm.linkerd.io/edge with its edge releases' version: the
 * ones linkerd2's `bin/compute-edge-version` bumps (their Chart.yaml says `0.0.0-undefined` in git).
 * linkerd-smi (1.0.4) and linkerd-failover (0.1.3) have versions of their own.
 */
export const LINKERD_EDGE_CHARTS: readonly string[] = [
    "linkerd-crds",
    "linkerd-control-plane",
    "linkerd2-cni",
    "linkerd-viz",
    "linkerd-multicluster",
];

/** Linkerd edge releases edge-YY.M.N publish their charts as YYYY.M.N. */
export function linkerdChartVersionProblem(value: string): string | undefined {
    const match = /^(\d{4})\.(\d{1,2})\.(\d+)$/.exec(value);
    if (match === null || Number(match[2]) < 1 || Number(match[2]) > 12) {
        return 'not a Linkerd edge chart version; accepted: YYYY.M.N as published at https://helm.linkerd.io/edge, e.g. "2026.8.3" for edge-26.8.3';
    }
    return undefined;
}

interface NamedEntry {
    name: string;
    [field: string]: unknown;
}

export interface Kubeconfig {
    clusters?: NamedEntry[];
    contexts?: NamedEntry[];
    users?: NamedEntry[];
    "current-context"?: string;
}

/** Parses kubeconfig text (YAML or JSON); throws with what is wrong. */
export function parseKubeconfig(text: string): Kubeconfig {
    let parsed: unknown;
    try {
        parsed = parse(text);
    } catch (error) {
        throw new Error(`it does not parse as YAML: ${(error as Error).message.split("\n")[0]}`);
    }
    if (parsed === null || typeof parsed !== "object" || !Array.isArray((parsed as Kubeconfig).clusters)) {
        throw new Error("it is not a kubeconfig (no clusters list)");
    }
    return parsed as Kubeconfig;
}
