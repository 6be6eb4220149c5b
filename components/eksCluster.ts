import * as aws from "@pulumi/aws";
import * as eks from "@pulumi/eks";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { EKS_VERSIONS, SupportType } from "./eksVersions";
import { clusterEndpoint, parseKubeconfig } from "./kubeconfig";

export type CapacityType = "ON_DEMAND" | "SPOT";

export interface NodeGroupSize {
    min: number;
    desired: number;
    max: number;
}

/** Who the stack's AWS provider acts as, from `aws:profile` and `aws:assumeRoles`; empty for the ambient credentials. */
export interface AwsIdentity {
    profile?: string;
    roleArn?: string;
}

export interface EksClusterArgs {
    /** The EKS cluster's name in AWS (the mesh knows the cluster by another name). */
    eksClusterName: string;
    vpcId: pulumi.Input<string>;
    /** Subnets for internet-facing load balancers. */
    publicSubnetIds: pulumi.Input<string>[];
    /** Private subnets: with the public ones, where EKS places its network interfaces. */
    privateSubnetIds: pulumi.Input<string>[];
    /** Subnets for the nodes: the private ones, or the public ones (`nodeSubnets: public`). */
    nodeSubnetIds: pulumi.Input<string>[];
    /** A version of EKS_VERSIONS: it picks the add-on builds. */
    kubernetesVersion: string;
    supportType: SupportType;
    /** IAM role and user ARNs that get cluster-admin access entries. */
    clusterAdmins: string[];
    /** Who `aws eks get-token` in the program's kubeconfig runs as: the AWS provider's identity. */
    awsIdentity: AwsIdentity;
    /** The network's egress plumbing; the cluster and the nodes wait for it, and go before it on destroy. */
    networkReady: pulumi.Resource[];
    /** Who may reach the public API endpoint: the operators and every edge site's link controller. */
    apiAccessCidrs: string[];
    /** Graviton (arm64) instance types, validated by config/eks.ts. */
    instanceTypes: string[];
    capacityType: CapacityType;
    nodes: NodeGroupSize;
}

/** The AMI type of every Graviton node: without it EKS may pick an x86 AMI (pulumi/pulumi-eks#1179). */
export const GRAVITON_AMI_TYPE = "AL2023_ARM_64_STANDARD";

/** The AWS managed policies a worker node needs: join the cluster, run the VPC CNI, pull from ECR. */
export const NODE_POLICY_NAMES = ["AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryReadOnly"];

/** The EKS access policy that makes a principal cluster admin (like system:masters). */
export const CLUSTER_ADMIN_POLICY = "AmazonEKSClusterAdminPolicy";

/**
 * The principal an IAM role or user ARN names, as IAM tells principals apart: account, kind, and the
 * name without its path, whatever its case (IAM names are unique in an account and "not distinguished
 * by case", IAM CreateRole). Undefined for anything else (the root user, a federated user).
 */
export function principalIdentity(arn: string): string | undefined {
    const match = /^arn:[\w-]+:iam::(\d{12}):(role|user)\/(?:[^:]*\/)?([^/]+)$/.exec(arn);
    return match === null ? undefined : `${match[1]}:${match[2]}:${match[3].toLowerCase()}`;
}

/** Who runs the program, as AWS knows it: the caller's ARN, and for a role session the role's own ARN, path included. */
export interface CallerIdentity {
    callerArn: string;
    /** `getSessionContext`'s issuerArn: an assumed role's IAM ARN (`role/aws-reserved/sso.amazonaws.com/…` for SSO), else the caller's ARN. */
    issuerArn: string;
}

/**
 * The identity that creates the cluster in this run: the AWS provider's, while no EKS cluster of that
 * name exists in the region; undefined once one does (its creator is fixed, and who runs now, CI's
 * preview role say, may well be one of clusterAdmins). getSessionContext reads an assumed role's ARN
 * with its path through iam:GetRole (terraform-provider-aws session_context_data_source.go); the ARN is
 * never rebuilt from the session's, which has no path (an SSO role's path even depends on the region).
 */
export async function creatingIdentity(eksClusterName: string): Promise<CallerIdentity | undefined> {
    const clusters = await aws.eks.getClusters({});
    if (clusters.names.includes(eksClusterName)) return undefined;
    const caller = await aws.getCallerIdentity({});
    const session = await aws.iam.getSessionContext({ arn: caller.arn });
    return { callerArn: caller.arn, issuerArn: session.issuerArn };
}

/**
 * Why `admins` cannot be granted: one of them is the identity creating the cluster, which EKS makes
 * admin by itself (pulumi-eks sets bootstrapClusterCreatorAdminPermissions), and EKS refuses a second
 * access entry for one principal (409 ResourceInUseException, once the cluster exists).
 */
export function creatorAdminProblem(caller: CallerIdentity, admins: string[]): string | undefined {
    const creator = principalIdentity(caller.issuerArn);
    const listed = admins.find((arn) => creator !== undefined && principalIdentity(arn) === creator);
    if (listed === undefined) return undefined;
    const session = caller.callerArn === caller.issuerArn ? "" : ` (the session ${caller.callerArn})`;
    return (
        `${JSON.stringify(listed)} is the identity that runs this program and creates the cluster, ${caller.issuerArn}${session}: ` +
        `EKS makes it cluster admin by itself and refuses a second access entry for it; accepted: other principals (remove it from the list)`
    );
}

/**
 * Access entries for `clusterAdmins`, keyed by account and principal so that reordering the list
 * replaces nothing; the policy ARN is in the cluster's partition.
 *
 * The key names the entry's resources in pulumi-eks (`<cluster>-<key>`), so a new key replaces the
 * entry, and Pulumi creates the replacement before deleting the old one, which EKS refuses (one entry
 * per principal). So keys stay what they have been, `admin-<account>-<kind>-<path-and-name with / as ->`,
 * unless two admins would share one (`role/a/b` and `role/a-b`): then the path-less one keeps it (a
 * path-less key is its principal's alone) and the others keep their `/`, which IAM names never contain.
 * The one case that still moves a live entry: `role/a-b` added beside a listed `role/a/b`, whose key
 * then changes (docs/aws.md says to drop `role/a/b` in one `up` and list both in the next).
 */
export function clusterAdminAccessEntries(principalArns: string[], partition: pulumi.Input<string>) {
    const key = (arn: string, pathSeparator: string) => {
        const [, , , , account, resource] = arn.split(":");
        return `admin-${account}-${resource.replace(/\//g, pathSeparator)}`;
    };
    const keys = principalArns.map((arn) => key(arn, "-"));
    return Object.fromEntries(
        principalArns.map((principalArn, index) => {
            const shared = keys.indexOf(keys[index]) !== keys.lastIndexOf(keys[index]);
            const hasPath = principalArn.split("/").length > 2;
            return [
                shared && hasPath ? key(principalArn, "/") : keys[index],
                {
                    principalArn,
                    accessPolicies: {
                        [CLUSTER_ADMIN_POLICY]: {
                            policyArn: pulumi.interpolate`arn:${partition}:eks::aws:cluster-access-policy/${CLUSTER_ADMIN_POLICY}`,
                            accessScope: { type: "cluster" },
                        },
                    },
                },
            ];
        }),
    );
}

/**
 * The kubeconfig pulumi-eks writes (no profile, no role), with `aws eks get-token` run as `identity`:
 * `--profile` and `--role-arn`, as pulumi-eks's own getKubeconfig({profileName, roleArn}) adds them.
 */
export function kubeconfigForIdentity(kubeconfigJson: string, identity: AwsIdentity): string {
    const kubeconfig = JSON.parse(kubeconfigJson);
    const extra = [
        ...(identity.roleArn ? ["--role-arn", identity.roleArn] : []),
        ...(identity.profile ? ["--profile", identity.profile] : []),
    ];
    for (const user of kubeconfig.users ?? []) {
        const exec = user.user?.exec;
        if (exec?.command === "aws") exec.args = [...(exec.args ?? []), ...extra];
    }
    return JSON.stringify(kubeconfig);
}

/**
 * An EKS cluster with one managed Graviton node group and the Kubernetes provider that everything
 * deployed into it uses.
 */
export class EksCluster extends pulumi.ComponentResource {
    /** The EKS cluster's name in AWS. */
    public readonly eksClusterName: pulumi.Output<string>;
    /** Admin kubeconfig (authenticates with `aws eks get-token` as the AWS provider's identity); a secret. */
    public readonly kubeconfig: pulumi.Output<string>;
    public readonly endpoint: pulumi.Output<string>;
    /** Base64 PEM of the cluster CA. */
    public readonly certificateAuthorityData: pulumi.Output<string>;
    public readonly provider: k8s.Provider;

    constructor(name: string, args: EksClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("edge-cloud-mesh:cloud:EksCluster", name, {}, opts);

        const partition = aws.getPartitionOutput({}, { parent: this }).partition;
        const addons = EKS_VERSIONS[args.kubernetesVersion].addons;
        const nodeRole = new aws.iam.Role(
            `${name}-node`,
            { assumeRolePolicy: aws.iam.assumeRolePolicyForPrincipal({ Service: "ec2.amazonaws.com" }) },
            { parent: this },
        );
        const nodePolicies = NODE_POLICY_NAMES.map(
            (policy, index) =>
                new aws.iam.RolePolicyAttachment(
                    `${name}-node-${index}`,
                    { role: nodeRole.name, policyArn: pulumi.interpolate`arn:${partition}:iam::aws:policy/${policy}` },
                    { parent: this },
                ),
        );

        const cluster = new eks.Cluster(
            name,
            {
                name: args.eksClusterName,
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
                // Unset, EKS keeps a version past standard support at the extended-support price.
                upgradePolicy: { supportType: args.supportType },
                // The creator is admin already (pulumi-eks sets bootstrapClusterCreatorAdminPermissions).
                accessEntries: clusterAdminAccessEntries(args.clusterAdmins, partition),
                // Pinned, never mostRecent: a second `up` must not upgrade them.
                vpcCniOptions: { addonVersion: addons.vpcCni },
                kubeProxyAddonOptions: { version: addons.kubeProxy },
                // pulumi-eks creates no CoreDNS add-on without its default node group (cluster.ts, v4.3.0); say so
                // explicitly: the program declares its own below, after the nodes it needs to run on.
                corednsAddonOptions: { enabled: false },
            },
            { parent: this, dependsOn: args.networkReady },
        );

        const nodeGroup = new eks.ManagedNodeGroup(
            `${name}-graviton`,
            {
                cluster,
                nodeRole,
                amiType: GRAVITON_AMI_TYPE,
                instanceTypes: args.instanceTypes,
                capacityType: args.capacityType,
                subnetIds: args.nodeSubnetIds,
                scalingConfig: { minSize: args.nodes.min, desiredSize: args.nodes.desired, maxSize: args.nodes.max },
            },
            // Nodes start only in subnets with egress (NAT or internet gateway routes), and are deleted before that plumbing.
            // The cluster explicitly too: the SDK drops resource inputs from a remote component's dependencies.
            { parent: this, dependsOn: [cluster, ...nodePolicies, ...args.networkReady] },
        );

        // CoreDNS as a managed add-on, so that it moves with kubernetesVersion; it needs nodes to run on.
        const coredns = new aws.eks.Addon(
            `${name}-coredns`,
            {
                clusterName: args.eksClusterName,
                addonName: "coredns",
                addonVersion: addons.coredns,
                // Take over the CoreDNS that EKS bootstrapped, and keep it running if the add-on is removed.
                resolveConflictsOnCreate: "OVERWRITE",
                resolveConflictsOnUpdate: "OVERWRITE",
                preserve: true,
            },
            { parent: this, dependsOn: [nodeGroup] },
        );

        this.eksClusterName = pulumi.output(args.eksClusterName);
        this.kubeconfig = pulumi.secret(cluster.kubeconfigJson.apply((text) => kubeconfigForIdentity(text, args.awsIdentity)));
        // The endpoint and CA are public facts; read them from the kubeconfig pulumi-eks writes.
        const endpoint = pulumi.unsecret(cluster.kubeconfigJson.apply((text) => clusterEndpoint(parseKubeconfig(text))));
        this.endpoint = endpoint.server;
        this.certificateAuthorityData = endpoint.certificateAuthorityData;
        this.provider = new k8s.Provider(
            name,
            {
                kubeconfig: this.kubeconfig,
                // Credentials in the kubeconfig may change; only another cluster replaces the provider.
                clusterIdentifier: args.eksClusterName,
            },
            // Everything deployed through it waits for nodes and DNS, and is deleted before them.
            { parent: this, dependsOn: [nodeGroup, coredns] },
        );

        this.registerOutputs({
            eksClusterName: this.eksClusterName,
            kubeconfig: this.kubeconfig,
            endpoint: this.endpoint,
            certificateAuthorityData: this.certificateAuthorityData,
        });
    }
}
