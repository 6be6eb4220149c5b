// The project's configuration: every key is read and validated here, once, before any resource is
// declared. Defaults live in Pulumi.yaml (the engine applies them before the program runs), so this
// module only states what a valid value is and derives the few defaults that depend on the stack.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { isDeepStrictEqual } from "node:util";
import * as pulumi from "@pulumi/pulumi";
import { parse as parseYaml } from "yaml";
import type { AwsIdentity, CapacityType, NodeGroupSize } from "./components/eksCluster";
import { SupportType, supportProblem } from "./components/eksVersions";
import { clusterEndpoint, parseKubeconfig } from "./components/kubeconfig";
import type { GatewayApiCrds } from "./components/linkerdInstall";
import { FAILOVER_WEIGHTS, HTTP_ROUTE_MAX_WEIGHT, type SplitMode, type TrafficSplitApi } from "./components/trafficSplit";
import { instanceArchitecture, linkerdChartVersionProblem, parseIpv4Cidr } from "./policy/rules";

export const PROJECT = "edge-cloud-mesh";

export type Role = "cloud" | "edge";

/** A VPC this program creates, or one that already exists. */
export type NetworkConfig =
    | { kind: "new"; cidr: string; availabilityZoneCount: number }
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

/** What the cloud side configures whatever its cluster: the sites that join it and its gateway. */
interface CloudSideConfig extends MeshSideConfig {
    role: "cloud";
    /** The edge clusters that may join: each gets its own identity issuer and link credential. */
    edgeSites: string[];
    /** Who may reach the multicluster gateway's load balancer. */
    gatewaySourceCidrs: string[];
    /** Refuse to delete the trust anchor (for a long-lived mesh); off so that a demo can be destroyed. */
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

/** Which stacks of a role read a key: all of them, or only those where other keys have these values. */
export type Reader = true | { when: Readonly<Record<string, string>> };
/** The roles whose stacks read a key. */
export type KeyReaders = Readonly<Partial<Record<Role, Reader>>>;

const BOTH: KeyReaders = { cloud: true, edge: true };
const CLOUD: KeyReaders = { cloud: true };
const EDGE: KeyReaders = { edge: true };
/** Read by the cloud role on EKS only (`cluster` defaults to eks). */
const EKS: KeyReaders = { cloud: { when: { cluster: "eks" } } };
/** Read by the edge, and by the cloud role on a cluster it reaches through a kubeconfig. */
const KUBECONFIG: KeyReaders = { edge: true, cloud: { when: { cluster: "kubeconfig" } } };

/**
 * Every key this program reads, and which stacks read it (`{ cloud: { when: { key: "value" } } }`
 * for a key read only in one mode). Pulumi.yaml declares exactly these keys; its "(cloud)"/"(edge)"
 * descriptions and the README's "stacks" column follow this table (tests keep them in step). A key
 * set on a stack that does not read it, to anything but its default, stops the run.
 */
export const CONFIG_KEY_READERS = {
    role: BOTH,
    cluster: CLOUD,
    clusterName: BOTH,
    linkerdVersion: BOTH,
    gatewayApiCrds: BOTH,
    viz: BOTH,
    edgeSites: CLOUD,
    gatewaySourceCidrs: CLOUD,
    protectTrustAnchor: CLOUD,
    kubeconfig: KUBECONFIG,
    kubeContext: KUBECONFIG,
    apiServerAddress: { cloud: { when: { cluster: "kubeconfig" } } },
    cloudStack: EDGE,
    demo: BOTH,
    trafficSplitApi: EDGE,
    trafficSplit: EDGE,
    splitMode: EDGE,
    vpcCidr: EKS,
    availabilityZoneCount: EKS,
    vpcId: EKS,
    publicSubnetIds: EKS,
    privateSubnetIds: EKS,
    kubernetesVersion: EKS,
    supportType: EKS,
    clusterAdmins: EKS,
    apiAccessCidrs: EKS,
    instanceTypes: EKS,
    capacityType: EKS,
    nodes: EKS,
} as const satisfies Record<string, KeyReaders>;

export type ConfigKey = keyof typeof CONFIG_KEY_READERS;

/** Every key this program reads. */
export const CONFIG_KEYS = Object.keys(CONFIG_KEY_READERS) as readonly ConfigKey[];

/**
 * Raw values as the engine hands them over, by key without the namespace: strings, with lists and
 * objects as JSON. Every key of the project's namespace the stack has, including ones the program
 * does not read.
 */
export type RawConfig = Record<string, string>;

/** The oldest Kubernetes minor version Linkerd's 2026 charts accept (`kubeVersion: >=1.31.0-0`). */
export const MIN_KUBERNETES_MINOR = 31;

const ROLES: readonly Role[] = ["cloud", "edge"];
const CLUSTER_KINDS: readonly ClusterKind[] = ["eks", "kubeconfig"];
const CAPACITY_TYPES: readonly CapacityType[] = ["ON_DEMAND", "SPOT"];
const SUPPORT_TYPES: readonly SupportType[] = ["STANDARD", "EXTENDED"];
const GATEWAY_API_CRDS: readonly GatewayApiCrds[] = ["install", "existing"];
const TRAFFIC_SPLIT_APIS: readonly TrafficSplitApi[] = ["smi", "httproute"];
const SPLIT_MODES: readonly SplitMode[] = ["weighted", "failover"];
/** What an empty gatewayApiCrds means where the cluster is known: EKS ships none; k3s >= 1.34 ships them, and a k3s without them is told so. (A cloud cluster reached through a kubeconfig is asked what it has: gatewayApiCrds.ts.) */
const DEFAULT_GATEWAY_API_CRDS = { eks: "install", edge: "existing" } as const satisfies Record<string, GatewayApiCrds>;
/** Room for `<service>-` in front of a cluster name inside a 63-character Service name. */
const MAX_CLUSTER_NAME_LENGTH = 40;
const MAX_AVAILABILITY_ZONES = 6;
/** EKS cluster names: https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateCluster.html */
const EKS_CLUSTER_NAME = /^[0-9A-Za-z][A-Za-z0-9\-_]*$/;
const MAX_EKS_CLUSTER_NAME_LENGTH = 100;

/** What the rules need besides the project's keys: the day (support calendar) and the AWS provider's config. */
export interface ConfigContext {
    today: Date;
    /** `aws:profile`, as the engine hands it over. */
    awsProfile?: string;
    /** `aws:assumeRoles`, JSON as the engine hands it over. */
    awsAssumeRoles?: string;
    /** Which of AWS_IDENTITY_KEYS_NOT_MIRRORED the stack sets. */
    awsUnmirroredKeys?: string[];
}

/**
 * AWS provider settings that give it credentials `aws eks get-token` (the Kubernetes provider's
 * credential plugin) cannot be handed: with them the cluster would be created as one principal and
 * used as another.
 */
export const AWS_IDENTITY_KEYS_NOT_MIRRORED = [
    "aws:accessKey",
    "aws:secretKey",
    "aws:token",
    "aws:assumeRoleWithWebIdentity",
    "aws:sharedConfigFiles",
    "aws:sharedCredentialsFiles",
];

/** Fields of a role in `aws:assumeRoles` that a trust policy may require and get-token cannot send. */
const ASSUME_ROLE_FIELDS_NOT_MIRRORED = ["externalId", "sourceIdentity", "tags", "transitiveTagKeys"];

/** Reads this stack's configuration and validates it; throws a RunError naming every bad key. */
export function loadConfig(): MeshConfig {
    // Every key the stack has, not only the ones read below, so that a mistyped or misplaced key is
    // an error: the engine hands the program all of the stack's config (with Pulumi.yaml's defaults
    // merged in), declared in Pulumi.yaml or not. Raw: the kubeconfig may be a secret, and becomes a
    // secret again where it is used.
    const prefix = `${PROJECT}:`;
    const raw = Object.fromEntries(
        Object.entries(pulumi.runtime.allConfig())
            .filter(([key]) => key.startsWith(prefix))
            .map(([key, value]) => [key.slice(prefix.length), value]),
    );
    return parseConfig(raw, pulumi.getStack(), {
        today: new Date(),
        awsProfile: pulumi.runtime.getConfig("aws:profile"),
        awsAssumeRoles: pulumi.runtime.getConfig("aws:assumeRoles"),
        awsUnmirroredKeys: AWS_IDENTITY_KEYS_NOT_MIRRORED.filter((key) => pulumi.runtime.getConfig(key) !== undefined),
    });
}

/** Validates raw configuration. Collects every problem so that one run reports them all. */
export function parseConfig(raw: RawConfig, stack: string, context: ConfigContext): MeshConfig {
    const problems: string[] = unknownKeyProblems(raw);
    const reader = new ConfigReader(raw, problems);

    const role = reader.oneOf("role", ROLES);
    // Without a valid role there is no telling which keys matter.
    let config: MeshConfig | undefined;
    if (reader.isOneOf("role", ROLES)) {
        // Which keys a cloud stack reads depends on its cluster: judge them only against a valid one.
        const defaults = projectDefaults();
        if (role === "edge" || reader.isOneOf("cluster", CLUSTER_KINDS)) problems.push(...misplacedKeyProblems(raw, role, defaults));
        const side = parseMeshSide(reader, stack);
        config = role === "cloud" ? parseCloud(reader, side, stack, context) : parseEdge(reader, side, defaults);
    }

    if (problems.length > 0 || config === undefined) {
        throw new pulumi.RunError(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`);
    }
    return config;
}

// ---- keys: ones the program does not read, and ones set where they are not read ----

/** A key of the project's namespace that the program does not read: a typo, or a key of another program. */
function unknownKeyProblems(raw: RawConfig): string[] {
    const known: readonly string[] = CONFIG_KEYS;
    return Object.keys(raw)
        .filter((key) => !known.includes(key))
        .map(
            (key) =>
                `${PROJECT}:${key} is not a key this program reads; ${suggestion(key)}. ` +
                `Correct the name, or remove it (pulumi config rm ${PROJECT}:${key}, or from the stack's ESC environment if it comes from there); ` +
                `every key is in the README's Configuration table.`,
        );
}

/** Whether a stack of `role` with these raw values reads a key with these readers. */
export function readsKey(readers: KeyReaders, role: Role, raw: RawConfig): boolean {
    const reader = readers[role];
    if (reader === undefined) return false;
    return reader === true || Object.entries(reader.when).every(([key, value]) => raw[key] === value);
}

/** Who reads a key, in words: "edge stacks", "cloud stacks with cluster: kubeconfig and edge stacks". */
export function readersLabel(readers: KeyReaders): string {
    return ROLES.flatMap((role) => {
        const reader = readers[role];
        if (reader === undefined) return [];
        if (reader === true) return [`${role} stacks`];
        const conditions = Object.entries(reader.when).map(([key, value]) => `${key}: ${value}`);
        return [`${role} stacks with ${conditions.join(", ")}`];
    }).join(" and ");
}

/**
 * A key set on a stack that does not read it, to something other than its Pulumi.yaml default (the
 * engine hands over the default for every declared key, so only another value was set on purpose).
 */
export function misplacedKeyProblems(
    raw: RawConfig,
    role: Role,
    defaults: Readonly<Record<string, unknown>>,
    readers: Readonly<Record<string, KeyReaders>> = CONFIG_KEY_READERS,
): string[] {
    return Object.entries(readers)
        .filter(([key, keyReaders]) => raw[key] !== undefined && !readsKey(keyReaders, role, raw) && !isDefault(raw[key], defaults[key]))
        .map(
            ([key, keyReaders]) =>
                `${PROJECT}:${key} is read only by ${readersLabel(keyReaders)}, and this stack's role is ${role}: its value here would be ` +
                `ignored. Set it on the stack that reads it, or remove it here (pulumi config rm ${PROJECT}:${key}).`,
        );
}

/** Whether a raw value is the Pulumi.yaml default (lists, maps, numbers and booleans arrive as JSON). */
function isDefault(raw: string | undefined, fallback: unknown): boolean {
    if (fallback === undefined) return raw === undefined;
    if (typeof fallback === "string") return raw === fallback;
    return raw !== undefined && isDeepStrictEqual(parseJson(raw), fallback);
}

/** The defaults Pulumi.yaml declares, by key: their one home, which the engine applies before the program runs. */
export function projectDefaults(): Readonly<Record<string, unknown>> {
    const project = parseYaml(fs.readFileSync(path.join(__dirname, "Pulumi.yaml"), "utf8"));
    return Object.fromEntries(
        Object.entries<{ default?: unknown } | null>(project.config ?? {})
            .filter(([key, declaration]) => !key.includes(":") && declaration?.default !== undefined)
            .map(([key, declaration]) => [key, declaration?.default]),
    );
}

/** Levenshtein distance, ignoring case. */
export function editDistance(a: string, b: string): number {
    const [x, y] = [a.toLowerCase(), b.toLowerCase()];
    let previous = Array.from({ length: y.length + 1 }, (_, j) => j);
    for (let i = 1; i <= x.length; i++) {
        const current = [i];
        for (let j = 1; j <= y.length; j++) {
            current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1));
        }
        previous = current;
    }
    return previous[y.length];
}

/** Keys of other packages that people set without their namespace, where they belong. */
const PROVIDER_KEYS: Readonly<Record<string, string>> = { region: "aws:region", profile: "aws:profile", assumeRoles: "aws:assumeRoles" };

/**
 * The key this program reads that `key` is probably a misspelling of: among keys that hold it (or that
 * it holds) letter by letter in order (`gatewayCidrs` in `gatewaySourceCidrs`), the nearest by edit
 * distance; else the nearest if it is close (at most a third of the longer name); else undefined.
 */
export function nearestKey(key: string): ConfigKey | undefined {
    const lower = key.toLowerCase();
    const nearestOf = (keys: readonly ConfigKey[]) =>
        keys.reduce((best, candidate) => (editDistance(key, candidate) < editDistance(key, best) ? candidate : best));
    const related = CONFIG_KEYS.filter(
        (candidate) => isSubsequence(lower, candidate.toLowerCase()) || isSubsequence(candidate.toLowerCase(), lower),
    );
    if (related.length > 0) return nearestOf(related);
    const nearest = nearestOf(CONFIG_KEYS);
    return editDistance(key, nearest) <= Math.floor(Math.max(key.length, nearest.length) / 3) ? nearest : undefined;
}

function isSubsequence(short: string, long: string): boolean {
    let matched = 0;
    for (const letter of long) if (letter === short[matched]) matched++;
    return matched === short.length;
}

/** What to suggest for a key the program does not read. */
function suggestion(key: string): string {
    if (PROVIDER_KEYS[key] !== undefined) return `it belongs to another package: set ${PROVIDER_KEYS[key]}`;
    const nearest = nearestKey(key);
    return nearest === undefined ? "no key of this program is close to it" : `the nearest one is ${nearest}`;
}

function parseMeshSide(reader: ConfigReader, stack: string): MeshSideConfig {
    const gatewayApiCrds = reader.string("gatewayApiCrds", { optional: true });
    return {
        // Empty means the stack's name: `pulumi stack init edge-berlin` names the site edge-berlin.
        clusterName: reader.check("clusterName", reader.string("clusterName", { optional: true }) || stack, clusterNameProblem),
        linkerdVersion: reader.check("linkerdVersion", reader.string("linkerdVersion"), linkerdChartVersionProblem),
        gatewayApiCrds: gatewayApiCrds === "" ? undefined : reader.oneOf("gatewayApiCrds", GATEWAY_API_CRDS),
        viz: reader.boolean("viz"),
        demo: reader.boolean("demo"),
    };
}

/** A kubeconfig the config cannot use, as a placeholder: parseConfig throws before anyone reads it. */
const UNUSABLE_KUBECONFIG = { kubeconfig: "", apiServer: "", certificateAuthorityData: "" };

function parseCloud(reader: ConfigReader, side: MeshSideConfig, stack: string, context: ConfigContext): CloudConfig {
    const common = {
        role: "cloud" as const,
        ...side,
        edgeSites: parseEdgeSites(reader, side.clusterName),
        protectTrustAnchor: reader.boolean("protectTrustAnchor"),
    };
    // Without a valid cluster there is no telling which keys matter: EKS's or the kubeconfig's.
    if (!reader.isOneOf("cluster", CLUSTER_KINDS)) {
        reader.oneOf("cluster", CLUSTER_KINDS);
        return { ...common, cluster: "kubeconfig", ...UNUSABLE_KUBECONFIG, kubeContext: "", apiServerAddress: "", gatewaySourceCidrs: [] };
    }
    return reader.oneOf("cluster", CLUSTER_KINDS) === "eks"
        ? parseEksCloud(reader, common, stack, context)
        : parseKubeconfigCloud(reader, common);
}

/** The cloud role on an existing cluster: its kubeconfig, and the API address edge sites reach it at. */
function parseKubeconfigCloud(reader: ConfigReader, common: Omit<CloudSideConfig, "gatewaySourceCidrs">): KubeconfigCloudConfig {
    const kubeContext = reader.string("kubeContext", { optional: true });
    const access = readKubeconfig(reader, kubeContext);
    if (access.kubeconfig !== "" && access.certificateAuthorityData === "") {
        reader.problem(
            "kubeconfig",
            `the kubeconfig's cluster (${access.apiServer}) carries no certificate-authority-data: edge sites check this API server's ` +
                `certificate with the CA their link kubeconfig carries inline; accepted: a kubeconfig with the CA inline ` +
                `(kubectl config view --raw --flatten --minify writes one)`,
        );
    }
    const given = reader.string("apiServerAddress", { optional: true });
    let apiServerAddress = given;
    if (given !== "") reader.check("apiServerAddress", given, apiServerAddressProblem);
    else if (access.apiServer !== "") {
        // Empty means the kubeconfig's server: it must work for the edge sites' link controllers too.
        apiServerAddress = access.apiServer;
        const problem = apiServerAddressProblem(apiServerAddress);
        if (problem !== undefined) {
            reader.problem(
                "apiServerAddress",
                `is empty, so edge sites would reach this cluster's API at the kubeconfig's server ${JSON.stringify(apiServerAddress)}, which is ${problem}`,
            );
        }
    }
    return {
        ...common,
        cluster: "kubeconfig",
        ...access,
        kubeContext,
        apiServerAddress,
        // No AWS load balancer controller here, so no rule budget: the cluster's own load balancer takes the list.
        gatewaySourceCidrs: reader.checkEach(
            "gatewaySourceCidrs",
            reader.stringList("gatewaySourceCidrs", { nonEmpty: true }),
            cidrProblem,
        ),
    };
}

function parseEksCloud(
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
    const nodes = parseNodes(reader);
    const network = parseNetwork(reader, nodes);
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
        instanceTypes: parseInstanceTypes(reader),
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
    const duplicates = admins.filter((arn, index) => admins.indexOf(arn) !== index);
    if (duplicates.length > 0) {
        reader.problem(
            "clusterAdmins",
            `${[...new Set(duplicates)].map((arn) => JSON.stringify(arn)).join(", ")} listed more than once; accepted: distinct ARNs (EKS allows one access entry per principal)`,
        );
    }
    return admins;
}

/**
 * The AWS provider's identity where stack config sets it. `aws eks get-token` can assume one role
 * from the base credentials (`--role-arn`), without an external id: a longer chain cannot be mirrored.
 */
function parseAwsIdentity(reader: ConfigReader, context: ConfigContext): AwsIdentity {
    const identity: AwsIdentity = {};
    if (context.awsProfile) identity.profile = context.awsProfile;
    for (const key of context.awsUnmirroredKeys ?? []) {
        reader.otherKeyProblem(
            key,
            "is set, but aws eks get-token, which the Kubernetes provider runs, cannot use it, so the cluster would be created by one " +
                "principal and used by another; accepted: credentials from the environment (AWS_PROFILE, AWS_ACCESS_KEY_ID, CI's role), " +
                "aws:profile, or one role in aws:assumeRoles",
        );
    }
    if (context.awsAssumeRoles === undefined) return identity;
    const roles = parseJson(context.awsAssumeRoles);
    const accepted =
        "accepted: at most one role, given by roleArn (aws eks get-token, which the Kubernetes provider runs, assumes one role " +
        "and sends no external id, source identity or session tags)";
    if (!Array.isArray(roles) || roles.some((role) => role === null || typeof role !== "object")) {
        reader.otherKeyProblem("aws:assumeRoles", `${context.awsAssumeRoles} is not a list of roles; ${accepted}`);
        return identity;
    }
    if (roles.length > 1) reader.otherKeyProblem("aws:assumeRoles", `chains ${roles.length} roles; ${accepted}`);
    const [role] = roles as Record<string, unknown>[];
    for (const field of ASSUME_ROLE_FIELDS_NOT_MIRRORED.filter((name) => role?.[name] !== undefined)) {
        reader.otherKeyProblem("aws:assumeRoles", `sets ${field}; ${accepted}`);
    }
    if (typeof role?.roleArn === "string" && role.roleArn !== "") identity.roleArn = role.roleArn;
    return identity;
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

function parseGatewaySourceCidrs(reader: ConfigReader, network: NetworkConfig): string[] {
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

function parseEdgeSites(reader: ConfigReader, cloudName: string): string[] {
    const sites = reader.checkEach("edgeSites", reader.stringList("edgeSites"), clusterNameProblem);
    const duplicates = sites.filter((site, index) => sites.indexOf(site) !== index);
    if (duplicates.length > 0) {
        reader.problem(
            "edgeSites",
            `${[...new Set(duplicates)].map((site) => JSON.stringify(site)).join(", ")} listed more than once; accepted: distinct names`,
        );
    }
    if (sites.includes(cloudName)) {
        reader.problem(
            "edgeSites",
            `${JSON.stringify(cloudName)} is this cloud cluster's own clusterName; accepted: names of edge clusters only`,
        );
    }
    return sites;
}

function parseEdge(reader: ConfigReader, side: MeshSideConfig, defaults: Readonly<Record<string, unknown>>): EdgeConfig {
    const kubeContext = reader.string("kubeContext", { optional: true });
    return {
        role: "edge",
        ...side,
        gatewayApiCrds: side.gatewayApiCrds ?? DEFAULT_GATEWAY_API_CRDS.edge,
        ...readKubeconfig(reader, kubeContext),
        kubeContext,
        cloudStack: reader.check("cloudStack", reader.string("cloudStack"), stackNameProblem),
        ...parseSplit(reader, defaults.trafficSplit),
    };
}

/** `defaultSplit`: trafficSplit's default in Pulumi.yaml, what the engine passes when the key is not set. */
function parseSplit(reader: ConfigReader, defaultSplit: unknown): Pick<EdgeConfig, "trafficSplitApi" | "trafficSplit" | "splitMode"> {
    const trafficSplitApi = reader.oneOf("trafficSplitApi", TRAFFIC_SPLIT_APIS);
    const trafficSplit = parseTrafficSplit(reader);
    const splitMode = reader.oneOf("splitMode", SPLIT_MODES);
    if (splitMode === "failover") {
        // Failover is the HTTPRoute with its annotations; the ServiceProfile that linkerd-smi writes for a
        // TrafficSplit takes the route's place in the proxy and leaves the annotations unread.
        if (reader.isOneOf("trafficSplitApi", ["smi"])) {
            reader.problem(
                "splitMode",
                `"failover" does not work with ${reader.qualified("trafficSplitApi")} "smi": failover is an HTTPRoute whose backends Linkerd's proxy ` +
                    `skips while they fail fast, with failure accrual, retries and a timeout set by annotations, and with "smi" the ServiceProfile ` +
                    `that linkerd-smi writes for the TrafficSplit replaces that route and turns those annotations off; accepted: splitMode ` +
                    `"failover" with trafficSplitApi "httproute" (the default), or splitMode "weighted" with "smi"`,
            );
        }
        // Its weights are fixed: a trafficSplit of the user's would silently mean nothing.
        if (!isDeepStrictEqual(trafficSplit, defaultSplit) && !reader.hasProblem("trafficSplit")) {
            reader.problem(
                "trafficSplit",
                `${JSON.stringify(trafficSplit)} has no effect with ${reader.qualified("splitMode")} "failover", which weighs the local podinfo ` +
                    `${FAILOVER_WEIGHTS.local} and the cloud's ${FAILOVER_WEIGHTS.remote}; accepted: the default ${JSON.stringify(defaultSplit)} ` +
                    `with "failover" (pulumi config rm trafficSplit), or splitMode "weighted"`,
            );
        }
    }
    return { trafficSplitApi, trafficSplit, splitMode };
}

function parseTrafficSplit(reader: ConfigReader): { local: number; cloud: number } {
    const weights = reader.object("trafficSplit");
    const accepted =
        `accepted: {"local": l, "cloud": c} with whole numbers from 0 to ${HTTP_ROUTE_MAX_WEIGHT} (the most an HTTPRoute backend takes) and l + c > 0, ` +
        `e.g. {"local": 50, "cloud": 50} or {"local": 100, "cloud": 0}`;
    const unknown = Object.keys(weights).filter((key) => key !== "local" && key !== "cloud");
    if (unknown.length > 0)
        reader.problem("trafficSplit", `${unknown.map((key) => JSON.stringify(key)).join(", ")} is not a backend; ${accepted}`);
    const weight = (backend: "local" | "cloud"): number => {
        const value = weights[backend];
        if (typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= HTTP_ROUTE_MAX_WEIGHT) return value;
        reader.problem(
            "trafficSplit",
            `${backend} is ${JSON.stringify(value)}, not a whole number from 0 to ${HTTP_ROUTE_MAX_WEIGHT}; ${accepted}`,
        );
        return 0;
    };
    const split = { local: weight("local"), cloud: weight("cloud") };
    if (split.local + split.cloud === 0 && typeof weights.local === "number" && typeof weights.cloud === "number") {
        reader.problem("trafficSplit", `local and cloud are both 0, so no backend would get traffic; ${accepted}`);
    }
    return split;
}

/** What keeps the program from reading a kubeconfig file: missing, a directory, or unreadable (permissions, a symlink loop). */
export function kubeconfigFileProblem(file: string): string | undefined {
    try {
        if (fs.statSync(file).isDirectory()) return `${JSON.stringify(file)} is a directory, not a kubeconfig file`;
        fs.accessSync(file, fs.constants.R_OK);
        return undefined;
    } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === "ENOENT") return `the file ${JSON.stringify(file)} does not exist`;
        return `the file ${JSON.stringify(file)} cannot be read (${code ?? (error as Error).message})`;
    }
}

/** The kubeconfig's contents: given inline, or read from the path given. Checks the context exists. */
function readKubeconfig(reader: ConfigReader, kubeContext: string): Omit<KubeconfigAccess, "kubeContext"> {
    const unusable = UNUSABLE_KUBECONFIG;
    const value = reader.string("kubeconfig");
    if (value === "") return unusable;
    const accepted = "accepted: the kubeconfig's contents (pulumi config set --secret kubeconfig < k3s.yaml) or a path to the file";
    let text = value;
    let file: string | undefined;
    const looksInline = value.includes("\n") || value.trimStart().startsWith("{");
    if (!looksInline) {
        file = path.resolve(value.replace(/^~(?=$|\/)/, os.homedir()));
        const problem = kubeconfigFileProblem(file);
        if (problem !== undefined) {
            reader.problem("kubeconfig", `${problem}; ${accepted}`);
            return unusable;
        }
        text = fs.readFileSync(file, "utf8");
    }
    try {
        const { server, certificateAuthorityData } = clusterEndpoint(parseKubeconfig(text), kubeContext || undefined);
        return { kubeconfig: text, kubeconfigPath: file, apiServer: server, certificateAuthorityData };
    } catch (error) {
        const where = looksInline ? "the kubeconfig given" : `the kubeconfig in ${JSON.stringify(value)}`;
        const key = kubeContext && /context/.test((error as Error).message) ? "kubeContext" : "kubeconfig";
        reader.problem(
            key,
            `${where} is unusable: ${(error as Error).message}; ${key === "kubeContext" ? "accepted: a context the kubeconfig defines, or empty for its current-context" : accepted}`,
        );
        return unusable;
    }
}

function parseNetwork(reader: ConfigReader, nodes: NodeGroupSize): NetworkConfig {
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

function parseInstanceTypes(reader: ConfigReader): string[] {
    const instanceTypes = reader.stringList("instanceTypes", { nonEmpty: true });
    const architectures = instanceTypes.map((instanceType) => ({ instanceType, arch: instanceArchitecture(instanceType) }));
    const accepted = "Graviton (arm64) instance types such as m7g.large, c7g.xlarge, t4g.medium or r8g.2xlarge";
    for (const { instanceType, arch } of architectures) {
        if (arch === "unknown") {
            reader.problem("instanceTypes", `${JSON.stringify(instanceType)} is not an EC2 instance type; accepted: ${accepted}`);
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

// ---- value rules (pure, exported for tests) ----

/** A DNS label short enough to be part of Service names. */
export function clusterNameProblem(value: string): string | undefined {
    if (value.length > MAX_CLUSTER_NAME_LENGTH || !/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(value)) {
        return `not a DNS label of at most ${MAX_CLUSTER_NAME_LENGTH} characters; accepted: lowercase letters, digits and '-', starting and ending with a letter or digit, e.g. "edge-berlin"`;
    }
    // `pulumi config set-all --path` stores such a list entry as a number or a boolean, not a name.
    if (/^\d+$/.test(value) || value === "true" || value === "false") {
        return `a name the Pulumi CLI stores as a number or a boolean when it writes a list (config set-all --path); accepted: a name with a letter in it, e.g. "edge-42"`;
    }
    return undefined;
}

/**
 * The stack names Pulumi's backends take (pkg/backend/httpstate/backend.go parseStackName,
 * pkg/backend/diy/store.go ParseReference): `<stack>`, `<org>/<stack>` or `<org>/<project>/<stack>`,
 * each part at most 100 letters, digits, '-', '_' or '.'. A self-managed backend's only org is `organization`.
 */
export const STACK_NAME_FORMS =
    '"<stack>", "<org>/<stack>" or "<org>/<project>/<stack>" (with a self-managed backend, "organization/<project>/<stack>")';

/**
 * The address edge sites' link controllers reach the cloud API server at, as `linkerd multicluster link
 * --api-server-address` puts it into the link kubeconfig: an https URL that is not a loopback (in a pod
 * it would be the pod itself). The server's certificate must name its host (k3s: --tls-san).
 */
export function apiServerAddressProblem(value: string): string | undefined {
    const accepted =
        'accepted: the https URL edge sites reach this API server at, e.g. "https://k3d-cloud-server-0:6443" or "https://203.0.113.10:6443"';
    let url: URL;
    try {
        url = new URL(value);
    } catch {
        return `not a URL; ${accepted}`;
    }
    if (url.protocol !== "https:") return `not an https URL; ${accepted}`;
    const host = url.hostname.replace(/^\[|\]$/g, "");
    if (host === "localhost" || /^127\./.test(host) || host === "::1" || host === "0.0.0.0" || host === "::") {
        return `a loopback address, which in an edge site's link controller (a pod) is the pod itself; ${accepted}`;
    }
    return undefined;
}

export function stackNameProblem(value: string): string | undefined {
    const parts = value.split("/");
    return parts.length <= 3 && parts.every((part) => /^[\w.-]{1,100}$/.test(part))
        ? undefined
        : `not a stack name; accepted: ${STACK_NAME_FORMS}`;
}

export function kubernetesVersionProblem(value: string): string | undefined {
    const match = /^1\.(\d+)$/.exec(value);
    const accepted = `a Kubernetes minor version "1.N" with N >= ${MIN_KUBERNETES_MINOR} (Linkerd's charts require >= 1.${MIN_KUBERNETES_MINOR}), e.g. "1.35"`;
    if (match === null) return `not a Kubernetes minor version; accepted: ${accepted}`;
    if (Number(match[1]) < MIN_KUBERNETES_MINOR) return `too old; accepted: ${accepted}`;
    return undefined;
}

export function cidrProblem(value: string): string | undefined {
    return parseIpv4Cidr(value) === undefined ? "not an IPv4 CIDR block; accepted: a.b.c.d/n, e.g. 203.0.113.0/24 or 0.0.0.0/0" : undefined;
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

function subnetIdProblem(value: string): string | undefined {
    return /^subnet-[0-9a-f]+$/.test(value) ? undefined : "accepted: subnet ids like subnet-0123456789abcdef0";
}

// ---- reading raw values ----

/**
 * Reads raw values and records what is wrong with them. A reader method that records a problem
 * returns a placeholder of the right type; parseConfig throws before any placeholder is used.
 */
class ConfigReader {
    constructor(
        private readonly raw: RawConfig,
        private readonly problems: string[],
    ) {}

    qualified(key: ConfigKey): string {
        return `${PROJECT}:${key}`;
    }

    problem(key: ConfigKey, message: string): void {
        this.problems.push(`${this.qualified(key)}: ${message}`);
    }

    hasProblem(key: ConfigKey): boolean {
        return this.problems.some((problem) => problem.startsWith(`${this.qualified(key)}: `));
    }

    /** A problem with a key of another namespace (e.g. `aws:assumeRoles`). */
    otherKeyProblem(key: string, message: string): void {
        this.problems.push(`${key}: ${message}`);
    }

    /** A problem with the stack's name, from which names in AWS are derived. */
    stackProblem(stack: string, message: string): void {
        this.problems.push(`the stack name ${JSON.stringify(stack)}: ${message}`);
    }

    /** Runs a value rule; a problem is reported with the key and the bad value. */
    check(key: ConfigKey, value: string, rule: (value: string) => string | undefined): string {
        const problem = rule(value);
        if (problem !== undefined)
            this.problem(key, `${JSON.stringify(value)} is ${problem.startsWith("accepted") ? "invalid; " : ""}${problem}`);
        return value;
    }

    checkEach(key: ConfigKey, values: string[], rule: (value: string) => string | undefined): string[] {
        for (const value of values) this.check(key, value, rule);
        return values;
    }

    string(key: ConfigKey, options: { optional?: boolean } = {}): string {
        const value = this.raw[key];
        if (value === undefined || (value === "" && !options.optional)) {
            if (!options.optional) this.problem(key, "is missing; set it with `pulumi config set`");
            return "";
        }
        return value;
    }

    oneOf<T extends string>(key: ConfigKey, accepted: readonly T[]): T {
        const value = this.raw[key];
        if (value !== undefined && (accepted as readonly string[]).includes(value)) return value as T;
        const shown = value === undefined ? "is missing" : `${JSON.stringify(value)} is not accepted`;
        this.problem(key, `${shown}; accepted: ${accepted.map((item) => JSON.stringify(item)).join(" or ")}`);
        return accepted[0];
    }

    isOneOf<T extends string>(key: ConfigKey, accepted: readonly T[]): boolean {
        return (accepted as readonly (string | undefined)[]).includes(this.raw[key]);
    }

    boolean(key: ConfigKey): boolean {
        const value = this.raw[key];
        if (value === "true" || value === "false") return value === "true";
        this.problem(key, `${JSON.stringify(value)} is not accepted; accepted: true or false`);
        return false;
    }

    integer(key: ConfigKey, bounds: { min: number; max: number }): number {
        const value = this.raw[key];
        const number = value === undefined || value.trim() === "" ? NaN : Number(value);
        if (!Number.isInteger(number) || number < bounds.min || number > bounds.max) {
            this.problem(key, `${JSON.stringify(value)} is invalid; accepted: a whole number from ${bounds.min} to ${bounds.max}`);
            return bounds.min;
        }
        return number;
    }

    stringList(key: ConfigKey, options: { nonEmpty?: boolean } = {}): string[] {
        const value = this.raw[key] ?? "[]";
        const parsed = parseJson(value);
        if (!Array.isArray(parsed) || parsed.some((item) => typeof item !== "string")) {
            this.problem(key, `${value} is invalid; accepted: a list of strings, e.g. ["a", "b"]`);
            return [];
        }
        if (options.nonEmpty && parsed.length === 0) {
            this.problem(key, "is an empty list; accepted: a list with at least one entry");
        }
        return parsed;
    }

    /** A map; its fields are checked by the caller, which names what is accepted. */
    object(key: ConfigKey): Record<string, unknown> {
        const parsed = parseJson(this.raw[key] ?? "{}");
        return parsed !== null && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
    }
}

/** Structured config arrives as JSON; a plain string where a list or map belongs parses to undefined. */
function parseJson(value: string): unknown {
    try {
        return JSON.parse(value);
    } catch {
        return undefined;
    }
}
