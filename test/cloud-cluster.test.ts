import { beforeAll, describe, expect, it } from "vitest";
import { GRAVITON_AMI_TYPE, NODE_POLICY_NAMES } from "../components/eksCluster";
import { MOCK_EKS_CA_DATA, mockEksEndpoint } from "./mocks";
import { StackRun, ofType, providerRef, runStack, single } from "./harness";
import { planSubnets } from "../components/clusterVpc";

const CLUSTER_NAME = "edge-cloud-mesh-cloud";

describe("cloud stack: VPC, EKS and the Graviton node group (Pulumi.cloud.yaml)", () => {
    let run: StackRun;
    beforeAll(async () => {
        run = await runStack("cloud");
    });

    it("creates a VPC over two availability zones with tagged public and private subnets", () => {
        const vpc = single(run, "aws:ec2/vpc:Vpc");
        expect(vpc.inputs).toMatchObject({ cidrBlock: "10.0.0.0/16", enableDnsHostnames: true, enableDnsSupport: true });

        const subnets = ofType(run, "aws:ec2/subnet:Subnet");
        const publicSubnets = subnets.filter((subnet) => subnet.inputs.tags["kubernetes.io/role/elb"] === "1");
        const privateSubnets = subnets.filter((subnet) => subnet.inputs.tags["kubernetes.io/role/internal-elb"] === "1");
        expect(publicSubnets).toHaveLength(2);
        expect(privateSubnets).toHaveLength(2);
        expect(new Set(publicSubnets.map((subnet) => subnet.inputs.availabilityZone))).toEqual(new Set(["eu-west-1a", "eu-west-1b"]));
        expect(new Set(privateSubnets.map((subnet) => subnet.inputs.availabilityZone))).toEqual(new Set(["eu-west-1a", "eu-west-1b"]));
        expect(publicSubnets.map((subnet) => subnet.inputs.cidrBlock).sort()).toEqual(["10.0.0.0/20", "10.0.16.0/20"]);
        expect(privateSubnets.map((subnet) => subnet.inputs.cidrBlock).sort()).toEqual(["10.0.128.0/20", "10.0.144.0/20"]);
        expect(publicSubnets.every((subnet) => subnet.inputs.mapPublicIpOnLaunch === true)).toBe(true);
        expect(privateSubnets.some((subnet) => subnet.inputs.mapPublicIpOnLaunch)).toBe(false);
    });

    it("routes public subnets to the internet gateway and private subnets through NAT", () => {
        const routeTables = ofType(run, "aws:ec2/routeTable:RouteTable");
        const publicTable = routeTables.find((table) => table.inputs.routes[0].gatewayId !== undefined)!;
        const privateTable = routeTables.find((table) => table.inputs.routes[0].natGatewayId !== undefined)!;
        expect(publicTable.inputs.routes).toEqual([
            { cidrBlock: "0.0.0.0/0", gatewayId: `${single(run, "aws:ec2/internetGateway:InternetGateway").name}_id` },
        ]);
        expect(privateTable.inputs.routes).toEqual([
            { cidrBlock: "0.0.0.0/0", natGatewayId: `${single(run, "aws:ec2/natGateway:NatGateway").name}_id` },
        ]);

        const subnetIds = (tag: string) =>
            ofType(run, "aws:ec2/subnet:Subnet")
                .filter((subnet) => subnet.inputs.tags[tag] === "1")
                .map((subnet) => `${subnet.name}_id`)
                .sort();
        const associated = (table: string) =>
            ofType(run, "aws:ec2/routeTableAssociation:RouteTableAssociation")
                .filter((association) => association.inputs.routeTableId === `${table}_id`)
                .map((association) => association.inputs.subnetId)
                .sort();
        expect(associated(publicTable.name)).toEqual(subnetIds("kubernetes.io/role/elb"));
        expect(associated(privateTable.name)).toEqual(subnetIds("kubernetes.io/role/internal-elb"));
        const nat = single(run, "aws:ec2/natGateway:NatGateway");
        expect(subnetIds("kubernetes.io/role/elb")).toContain(nat.inputs.subnetId);
    });

    it("declares the EKS cluster with API authentication, no default node group, the version and API CIDRs", () => {
        const cluster = single(run, "eks:index:Cluster");
        expect(cluster.remote).toBe(true);
        expect(cluster.inputs).toMatchObject({
            name: CLUSTER_NAME,
            authenticationMode: "API",
            skipDefaultNodeGroup: true,
            version: "1.35",
            endpointPublicAccess: true,
            publicAccessCidrs: ["0.0.0.0/0"],
            vpcId: "cloud_id",
        });
        // pulumi-eks refuses instanceRoles with API authentication; EKS creates the node role's access entry.
        expect(cluster.inputs.instanceRoles).toBeUndefined();
        expect(cluster.inputs.roleMappings).toBeUndefined();
        const subnetIds = (tag: string) =>
            ofType(run, "aws:ec2/subnet:Subnet")
                .filter((subnet) => subnet.inputs.tags[tag] === "1")
                .map((subnet) => `${subnet.name}_id`);
        expect(cluster.inputs.publicSubnetIds).toEqual(subnetIds("kubernetes.io/role/elb"));
        expect(cluster.inputs.privateSubnetIds).toEqual(subnetIds("kubernetes.io/role/internal-elb"));
    });

    it("runs a managed node group on Graviton: arm64 AMI, Graviton types, sizes and capacity type", () => {
        const nodeGroup = single(run, "eks:index:ManagedNodeGroup");
        expect(nodeGroup.inputs).toMatchObject({
            amiType: GRAVITON_AMI_TYPE,
            instanceTypes: ["m7g.large"],
            capacityType: "ON_DEMAND",
            scalingConfig: { minSize: 2, desiredSize: 2, maxSize: 3 },
        });
        expect(GRAVITON_AMI_TYPE).toBe("AL2023_ARM_64_STANDARD");
        // Nodes live in the private subnets.
        const privateSubnetIds = ofType(run, "aws:ec2/subnet:Subnet")
            .filter((subnet) => subnet.inputs.tags["kubernetes.io/role/internal-elb"] === "1")
            .map((subnet) => `${subnet.name}_id`);
        expect(nodeGroup.inputs.subnetIds).toEqual(privateSubnetIds);
    });

    it("gives the node role the worker, CNI and ECR read-only policies, before the node group", () => {
        const role = single(run, "aws:iam/role:Role");
        const trust = role.inputs.assumeRolePolicy;
        expect((typeof trust === "string" ? JSON.parse(trust) : trust).Statement[0].Principal).toEqual({ Service: "ec2.amazonaws.com" });
        const attachments = ofType(run, "aws:iam/rolePolicyAttachment:RolePolicyAttachment");
        expect(attachments.map((attachment) => attachment.inputs.policyArn).sort()).toEqual(
            NODE_POLICY_NAMES.map((policy) => `arn:aws:iam::aws:policy/${policy}`).sort(),
        );
        for (const attachment of attachments) expect(attachment.propertyDependencies.role).toEqual([role.urn]);
        const nodeGroup = single(run, "eks:index:ManagedNodeGroup");
        for (const attachment of attachments) expect(nodeGroup.dependencies).toContain(attachment.urn);
        expect(nodeGroup.inputs.nodeRole.urn).toBe(role.urn);
    });

    it("declares an explicit Kubernetes provider: kubeconfig as a secret, cluster identifier set", () => {
        const provider = single(run, "pulumi:providers:kubernetes");
        expect(provider.inputs.clusterIdentifier).toBe(CLUSTER_NAME);
        expect(provider.rawInputs.kubeconfig).toMatchObject({ value: expect.any(String) });
        expect(JSON.parse(provider.inputs.kubeconfig).clusters[0].cluster.server).toBe(mockEksEndpoint(CLUSTER_NAME));
        // Workloads wait for the node group on create, and go before it on destroy.
        expect(provider.dependencies).toContain(single(run, "eks:index:ManagedNodeGroup").urn);
        // Nothing Kubernetes uses the default provider.
        for (const resource of run.resources.filter((r) => r.type.startsWith("kubernetes:"))) {
            expect(resource.provider).toBe(providerRef(provider));
        }
    });

    it("exports the EKS cluster name, a secret kubeconfig, the API endpoint and the CA data", () => {
        expect(run.outputs.eksClusterName).toEqual({ value: CLUSTER_NAME, secret: false });
        expect(run.outputs.kubeconfigCommand.value).toBe(
            `aws eks update-kubeconfig --region eu-west-1 --name ${CLUSTER_NAME} --alias cloud`,
        );
        expect(run.outputs.kubeconfig.secret).toBe(true);
        expect(JSON.parse(run.outputs.kubeconfig.value).users[0].user.exec.command).toBe("aws");
        expect(run.outputs.apiEndpoint).toEqual({ value: mockEksEndpoint(CLUSTER_NAME), secret: false });
        expect(run.outputs.certificateAuthorityData).toEqual({ value: MOCK_EKS_CA_DATA, secret: false });
    });

    it("disables the default Kubernetes provider for every stack", async () => {
        const { stackConfig } = await import("./harness");
        for (const stack of ["cloud", "edge"]) {
            expect(JSON.parse(stackConfig(stack)["pulumi:disable-default-providers"])).toEqual(["kubernetes"]);
        }
    });
});

describe("cloud stack in an existing VPC", () => {
    it("uses the given VPC and subnets and creates no network", async () => {
        const run = await runStack("cloud", {
            config: { vpcId: "vpc-0abc", publicSubnetIds: ["subnet-01", "subnet-02"], privateSubnetIds: ["subnet-11", "subnet-12"] },
        });
        expect(ofType(run, "aws:ec2/vpc:Vpc")).toHaveLength(0);
        expect(ofType(run, "aws:ec2/subnet:Subnet")).toHaveLength(0);
        expect(single(run, "eks:index:Cluster").inputs).toMatchObject({
            vpcId: "vpc-0abc",
            publicSubnetIds: ["subnet-01", "subnet-02"],
            privateSubnetIds: ["subnet-11", "subnet-12"],
        });
        expect(single(run, "eks:index:ManagedNodeGroup").inputs.subnetIds).toEqual(["subnet-11", "subnet-12"]);
    });
});

describe("sizing from config", () => {
    it("passes SPOT capacity, other Graviton types and sizes through", async () => {
        const run = await runStack("cloud", {
            config: {
                capacityType: "SPOT",
                instanceTypes: ["c7g.xlarge", "m6gd.large", "t4g.medium"],
                nodes: { min: 0, desired: 1, max: 5 },
                availabilityZoneCount: 3,
            },
        });
        expect(single(run, "eks:index:ManagedNodeGroup").inputs).toMatchObject({
            capacityType: "SPOT",
            instanceTypes: ["c7g.xlarge", "m6gd.large", "t4g.medium"],
            scalingConfig: { minSize: 0, desiredSize: 1, maxSize: 5 },
        });
        expect(ofType(run, "aws:ec2/subnet:Subnet")).toHaveLength(6);
    });
});

describe("planSubnets", () => {
    it("gives each zone a public and a private block that do not overlap", () => {
        expect(planSubnets("10.0.0.0/16", 3)).toEqual([
            { publicCidr: "10.0.0.0/20", privateCidr: "10.0.128.0/20" },
            { publicCidr: "10.0.16.0/20", privateCidr: "10.0.144.0/20" },
            { publicCidr: "10.0.32.0/20", privateCidr: "10.0.160.0/20" },
        ]);
    });

    it("works from the network address of a CIDR written with host bits", () => {
        expect(planSubnets("172.20.5.0/24", 2)).toEqual([
            { publicCidr: "172.20.5.0/28", privateCidr: "172.20.5.128/28" },
            { publicCidr: "172.20.5.16/28", privateCidr: "172.20.5.144/28" },
        ]);
    });
});
