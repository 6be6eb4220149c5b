// Guardrails for this program's resources, checked by `pulumi preview --policy-pack policy`.
// Each rule's check is a pure function, so that tests can hand it compliant and violating values.
//
// What the engine hands a rule is a resource's inputs (pkg/resource/deploy/step_generator.go,
// `Properties: inputs`). Component resources arrive with *empty* properties: pulumi-eks registers
// `eks:index:Cluster` and `eks:index:ManagedNodeGroup` itself, with an SDK that drops a component's
// props, and pulumi-kubernetes registers `kubernetes:helm.sh/v4:Chart` with none. The values live on
// their custom children: `aws:eks/cluster:Cluster`, `aws:eks/nodeGroup:NodeGroup` and each object a
// chart renders. So every rule checks those, and says nothing about a component without properties.
import type { ReportViolation, ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import { LINKERD_EDGE_CHARTS, instanceArchitecture, linkerdChartVersionProblem, parseIpv4Cidr, parseKubeconfig } from "./rules";

/** A resource's properties as the policy engine passes them: untyped. */
type Props = ResourceValidationArgs["props"];

/** A component as the engine hands it over: no properties at all. */
function withoutProperties(props: Props): boolean {
    return Object.keys(props).length === 0;
}

/** Graviton node groups: every instance type arm64, and an arm64 AMI type (without one EKS may pick x86). */
export function nodeGroupProblems(props: Props): string[] {
    const problems: string[] = [];
    const amiType: unknown = props.amiType;
    if (typeof amiType !== "string" || !/_ARM_64/.test(amiType)) {
        problems.push(`amiType is ${JSON.stringify(amiType)}; it must be an arm64 AMI type such as AL2023_ARM_64_STANDARD`);
    }
    const instanceTypes: unknown = props.instanceTypes;
    if (!Array.isArray(instanceTypes) || instanceTypes.length === 0) {
        problems.push("instanceTypes is not set; the default is an x86 type, so list Graviton types such as m7g.large");
    } else {
        for (const instanceType of instanceTypes) {
            if (typeof instanceType === "string" && instanceArchitecture(instanceType) !== "arm64") {
                problems.push(`instance type ${instanceType} is not a Graviton (arm64) type`);
            }
        }
    }
    return problems;
}

/** A pinned chart version: an exact version, not a range, `latest` or nothing. */
export function chartVersionProblem(chart: unknown, version: unknown): string | undefined {
    if (typeof version === "string" && /^v?\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$/.test(version)) return undefined;
    return `chart ${JSON.stringify(chart)} has version ${JSON.stringify(version)}; pin an exact version such as 2026.8.3`;
}

/**
 * The chart and version in a rendered object's `helm.sh/chart` label, which Helm charts write as
 * `{{ .Chart.Name }}-{{ .Chart.Version | replace "+" "_" }}` (linkerd-crds-2026.8.3). Names and
 * pre-release versions both hold dashes: the name is the longest prefix followed by a whole version.
 */
export function parseChartLabel(label: string): { chart: string; version: string } | undefined {
    const match = /^(.+)-(v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:_[0-9A-Za-z.-]+)?)$/.exec(label);
    return match === null ? undefined : { chart: match[1], version: match[2].replace("_", "+") };
}

/**
 * What the `helm.sh/chart` label of a rendered object says about its chart: a released version (not
 * a development build such as linkerd2's `0.0.0-undefined`), and for Linkerd's edge charts an edge
 * release's `YYYY.M.N`.
 */
export function chartLabelProblem(label: string): string | undefined {
    const parsed = parseChartLabel(label);
    if (parsed === undefined) return `its helm.sh/chart label ${JSON.stringify(label)} names no chart version`;
    const { chart, version } = parsed;
    if (/^v?0\.0\.0(\W|$)/.test(version)) {
        return `it comes from chart ${chart} at ${version}, a development build; install a released version`;
    }
    if (LINKERD_EDGE_CHARTS.includes(chart) && linkerdChartVersionProblem(version) !== undefined) {
        return `it comes from chart ${chart} at ${version}, not a Linkerd edge release; install YYYY.M.N from https://helm.linkerd.io/edge, e.g. 2026.8.3`;
    }
    return undefined;
}

/**
 * The value linkerd2's unreleased charts carry where a release writes its version (`linkerdVersion:
 * linkerdVersionValue` in values.yaml; bin/helm-build replaces it when it publishes a chart).
 */
const LINKERD_UNRELEASED_VERSION = "linkerdVersionValue";

/**
 * What Linkerd's `linkerd.io/created-by` annotation says about the release that rendered an object:
 * `linkerd/helm <version>` on what its charts render (charts/partials _metadata.tpl), `linkerd/cli
 * <version>` on what its CLI generates. Linkerd's control-plane, viz and multicluster charts write no
 * helm.sh/chart label, so this is where their version shows.
 */
export function createdByProblem(value: string): string | undefined {
    const match = /^linkerd\/(helm|cli) (.+)$/.exec(value);
    if (match === null) return undefined;
    if (/^(edge|stable)-\d+\.\d+\.\d+$/.test(match[2])) return undefined;
    return `it was rendered by Linkerd ${match[2]} (linkerd.io/created-by), not a release; install a released Linkerd chart such as 2026.8.3 (edge-26.8.3)`;
}

/** A pinned image: an explicit tag other than `latest`, or a digest. */
export function imagePinProblem(image: string): string | undefined {
    if (/@sha256:[0-9a-f]{64}$/.test(image)) return undefined;
    const tag = /:([^/:]+)$/.exec(image)?.[1];
    if (tag === undefined) return `image ${image} has no tag; pin a version`;
    if (tag === "latest") return `image ${image} uses latest; pin a version`;
    if (tag === LINKERD_UNRELEASED_VERSION)
        return `image ${image} carries an unreleased Linkerd chart's placeholder tag; install a released chart`;
    return undefined;
}

/** The pod spec of a workload object, by kind. */
function podSpec(type: string, props: Props): Props | undefined {
    if (type === "kubernetes:core/v1:Pod") return props.spec;
    if (type === "kubernetes:batch/v1:CronJob") return props.spec?.jobTemplate?.spec?.template?.spec;
    return props.spec?.template?.spec;
}

export const WORKLOAD_TYPES = [
    "kubernetes:core/v1:Pod",
    "kubernetes:apps/v1:Deployment",
    "kubernetes:apps/v1:StatefulSet",
    "kubernetes:apps/v1:DaemonSet",
    "kubernetes:apps/v1:ReplicaSet",
    "kubernetes:batch/v1:Job",
    "kubernetes:batch/v1:CronJob",
];

export function workloadImageProblems(type: string, props: Props): string[] {
    const spec = podSpec(type, props) ?? {};
    const containers = [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
    return containers
        .map((container: { name?: string; image?: unknown }) =>
            typeof container.image === "string" ? imagePinProblem(container.image) : `container ${container.name} has no image`,
        )
        .filter((problem): problem is string => problem !== undefined);
}

/** A link controller's kubeconfig: every user authenticates with a token, never an exec plugin. */
export function remoteKubeconfigProblems(kubeconfig: string): string[] {
    let users: { name?: string; user?: Record<string, unknown> }[];
    try {
        users = (parseKubeconfig(kubeconfig).users ?? []) as typeof users;
    } catch (error) {
        return [`its kubeconfig does not parse: ${(error as Error).message}`];
    }
    if (users.length === 0) return ["its kubeconfig has no user"];
    return users.flatMap((entry) => {
        const user = entry.user ?? {};
        const problems: string[] = [];
        if (typeof user.token !== "string" || user.token === "") problems.push(`user ${entry.name} has no token`);
        for (const credential of ["exec", "auth-provider"]) {
            if (credential in user) problems.push(`user ${entry.name} uses ${credential}; the link controller image cannot run it`);
        }
        return problems;
    });
}

/**
 * The kubeconfig a Secret holds, from data (base64) or stringData. While it is unknown (a preview),
 * reading it throws @pulumi/policy's UnknownValueError, which the pack reports as "cannot run during preview".
 */
function secretKubeconfig(props: Props): string | undefined {
    if (typeof props.stringData?.kubeconfig === "string") return props.stringData.kubeconfig;
    if (typeof props.data?.kubeconfig === "string") return Buffer.from(props.data.kubeconfig, "base64").toString("utf8");
    return undefined;
}

/** Whether a public EKS endpoint is open to the whole internet (a /0 block). AWS's default CIDR list is 0.0.0.0/0. */
export function openPublicEndpoint(publicAccess: unknown, cidrs: unknown): boolean {
    if (publicAccess === false) return false;
    return !Array.isArray(cidrs) || cidrs.length === 0 || cidrs.some((cidr) => typeof cidr === "string" && parseIpv4Cidr(cidr)?.[1] === 0);
}

export interface EndpointPolicyConfig {
    /** Accept an EKS API endpoint open to 0.0.0.0/0 (edge sites with changing addresses need it). */
    allowOpenEndpoint?: boolean;
}

export const policies: ResourceValidationPolicy[] = [
    {
        name: "graviton-node-groups",
        description: "EKS node groups run Graviton (arm64) instance types with an arm64 AMI type.",
        enforcementLevel: "mandatory",
        validateResource: (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
            const nodeGroup =
                args.type === "aws:eks/nodeGroup:NodeGroup" ||
                (args.type === "eks:index:ManagedNodeGroup" && !withoutProperties(args.props));
            if (!nodeGroup) return;
            for (const problem of nodeGroupProblems(args.props)) reportViolation(problem);
        },
    },
    {
        name: "pinned-versions",
        description:
            "Every Helm chart and every container image is pinned to a version (no latest, no missing version); rendered objects come from released chart versions.",
        enforcementLevel: "mandatory",
        validateResource: (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
            // A Release carries its chart and version; a Chart component only where an SDK sends its inputs.
            if (/^kubernetes:helm\.sh\/v[34]:(Chart|Release)$/.test(args.type) && !withoutProperties(args.props)) {
                const problem = chartVersionProblem(args.props.chart, args.props.version);
                if (problem !== undefined) reportViolation(problem);
            }
            const chartLabel: unknown = args.type.startsWith("kubernetes:") ? args.props.metadata?.labels?.["helm.sh/chart"] : undefined;
            if (typeof chartLabel === "string") {
                const problem = chartLabelProblem(chartLabel);
                if (problem !== undefined) reportViolation(problem);
            }
            const createdBy: unknown = args.type.startsWith("kubernetes:")
                ? args.props.metadata?.annotations?.["linkerd.io/created-by"]
                : undefined;
            if (typeof createdBy === "string") {
                const problem = createdByProblem(createdBy);
                if (problem !== undefined) reportViolation(problem);
            }
            if (WORKLOAD_TYPES.includes(args.type)) {
                for (const problem of workloadImageProblems(args.type, args.props)) reportViolation(problem);
            }
        },
    },
    {
        name: "link-credentials-use-tokens",
        description: "Secrets of type mirror.linkerd.io/remote-kubeconfig authenticate with a token, never an exec plugin.",
        enforcementLevel: "mandatory",
        validateResource: (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
            if (args.type !== "kubernetes:core/v1:Secret" || args.props.type !== "mirror.linkerd.io/remote-kubeconfig") return;
            const kubeconfig = secretKubeconfig(args.props);
            if (kubeconfig === undefined) return; // not known until the stack that builds it runs
            for (const problem of remoteKubeconfigProblems(kubeconfig)) reportViolation(problem);
        },
    },
    {
        name: "eks-api-endpoint-restricted",
        description:
            "The EKS API endpoint is not open to 0.0.0.0/0, unless allowOpenEndpoint accepts it. Advisory unless the pack's config makes it mandatory.",
        enforcementLevel: "advisory",
        configSchema: { properties: { allowOpenEndpoint: { type: "boolean", default: false } } },
        validateResource: (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
            if (args.getConfig<EndpointPolicyConfig>().allowOpenEndpoint) return;
            const open =
                (args.type === "eks:index:Cluster" &&
                    !withoutProperties(args.props) &&
                    openPublicEndpoint(args.props.endpointPublicAccess, args.props.publicAccessCidrs)) ||
                (args.type === "aws:eks/cluster:Cluster" &&
                    openPublicEndpoint(args.props.vpcConfig?.endpointPublicAccess, args.props.vpcConfig?.publicAccessCidrs));
            if (open) {
                reportViolation(
                    "the public API endpoint is open to 0.0.0.0/0; set edge-cloud-mesh:apiAccessCidrs to your operators' and edge sites' " +
                        "addresses, or accept it with this policy's allowOpenEndpoint",
                );
            }
        },
    },
];
