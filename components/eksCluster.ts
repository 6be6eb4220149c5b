import * as aws from "@pulumi/aws";
import * as eks from "@pulumi/eks";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { CapacityType, NodeGroupSize } from "../config";
import { clusterEndpoint, parseKubeconfig } from "./kubeconfig";

export interface EksClusterArgs {
    /** The EKS cluster's name in AWS. */
    clusterName: string;
    vpcId: pulumi.Input<string>;
    /** Subnets for internet-facing load balancers. */
    publicSubnetIds: pulumi.Input<string>[];
    /** Subnets for the nodes. */
    privateSubnetIds: pulumi.Input<string>[];
    kubernetesVersion: string;
    /** Who may reach the public API endpoint: the operators and every edge site's link controller. */
    apiAccessCidrs: string[];
    /** Graviton (arm64) instance types, validated by config.ts. */
    instanceTypes: string[];
    capacityType: CapacityType;
    nodes: NodeGroupSize;
}

/** The AMI type of every Graviton node: without it EKS may pick an x86 AMI (pulumi/pulumi-eks#1179). */
export const GRAVITON_AMI_TYPE = "AL2023_ARM_64_STANDARD";

/** The AWS managed policies a worker node needs: join the cluster, run the VPC CNI, pull from ECR. */
export const NODE_POLICY_ARNS = [
    "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
    "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
    "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
];

/**
 * An EKS cluster with one managed Graviton node group and the Kubernetes provider that everything
 * deployed into it uses.
 */
export class EksCluster extends pulumi.ComponentResource {
    public readonly clusterName: pulumi.Output<string>;
    /** Admin kubeconfig (authenticates with `aws eks get-token`); a secret. */
    public readonly kubeconfig: pulumi.Output<string>;
    public readonly endpoint: pulumi.Output<string>;
    /** Base64 PEM of the cluster CA. */
    public readonly certificateAuthorityData: pulumi.Output<string>;
    public readonly provider: k8s.Provider;

    constructor(name: string, args: EksClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("edge-cloud-mesh:cloud:EksCluster", name, {}, opts);

        const nodeRole = new aws.iam.Role(
            `${name}-node`,
            { assumeRolePolicy: aws.iam.assumeRolePolicyForPrincipal({ Service: "ec2.amazonaws.com" }) },
            { parent: this },
        );
        const nodePolicies = NODE_POLICY_ARNS.map(
            (policyArn, index) => new aws.iam.RolePolicyAttachment(`${name}-node-${index}`, { role: nodeRole.name, policyArn }, { parent: this }),
        );

        const cluster = new eks.Cluster(
            name,
            {
                name: args.clusterName,
                version: args.kubernetesVersion,
                vpcId: args.vpcId,
                publicSubnetIds: args.publicSubnetIds,
                privateSubnetIds: args.privateSubnetIds,
                skipDefaultNodeGroup: true,
                // Access entries, not the aws-auth ConfigMap. EKS gives a managed node group's role its
                // EC2_LINUX access entry itself (pulumi-eks rejects instanceRoles in this mode).
                authenticationMode: eks.AuthenticationMode.Api,
                endpointPublicAccess: true,
                endpointPrivateAccess: true,
                publicAccessCidrs: args.apiAccessCidrs,
            },
            { parent: this },
        );

        const nodeGroup = new eks.ManagedNodeGroup(
            `${name}-graviton`,
            {
                cluster,
                nodeRole,
                amiType: GRAVITON_AMI_TYPE,
                instanceTypes: args.instanceTypes,
                capacityType: args.capacityType,
                subnetIds: args.privateSubnetIds,
                scalingConfig: { minSize: args.nodes.min, desiredSize: args.nodes.desired, maxSize: args.nodes.max },
            },
            { parent: this, dependsOn: nodePolicies },
        );

        this.clusterName = pulumi.output(args.clusterName);
        this.kubeconfig = pulumi.secret(cluster.kubeconfigJson);
        // The endpoint and CA are public facts; read them from the kubeconfig pulumi-eks writes.
        const endpoint = pulumi.unsecret(cluster.kubeconfigJson.apply((text) => clusterEndpoint(parseKubeconfig(text))));
        this.endpoint = endpoint.server;
        this.certificateAuthorityData = endpoint.certificateAuthorityData;
        this.provider = new k8s.Provider(
            name,
            {
                kubeconfig: this.kubeconfig,
                // Credentials in the kubeconfig may change; only another cluster replaces the provider.
                clusterIdentifier: args.clusterName,
            },
            // Everything deployed through it waits for nodes to run on, and is deleted before them.
            { parent: this, dependsOn: [nodeGroup] },
        );

        this.registerOutputs({
            clusterName: this.clusterName,
            kubeconfig: this.kubeconfig,
            endpoint: this.endpoint,
            certificateAuthorityData: this.certificateAuthorityData,
        });
    }
}
