import * as path from "node:path";
import { ResourceValidationPolicy, UnknownValueError, unknownCheckingProxy } from "@pulumi/policy";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { createdByProblem, parseChartLabel, policies } from "../policy/policies";
import { runMesh } from "./fixtures";
import { RecordedResource } from "./harness";
import { UPSTREAM, itUpstream, readUpstream } from "./upstream";

interface Violation {
    policy: string;
    type?: string;
    message: string;
}

/** Runs one policy on one resource, as the policy engine would, and returns what it reported. */
function check(policy: ResourceValidationPolicy, type: string, props: Record<string, any>, config: object = {}): string[] {
    const reported: string[] = [];
    const validations = [policy.validateResource ?? []].flat();
    const args: any = {
        type,
        props,
        urn: `urn:pulumi:test::edge-cloud-mesh::${type}::subject`,
        name: "subject",
        opts: { protect: false, ignoreChanges: [], aliases: [], customTimeouts: {}, additionalSecretOutputs: [] },
        stackTags: new Map(),
        isType: () => false,
        asType: () => undefined,
        getConfig: () => config,
        notApplicable: (reason?: string) => {
            throw new Error(`not applicable: ${reason}`);
        },
    };
    for (const validate of validations) validate(args, (message: string) => reported.push(message));
    return reported;
}

/** An aws.eks.NodeGroup's inputs as pulumi-eks 4.3.0 builds them for a ManagedNodeGroup. */
function eksNodeGroup(args: { amiType?: string; instanceTypes?: string[] }) {
    return {
        ...args,
        clusterName: "edge-cloud-mesh-cloud",
        nodeRoleArn: "arn:aws:iam::123456789012:role/cloud-nodes",
        scalingConfig: { desiredSize: 2, minSize: 2, maxSize: 3 },
        subnetIds: ["subnet-0a", "subnet-0b"],
        capacityType: "ON_DEMAND",
    };
}

/** A rendered object as a helm.v4.Chart registers it: the manifest, labels included. */
function rendered(kind: string, name: string, labels: Record<string, string> = {}, rest: object = {}) {
    return { apiVersion: "v1", kind, metadata: { name, labels }, ...rest };
}

function policy(name: string): ResourceValidationPolicy {
    const found = policies.find((candidate) => candidate.name === name);
    if (found === undefined) throw new Error(`no policy ${name}`);
    return found;
}

function kubeconfigSecret(user: Record<string, unknown>) {
    const kubeconfig = stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: "cloud", cluster: { server: "https://example.eks.amazonaws.com", "certificate-authority-data": "Q0E=" } }],
        contexts: [{ name: "cloud", context: { cluster: "cloud", user: "link" } }],
        "current-context": "cloud",
        users: [{ name: "link", user }],
    });
    return { type: "mirror.linkerd.io/remote-kubeconfig", data: { kubeconfig: Buffer.from(kubeconfig).toString("base64") } };
}

describe("graviton-node-groups", () => {
    const rule = policy("graviton-node-groups");
    it("passes a Graviton node group with the arm64 AMI", () => {
        expect(
            check(rule, "eks:index:ManagedNodeGroup", { amiType: "AL2023_ARM_64_STANDARD", instanceTypes: ["m7g.large", "c7g.xlarge"] }),
        ).toEqual([]);
        expect(check(rule, "aws:eks/nodeGroup:NodeGroup", { amiType: "BOTTLEROCKET_ARM_64", instanceTypes: ["t4g.medium"] })).toEqual([]);
    });
    it("flags x86 types, a missing or x86 AMI type, and missing instance types", () => {
        expect(check(rule, "eks:index:ManagedNodeGroup", { amiType: "AL2023_ARM_64_STANDARD", instanceTypes: ["m7i.large"] })).toEqual([
            "instance type m7i.large is not a Graviton (arm64) type",
        ]);
        expect(check(rule, "eks:index:ManagedNodeGroup", { instanceTypes: ["m7g.large"] })[0]).toMatch(/amiType is undefined/);
        expect(check(rule, "aws:eks/nodeGroup:NodeGroup", { amiType: "AL2023_x86_64_STANDARD", instanceTypes: ["m7g.large"] })[0]).toMatch(
            /arm64 AMI type/,
        );
        expect(check(rule, "eks:index:ManagedNodeGroup", { amiType: "AL2023_ARM_64_STANDARD" })[0]).toMatch(/instanceTypes is not set/);
    });
    it("ignores other resources", () => expect(check(rule, "aws:ec2/vpc:Vpc", {})).toEqual([]));
    // What the engine sends in a real preview: the pulumi-eks component without properties, and the
    // aws NodeGroup it creates with the component's amiType and instanceTypes spread into its inputs
    // (pulumi-eks v4.3.0 nodejs/eks/nodes/nodegroup.ts, `new aws.eks.NodeGroup(name, {...nodeGroupArgs, amiType, ...})`).
    it("says nothing about the ManagedNodeGroup component the engine sends without properties", () => {
        expect(check(rule, "eks:index:ManagedNodeGroup", {})).toEqual([]);
    });
    it("judges the NodeGroup that carries the values", () => {
        expect(
            check(rule, "aws:eks/nodeGroup:NodeGroup", eksNodeGroup({ amiType: "AL2023_ARM_64_STANDARD", instanceTypes: ["m7g.large"] })),
        ).toEqual([]);
        expect(
            check(rule, "aws:eks/nodeGroup:NodeGroup", eksNodeGroup({ amiType: "AL2023_ARM_64_STANDARD", instanceTypes: ["m7i.large"] })),
        ).toEqual(["instance type m7i.large is not a Graviton (arm64) type"]);
        expect(check(rule, "aws:eks/nodeGroup:NodeGroup", eksNodeGroup({ instanceTypes: ["m7g.large"] }))[0]).toMatch(
            /amiType is undefined/,
        );
    });
});

describe("pinned-versions", () => {
    const rule = policy("pinned-versions");
    const deployment = (image: string) => ({ spec: { template: { spec: { containers: [{ name: "app", image }] } } } });
    it("passes pinned charts and images", () => {
        expect(check(rule, "kubernetes:helm.sh/v4:Chart", { chart: "linkerd-control-plane", version: "2026.8.3" })).toEqual([]);
        expect(check(rule, "kubernetes:apps/v1:Deployment", deployment("ghcr.io/stefanprodan/podinfo:6.7.0"))).toEqual([]);
        expect(check(rule, "kubernetes:apps/v1:Deployment", deployment(`nginx@sha256:${"0".repeat(64)}`))).toEqual([]);
    });
    it("flags a chart without a version, with a range or latest", () => {
        expect(check(rule, "kubernetes:helm.sh/v4:Chart", { chart: "linkerd-viz" })[0]).toMatch(/version undefined; pin an exact version/);
        expect(check(rule, "kubernetes:helm.sh/v3:Release", { chart: "x", version: "^1.0.0" })).toHaveLength(1);
        expect(check(rule, "kubernetes:helm.sh/v3:Chart", { chart: "x", version: "latest" })).toHaveLength(1);
    });
    it("flags an image without a tag or on latest, in any workload kind and in init containers", () => {
        expect(check(rule, "kubernetes:apps/v1:Deployment", deployment("nginx"))).toEqual(["image nginx has no tag; pin a version"]);
        expect(check(rule, "kubernetes:apps/v1:DaemonSet", deployment("nginx:latest"))).toEqual([
            "image nginx:latest uses latest; pin a version",
        ]);
        expect(
            check(rule, "kubernetes:core/v1:Pod", { spec: { initContainers: [{ name: "init", image: "busybox" }], containers: [] } }),
        ).toHaveLength(1);
        expect(
            check(rule, "kubernetes:batch/v1:CronJob", {
                spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: "c", image: "registry:5000/app" }] } } } } },
            }),
        ).toHaveLength(1);
    });
});

describe("pinned-versions on what a helm.v4.Chart hands the engine", () => {
    const rule = policy("pinned-versions");
    const crd = (label?: string) =>
        rendered(
            "CustomResourceDefinition",
            "servers.policy.linkerd.io",
            label === undefined ? {} : { "helm.sh/chart": label, "linkerd.io/control-plane-ns": "linkerd" },
        );
    it("says nothing about the Chart component the engine sends without properties", () => {
        expect(check(rule, "kubernetes:helm.sh/v4:Chart", {})).toEqual([]);
    });
    it("reads chart and version from the helm.sh/chart label, names with dashes and digits included", () => {
        expect(parseChartLabel("linkerd-crds-2026.8.3")).toEqual({ chart: "linkerd-crds", version: "2026.8.3" });
        expect(parseChartLabel("linkerd2-cni-2026.8.3")).toEqual({ chart: "linkerd2-cni", version: "2026.8.3" });
        expect(parseChartLabel("linkerd-crds-0.0.0-undefined")).toEqual({ chart: "linkerd-crds", version: "0.0.0-undefined" });
        expect(parseChartLabel("app-1.2.3_build.5")).toEqual({ chart: "app", version: "1.2.3+build.5" });
        expect(parseChartLabel("linkerd-crds")).toBeUndefined();
    });
    it("passes objects a released chart rendered, Linkerd's edge charts at YYYY.M.N and others at their own versions", () => {
        expect(check(rule, "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition", crd("linkerd-crds-2026.8.3"))).toEqual([]);
        expect(check(rule, "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition", crd("linkerd-smi-1.0.4"))).toEqual([]);
        expect(
            check(
                rule,
                "kubernetes:apps/v1:Deployment",
                rendered("Deployment", "linkerd-failover", { "helm.sh/chart": "linkerd-failover-0.1.3" }),
            ),
        ).toEqual([]);
    });
    it("flags a development build of a chart, a Linkerd edge chart off the edge scheme, and a label without a version", () => {
        expect(check(rule, "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition", crd("linkerd-crds-0.0.0-undefined"))).toEqual([
            "it comes from chart linkerd-crds at 0.0.0-undefined, a development build; install a released version",
        ]);
        expect(check(rule, "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition", crd("linkerd-crds-1.8.0"))[0]).toMatch(
            /chart linkerd-crds at 1\.8\.0, not a Linkerd edge release/,
        );
        expect(check(rule, "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition", crd("linkerd-crds"))).toEqual([
            'its helm.sh/chart label "linkerd-crds" names no chart version',
        ]);
    });
    it("says nothing about rendered objects that carry no helm.sh/chart label (linkerd-control-plane, -viz and -multicluster set none)", () => {
        expect(check(rule, "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition", crd())).toEqual([]);
        expect(
            check(
                rule,
                "kubernetes:core/v1:ServiceAccount",
                rendered("ServiceAccount", "linkerd-destination", { "linkerd.io/control-plane-component": "destination" }),
            ),
        ).toEqual([]);
        expect(check(rule, "aws:ec2/vpc:Vpc", { tags: { "helm.sh/chart": "x" } })).toEqual([]);
    });
    it("judges the images of a rendered workload", () => {
        const deployment = (image: string) =>
            rendered(
                "Deployment",
                "linkerd-destination",
                {},
                { spec: { template: { spec: { containers: [{ name: "destination", image }] } } } },
            );
        expect(check(rule, "kubernetes:apps/v1:Deployment", deployment("cr.l5d.io/linkerd/controller:edge-26.8.3"))).toEqual([]);
        expect(check(rule, "kubernetes:apps/v1:Deployment", deployment("cr.l5d.io/linkerd/controller"))).toEqual([
            "image cr.l5d.io/linkerd/controller has no tag; pin a version",
        ]);
    });
    // The label exactly as linkerd-crds' templates write it, rendered for a release and for a git build.
    itUpstream("judges the label linkerd-crds' own templates write", () => {
        const template = readUpstream(path.join(UPSTREAM, "linkerd-edge-26.8.3", "crds", "server.yaml"));
        const line = /^\s*helm\.sh\/chart: (.+)$/m.exec(template)?.[1];
        expect(line).toBe('{{ .Chart.Name }}-{{ .Chart.Version | replace "+" "_" }}');
        const render = (version: string) =>
            line!.replace("{{ .Chart.Name }}", "linkerd-crds").replace('{{ .Chart.Version | replace "+" "_" }}', version.replace("+", "_"));
        expect(check(rule, "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition", crd(render("2026.8.3")))).toEqual([]);
        expect(check(rule, "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition", crd(render("0.0.0-undefined")))).toHaveLength(1);
    });
});

describe("pinned-versions on Linkerd's own version marks", () => {
    const rule = policy("pinned-versions");
    const controlPlaneObject = (createdBy: string, image = "cr.l5d.io/linkerd/controller:edge-26.8.3") => ({
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "linkerd-destination", annotations: { "linkerd.io/created-by": createdBy } },
        spec: { template: { spec: { containers: [{ name: "destination", image }] } } },
    });
    it("passes objects a released Linkerd rendered or generated", () => {
        expect(check(rule, "kubernetes:apps/v1:Deployment", controlPlaneObject("linkerd/helm edge-26.8.3"))).toEqual([]);
        expect(createdByProblem("linkerd/cli edge-26.8.3")).toBeUndefined();
        expect(createdByProblem("someone/else 1.0")).toBeUndefined();
    });
    it("flags an unreleased chart: its created-by and its images carry the placeholder version", () => {
        const problems = check(
            rule,
            "kubernetes:apps/v1:Deployment",
            controlPlaneObject("linkerd/helm linkerdVersionValue", "cr.l5d.io/linkerd/controller:linkerdVersionValue"),
        );
        expect(problems).toEqual([
            "it was rendered by Linkerd linkerdVersionValue (linkerd.io/created-by), not a release; install a released Linkerd chart such as 2026.8.3 (edge-26.8.3)",
            "image cr.l5d.io/linkerd/controller:linkerdVersionValue carries an unreleased Linkerd chart's placeholder tag; install a released chart",
        ]);
        expect(createdByProblem("linkerd/helm dev-0a1b2c3d-ci")).toMatch(/not a release/);
    });
});

/** What the engine sends in a preview for a value not known yet (@pulumi/policy's UnknownValueError marker). */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

describe("every rule on values a preview does not know yet", () => {
    // The pack hands rules their props through unknownCheckingProxy; an UnknownValueError becomes the
    // advisory "cannot run during preview" (@pulumi/policy server.js). A rule must never report a
    // violation for a value it cannot see.
    const outcome = (rule: ResourceValidationPolicy, type: string, props: Record<string, any>): string[] | "unknown" => {
        try {
            return check(rule, type, unknownCheckingProxy(props));
        } catch (error) {
            if (error instanceof UnknownValueError) return "unknown";
            throw error;
        }
    };
    it.each([
        [
            "graviton-node-groups",
            "aws:eks/nodeGroup:NodeGroup",
            eksNodeGroup({ amiType: "AL2023_ARM_64_STANDARD", instanceTypes: UNKNOWN as any }),
        ],
        [
            "graviton-node-groups",
            "aws:eks/nodeGroup:NodeGroup",
            eksNodeGroup({ amiType: "AL2023_ARM_64_STANDARD", instanceTypes: ["m7g.large", UNKNOWN] }),
        ],
        [
            "pinned-versions",
            "kubernetes:apps/v1:Deployment",
            rendered("Deployment", "podinfo", {}, { spec: { template: { spec: { containers: [{ name: "podinfo", image: UNKNOWN }] } } } }),
        ],
        ["pinned-versions", "kubernetes:core/v1:Namespace", { apiVersion: "v1", kind: "Namespace", metadata: UNKNOWN }],
        ["link-credentials-use-tokens", "kubernetes:core/v1:Secret", { type: "mirror.linkerd.io/remote-kubeconfig", data: UNKNOWN }],
        [
            "eks-api-endpoint-restricted",
            "aws:eks/cluster:Cluster",
            { vpcConfig: { endpointPublicAccess: true, publicAccessCidrs: UNKNOWN } },
        ],
    ])("%s on %s: cannot run, or silent; never a violation", (name, type, props) => {
        expect(["unknown", []]).toContainEqual(outcome(policy(name), type, props));
    });
    it("the check can fail: the same shapes with known violating values are reported", () => {
        expect(
            outcome(
                policy("graviton-node-groups"),
                "aws:eks/nodeGroup:NodeGroup",
                eksNodeGroup({ amiType: "AL2023_ARM_64_STANDARD", instanceTypes: ["m7i.large"] }),
            ),
        ).toEqual(["instance type m7i.large is not a Graviton (arm64) type"]);
    });
});

describe("link-credentials-use-tokens", () => {
    const rule = policy("link-credentials-use-tokens");
    it("passes a token-only kubeconfig", () => {
        expect(check(rule, "kubernetes:core/v1:Secret", kubeconfigSecret({ token: "abc" }))).toEqual([]);
    });
    it("flags an exec plugin (the EKS kubeconfig) and a user without a token", () => {
        const exec = { exec: { apiVersion: "client.authentication.k8s.io/v1beta1", command: "aws", args: ["eks", "get-token"] } };
        expect(check(rule, "kubernetes:core/v1:Secret", kubeconfigSecret(exec))).toEqual([
            "user link has no token",
            "user link uses exec; the link controller image cannot run it",
        ]);
        expect(check(rule, "kubernetes:core/v1:Secret", kubeconfigSecret({ "client-certificate-data": "x" }))).toEqual([
            "user link has no token",
        ]);
    });
    it("reads stringData too, and leaves other Secrets alone", () => {
        const stringData = { type: "mirror.linkerd.io/remote-kubeconfig", stringData: { kubeconfig: "clusters: []\nusers: []\n" } };
        expect(check(rule, "kubernetes:core/v1:Secret", stringData)).toEqual(["its kubeconfig has no user"]);
        expect(check(rule, "kubernetes:core/v1:Secret", { type: "Opaque", data: { kubeconfig: "bm90IHlhbWw6IFs=" } })).toEqual([]);
    });
});

describe("eks-api-endpoint-restricted", () => {
    const rule = policy("eks-api-endpoint-restricted");
    it("is advisory unless the pack's config makes it mandatory", () => expect(rule.enforcementLevel).toBe("advisory"));
    it("passes a restricted or private endpoint", () => {
        expect(check(rule, "eks:index:Cluster", { endpointPublicAccess: true, publicAccessCidrs: ["203.0.113.0/24"] })).toEqual([]);
        expect(check(rule, "aws:eks/cluster:Cluster", { vpcConfig: { endpointPublicAccess: false } })).toEqual([]);
    });
    it("flags an endpoint open to the internet, including AWS's default", () => {
        expect(check(rule, "eks:index:Cluster", { endpointPublicAccess: true, publicAccessCidrs: ["0.0.0.0/0"] })[0]).toMatch(
            /open to 0\.0\.0\.0\/0/,
        );
        expect(
            check(rule, "aws:eks/cluster:Cluster", {
                vpcConfig: { endpointPublicAccess: true, publicAccessCidrs: ["0.0.0.0/0", "10.0.0.0/8"] },
            }),
        ).toHaveLength(1);
    });
    it("says nothing about the eks Cluster component the engine sends without properties, even when enforced", () => {
        expect(check(rule, "eks:index:Cluster", {})).toEqual([]);
    });
    it("judges the aws Cluster that carries the endpoint, as pulumi-eks builds its vpcConfig", () => {
        const cluster = (vpcConfig: object) => ({
            name: "edge-cloud-mesh-cloud",
            roleArn: "arn:aws:iam::123456789012:role/eks",
            vpcConfig,
        });
        const subnetIds = ["subnet-0a", "subnet-0b"];
        expect(
            check(
                rule,
                "aws:eks/cluster:Cluster",
                cluster({ subnetIds, endpointPublicAccess: true, publicAccessCidrs: ["198.51.100.0/24"] }),
            ),
        ).toEqual([]);
        expect(
            check(rule, "aws:eks/cluster:Cluster", cluster({ subnetIds, endpointPublicAccess: true, publicAccessCidrs: ["0.0.0.0/0"] })),
        ).toHaveLength(1);
        expect(check(rule, "aws:eks/cluster:Cluster", cluster({ subnetIds, endpointPublicAccess: true }))).toHaveLength(1);
        expect(
            check(rule, "aws:eks/cluster:Cluster", cluster({ subnetIds, endpointPublicAccess: true, publicAccessCidrs: ["192.0.2.1/0"] })),
        ).toHaveLength(1);
    });
    it("accepts an open endpoint when allowOpenEndpoint says so", () => {
        expect(check(rule, "eks:index:Cluster", { publicAccessCidrs: ["0.0.0.0/0"] }, { allowOpenEndpoint: true })).toEqual([]);
    });
});

/** The component types whose properties reach an analyzer empty (see policy/policies.ts). */
const ENGINE_EMPTY_COMPONENTS = ["eks:index:Cluster", "eks:index:ManagedNodeGroup", "kubernetes:helm.sh/v4:Chart"];

describe("every rule on a component the engine sends without properties", () => {
    it.each(policies.flatMap((rule) => ENGINE_EMPTY_COMPONENTS.map((type) => [rule.name, type] as const)))(
        "%s stays silent on %s",
        (name, type) => {
            expect(check(policy(name), type, {})).toEqual([]);
            expect(check(policy(name), type, {}, { allowOpenEndpoint: false })).toEqual([]);
        },
    );
});

describe("the program under its own policies", () => {
    it("as the engine hands it over: empty components, the pulumi-eks children carry the values", async () => {
        const { cloud, edge } = await runMesh();
        const resources = [...cloud.resources, ...edge.resources];
        const engineShaped: { type: string; props: Record<string, any> }[] = resources.flatMap((resource) => {
            if (!ENGINE_EMPTY_COMPONENTS.includes(resource.type)) return [{ type: resource.type, props: resource.inputs }];
            const children: { type: string; props: Record<string, any> }[] = [];
            // pulumi-eks 4.3.0: nodes/nodegroup.ts spreads amiType and instanceTypes into the aws NodeGroup;
            // cluster/cluster.ts puts endpointPublicAccess and publicAccessCidrs into vpcConfig.
            if (resource.type === "eks:index:ManagedNodeGroup") {
                children.push({
                    type: "aws:eks/nodeGroup:NodeGroup",
                    props: eksNodeGroup({ amiType: resource.inputs.amiType, instanceTypes: resource.inputs.instanceTypes }),
                });
            }
            if (resource.type === "eks:index:Cluster") {
                const { endpointPublicAccess, publicAccessCidrs } = resource.inputs;
                children.push({ type: "aws:eks/cluster:Cluster", props: { vpcConfig: { endpointPublicAccess, publicAccessCidrs } } });
            }
            return [{ type: resource.type, props: {} }, ...children];
        });
        const violations: Violation[] = engineShaped.flatMap(({ type, props }) =>
            policies.flatMap((rule) => check(rule, type, props).map((message) => ({ policy: rule.name, type, message }))),
        );
        expect(violations).toEqual([
            {
                policy: "eks-api-endpoint-restricted",
                type: "aws:eks/cluster:Cluster",
                message: expect.stringMatching(/open to 0\.0\.0\.0\/0/),
            },
        ]);
        expect(engineShaped.filter(({ type }) => type === "aws:eks/nodeGroup:NodeGroup")).toHaveLength(1);
    });

    it("as mocks register it (components with their inputs): no mandatory violation; the open default endpoint is the one advisory finding", async () => {
        const { cloud, edge } = await runMesh();
        const violations: Violation[] = [];
        const resources: RecordedResource[] = [...cloud.resources, ...edge.resources];
        for (const resource of resources) {
            for (const rule of policies) {
                for (const message of check(rule as ResourceValidationPolicy, resource.type, resource.inputs))
                    violations.push({ policy: rule.name, message });
            }
        }
        expect(violations).toEqual([{ policy: "eks-api-endpoint-restricted", message: expect.stringMatching(/open to 0\.0\.0\.0\/0/) }]);
        // The rules did look at the program's node group, charts, workloads and link Secrets.
        const types = new Set(resources.map((resource) => resource.type));
        for (const type of [
            "eks:index:ManagedNodeGroup",
            "kubernetes:helm.sh/v4:Chart",
            "kubernetes:apps/v1:Deployment",
            "kubernetes:core/v1:Secret",
        ]) {
            expect(types).toContain(type);
        }
    });
});
