// Every key this program reads, and which stacks read it. A leaf: it imports nothing, so that the
// operator commands (scripts/) can name keys from this list instead of writing them as strings.

export const PROJECT = "edge-cloud-mesh";

export type Role = "cloud" | "edge";

export const ROLES: readonly Role[] = ["cloud", "edge"];

/** Which stacks of a role read a key: all of them, or only those where other keys have these values. */
export type Reader = true | { when: Readonly<Record<string, string>> };
/** The roles whose stacks read a key. */
export type KeyReaders = Readonly<Partial<Record<Role, Reader>>>;

const BOTH: KeyReaders = { cloud: true, edge: true };
const CLOUD: KeyReaders = { cloud: true };
const EDGE: KeyReaders = { edge: true };
/** Read by the cloud role on EKS only (`cluster` defaults to eks). */
const EKS: KeyReaders = { cloud: { when: { cluster: "eks" } } };
/** Read by the edge, and by the cloud role on a cluster it reaches through a kubeconfig. */
const KUBECONFIG: KeyReaders = { edge: true, cloud: { when: { cluster: "kubeconfig" } } };

/**
 * Every key this program reads, and which stacks read it (`{ cloud: { when: { key: "value" } } }`
 * for a key read only in one mode). Pulumi.yaml declares exactly these keys; its "(cloud)"/"(edge)"
 * descriptions and docs/configuration.md's "Stacks" follow this table (tests keep them in step). A key
 * set on a stack that does not read it, to anything but its default, stops the run. Add a key at the
 * end: the order is that of the messages about misplaced keys, and breaks ties between near names.
 */
export const CONFIG_KEY_READERS = {
    role: BOTH,
    cluster: CLOUD,
    clusterName: BOTH,
    linkerdVersion: BOTH,
    gatewayApiCrds: BOTH,
    viz: BOTH,
    edgeSites: CLOUD,
    gatewaySourceCidrs: CLOUD,
    protectTrustAnchor: CLOUD,
    kubeconfig: KUBECONFIG,
    kubeContext: KUBECONFIG,
    apiServerAddress: { cloud: { when: { cluster: "kubeconfig" } } },
    cloudStack: EDGE,
    demo: BOTH,
    trafficSplitApi: EDGE,
    trafficSplit: EDGE,
    splitMode: EDGE,
    vpcCidr: EKS,
    availabilityZoneCount: EKS,
    vpcId: EKS,
    publicSubnetIds: EKS,
    privateSubnetIds: EKS,
    kubernetesVersion: EKS,
    supportType: EKS,
    clusterAdmins: EKS,
    apiAccessCidrs: EKS,
    instanceTypes: EKS,
    capacityType: EKS,
    nodes: EKS,
    trustAnchors: CLOUD,
    issuerTrustAnchor: CLOUD,
    nodeSubnets: EKS,
} as const satisfies Record<string, KeyReaders>;

export type ConfigKey = keyof typeof CONFIG_KEY_READERS;

/** Every key this program reads. */
export const CONFIG_KEYS = Object.keys(CONFIG_KEY_READERS) as readonly ConfigKey[];

/**
 * Raw values as the engine hands them over, by key without the namespace: strings, with lists and
 * objects as JSON. Every key of the project's namespace the stack has, including ones the program
 * does not read.
 */
export type RawConfig = Record<string, string>;

/** Whether a stack of `role` with these raw values reads a key with these readers. */
export function readsKey(readers: KeyReaders, role: Role, raw: RawConfig): boolean {
    const reader = readers[role];
    if (reader === undefined) return false;
    return reader === true || Object.entries(reader.when).every(([key, value]) => raw[key] === value);
}
