// The cloud role on EKS: the cluster's name, Kubernetes version and support, admins, and node group.
import { type AwsIdentity, type CapacityType, type NodeGroupSize, principalIdentity } from "../components/eksCluster";
import { SupportType, supportProblem } from "../components/eksVersions";
import { ACCEPTED_INSTANCE_TYPES, GRAVITON_INSTANCE_TYPES, addressesPerNode } from "../components/gravitonInstanceTypes";
import { instanceArchitecture } from "../policy/rules";
import { parseAwsIdentity } from "./awsIdentity";
import { PROJECT } from "./keys";
import { DEFAULT_GATEWAY_API_CRDS } from "./meshSide";
import { LargestNode, parseGatewaySourceCidrs, parseNetwork } from "./network";
import { ConfigReader } from "./reader";
import { cidrProblem } from "./rules";
import { CloudSideConfig, ConfigContext, EksCloudConfig } from "./types";

/** The oldest Kubernetes minor version Linkerd's 2026 charts accept (`kubeVersion: >=1.31.0-0`). */
export const MIN_KUBERNETES_MINOR = 31;

const CAPACITY_TYPES: readonly CapacityType[] = ["ON_DEMAND", "SPOT"];
const SUPPORT_TYPES: readonly SupportType[] = ["STANDARD", "EXTENDED"];
/** EKS cluster names: https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateCluster.html */
const EKS_CLUSTER_NAME = /^[0-9A-Za-z][A-Za-z0-9\-_]*$/;
const MAX_EKS_CLUSTER_NAME_LENGTH = 100;

export function parseEksCloud(
    reader: ConfigReader,
    common: Omit<CloudSideConfig, "gatewaySourceCidrs">,
    stack: string,
    context: ConfigContext,
): EksCloudConfig {
    const eksClusterName = `${PROJECT}-${stack}`;
    const problem = eksClusterNameProblem(eksClusterName);
    if (problem !== undefined)
        reader.stackProblem(stack, `the EKS cluster is named <project>-<stack>, ${JSON.stringify(eksClusterName)}, which ${problem}`);
    const supportType = reader.oneOf("supportType", SUPPORT_TYPES);
    const awsIdentity = parseAwsIdentity(reader, context);
    const instanceTypes = parseInstanceTypes(reader);
    const nodes = parseNodes(reader);
    const network = parseNetwork(reader, nodes, reader.hasProblem("instanceTypes") ? undefined : largestNode(instanceTypes));
    return {
        ...common,
        cluster: "eks",
        gatewayApiCrds: common.gatewayApiCrds ?? DEFAULT_GATEWAY_API_CRDS.eks,
        eksClusterName,
        gatewaySourceCidrs: parseGatewaySourceCidrs(reader, network),
        network,
        // The support window depends on supportType: judge it only against a valid one.
        kubernetesVersion: parseKubernetesVersion(
            reader,
            reader.isOneOf("supportType", SUPPORT_TYPES) ? supportType : undefined,
            context.today,
        ),
        supportType,
        clusterAdmins: parseClusterAdmins(reader, awsIdentity),
        awsIdentity,
        apiAccessCidrs: reader.checkEach("apiAccessCidrs", reader.stringList("apiAccessCidrs", { nonEmpty: true }), cidrProblem),
        instanceTypes,
        capacityType: reader.oneOf("capacityType", CAPACITY_TYPES),
        nodes,
    };
}

function parseKubernetesVersion(reader: ConfigReader, supportType: SupportType | undefined, today: Date): string {
    const version = reader.check("kubernetesVersion", reader.string("kubernetesVersion"), kubernetesVersionProblem);
    if (supportType !== undefined && kubernetesVersionProblem(version) === undefined)
        reader.check("kubernetesVersion", version, (value) => supportProblem(value, supportType, today));
    return version;
}

function parseClusterAdmins(reader: ConfigReader, awsIdentity: AwsIdentity): string[] {
    const admins = reader.checkEach("clusterAdmins", reader.stringList("clusterAdmins"), principalArnProblem);
    if (awsIdentity.roleArn !== undefined && admins.includes(awsIdentity.roleArn)) {
        reader.problem(
            "clusterAdmins",
            `${JSON.stringify(awsIdentity.roleArn)} is the role the AWS provider assumes (aws:assumeRoles): it creates the cluster and is ` +
                `its admin already, and EKS refuses a second access entry for it; accepted: other principals`,
        );
    }
    // IAM names are unique in an account whatever their case and path: two spellings are one principal.
    const principals = admins.map(principalIdentity);
    const duplicates = admins.filter((_, index) => principals[index] !== undefined && principals.indexOf(principals[index]) !== index);
    if (duplicates.length > 0) {
        reader.problem(
            "clusterAdmins",
            `${[...new Set(duplicates)].map((arn) => JSON.stringify(arn)).join(", ")} listed more than once (IAM names are unique in an account, ` +
                `whatever their path and case); accepted: distinct principals (EKS allows one access entry per principal)`,
        );
    }
    return admins;
}

function parseInstanceTypes(reader: ConfigReader): string[] {
    const instanceTypes = reader.stringList("instanceTypes", { nonEmpty: true });
    const architectures = instanceTypes.map((instanceType) => ({ instanceType, arch: instanceArchitecture(instanceType) }));
    const accepted = `Graviton (arm64) instance types of the table in components/gravitonInstanceTypes.ts: ${ACCEPTED_INSTANCE_TYPES}`;
    for (const { instanceType, arch } of architectures) {
        if (arch === "unknown") {
            reader.problem("instanceTypes", `${JSON.stringify(instanceType)} is not an EC2 instance type; accepted: ${accepted}`);
        } else if (arch === "arm64" && GRAVITON_INSTANCE_TYPES[instanceType] === undefined) {
            reader.problem(
                "instanceTypes",
                `${JSON.stringify(instanceType)} is a Graviton type outside the program's table, which knows how many VPC addresses ` +
                    `each accepted type's nodes take (vpcCidr is sized by it). Earlier versions took any Graviton type: to keep a ` +
                    `node group of this type, add its row to components/gravitonInstanceTypes.ts (interfaces and IPv4 addresses ` +
                    `per interface, from aws/amazon-vpc-cni-k8s pkg/vpc/vpc_ip_resource_limit.go); another type replaces the ` +
                    `node group; accepted: ${accepted}`,
            );
        }
    }
    const x86 = architectures.filter(({ arch }) => arch === "x86_64").map(({ instanceType }) => instanceType);
    const arm = architectures.filter(({ arch }) => arch === "arm64").map(({ instanceType }) => instanceType);
    if (x86.length > 0) {
        const mixed = arm.length > 0 ? ` mixed with arm64 ${arm.join(", ")} (one node group has one architecture)` : "";
        reader.problem(
            "instanceTypes",
            `${x86.map((type) => JSON.stringify(type)).join(", ")} ${x86.length === 1 ? "is an x86 type" : "are x86 types"}${mixed}; ` +
                `the node group runs the arm64 AMI (AL2023_ARM_64_STANDARD), so accepted: ${accepted}`,
        );
    }
    return instanceTypes;
}

/** Of valid instanceTypes, the one whose nodes take the most VPC addresses. */
function largestNode(instanceTypes: string[]): LargestNode {
    return instanceTypes
        .map((instanceType) => ({ instanceType, addresses: addressesPerNode(GRAVITON_INSTANCE_TYPES[instanceType]) }))
        .reduce((largest, node) => (node.addresses > largest.addresses ? node : largest));
}

function parseNodes(reader: ConfigReader): NodeGroupSize {
    const nodes = reader.object("nodes");
    const accepted = 'accepted: {"min": m, "desired": d, "max": x} with whole numbers 0 <= m <= d <= x and d >= 1';
    const sizes: Partial<NodeGroupSize> = {};
    for (const field of ["min", "desired", "max"] as const) {
        const value = nodes[field];
        if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
            reader.problem("nodes", `${field} is ${JSON.stringify(value)}, not a whole number >= 0; ${accepted}`);
        } else {
            sizes[field] = value;
        }
    }
    const { min, desired, max } = sizes;
    if (min !== undefined && desired !== undefined && min > desired) {
        reader.problem("nodes", `min (${min}) is greater than desired (${desired}); ${accepted}`);
    }
    if (desired !== undefined && max !== undefined && desired > max) {
        reader.problem("nodes", `desired (${desired}) is greater than max (${max}); ${accepted}`);
    }
    if (max === 0) reader.problem("nodes", `max is 0; ${accepted}`);
    if (desired === 0) {
        reader.problem(
            "nodes",
            `desired is 0: Linkerd's control plane and the gateway would have no node to run on, and \`pulumi up\` would wait for them until it times out; ${accepted}`,
        );
    }
    return { min: min ?? 0, desired: desired ?? 0, max: max ?? 0 };
}

export function kubernetesVersionProblem(value: string): string | undefined {
    const match = /^1\.(\d+)$/.exec(value);
    const accepted = `a Kubernetes minor version "1.N" with N >= ${MIN_KUBERNETES_MINOR} (Linkerd's charts require >= 1.${MIN_KUBERNETES_MINOR}), e.g. "1.35"`;
    if (match === null) return `not a Kubernetes minor version; accepted: ${accepted}`;
    if (Number(match[1]) < MIN_KUBERNETES_MINOR) return `too old; accepted: ${accepted}`;
    return undefined;
}

/** EKS accepts cluster names of letters, digits, '-' and '_', starting with a letter or digit, at most 100 characters. */
export function eksClusterNameProblem(name: string): string | undefined {
    if (name.length > MAX_EKS_CLUSTER_NAME_LENGTH || !EKS_CLUSTER_NAME.test(name)) {
        return `EKS would refuse (accepted: letters, digits, '-' and '_', starting with a letter or digit, at most ${MAX_EKS_CLUSTER_NAME_LENGTH} characters); rename the stack (pulumi stack rename) accordingly`;
    }
    return undefined;
}

/** An IAM role or user ARN in any partition: what an EKS access entry accepts as its principal. */
export function principalArnProblem(value: string): string | undefined {
    if (/^arn:aws[a-z-]*:sts::\d{12}:assumed-role\//.test(value)) {
        return "an STS session, which EKS does not accept for access entries; accepted: the role's ARN, arn:<partition>:iam::<account>:role/<name>";
    }
    if (!/^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/[\w+=,.@/-]+$/.test(value)) {
        return "not an IAM role or user ARN; accepted: arn:<partition>:iam::<account>:role/<name> or arn:<partition>:iam::<account>:user/<name>, e.g. arn:aws:iam::123456789012:role/ci-preview";
    }
    return undefined;
}
