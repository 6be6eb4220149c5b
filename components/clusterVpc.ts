import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { parseIpv4Cidr } from "../policy/rules";

/**
 * Where the nodes run: `private` subnets, with a NAT gateway for their egress; or `public` subnets,
 * each node with a public IPv4 address and its egress through the internet gateway, and no NAT gateway.
 */
export type NodeSubnets = "private" | "public";

export interface ClusterVpcArgs {
    /** The VPC's IPv4 CIDR, /16 to /24. */
    cidr: string;
    /** The availability zones (names) that each get a public and a private subnet (chooseZones), when the subnets are created. */
    zones: string[];
    nodeSubnets: NodeSubnets;
}

/**
 * Zone IDs where EKS refuses cluster subnets ("The subnets can't reside in the following Availability
 * Zones", EKS user guide, network-reqs.adoc "Subnet requirements for clusters", as of 2024-12; the
 * later public configurations seen up to 2026-12 name no other).
 */
export const EKS_REFUSED_ZONE_IDS: readonly string[] = ["use1-az3", "usw1-az2", "cac1-az3"];

/** A region's available zones, in the order AWS lists them, with the instance types each offers. */
export interface ZoneSurvey {
    region: string;
    zones: { name: string; zoneId: string; instanceTypes: string[] }[];
}

/**
 * The region's available zones (no Local Zones: those need an opt-in) and which of `instanceTypes`
 * each offers. Zone names are per-account aliases; zone IDs are the same in every account.
 */
export async function surveyZones(instanceTypes: string[]): Promise<ZoneSurvey> {
    const [region, zones] = await Promise.all([
        aws.getRegion({}),
        aws.getAvailabilityZones({ state: "available", filters: [{ name: "opt-in-status", values: ["opt-in-not-required"] }] }),
    ]);
    const offerings = await aws.ec2.getInstanceTypeOfferings({
        locationType: "availability-zone",
        filters: [
            { name: "instance-type", values: instanceTypes },
            { name: "location", values: zones.names },
        ],
    });
    return {
        region: region.region,
        // getAvailabilityZones answers names and zoneIds index by index; the offerings, one per (type, zone).
        zones: zones.names.map((name, index) => ({
            name,
            zoneId: zones.zoneIds[index],
            instanceTypes: offerings.instanceTypes.filter((_, offering) => offerings.locations[offering] === name),
        })),
    };
}

/**
 * The first `count` zones where EKS accepts cluster subnets and every one of `instanceTypes` is
 * offered, or why there are not enough.
 */
export function chooseZones(survey: ZoneSurvey, instanceTypes: string[], count: number): { zones: string[] } | { problem: string } {
    const why = (zone: ZoneSurvey["zones"][number]): string | undefined => {
        if (EKS_REFUSED_ZONE_IDS.includes(zone.zoneId)) return `zone ID ${zone.zoneId}, which EKS refuses for cluster subnets`;
        const missing = instanceTypes.filter((type) => !zone.instanceTypes.includes(type));
        return missing.length > 0 ? `does not offer ${missing.join(", ")}` : undefined;
    };
    const judged = survey.zones.map((zone) => ({ name: zone.name, problem: why(zone) }));
    const usable = judged.filter((zone) => zone.problem === undefined).map((zone) => zone.name);
    if (usable.length >= count) return { zones: usable.slice(0, count) };
    const left = judged.filter((zone) => zone.problem !== undefined).map((zone) => `${zone.name} (${zone.problem})`);
    const fewer = usable.length >= 2 ? `availabilityZoneCount of at most ${usable.length}, ` : "";
    return {
        problem:
            `${count} zones are needed, but region ${survey.region} has only ${usable.length} where EKS accepts cluster subnets and ` +
            `instanceTypes (${instanceTypes.join(", ")}) are all offered${usable.length > 0 ? `: ${usable.join(", ")}` : ""}` +
            `${left.length > 0 ? `; not ${left.join(", ")}` : ""}; accepted: ${fewer}instanceTypes offered in more zones, ` +
            `or another region (aws:region)`,
    };
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
 * subnets, and the nodes in either. With nodes in the private subnets, one NAT gateway for their
 * egress (one, not one per zone: this is a demo-sized mesh, and a NAT gateway per zone triples its
 * fixed cost). With nodes in the public subnets, none: the private subnets then hold only EKS's own
 * network interfaces, which need no route out, so that switching nodeSubnets leaves the cluster alone.
 */
export class ClusterVpc extends pulumi.ComponentResource {
    public readonly vpcId: pulumi.Output<string>;
    public readonly publicSubnetIds: pulumi.Output<string>[];
    public readonly privateSubnetIds: pulumi.Output<string>[];
    /** Where the node group runs: the private or the public subnets. */
    public readonly nodeSubnetIds: pulumi.Output<string>[];
    /**
     * The egress plumbing: internet gateway, NAT gateway and its address, route tables (their routes are
     * inline) and route-table associations; with public nodes, no NAT gateway, address or private route
     * table. The cluster and its nodes depend on these explicitly, so that nodes never start in subnets
     * without egress and `pulumi destroy` removes this plumbing only after them.
     */
    public readonly egress: pulumi.Resource[];

    constructor(name: string, args: ClusterVpcArgs, opts?: pulumi.ComponentResourceOptions) {
        super("edge-cloud-mesh:cloud:ClusterVpc", name, {}, opts);
        const parent = { parent: this };
        const nameTag = (suffix: string) => ({ Name: `${name}-${suffix}` });

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

        const zones = args.zones;
        const plan = planSubnets(args.cidr, zones.length);
        // A subnet keeps the zone it was created in. The zones are chosen anew on every run from what AWS
        // answers then (a zone impaired, an offering withdrawn, other instanceTypes change the choice), and
        // a new zone would replace the subnet: under a running cluster, with the same CIDR as the old one.
        const subnetOptions = { parent: this, ignoreChanges: ["availabilityZone"] };
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
                subnetOptions,
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

        const privateSubnets = plan.map(
            (subnet, zone) =>
                new aws.ec2.Subnet(
                    `${name}-private-${zone}`,
                    {
                        vpcId: vpc.id,
                        cidrBlock: subnet.privateCidr,
                        availabilityZone: zones[zone],
                        tags: { ...nameTag(`private-${zone}`), ...PRIVATE_SUBNET_TAGS },
                    },
                    subnetOptions,
                ),
        );

        const egress: pulumi.Resource[] = [internetGateway, publicRoutes];
        if (args.nodeSubnets === "private") {
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
            privateSubnets.forEach((subnet, zone) =>
                associations.push(
                    new aws.ec2.RouteTableAssociation(
                        `${name}-private-${zone}`,
                        { subnetId: subnet.id, routeTableId: privateRoutes.id },
                        parent,
                    ),
                ),
            );
            egress.push(natAddress, natGateway, privateRoutes);
        }

        this.vpcId = vpc.id;
        this.publicSubnetIds = publicSubnets.map((subnet) => subnet.id);
        this.privateSubnetIds = privateSubnets.map((subnet) => subnet.id);
        this.nodeSubnetIds = args.nodeSubnets === "public" ? this.publicSubnetIds : this.privateSubnetIds;
        this.egress = [...egress, ...associations];
        this.registerOutputs({ vpcId: this.vpcId, publicSubnetIds: this.publicSubnetIds, privateSubnetIds: this.privateSubnetIds });
    }
}
