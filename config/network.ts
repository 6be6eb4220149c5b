// The EKS cluster's network: a VPC the stack creates (vpcCidr, availabilityZoneCount) or an existing
// one (vpcId and its subnets), and the gateway's sources within the cluster security group's quota.
import type { NodeGroupSize } from "../components/eksCluster";
import { parseIpv4Cidr } from "../policy/rules";
import { ConfigReader } from "./reader";
import { cidrProblem } from "./rules";
import { NetworkConfig } from "./types";

const MAX_AVAILABILITY_ZONES = 6;

export function parseNetwork(reader: ConfigReader, nodes: NodeGroupSize): NetworkConfig {
    const vpcId = reader.string("vpcId", { optional: true });
    const publicSubnetIds = reader.stringList("publicSubnetIds");
    const privateSubnetIds = reader.stringList("privateSubnetIds");
    const given = [
        ["vpcId", vpcId !== ""],
        ["publicSubnetIds", publicSubnetIds.length > 0],
        ["privateSubnetIds", privateSubnetIds.length > 0],
    ] as const;
    const givenKeys = given.filter(([, isGiven]) => isGiven).map(([key]) => key);

    if (givenKeys.length === 0) {
        return {
            kind: "new",
            cidr: reader.check("vpcCidr", reader.string("vpcCidr"), (value) => vpcCidrProblem(value, nodes.max)),
            availabilityZoneCount: reader.integer("availabilityZoneCount", { min: 2, max: MAX_AVAILABILITY_ZONES }),
        };
    }
    if (givenKeys.length < given.length) {
        const missing = given.filter(([, isGiven]) => !isGiven).map(([key]) => reader.qualified(key));
        reader.problem(
            "vpcId",
            `an existing VPC needs vpcId, publicSubnetIds and privateSubnetIds together; ` +
                `${givenKeys.map((key) => reader.qualified(key)).join(", ")} given but ${missing.join(", ")} missing. ` +
                `Set all three to use an existing VPC, or none to create one.`,
        );
    }
    return {
        kind: "existing",
        vpcId: reader.check("vpcId", vpcId, (value) => (/^vpc-[0-9a-f]+$/.test(value) ? undefined : "a VPC id like vpc-0123456789abcdef0")),
        publicSubnetIds: reader.checkEach("publicSubnetIds", publicSubnetIds, subnetIdProblem),
        privateSubnetIds: reader.checkEach("privateSubnetIds", privateSubnetIds, subnetIdProblem),
    };
}

function subnetIdProblem(value: string): string | undefined {
    return /^subnet-[0-9a-f]+$/.test(value) ? undefined : "accepted: subnet ids like subnet-0123456789abcdef0";
}

/**
 * Addresses a node takes from its subnet under the VPC CNI: every pod gets a VPC address, and the CNI
 * holds its ENIs' addresses (m7g.large, the default type: 3 ENIs x 10 IPv4 addresses). Larger types take
 * more (m7g.xlarge: 4 x 15), so for them the rule is a floor, and the message says which type it assumes.
 */
export const ADDRESSES_PER_NODE = 30;
/** Free addresses EKS needs in a subnet for its own network interfaces (EKS user guide, network-reqs). */
export const EKS_FREE_ADDRESSES_PER_SUBNET = 16;
/** Addresses AWS reserves in every subnet. */
const AWS_RESERVED_ADDRESSES = 5;

/**
 * The rule for vpcCidr: each private subnet (1/16 of the VPC, see planSubnets) must hold EKS's own
 * interfaces and every node of the group at its VPC CNI address budget, since all nodes may land in
 * one zone: 2^(32 - (prefix + 4)) - 5 >= 16 + nodes.max x 30.
 */
export function vpcCidrProblem(value: string, maxNodes: number): string | undefined {
    const parsed = parseIpv4Cidr(value);
    if (parsed === undefined || parsed[1] < 16 || parsed[1] > 24) {
        return "accepted: an IPv4 CIDR block from /16 to /24 (AWS allows /16 to /28; subnets need room), e.g. 10.0.0.0/16";
    }
    const needed = EKS_FREE_ADDRESSES_PER_SUBNET + maxNodes * ADDRESSES_PER_NODE;
    const usable = (prefix: number) => 2 ** (32 - (prefix + 4)) - AWS_RESERVED_ADDRESSES;
    if (usable(parsed[1]) < needed) {
        const largest = [24, 23, 22, 21, 20, 19, 18, 17, 16].find((prefix) => usable(prefix) >= needed);
        const maxNodesAt16 = Math.floor((usable(16) - EKS_FREE_ADDRESSES_PER_SUBNET) / ADDRESSES_PER_NODE);
        const accepted =
            largest === undefined
                ? `no VPC up to /16 holds that many; accepted: nodes.max of at most ${maxNodesAt16}`
                : `accepted: /${largest} or larger (e.g. 10.0.0.0/${largest}), or a lower nodes.max`;
        return (
            `too small for the node group's pods: its private subnets are /${parsed[1] + 4} with ${usable(parsed[1])} usable addresses, but each must hold ` +
            `${EKS_FREE_ADDRESSES_PER_SUBNET} for EKS plus ${ADDRESSES_PER_NODE} per node (the VPC CNI gives every pod a VPC address; ${ADDRESSES_PER_NODE} is an m7g.large's, larger types take more) for nodes.max ${maxNodes} nodes, ` +
            `${needed} in all; ${accepted}`
        );
    }
    return undefined;
}

/**
 * The legacy load balancer controller that provisions the gateway's NLB adds inbound rules to the EKS
 * cluster security group: 3 per source CIDR (the two NodePorts and ICMP path MTU) and 2 per NLB subnet
 * (health checks), next to the group's own self-referencing rule, against a default quota of 60
 * (kubernetes/cloud-provider-aws aws_loadbalancer.go; ../shared/reviews/2026-11-review-aws.md F8).
 */
export const SECURITY_GROUP_RULE_QUOTA = 60;
export const RULES_PER_SOURCE_CIDR = 3;
export const RULES_PER_LOAD_BALANCER_SUBNET = 2;

export function maxGatewaySourceCidrs(loadBalancerSubnets: number): number {
    return Math.floor((SECURITY_GROUP_RULE_QUOTA - 1 - RULES_PER_LOAD_BALANCER_SUBNET * loadBalancerSubnets) / RULES_PER_SOURCE_CIDR);
}

export function parseGatewaySourceCidrs(reader: ConfigReader, network: NetworkConfig): string[] {
    const cidrs = reader.checkEach("gatewaySourceCidrs", reader.stringList("gatewaySourceCidrs", { nonEmpty: true }), cidrProblem);
    const subnets = network.kind === "new" ? network.availabilityZoneCount : network.publicSubnetIds.length;
    const max = maxGatewaySourceCidrs(subnets);
    if (cidrs.length > max) {
        reader.problem(
            "gatewaySourceCidrs",
            `${cidrs.length} CIDRs are more than the gateway's load balancer can admit: its controller adds ${RULES_PER_SOURCE_CIDR} inbound rules per CIDR ` +
                `and ${RULES_PER_LOAD_BALANCER_SUBNET} per load balancer subnet (${subnets} here) to the EKS cluster security group, which holds 1 rule of its own ` +
                `and at most ${SECURITY_GROUP_RULE_QUOTA} (the default quota); accepted: at most ${max} CIDRs (merge neighbouring addresses into wider blocks)`,
        );
    }
    return cidrs;
}
