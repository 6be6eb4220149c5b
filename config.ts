// The project's configuration: every key is read and validated here, once, before any resource is
// declared. Defaults live in Pulumi.yaml (the engine applies them before the program runs), so this
// module only states what a valid value is and derives the few defaults that depend on the stack.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { clusterEndpoint, parseKubeconfig } from "./components/kubeconfig";
import { instanceArchitecture, linkerdChartVersionProblem, parseIpv4Cidr } from "./policy/rules";

export const PROJECT = "edge-cloud-mesh";

export type Role = "cloud" | "edge";
export type CapacityType = "ON_DEMAND" | "SPOT";
/** How the edge splits podinfo's traffic: an SMI TrafficSplit (linkerd-smi) or a Gateway API HTTPRoute. */
export type TrafficSplitApi = "smi" | "httproute";
/** `install`: linkerd-crds installs the Gateway API CRDs; `existing`: the cluster already has them. */
export type GatewayApiCrds = "install" | "existing";

export interface NodeGroupSize {
    min: number;
    desired: number;
    max: number;
}

/** A VPC this program creates, or one that already exists. */
export type NetworkConfig =
    | { kind: "new"; cidr: string; availabilityZoneCount: number }
    | { kind: "existing"; vpcId: string; publicSubnetIds: string[]; privateSubnetIds: string[] };

/** What both sides configure: the cluster's name in the mesh and its Linkerd install. */
export interface MeshSideConfig {
    /** This cluster's name in the mesh: the link and mirrored services (`<service>-<clusterName>`) carry it. */
    clusterName: string;
    linkerdVersion: string;
    gatewayApiCrds: GatewayApiCrds;
    viz: boolean;
    /** Deploy the tutorial's demo workloads (and, on edge, the traffic split). */
    demo: boolean;
}

export interface CloudConfig extends MeshSideConfig {
    role: "cloud";
    /** The edge clusters that may join: each gets its own identity issuer and link credential. */
    edgeSites: string[];
    /** Who may reach the multicluster gateway's load balancer. */
    gatewaySourceCidrs: string[];
    /** Refuse to delete the trust anchor (for a long-lived mesh); off so that a demo can be destroyed. */
    protectTrustAnchor: boolean;
    network: NetworkConfig;
    kubernetesVersion: string;
    apiAccessCidrs: string[];
    instanceTypes: string[];
    capacityType: CapacityType;
    nodes: NodeGroupSize;
}

export interface EdgeConfig extends MeshSideConfig {
    role: "edge";
    /** The k3s kubeconfig's contents. */
    kubeconfig: string;
    /** The file the kubeconfig was read from, when it was given as a path. */
    kubeconfigPath?: string;
    /** The API server the kubeconfig's context points at. */
    apiServer: string;
    /** The kubeconfig context to use; empty for its current-context. */
    kubeContext: string;
    /** The cloud stack to read the mesh identity and link from (StackReference name). */
    cloudStack: string;
    trafficSplitApi: TrafficSplitApi;
    /** Weights of the local podinfo and of the cloud's mirrored podinfo. */
    trafficSplit: { local: number; cloud: number };
}

export type MeshConfig = CloudConfig | EdgeConfig;

/** Every key this program reads; Pulumi.yaml declares exactly these (a test keeps them in step). */
export const CONFIG_KEYS = [
    "role",
    "clusterName",
    "linkerdVersion",
    "gatewayApiCrds",
    "viz",
    "edgeSites",
    "gatewaySourceCidrs",
    "protectTrustAnchor",
    "kubeconfig",
    "kubeContext",
    "cloudStack",
    "demo",
    "trafficSplitApi",
    "trafficSplit",
    "vpcCidr",
    "availabilityZoneCount",
    "vpcId",
    "publicSubnetIds",
    "privateSubnetIds",
    "kubernetesVersion",
    "apiAccessCidrs",
    "instanceTypes",
    "capacityType",
    "nodes",
] as const;

export type ConfigKey = (typeof CONFIG_KEYS)[number];

/** Raw values as the engine hands them over: strings, with lists and objects as JSON. */
export type RawConfig = Partial<Record<ConfigKey, string>>;

/** The oldest Kubernetes minor version Linkerd's 2026 charts accept (`kubeVersion: >=1.31.0-0`). */
export const MIN_KUBERNETES_MINOR = 31;

const ROLES: readonly Role[] = ["cloud", "edge"];
const CAPACITY_TYPES: readonly CapacityType[] = ["ON_DEMAND", "SPOT"];
const GATEWAY_API_CRDS: readonly GatewayApiCrds[] = ["install", "existing"];
const TRAFFIC_SPLIT_APIS: readonly TrafficSplitApi[] = ["smi", "httproute"];
/** Where the cluster has no Gateway API CRDs of its own: EKS ships none, k3s >= 1.34 ships them with Traefik. */
const DEFAULT_GATEWAY_API_CRDS: Record<Role, GatewayApiCrds> = { cloud: "install", edge: "existing" };
/** Room for `<service>-` in front of a cluster name inside a 63-character Service name. */
const MAX_CLUSTER_NAME_LENGTH = 40;
const MAX_AVAILABILITY_ZONES = 6;

/** Reads this stack's configuration and validates it; throws a RunError naming every bad key. */
export function loadConfig(): MeshConfig {
    const raw: RawConfig = {};
    for (const key of CONFIG_KEYS) {
        // Read raw: the kubeconfig may be a secret, and becomes a secret again where it is used.
        const value = pulumi.runtime.getConfig(`${PROJECT}:${key}`);
        if (value !== undefined) raw[key] = value;
    }
    return parseConfig(raw, pulumi.getStack());
}

/** Validates raw configuration. Collects every problem so that one run reports them all. */
export function parseConfig(raw: RawConfig, stack: string): MeshConfig {
    const problems: string[] = [];
    const reader = new ConfigReader(raw, problems);

    const role = reader.oneOf("role", ROLES);
    // Without a valid role there is no telling which keys matter.
    let config: MeshConfig | undefined;
    if (problems.length === 0) {
        const side = parseMeshSide(reader, role, stack);
        config = role === "cloud" ? parseCloud(reader, side) : parseEdge(reader, side);
    }

    if (problems.length > 0 || config === undefined) {
        throw new pulumi.RunError(
            `Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`,
        );
    }
    return config;
}

function parseMeshSide(reader: ConfigReader, role: Role, stack: string): MeshSideConfig {
    const gatewayApiCrds = reader.string("gatewayApiCrds", { optional: true });
    return {
        // Empty means the stack's name: `pulumi stack init edge-berlin` names the site edge-berlin.
        clusterName: reader.check("clusterName", reader.string("clusterName", { optional: true }) || stack, clusterNameProblem),
        linkerdVersion: reader.check("linkerdVersion", reader.string("linkerdVersion"), linkerdChartVersionProblem),
        gatewayApiCrds: gatewayApiCrds === "" ? DEFAULT_GATEWAY_API_CRDS[role] : reader.oneOf("gatewayApiCrds", GATEWAY_API_CRDS),
        viz: reader.boolean("viz"),
        demo: reader.boolean("demo"),
    };
}

function parseCloud(reader: ConfigReader, side: MeshSideConfig): CloudConfig {
    return {
        role: "cloud",
        ...side,
        edgeSites: parseEdgeSites(reader, side.clusterName),
        gatewaySourceCidrs: reader.checkEach("gatewaySourceCidrs", reader.stringList("gatewaySourceCidrs", { nonEmpty: true }), cidrProblem),
        protectTrustAnchor: reader.boolean("protectTrustAnchor"),
        network: parseNetwork(reader),
        kubernetesVersion: reader.check("kubernetesVersion", reader.string("kubernetesVersion"), kubernetesVersionProblem),
        apiAccessCidrs: reader.checkEach("apiAccessCidrs", reader.stringList("apiAccessCidrs", { nonEmpty: true }), cidrProblem),
        instanceTypes: parseInstanceTypes(reader),
        capacityType: reader.oneOf("capacityType", CAPACITY_TYPES),
        nodes: parseNodes(reader),
    };
}

function parseEdgeSites(reader: ConfigReader, cloudName: string): string[] {
    const sites = reader.checkEach("edgeSites", reader.stringList("edgeSites"), clusterNameProblem);
    const duplicates = sites.filter((site, index) => sites.indexOf(site) !== index);
    if (duplicates.length > 0) {
        reader.problem("edgeSites", `${[...new Set(duplicates)].map((site) => JSON.stringify(site)).join(", ")} listed more than once; accepted: distinct names`);
    }
    if (sites.includes(cloudName)) {
        reader.problem("edgeSites", `${JSON.stringify(cloudName)} is this cloud cluster's own clusterName; accepted: names of edge clusters only`);
    }
    return sites;
}

function parseEdge(reader: ConfigReader, side: MeshSideConfig): EdgeConfig {
    const kubeContext = reader.string("kubeContext", { optional: true });
    return {
        role: "edge",
        ...side,
        ...readKubeconfig(reader, kubeContext),
        kubeContext,
        cloudStack: reader.check("cloudStack", reader.string("cloudStack"), stackNameProblem),
        trafficSplitApi: reader.oneOf("trafficSplitApi", TRAFFIC_SPLIT_APIS),
        trafficSplit: parseTrafficSplit(reader),
    };
}

function parseTrafficSplit(reader: ConfigReader): { local: number; cloud: number } {
    const weights = reader.object("trafficSplit");
    const accepted = 'accepted: {"local": l, "cloud": c} with whole numbers >= 0 and l + c > 0, e.g. {"local": 50, "cloud": 50} or {"local": 100, "cloud": 0}';
    const unknown = Object.keys(weights).filter((key) => key !== "local" && key !== "cloud");
    if (unknown.length > 0) reader.problem("trafficSplit", `${unknown.map((key) => JSON.stringify(key)).join(", ")} is not a backend; ${accepted}`);
    const weight = (backend: "local" | "cloud"): number => {
        const value = weights[backend];
        if (typeof value === "number" && Number.isInteger(value) && value >= 0) return value;
        reader.problem("trafficSplit", `${backend} is ${JSON.stringify(value)}, not a whole number >= 0; ${accepted}`);
        return 0;
    };
    const split = { local: weight("local"), cloud: weight("cloud") };
    if (split.local + split.cloud === 0 && typeof weights.local === "number" && typeof weights.cloud === "number") {
        reader.problem("trafficSplit", `local and cloud are both 0, so no backend would get traffic; ${accepted}`);
    }
    return split;
}

/** The kubeconfig's contents: given inline, or read from the path given. Checks the context exists. */
function readKubeconfig(reader: ConfigReader, kubeContext: string): { kubeconfig: string; kubeconfigPath?: string; apiServer: string } {
    const unusable = { kubeconfig: "", apiServer: "" };
    const value = reader.string("kubeconfig");
    if (value === "") return unusable;
    const accepted = "accepted: the kubeconfig's contents (pulumi config set --secret kubeconfig < k3s.yaml) or a path to the file";
    let text = value;
    let file: string | undefined;
    const looksInline = value.includes("\n") || value.trimStart().startsWith("{");
    if (!looksInline) {
        file = path.resolve(value.replace(/^~(?=$|\/)/, os.homedir()));
        if (!fs.existsSync(file)) {
            reader.problem("kubeconfig", `the file ${JSON.stringify(file)} does not exist; ${accepted}`);
            return unusable;
        }
        text = fs.readFileSync(file, "utf8");
    }
    try {
        const { server } = clusterEndpoint(parseKubeconfig(text), kubeContext || undefined);
        return { kubeconfig: text, kubeconfigPath: file, apiServer: server };
    } catch (error) {
        const where = looksInline ? "the kubeconfig given" : `the kubeconfig in ${JSON.stringify(value)}`;
        const key = kubeContext && /context/.test((error as Error).message) ? "kubeContext" : "kubeconfig";
        reader.problem(key, `${where} is unusable: ${(error as Error).message}; ${key === "kubeContext" ? "accepted: a context the kubeconfig defines, or empty for its current-context" : accepted}`);
        return unusable;
    }
}

function parseNetwork(reader: ConfigReader): NetworkConfig {
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
            cidr: reader.check("vpcCidr", reader.string("vpcCidr"), vpcCidrProblem),
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
    const accepted = 'accepted: {"min": m, "desired": d, "max": x} with whole numbers 0 <= m <= d <= x and x >= 1';
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
    return { min: min ?? 0, desired: desired ?? 0, max: max ?? 0 };
}

// ---- value rules (pure, exported for tests) ----

/** A DNS label short enough to be part of Service names. */
export function clusterNameProblem(value: string): string | undefined {
    if (value.length > MAX_CLUSTER_NAME_LENGTH || !/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(value)) {
        return `not a DNS label of at most ${MAX_CLUSTER_NAME_LENGTH} characters; accepted: lowercase letters, digits and '-', starting and ending with a letter or digit, e.g. "edge-berlin"`;
    }
    return undefined;
}

function stackNameProblem(value: string): string | undefined {
    return /^([\w.-]+\/){0,2}[\w.-]+$/.test(value) ? undefined : 'not a stack name; accepted: "cloud", "<project>/<stack>" or "<org>/<project>/<stack>"';
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

function vpcCidrProblem(value: string): string | undefined {
    const parsed = parseIpv4Cidr(value);
    if (parsed === undefined || parsed[1] < 16 || parsed[1] > 24) {
        return "accepted: an IPv4 CIDR block from /16 to /24 (AWS allows /16 to /28; subnets need room), e.g. 10.0.0.0/16";
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

    /** Runs a value rule; a problem is reported with the key and the bad value. */
    check(key: ConfigKey, value: string, rule: (value: string) => string | undefined): string {
        const problem = rule(value);
        if (problem !== undefined) this.problem(key, `${JSON.stringify(value)} is ${problem.startsWith("accepted") ? "invalid; " : ""}${problem}`);
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
