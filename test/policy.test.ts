import type { ResourceValidationPolicy } from "@pulumi/policy";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { policies } from "../policy/policies";
import { runMesh } from "./fixtures";
import { RecordedResource } from "./harness";

interface Violation {
    policy: string;
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
        expect(check(rule, "eks:index:ManagedNodeGroup", { amiType: "AL2023_ARM_64_STANDARD", instanceTypes: ["m7g.large", "c7g.xlarge"] })).toEqual([]);
        expect(check(rule, "aws:eks/nodeGroup:NodeGroup", { amiType: "BOTTLEROCKET_ARM_64", instanceTypes: ["t4g.medium"] })).toEqual([]);
    });
    it("flags x86 types, a missing or x86 AMI type, and missing instance types", () => {
        expect(check(rule, "eks:index:ManagedNodeGroup", { amiType: "AL2023_ARM_64_STANDARD", instanceTypes: ["m7i.large"] })).toEqual([
            "instance type m7i.large is not a Graviton (arm64) type",
        ]);
        expect(check(rule, "eks:index:ManagedNodeGroup", { instanceTypes: ["m7g.large"] })[0]).toMatch(/amiType is undefined/);
        expect(check(rule, "aws:eks/nodeGroup:NodeGroup", { amiType: "AL2023_x86_64_STANDARD", instanceTypes: ["m7g.large"] })[0]).toMatch(/arm64 AMI type/);
        expect(check(rule, "eks:index:ManagedNodeGroup", { amiType: "AL2023_ARM_64_STANDARD" })[0]).toMatch(/instanceTypes is not set/);
    });
    it("ignores other resources", () => expect(check(rule, "aws:ec2/vpc:Vpc", {})).toEqual([]));
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
        expect(check(rule, "kubernetes:apps/v1:DaemonSet", deployment("nginx:latest"))).toEqual(["image nginx:latest uses latest; pin a version"]);
        expect(check(rule, "kubernetes:core/v1:Pod", { spec: { initContainers: [{ name: "init", image: "busybox" }], containers: [] } })).toHaveLength(1);
        expect(
            check(rule, "kubernetes:batch/v1:CronJob", { spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: "c", image: "registry:5000/app" }] } } } } } }),
        ).toHaveLength(1);
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
        expect(check(rule, "kubernetes:core/v1:Secret", kubeconfigSecret({ "client-certificate-data": "x" }))).toEqual(["user link has no token"]);
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
        expect(check(rule, "eks:index:Cluster", { endpointPublicAccess: true, publicAccessCidrs: ["0.0.0.0/0"] })[0]).toMatch(/open to 0\.0\.0\.0\/0/);
        expect(check(rule, "eks:index:Cluster", {})).toHaveLength(1);
        expect(check(rule, "aws:eks/cluster:Cluster", { vpcConfig: { endpointPublicAccess: true, publicAccessCidrs: ["0.0.0.0/0", "10.0.0.0/8"] } })).toHaveLength(1);
    });
    it("accepts an open endpoint when allowOpenEndpoint says so", () => {
        expect(check(rule, "eks:index:Cluster", { publicAccessCidrs: ["0.0.0.0/0"] }, { allowOpenEndpoint: true })).toEqual([]);
    });
});

describe("the program under its own policies", () => {
    it("violates no mandatory policy; the open default endpoint is the one advisory finding", async () => {
        const { cloud, edge } = await runMesh();
        const violations: Violation[] = [];
        const resources: RecordedResource[] = [...cloud.resources, ...edge.resources];
        for (const resource of resources) {
            for (const rule of policies) {
                for (const message of check(rule as ResourceValidationPolicy, resource.type, resource.inputs)) violations.push({ policy: rule.name, message });
            }
        }
        expect(violations).toEqual([{ policy: "eks-api-endpoint-restricted", message: expect.stringMatching(/open to 0\.0\.0\.0\/0/) }]);
        // The rules did look at the program's node group, charts, workloads and link Secrets.
        const types = new Set(resources.map((resource) => resource.type));
        for (const type of ["eks:index:ManagedNodeGroup", "kubernetes:helm.sh/v4:Chart", "kubernetes:apps/v1:Deployment", "kubernetes:core/v1:Secret"]) {
            expect(types).toContain(type);
        }
    });
});
