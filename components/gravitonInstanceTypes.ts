// The Graviton (arm64) instance types the node group accepts, with the VPC addresses each node takes.
// A table, not a live lookup (aws.ec2.getInstanceType): the vpcCidr rule needs the number before
// anything is declared, so that a VPC too small for the pods is an error of the config, not of EKS.

/** A node's network limits: elastic network interfaces, and IPv4 addresses per interface. */
export interface NodeNetworkLimits {
    interfaces: number;
    ipv4PerInterface: number;
}

/**
 * General-purpose, compute- and memory-optimised Graviton families. Within these, every size has the
 * same limits whatever the family (aws/amazon-vpc-cni-k8s pkg/vpc/vpc_ip_resource_limit.go and
 * misc/eni-max-pods.txt at b521883, generated from the EC2 API, last changed 2026-08-11).
 */
const GRAVITON_FAMILIES = [
    "m6g",
    "m6gd",
    "m7g",
    "m7gd",
    "m8g",
    "m8gd",
    "c6g",
    "c6gd",
    "c6gn",
    "c7g",
    "c7gd",
    "c7gn",
    "c8g",
    "c8gd",
    "r6g",
    "r6gd",
    "r7g",
    "r7gd",
    "r8g",
    "r8gd",
];
const GRAVITON_SIZES: Readonly<Record<string, NodeNetworkLimits>> = {
    medium: { interfaces: 2, ipv4PerInterface: 4 },
    large: { interfaces: 3, ipv4PerInterface: 10 },
    xlarge: { interfaces: 4, ipv4PerInterface: 15 },
    "2xlarge": { interfaces: 4, ipv4PerInterface: 15 },
    "4xlarge": { interfaces: 8, ipv4PerInterface: 30 },
};
/** Burstable Graviton, from small: t4g.nano and t4g.micro hold 2 pods besides aws-node and kube-proxy. */
const T4G_SIZES: Readonly<Record<string, NodeNetworkLimits>> = {
    small: { interfaces: 3, ipv4PerInterface: 4 },
    medium: { interfaces: 3, ipv4PerInterface: 6 },
    large: { interfaces: 3, ipv4PerInterface: 12 },
    xlarge: { interfaces: 4, ipv4PerInterface: 15 },
    "2xlarge": { interfaces: 4, ipv4PerInterface: 15 },
};

/** Every instance type the node group accepts, with its network limits. */
export const GRAVITON_INSTANCE_TYPES: Readonly<Record<string, NodeNetworkLimits>> = Object.fromEntries([
    ...GRAVITON_FAMILIES.flatMap((family) => Object.entries(GRAVITON_SIZES).map(([size, limits]) => [`${family}.${size}`, limits])),
    ...Object.entries(T4G_SIZES).map(([size, limits]) => [`t4g.${size}`, limits]),
]);

/** The accepted types, in words, for messages. */
export const ACCEPTED_INSTANCE_TYPES =
    `${GRAVITON_FAMILIES.join(", ")} in sizes ${Object.keys(GRAVITON_SIZES).join(", ")}; ` +
    `t4g in sizes ${Object.keys(T4G_SIZES).join(", ")}`;

/**
 * The most VPC addresses a node of this type takes from its subnet: the VPC CNI (default
 * WARM_ENI_TARGET=1) keeps a whole spare interface's addresses, so a node holds every address of every
 * interface it can attach (amazon-vpc-cni-k8s docs/eni-and-ip-target.md).
 */
export function addressesPerNode(limits: NodeNetworkLimits): number {
    return limits.interfaces * limits.ipv4PerInterface;
}
