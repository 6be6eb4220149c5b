// What the configuration is once read and validated: the program's only view of it, one type per
// role and cloud cluster. And what the parser is given besides the raw keys (ConfigContext).
import type { NodeSubnets } from "../components/clusterVpc";
import type { AwsIdentity, CapacityType, NodeGroupSize } from "../components/eksCluster";
import type { SupportType } from "../components/eksVersions";
import type { GatewayApiCrds } from "../components/linkerdInstall";
import type { TrustSlot } from "../components/trustPhases";
import type { SplitMode, TrafficSplitApi } from "../components/trafficSplit";

/** A VPC this program creates, or one that already exists. */
export type NetworkConfig =
    | { kind: "new"; cidr: string; availabilityZoneCount: number; nodeSubnets: NodeSubnets }
    | { kind: "existing"; vpcId: string; publicSubnetIds: string[]; privateSubnetIds: string[] };

/** Where the cloud cluster comes from: EKS, created by the stack, or an existing cluster reached through a kubeconfig. */
export type ClusterKind = "eks" | "kubeconfig";

/** What both sides configure: the cluster's name in the mesh and its Linkerd install. */
export interface MeshSideConfig {
    /** This cluster's name in the mesh: the link and mirrored services (`<service>-<clusterName>`) carry it. */
    clusterName: string;
    linkerdVersion: string;
    /** Undefined (the key empty) on a cloud cluster reached through a kubeconfig: it follows what the cluster has. */
    gatewayApiCrds: GatewayApiCrds | undefined;
    viz: boolean;
    /** Deploy the tutorial's demo workloads (and, on edge, the traffic split). */
    demo: boolean;
}

/** An existing cluster reached through a kubeconfig: the edge's k3s, or the cloud with `cluster: kubeconfig`. */
export interface KubeconfigAccess {
    /** The kubeconfig's contents. */
    kubeconfig: string;
    /** The file the kubeconfig was read from, when it was given as a path. */
    kubeconfigPath?: string;
    /** The API server the kubeconfig's context points at. */
    apiServer: string;
    /** Base64 PEM of the CA the kubeconfig trusts for that server; empty when it names none inline. */
    certificateAuthorityData: string;
    /** The kubeconfig context to use; empty for its current-context. */
    kubeContext: string;
}

/** The phase of the trust anchors' rotation: which anchors every cluster trusts, and which one signs the issuers. */
export interface TrustConfig {
    /** One or two distinct slots, in slot order. */
    trustAnchors: TrustSlot[];
    /** One of trustAnchors. */
    issuerTrustAnchor: TrustSlot;
}

/** What the cloud side configures whatever its cluster: the sites that join it, its gateway and the mesh identity. */
export interface CloudSideConfig extends MeshSideConfig, TrustConfig {
    role: "cloud";
    /** The edge clusters that may join: each gets its own identity issuer and link credential. */
    edgeSites: string[];
    /** Who may reach the multicluster gateway's load balancer. */
    gatewaySourceCidrs: string[];
    /** Refuse to delete the signing trust anchor (for a long-lived mesh); off so that a demo can be destroyed. */
    protectTrustAnchor: boolean;
}

export interface EksCloudConfig extends CloudSideConfig {
    cluster: "eks";
    gatewayApiCrds: GatewayApiCrds;
    /** The EKS cluster's name in AWS: `<project>-<stack>`. */
    eksClusterName: string;
    /** IAM roles and users that get cluster-admin access entries (the creator has one already). */
    clusterAdmins: string[];
    supportType: SupportType;
    /** The identity the kubeconfig's `aws eks get-token` must use: the AWS provider's. */
    awsIdentity: AwsIdentity;
    network: NetworkConfig;
    kubernetesVersion: string;
    apiAccessCidrs: string[];
    instanceTypes: string[];
    capacityType: CapacityType;
    nodes: NodeGroupSize;
}

/** The cloud role on an existing cluster (k3s, k3d, any Kubernetes): no AWS resource at all. */
export interface KubeconfigCloudConfig extends CloudSideConfig, KubeconfigAccess {
    cluster: "kubeconfig";
    /** Where edge sites reach this cluster's API server: the server of their link kubeconfigs. */
    apiServerAddress: string;
}

export type CloudConfig = EksCloudConfig | KubeconfigCloudConfig;

export interface EdgeConfig extends MeshSideConfig, KubeconfigAccess {
    role: "edge";
    /** "existing" when the key is empty: k3s ships the Gateway API CRDs, and a k3s without them is told so. */
    gatewayApiCrds: GatewayApiCrds;
    /** The cloud stack to read the mesh identity and link from (StackReference name). */
    cloudStack: string;
    trafficSplitApi: TrafficSplitApi;
    /** Weights of the local podinfo and of the cloud's mirrored podinfo. */
    trafficSplit: { local: number; cloud: number };
    /** `weighted` by trafficSplit, or `failover`: the local podinfo first, the cloud's only while it cannot serve. */
    splitMode: SplitMode;
}

export type MeshConfig = CloudConfig | EdgeConfig;

/** A kubeconfig file the `kubeconfig` key names: where it is and what it holds, or why it cannot be read. */
export type KubeconfigFile = { path: string; text: string } | { problem: string };

/** The AWS shared-config profiles this machine has, and the files they were read from. */
export interface AwsProfiles {
    profiles: string[];
    /** The shared config file, then the shared credentials file. */
    files: string[];
}

/**
 * What the parser needs besides the project's keys, so that it reads no file and no runtime state:
 * loadConfig (index.ts) gathers it from the engine, the clock and the disk; tests pass their own.
 */
export interface ConfigContext {
    /** The day the support calendar is read at. */
    today: Date;
    /** The defaults Pulumi.yaml declares, by key (defaults.ts): a key at its default is set nowhere on purpose. */
    defaults: Readonly<Record<string, unknown>>;
    /** Reads the kubeconfig file a `kubeconfig` value names (`~` is the home directory): kubeconfigFile.ts. */
    readKubeconfigFile: (given: string) => KubeconfigFile;
    /** `aws:profile`, as the engine hands it over. */
    awsProfile?: string;
    /** The shared-config profiles this machine has (awsProfiles.ts): `aws:profile` must name one. Unset, it is not checked. */
    readAwsProfiles?: () => AwsProfiles;
    /** `aws:assumeRoles`, JSON as the engine hands it over. */
    awsAssumeRoles?: string;
    /** Which of AWS_IDENTITY_KEYS_NOT_MIRRORED the stack sets. */
    awsUnmirroredKeys?: string[];
}
