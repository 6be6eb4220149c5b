// The EKS cluster's network: a VPC the stack creates (vpcCidr, availabilityZoneCount, nodeSubnets) or
// an existing one (vpcId and its subnets), and the gateway's sources within the cluster security
// group's quota.
import type { NodeSubnets } from "../components/clusterVpc";
import type { NodeGroupSize } from "../components/eksCluster";
import { parseIpv4Cidr } from "../policy/rules";
import { ConfigReader } from "./reader";
import { cidrProblem } from "./rules";
import { NetworkConfig } from "./types";

const MAX_AVAILABILITY_ZONES = 6;
const NODE_SUBNETS: readonly NodeSubnets[] = ["private", "public"];

/** The node type that takes the most VPC addresses among instanceTypes, and how many; undefined when instanceTypes is invalid. */
export interface LargestNode {
    instanceType: string;
    addresses: number;
}

export function parseNetwork(reader: ConfigReader, nodes: NodeGroupSize, largestNode: LargestNode | undefined): NetworkConfig {
    const vpcId = reader.string("vpcId", { optional: true });
    const publicSubnetIds = reader.stringList("publicSubnetIds");
    const privateSubnetIds = reader.stringList("privateSubnetIds");
    const given = [
        ["vpcId", vpcId !== ""],
        ["publicSubnetIds", publicSubnetIds.length > 0],
        ["privateSubnetIds", privateSubnetIds.length > 0],
    ] as const;
    const givenKeys = given.filter(([, isGiven]) => isGiven).map(([key]) => key);

    const nodeSubnets = reader.oneOf("nodeSubnets", NODE_SUBNETS);
    if (givenKeys.length === 0) {
        // Without valid instanceTypes there is no telling how many addresses a node takes: judge the form only.
        const rule = (value: string) =>
            largestNode === undefined ? vpcCidrFormatProblem(value) : vpcCidrProblem(value, nodes.max, largestNode);
        return {
            kind: "new",
            cidr: reader.check("vpcCidr", reader.string("vpcCidr"), rule),
            availabilityZoneCount: reader.integer("availabilityZoneCount", { min: 2, max: MAX_AVAILABILITY_ZONES }),
            nodeSubnets,
        };
    }
    if (nodeSubnets === "public") {
        reader.problem(
            "nodeSubnets",
            `"public" is for the VPC the program creates (its nodes then use the public subnets and it creates no NAT gateway); ` +
                `with vpcId the nodes run in privateSubnetIds, whatever those subnets are; accepted: "private" with vpcId ` +
                `(to run the nodes in public subnets of your VPC, list those in privateSubnetIds: they must assign public IPv4 addresses on launch)`,
        );
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

/** Free addresses EKS needs in a subnet for its own network interfaces (EKS user guide, network-reqs). */
export const EKS_FREE_ADDRESSES_PER_SUBNET = 16;
/** Addresses AWS reserves in every subnet. */
const AWS_RESERVED_ADDRESSES = 5;
/**
 * Nodes a managed node group's update adds in one zone: EKS raises the group's size for an update and
 * launches the new nodes in the zones of the ones they replace, "up to two instances per Availability
 * Zone" (EKS user guide, managed-node-update-behavior, 2024-12).
 */
const UPDATE_SURGE_PER_ZONE = 2;

function vpcCidrFormatProblem(value: string): string | undefined {
    const parsed = parseIpv4Cidr(value);
    return parsed === undefined || parsed[1] < 16 || parsed[1] > 24
        ? "accepted: an IPv4 CIDR block from /16 to /24 (AWS allows /16 to /28; subnets need room), e.g. 10.0.0.0/16"
        : undefined;
}

/**
 * The rule for vpcCidr: each node subnet (1/16 of the VPC, see planSubnets) must hold EKS's own
 * interfaces and, since all nodes may land in one zone, every node of the group plus an update's surge
 * in that zone, each at the VPC CNI addresses of the largest instance type:
 * 2^(32 - (prefix + 4)) - 5 >= 16 + (nodes.max + 2) x addresses per node.
 */
export function vpcCidrProblem(value: string, maxNodes: number, largestNode: LargestNode): string | undefined {
    const formatProblem = vpcCidrFormatProblem(value);
    if (formatProblem !== undefined) return formatProblem;
    const prefix = parseIpv4Cidr(value)![1];
    const nodesPerSubnet = maxNodes + UPDATE_SURGE_PER_ZONE;
    const needed = EKS_FREE_ADDRESSES_PER_SUBNET + nodesPerSubnet * largestNode.addresses;
    const usable = (vpcPrefix: number) => 2 ** (32 - (vpcPrefix + 4)) - AWS_RESERVED_ADDRESSES;
    if (usable(prefix) >= needed) return undefined;
    const largest = [24, 23, 22, 21, 20, 19, 18, 17, 16].find((candidate) => usable(candidate) >= needed);
    const maxNodesAt16 = Math.floor((usable(16) - EKS_FREE_ADDRESSES_PER_SUBNET) / largestNode.addresses) - UPDATE_SURGE_PER_ZONE;
    const accepted =
        largest === undefined
            ? `no VPC up to /16 holds that many; accepted: nodes.max of at most ${maxNodesAt16} with ${largestNode.instanceType}, or smaller instanceTypes`
            : `accepted: /${largest} or larger (e.g. 10.0.0.0/${largest}), or a lower nodes.max, or smaller instanceTypes`;
    return (
        `too small for the node group's pods: its node subnets are /${prefix + 4} with ${usable(prefix)} usable addresses, but each must hold ` +
        `${EKS_FREE_ADDRESSES_PER_SUBNET} for EKS plus ${largestNode.addresses} per node (the VPC CNI gives every pod a VPC address and holds ` +
        `every address of a node's interfaces: ${largestNode.addresses} on ${largestNode.instanceType}, the largest of instanceTypes) ` +
        `for nodes.max ${maxNodes} nodes and the ${UPDATE_SURGE_PER_ZONE} an update adds in a zone, ${needed} in all; ${accepted}`
    );
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
