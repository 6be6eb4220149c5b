import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { parseIpv4Cidr } from "../policy/rules";

export interface ClusterVpcArgs {
    /** The VPC's IPv4 CIDR, /16 to /24. */
    cidr: string;
    /** How many availability zones get a public and a private subnet. */
    availabilityZoneCount: number;
}

export interface SubnetPlan {
    publicCidr: string;
    privateCidr: string;
}

/** Tags that let Kubernetes place internet-facing (public) and internal (private) load balancers. */
export const PUBLIC_SUBNET_TAGS = { "kubernetes.io/role/elb": "1" };
export const PRIVATE_SUBNET_TAGS = { "kubernetes.io/role/internal-elb": "1" };

/**
 * Splits the VPC CIDR into 16 equal blocks: public subnets take the first blocks, private subnets
 * the blocks from the middle on, one of each per availability zone (at most 8 zones).
 */
export function planSubnets(vpcCidr: string, availabilityZoneCount: number): SubnetPlan[] {
    const parsed = parseIpv4Cidr(vpcCidr);
    if (parsed === undefined) throw new Error(`not an IPv4 CIDR: ${vpcCidr}`);
    const [address, prefix] = parsed;
    const subnetPrefix = prefix + 4;
    const blockSize = 2 ** (32 - subnetPrefix);
    const base = address - (address % 2 ** (32 - prefix));
    const block = (index: number) => `${formatIpv4(base + index * blockSize)}/${subnetPrefix}`;
    return Array.from({ length: availabilityZoneCount }, (_, zone) => ({
        publicCidr: block(zone),
        privateCidr: block(8 + zone),
    }));
}

function formatIpv4(address: number): string {
    return [24, 16, 8, 0].map((shift) => Math.floor(address / 2 ** shift) % 256).join(".");
}

/**
 * A VPC for the EKS cluster: public subnets for load balancers (the Linkerd gateway's NLB), private
 * subnets for the nodes, and one NAT gateway for their egress (one, not one per zone: this is a
 * demo-sized mesh, and a NAT gateway per zone triples its fixed cost).
 */
export class ClusterVpc extends pulumi.ComponentResource {
    public readonly vpcId: pulumi.Output<string>;
    public readonly publicSubnetIds: pulumi.Output<string>[];
    public readonly privateSubnetIds: pulumi.Output<string>[];
    /**
     * The egress plumbing: internet gateway, NAT gateway, route tables (their routes are inline) and
     * route-table associations. The cluster and its nodes depend on these explicitly, so that nodes
     * never start in subnets without egress and `pulumi destroy` removes this plumbing only after them.
     */
    public readonly egress: pulumi.Resource[];

    constructor(name: string, args: ClusterVpcArgs, opts?: pulumi.ComponentResourceOptions) {
        super("edge-cloud-mesh:cloud:ClusterVpc", name, {}, opts);
        const parent = { parent: this };
        const nameTag = (suffix: string) => ({ Name: `${name}-${suffix}` });

        const zones = aws
            .getAvailabilityZonesOutput(
                { state: "available", filters: [{ name: "opt-in-status", values: ["opt-in-not-required"] }] },
                parent,
            )
            .names.apply((names) => {
                if (names.length < args.availabilityZoneCount) {
                    throw new Error(
                        `edge-cloud-mesh:availabilityZoneCount is ${args.availabilityZoneCount}, but this region has only ` +
                            `${names.length} available zones (${names.join(", ")}); lower it.`,
                    );
                }
                return names.slice(0, args.availabilityZoneCount);
            });

        const vpc = new aws.ec2.Vpc(
            name,
            { cidrBlock: args.cidr, enableDnsHostnames: true, enableDnsSupport: true, tags: nameTag("vpc") },
            parent,
        );
        const internetGateway = new aws.ec2.InternetGateway(name, { vpcId: vpc.id, tags: nameTag("igw") }, parent);
        const publicRoutes = new aws.ec2.RouteTable(
            `${name}-public`,
            { vpcId: vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: internetGateway.id }], tags: nameTag("public") },
            parent,
        );

        const plan = planSubnets(args.cidr, args.availabilityZoneCount);
        const associations: aws.ec2.RouteTableAssociation[] = [];
        const publicSubnets = plan.map((subnet, zone) => {
            const resource = new aws.ec2.Subnet(
                `${name}-public-${zone}`,
                {
                    vpcId: vpc.id,
                    cidrBlock: subnet.publicCidr,
                    availabilityZone: zones[zone],
                    mapPublicIpOnLaunch: true,
                    tags: { ...nameTag(`public-${zone}`), ...PUBLIC_SUBNET_TAGS },
                },
                parent,
            );
            associations.push(
                new aws.ec2.RouteTableAssociation(
                    `${name}-public-${zone}`,
                    { subnetId: resource.id, routeTableId: publicRoutes.id },
                    parent,
                ),
            );
            return resource;
        });

        const natAddress = new aws.ec2.Eip(`${name}-nat`, { domain: "vpc", tags: nameTag("nat") }, parent);
        const natGateway = new aws.ec2.NatGateway(
            name,
            { subnetId: publicSubnets[0].id, allocationId: natAddress.id, tags: nameTag("nat") },
            { parent: this, dependsOn: [internetGateway] },
        );
        const privateRoutes = new aws.ec2.RouteTable(
            `${name}-private`,
            { vpcId: vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", natGatewayId: natGateway.id }], tags: nameTag("private") },
            parent,
        );
        const privateSubnets = plan.map((subnet, zone) => {
            const resource = new aws.ec2.Subnet(
                `${name}-private-${zone}`,
                {
                    vpcId: vpc.id,
                    cidrBlock: subnet.privateCidr,
                    availabilityZone: zones[zone],
                    tags: { ...nameTag(`private-${zone}`), ...PRIVATE_SUBNET_TAGS },
                },
                parent,
            );
            associations.push(
                new aws.ec2.RouteTableAssociation(
                    `${name}-private-${zone}`,
                    { subnetId: resource.id, routeTableId: privateRoutes.id },
                    parent,
                ),
            );
            return resource;
        });

        this.vpcId = vpc.id;
        this.publicSubnetIds = publicSubnets.map((subnet) => subnet.id);
        this.privateSubnetIds = privateSubnets.map((subnet) => subnet.id);
        this.egress = [internetGateway, publicRoutes, natAddress, natGateway, privateRoutes, ...associations];
        this.registerOutputs({ vpcId: this.vpcId, publicSubnetIds: this.publicSubnetIds, privateSubnetIds: this.privateSubnetIds });
    }
}
