// The cloud stack as AWS and EKS really behave on `up`, a second `up` and `destroy`
// (../shared/reviews/2026-11-review-aws.md): graph order against the VPC plumbing, cluster access,
// the kubeconfig's identity, support type and versions, pinned add-ons, inputs AWS would accept but
// that cannot work, the NLB's subnets in an existing VPC, and the CI roles.
import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { EKS_VERSIONS, supportProblem } from "../components/eksVersions";
import { NLB_SUBNETS_ANNOTATION } from "../components/multiclusterGateway";
import { clusterAdminAccessEntries, kubeconfigForIdentity } from "../components/eksCluster";
import { maxGatewaySourceCidrs, parseConfig, principalArnProblem, vpcCidrProblem } from "../config";
import { docSection, docsText } from "./docs";
import { configContext } from "./fixtures";
import {
    ROOT,
    RecordedResource,
    StackRun,
    helmChart,
    configError,
    ofType,
    runStack,
    single,
    sourceFiles,
    rawStackConfig,
    waitsFor,
} from "./harness";

const EGRESS_TYPES = [
    "aws:ec2/internetGateway:InternetGateway",
    "aws:ec2/eip:Eip",
    "aws:ec2/natGateway:NatGateway",
    "aws:ec2/routeTable:RouteTable",
    "aws:ec2/routeTableAssociation:RouteTableAssociation",
];

function coredns(run: StackRun): RecordedResource {
    return ofType(run, "aws:eks/addon:Addon").find((addon) => addon.inputs.addonName === "coredns")!;
}

/** parseConfig's context on a pinned day. */
const CONTEXT = configContext(new Date("2026-11-25T12:00:00Z"));

describe("graph order against the VPC's egress plumbing", () => {
    let run: StackRun;
    let egress: RecordedResource[];
    beforeAll(async () => {
        run = await runStack("cloud");
        egress = EGRESS_TYPES.flatMap((type) => ofType(run, type));
    });

    it("covers the gateway, NAT gateway, its address, both route tables and every association", () => {
        expect(egress.map((r) => r.type.split(":")[1]).sort()).toEqual([
            "ec2/eip",
            "ec2/internetGateway",
            "ec2/natGateway",
            "ec2/routeTable",
            "ec2/routeTable",
            "ec2/routeTableAssociation",
            "ec2/routeTableAssociation",
            "ec2/routeTableAssociation",
            "ec2/routeTableAssociation",
        ]);
    });

    it("makes the cluster and the node group wait for it on up, by dependsOn on the resources themselves", () => {
        for (const dependent of [single(run, "eks:index:Cluster"), single(run, "eks:index:ManagedNodeGroup")]) {
            for (const plumbing of egress) expect(dependent.dependencies, `${dependent.name} -> ${plumbing.name}`).toContain(plumbing.urn);
        }
    });

    it("deletes the gateway's NLB Service, CoreDNS, the node group and the cluster before any of it", () => {
        const first = [
            helmChart(run, "linkerd-multicluster"),
            coredns(run),
            single(run, "eks:index:ManagedNodeGroup"),
            single(run, "eks:index:Cluster"),
        ];
        for (const dependent of first) {
            const after = waitsFor(run, dependent);
            for (const plumbing of egress)
                expect(after, `${dependent.name} before ${plumbing.type} ${plumbing.name}`).toContain(plumbing.urn);
        }
        // And not the other way round: no plumbing waits for any of them.
        for (const plumbing of egress) {
            const after = waitsFor(run, plumbing);
            for (const dependent of first)
                expect(after, `${plumbing.name} must not wait for ${dependent.name}`).not.toContain(dependent.urn);
        }
    });

    it("deletes the gateway before CoreDNS, CoreDNS before the nodes, the nodes before the cluster", () => {
        expect(waitsFor(run, helmChart(run, "linkerd-multicluster"))).toContain(coredns(run).urn);
        expect(waitsFor(run, coredns(run))).toContain(single(run, "eks:index:ManagedNodeGroup").urn);
        expect(waitsFor(run, single(run, "eks:index:ManagedNodeGroup"))).toContain(single(run, "eks:index:Cluster").urn);
    });

    it("is the order the README's teardown gives", () => {
        const bullet = docsText().split("- **`pulumi destroy --stack cloud`**")[1].split("\n- **")[0].replace(/\s+/g, " ");
        const table = (name: string) => ofType(run, "aws:ec2/routeTable:RouteTable").find((r) => r.name === name)!;
        const steps: [string, RecordedResource[]][] = [
            ["the gateway and its NLB", [helmChart(run, "linkerd-multicluster")]],
            ["Linkerd", [helmChart(run, "linkerd-control-plane")]],
            ["the CoreDNS add-on", [coredns(run)]],
            ["the node group", [single(run, "eks:index:ManagedNodeGroup")]],
            ["the EKS cluster", [single(run, "eks:index:Cluster")]],
            ["the route-table associations", ofType(run, "aws:ec2/routeTableAssociation:RouteTableAssociation")],
            ["the route tables", ofType(run, "aws:ec2/routeTable:RouteTable")],
            ["the NAT gateway and its elastic IP", [single(run, "aws:ec2/natGateway:NatGateway")]],
            ["the internet gateway", [single(run, "aws:ec2/internetGateway:InternetGateway")]],
            ["the subnets", ofType(run, "aws:ec2/subnet:Subnet")],
            ["last the VPC", [single(run, "aws:ec2/vpc:Vpc")]],
        ];
        const positions = steps.map(([phrase]) => bullet.indexOf(phrase));
        expect(
            positions.every((position) => position >= 0),
            `${steps.map(([p]) => p).join(" / ")} in ${bullet}`,
        ).toBe(true);
        expect([...positions].sort((a, b) => a - b)).toEqual(positions);
        // Each step is deleted before what the next one names, as far as the graph orders them.
        const before = (earlier: RecordedResource, later: RecordedResource) =>
            expect(waitsFor(run, earlier), `${earlier.name} before ${later.name}`).toContain(later.urn);
        for (let index = 0; index < 5; index++)
            for (const earlier of steps[index][1]) for (const later of steps[index + 1][1]) before(earlier, later);
        for (const association of steps[5][1]) before(association, table(association.inputs.routeTableId.replace(/_id$/, "")));
        before(table("cloud-private"), single(run, "aws:ec2/natGateway:NatGateway"));
        before(table("cloud-public"), single(run, "aws:ec2/internetGateway:InternetGateway"));
        before(single(run, "aws:ec2/natGateway:NatGateway"), single(run, "aws:ec2/eip:Eip"));
        before(single(run, "aws:ec2/natGateway:NatGateway"), single(run, "aws:ec2/internetGateway:InternetGateway"));
        before(single(run, "aws:ec2/internetGateway:InternetGateway"), single(run, "aws:ec2/vpc:Vpc"));
        for (const subnet of ofType(run, "aws:ec2/subnet:Subnet")) before(subnet, single(run, "aws:ec2/vpc:Vpc"));
    });

    it("needs nothing of the kind with an existing VPC", async () => {
        const existing = await runStack("cloud", {
            config: { vpcId: "vpc-0abc", publicSubnetIds: ["subnet-01", "subnet-02"], privateSubnetIds: ["subnet-11"] },
        });
        for (const type of EGRESS_TYPES) expect(ofType(existing, type)).toHaveLength(0);
        expect(single(existing, "eks:index:Cluster").dependencies).toEqual([]);
    });
});

describe("who may use the cluster", () => {
    it("grants nobody but the creator by default", async () => {
        const run = await runStack("cloud");
        expect(single(run, "eks:index:Cluster").inputs.accessEntries).toEqual({});
    });

    it("turns clusterAdmins into access entries with AmazonEKSClusterAdminPolicy at cluster scope", async () => {
        const admins = [
            "arn:aws:iam::123456789012:role/ci-preview",
            "arn:aws:iam::123456789012:role/ci-destroy",
            "arn:aws:iam::210987654321:user/ops/alice",
        ];
        const run = await runStack("cloud", { config: { clusterAdmins: admins } });
        const entries = single(run, "eks:index:Cluster").inputs.accessEntries;
        // Keyed by account and principal, not by position: reordering the list replaces nothing.
        expect(Object.fromEntries(Object.entries<any>(entries).map(([key, entry]) => [key, entry.principalArn]))).toEqual({
            "admin-123456789012-role-ci-preview": admins[0],
            "admin-123456789012-role-ci-destroy": admins[1],
            "admin-210987654321-user-ops-alice": admins[2],
        });
        for (const entry of Object.values<any>(entries)) {
            expect(entry.accessPolicies).toEqual({
                AmazonEKSClusterAdminPolicy: {
                    policyArn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
                    accessScope: { type: "cluster" },
                },
            });
        }
    });

    it("builds the policy ARN in the cluster's partition", async () => {
        const entries = clusterAdminAccessEntries(["arn:aws-cn:iam::123456789012:role/ops"], "aws-cn");
        const policyArn = await new Promise((resolve) =>
            (entries["admin-123456789012-role-ops"].accessPolicies.AmazonEKSClusterAdminPolicy.policyArn as any).apply(resolve),
        );
        expect(policyArn).toBe("arn:aws-cn:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy");
    });

    it("accepts role and user ARNs of any partition, and nothing else", () => {
        for (const arn of [
            "arn:aws:iam::123456789012:role/ci",
            "arn:aws-us-gov:iam::123456789012:user/bob",
            "arn:aws-cn:iam::123456789012:role/a/b/c",
        ]) {
            expect(principalArnProblem(arn), arn).toBeUndefined();
        }
        expect(principalArnProblem("arn:aws:sts::123456789012:assumed-role/ci/session")).toMatch(/STS session/);
        for (const bad of ["arn:aws:iam::123456789012:group/admins", "arn:aws:iam::12345:role/x", "ci-preview", "arn:aws:s3:::bucket"]) {
            expect(principalArnProblem(bad), bad).toMatch(/not an IAM role or user ARN/);
        }
    });

    it.each([
        [
            "a role name",
            ["ci-preview"],
            [/edge-cloud-mesh:clusterAdmins/, /"ci-preview" is not an IAM role or user ARN/, /arn:<partition>:iam::<account>:role\/<name>/],
        ],
        ["a session ARN", ["arn:aws:sts::123456789012:assumed-role/ci/run"], [/edge-cloud-mesh:clusterAdmins/, /STS session/]],
        [
            "a duplicate",
            ["arn:aws:iam::123456789012:role/ci", "arn:aws:iam::123456789012:role/ci"],
            [/edge-cloud-mesh:clusterAdmins/, /listed more than once/],
        ],
    ])("rejects %s before anything is declared", async (_label, clusterAdmins, patterns) => {
        const message = await configError("cloud", { config: { clusterAdmins } });
        for (const pattern of patterns) expect(message).toMatch(pattern);
    });
});

describe("the same identity for Kubernetes as for AWS", () => {
    const execArgs = (run: StackRun) => JSON.parse(single(run, "pulumi:providers:kubernetes").inputs.kubeconfig).users[0].user.exec.args;

    it("runs get-token with the ambient credentials when stack config sets none", async () => {
        const run = await runStack("cloud");
        expect(execArgs(run)).not.toContain("--profile");
        expect(execArgs(run)).not.toContain("--role-arn");
    });

    it("runs get-token with aws:profile and the role of aws:assumeRoles, in the provider's kubeconfig and the exported one", async () => {
        const role = "arn:aws:iam::123456789012:role/deployer";
        const run = await runStack("cloud", {
            config: { "aws:profile": "sandbox", "aws:assumeRoles": [{ roleArn: role, sessionName: "pulumi" }] },
        });
        const args = execArgs(run);
        expect(args.slice(args.indexOf("--role-arn"), args.indexOf("--role-arn") + 2)).toEqual(["--role-arn", role]);
        expect(args.slice(args.indexOf("--profile"), args.indexOf("--profile") + 2)).toEqual(["--profile", "sandbox"]);
        expect(JSON.parse(run.outputs.kubeconfig.value).users[0].user.exec.args).toEqual(args);
        expect(run.outputs.kubeconfigCommand.value).toBe(
            `aws eks update-kubeconfig --region eu-west-1 --name edge-cloud-mesh-cloud --alias cloud --profile sandbox --role-arn ${role}`,
        );
    });

    it("adds the flags to pulumi-eks's exec, and only to it", () => {
        const kubeconfig = {
            users: [
                {
                    name: "aws",
                    user: {
                        exec: {
                            command: "aws",
                            args: ["--region", "eu-west-1", "eks", "get-token", "--cluster-name", "c", "--output", "json"],
                        },
                    },
                },
                { name: "other", user: { token: "t" } },
            ],
        };
        const result = JSON.parse(kubeconfigForIdentity(JSON.stringify(kubeconfig), { profile: "p" }));
        expect(result.users[0].user.exec.args.slice(-2)).toEqual(["--profile", "p"]);
        expect(result.users[1]).toEqual(kubeconfig.users[1]);
    });

    it.each([
        [
            "a chain of two roles",
            [{ roleArn: "arn:aws:iam::1:role/a" }, { roleArn: "arn:aws:iam::2:role/b" }],
            /aws:assumeRoles: chains 2 roles; accepted: at most one role/,
        ],
        ["an external id", [{ roleArn: "arn:aws:iam::1:role/a", externalId: "x" }], /aws:assumeRoles: sets externalId; accepted/],
        ["session tags", [{ roleArn: "arn:aws:iam::1:role/a", tags: { team: "mesh" } }], /aws:assumeRoles: sets tags; accepted/],
        [
            "a source identity",
            [{ roleArn: "arn:aws:iam::1:role/a", sourceIdentity: "me" }],
            /aws:assumeRoles: sets sourceIdentity; accepted/,
        ],
    ])("rejects %s, which get-token cannot mirror", async (_label, assumeRoles, pattern) => {
        expect(await configError("cloud", { config: { "aws:assumeRoles": assumeRoles } })).toMatch(pattern);
    });

    it("rejects AWS credentials in stack config that get-token cannot use, naming the key", async () => {
        const message = await configError("cloud", { config: { "aws:accessKey": "AKIAEXAMPLE", "aws:secretKey": "s" } });
        expect(message).toMatch(/aws:accessKey: is set, but aws eks get-token, which the Kubernetes provider runs, cannot use it/);
        expect(message).toMatch(/aws:secretKey: is set/);
        expect(message).toMatch(/accepted: credentials from the environment/);
    });

    it("rejects the assumed role in clusterAdmins: it is the creator, and EKS refuses a second entry", async () => {
        const role = "arn:aws:iam::123456789012:role/deployer";
        const message = await configError("cloud", { config: { "aws:assumeRoles": [{ roleArn: role }], clusterAdmins: [role] } });
        expect(message).toMatch(
            /edge-cloud-mesh:clusterAdmins: "arn:aws:iam::123456789012:role\/deployer" is the role the AWS provider assumes/,
        );
    });
});

describe("cost and support", () => {
    it("sets the upgrade policy explicitly: STANDARD by default, EXTENDED when asked", async () => {
        expect(single(await runStack("cloud"), "eks:index:Cluster").inputs.upgradePolicy).toEqual({ supportType: "STANDARD" });
        const extended = await runStack("cloud", { config: { supportType: "EXTENDED" } });
        expect(single(extended, "eks:index:Cluster").inputs.upgradePolicy).toEqual({ supportType: "EXTENDED" });
    });

    it("rejects an unknown support type, and judges no version against it", () => {
        const run = () => parseConfig(rawStackConfig("cloud", { supportType: "extended", kubernetesVersion: "1.33" }), "cloud", CONTEXT);
        expect(run).toThrow(/edge-cloud-mesh:supportType: "extended" is not accepted; accepted: "STANDARD" or "EXTENDED"/);
        expect(run).not.toThrow(/kubernetesVersion/);
    });

    it("accepts a version up to the day before it leaves standard (STANDARD) or extended (EXTENDED) support", () => {
        expect(supportProblem("1.35", "STANDARD", new Date("2027-03-26T23:59:59Z"))).toBeUndefined();
        expect(supportProblem("1.35", "STANDARD", new Date("2027-03-27T00:00:00Z"))).toMatch(/out of EKS standard support on 2027-03-27/);
        expect(supportProblem("1.35", "EXTENDED", new Date("2028-03-26T12:00:00Z"))).toBeUndefined();
        expect(supportProblem("1.35", "EXTENDED", new Date("2028-03-27T00:00:00Z"))).toMatch(/out of EKS support on 2028-03-27/);
        expect(supportProblem("1.34", "STANDARD", new Date("2026-12-01T12:00:00Z"))).toBeUndefined();
        expect(supportProblem("1.34", "STANDARD", new Date("2026-12-02T12:00:00Z"))).toMatch(/standard support/);
        expect(supportProblem("1.31", "EXTENDED", new Date("2026-11-25T12:00:00Z"))).toBeUndefined();
        expect(supportProblem("1.31", "EXTENDED", new Date("2026-11-26T12:00:00Z"))).toMatch(
            /1\.31 leaves standard support on 2025-11-26 and extended support on 2026-11-26/,
        );
        expect(supportProblem("1.37", "EXTENDED", new Date("2026-11-25T12:00:00Z"))).toMatch(
            /accepted: 1\.36, 1\.35, 1\.34, 1\.33, 1\.32, 1\.31/,
        );
        expect(supportProblem("1.36", "STANDARD", new Date("2027-08-01T12:00:00Z"))).toBeUndefined();
        expect(supportProblem("1.36", "STANDARD", new Date("2027-08-02T00:00:00Z"))).toMatch(/out of EKS standard support on 2027-08-02/);
    });

    it("names the key, both dates and both fixes, with the price", () => {
        const run = () => parseConfig(rawStackConfig("cloud", { kubernetesVersion: "1.33" }), "cloud", CONTEXT);
        expect(run).toThrow(/edge-cloud-mesh:kubernetesVersion: "1\.33" is out of EKS standard support on 2026-11-25/);
        expect(run).toThrow(/1\.33 leaves standard support on 2026-07-29 and extended support on 2027-07-29/);
        expect(run).toThrow(
            /set kubernetesVersion to 1\.36 or 1\.35 or 1\.34 \(in standard support\), or set supportType to EXTENDED \(the control plane then costs \$0\.60 instead of \$0\.10 per hour\)/,
        );
        const extended = parseConfig(rawStackConfig("cloud", { kubernetesVersion: "1.33", supportType: "EXTENDED" }), "cloud", CONTEXT);
        expect(extended).toMatchObject({ kubernetesVersion: "1.33", supportType: "EXTENDED" });
    });

    it("keeps the calendar in one place, with its source, for every version config accepts", () => {
        const source = fs.readFileSync(path.join(ROOT, "components", "eksVersions.ts"), "utf8");
        expect(source).toMatch(/eks-operation-review/);
        for (const [version, entry] of Object.entries(EKS_VERSIONS)) {
            expect(entry.endOfStandardSupport < entry.endOfExtendedSupport, version).toBe(true);
            for (const date of [entry.endOfStandardSupport, entry.endOfExtendedSupport]) expect(date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        }
        // Every pin is an EKS build, and kube-proxy's follows its Kubernetes version.
        for (const [version, entry] of Object.entries(EKS_VERSIONS)) {
            for (const pin of Object.values(entry.addons)) expect(pin, version).toMatch(/^v\d+\.\d+\.\d+-eksbuild\.\d+$/);
            expect(entry.addons.kubeProxy, version).toMatch(new RegExp(`^v${version.replace(".", "\\.")}\\.`));
        }
        expect(source).toMatch(/as of 2026-12-06/);
        expect(source).toMatch(/npm run check:eks-versions/);
        // Nothing else in the program carries a support date.
        for (const file of [...sourceFiles("config"), "index.ts", "components/eksCluster.ts"]) {
            expect(fs.readFileSync(path.join(ROOT, file), "utf8"), file).not.toMatch(/20\d\d-\d\d-\d\d/);
        }
    });
});

describe("a second up changes nothing: pinned EKS add-ons", () => {
    it("pins vpc-cni and kube-proxy through pulumi-eks, and CoreDNS as its own add-on after the nodes", async () => {
        const run = await runStack("cloud");
        const cluster = single(run, "eks:index:Cluster");
        const pinned = EKS_VERSIONS["1.35"].addons;
        expect(cluster.inputs.vpcCniOptions).toMatchObject({ addonVersion: pinned.vpcCni });
        expect(cluster.inputs.kubeProxyAddonOptions).toMatchObject({ version: pinned.kubeProxy });
        // pulumi-eks creates no CoreDNS add-on here (no default node group); the program does, after the node group.
        expect(cluster.inputs.corednsAddonOptions).toMatchObject({ enabled: false });
        expect(coredns(run).inputs).toMatchObject({
            clusterName: "edge-cloud-mesh-cloud",
            addonName: "coredns",
            addonVersion: pinned.coredns,
            resolveConflictsOnCreate: "OVERWRITE",
            resolveConflictsOnUpdate: "OVERWRITE",
        });
        expect(coredns(run).dependencies).toContain(single(run, "eks:index:ManagedNodeGroup").urn);
        expect(single(run, "pulumi:providers:kubernetes").dependencies).toContain(coredns(run).urn);
        expect(JSON.stringify(run.resources.map((r) => r.rawInputs))).not.toMatch(/mostRecent/);
    });

    it("declares the same add-on inputs when built twice", async () => {
        const [first, second] = [await runStack("cloud"), await runStack("cloud")];
        for (const pick of [(run: StackRun) => single(run, "eks:index:Cluster"), coredns]) {
            expect(pick(second).rawInputs).toEqual(pick(first).rawInputs);
        }
    });

    it("moves all three with kubernetesVersion", async () => {
        const run = await runStack("cloud", { config: { kubernetesVersion: "1.32", supportType: "EXTENDED" } });
        const pinned = EKS_VERSIONS["1.32"].addons;
        expect(pinned).not.toEqual(EKS_VERSIONS["1.35"].addons);
        const cluster = single(run, "eks:index:Cluster");
        expect([
            cluster.inputs.vpcCniOptions.addonVersion,
            cluster.inputs.kubeProxyAddonOptions.version,
            coredns(run).inputs.addonVersion,
        ]).toEqual([pinned.vpcCni, pinned.kubeProxy, pinned.coredns]);
        expect(pinned.kubeProxy).toMatch(/^v1\.32\./);
    });
});

describe("inputs AWS accepts but that cannot work are rejected before anything is declared", () => {
    it("sizes node subnets for the pods of nodes.max nodes and an update's 2 more: 2^(32 - (prefix + 4)) - 5 >= 16 + (nodes.max + 2) x addresses", () => {
        const m7gLarge = { instanceType: "m7g.large", addresses: 30 };
        expect(vpcCidrProblem("10.0.0.0/20", 3, m7gLarge)).toBeUndefined(); // /24: 251 >= 16 + 5 x 30 = 166
        expect(vpcCidrProblem("10.0.0.0/21", 3, m7gLarge)).toMatch(
            /\/25 with 123 usable addresses, but each must hold 16 for EKS plus 30 per node .*m7g\.large, the largest of instanceTypes.* for nodes\.max 3 nodes and the 2 an update adds in a zone, 166 in all; accepted: \/20 or larger/,
        );
        expect(vpcCidrProblem("10.0.0.0/20", 6, m7gLarge)).toMatch(/accepted: \/19 or larger/); // 251 < 16 + 8 x 30
        expect(vpcCidrProblem("10.0.0.0/21", 2, { instanceType: "t4g.small", addresses: 12 })).toBeUndefined(); // 123 >= 64
        expect(vpcCidrProblem("10.0.0.0/22", 2, { instanceType: "t4g.small", addresses: 12 })).toMatch(/accepted: \/21 or larger/);
        expect(vpcCidrProblem("10.0.0.0/16", 133, m7gLarge)).toBeUndefined();
        expect(vpcCidrProblem("10.0.0.0/16", 134, m7gLarge)).toMatch(
            /no VPC up to \/16 holds that many; accepted: nodes\.max of at most 133 with m7g\.large, or smaller instanceTypes/,
        );
    });

    it.each([
        [
            "a VPC too small for the pods",
            { vpcCidr: "10.0.0.0/24" },
            [
                /edge-cloud-mesh:vpcCidr: "10\.0\.0\.0\/24" is too small for the node group's pods/,
                /\/28 with 11 usable addresses/,
                /accepted: \/20 or larger/,
            ],
        ],
        [
            "more nodes than the VPC holds",
            { vpcCidr: "10.0.0.0/21", nodes: { min: 2, desired: 2, max: 4 } },
            [/edge-cloud-mesh:vpcCidr/, /nodes\.max 4 nodes/],
        ],
        [
            "desired 0",
            { nodes: { min: 0, desired: 0, max: 3 } },
            [/edge-cloud-mesh:nodes: desired is 0: Linkerd's control plane and the gateway would have no node/, /d >= 1/],
        ],
        [
            "more source CIDRs than the security group's rule budget",
            { gatewaySourceCidrs: Array.from({ length: 19 }, (_, index) => `198.51.100.${index}/32`) },
            [/edge-cloud-mesh:gatewaySourceCidrs: 19 CIDRs/, /3 inbound rules per CIDR/, /accepted: at most 18 CIDRs/],
        ],
        [
            "more source CIDRs than six zones leave room for",
            { availabilityZoneCount: 6, gatewaySourceCidrs: Array.from({ length: 16 }, (_, index) => `198.51.100.${index}/32`) },
            [/edge-cloud-mesh:gatewaySourceCidrs: 16 CIDRs/, /\(6 here\)/, /accepted: at most 15 CIDRs/],
        ],
    ])("%s", async (_label, config, patterns) => {
        const message = await configError("cloud", { config });
        for (const pattern of patterns) expect(message).toMatch(pattern);
    });

    it("counts an existing VPC's public subnets as the load balancer's", async () => {
        expect(maxGatewaySourceCidrs(2)).toBe(18);
        expect(maxGatewaySourceCidrs(3)).toBe(17);
        const network = { vpcId: "vpc-0abc", publicSubnetIds: ["subnet-01", "subnet-02", "subnet-03"], privateSubnetIds: ["subnet-11"] };
        const cidrs = (count: number) => Array.from({ length: count }, (_, index) => `198.51.100.${index}/32`);
        expect(await configError("cloud", { config: { ...network, gatewaySourceCidrs: cidrs(18) } })).toMatch(/accepted: at most 17 CIDRs/);
        const run = await runStack("cloud", { config: { ...network, gatewaySourceCidrs: cidrs(17) } });
        expect(helmChart(run, "linkerd-multicluster").inputs.values.gateway.loadBalancerSourceRanges).toHaveLength(17);
    });

    it.each([
        [
            "a dot",
            "cloud.eu",
            /the stack name "cloud\.eu": the EKS cluster is named <project>-<stack>, "edge-cloud-mesh-cloud\.eu", which EKS would refuse/,
        ],
        [
            "more than 100 characters",
            "c".repeat(85),
            /which EKS would refuse \(accepted: letters, digits, '-' and '_', starting with a letter or digit, at most 100 characters\)/,
        ],
    ])("an EKS cluster name with %s", async (_label, stack, pattern) => {
        expect(await configError(stack, { config: { role: "cloud", clusterName: "cloud" } })).toMatch(pattern);
    });

    it("hard-codes no partition: ARNs are built from the AWS provider's", async () => {
        for (const file of ["index.ts", ...sourceFiles("config"), ...sourceFiles("components")]) {
            expect(fs.readFileSync(path.join(ROOT, file), "utf8"), file).not.toMatch(/["`']arn:aws:/);
        }
        const run = await runStack("cloud");
        for (const attachment of ofType(run, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")) {
            expect(attachment.inputs.policyArn).toMatch(/^arn:aws:iam::aws:policy\/Amazon/); // "aws" is the mock's partition
        }
    });
});

describe("the gateway's NLB subnets", () => {
    it("are pinned to publicSubnetIds in an existing VPC", async () => {
        const run = await runStack("cloud", {
            config: { vpcId: "vpc-0abc", publicSubnetIds: ["subnet-01", "subnet-02"], privateSubnetIds: ["subnet-11", "subnet-12"] },
        });
        expect(helmChart(run, "linkerd-multicluster").inputs.values.gateway.serviceAnnotations[NLB_SUBNETS_ANNOTATION]).toBe(
            "subnet-01,subnet-02",
        );
    });

    it("are left to discovery in the program's own VPC, whose only public subnets they are", async () => {
        const run = await runStack("cloud");
        expect(helmChart(run, "linkerd-multicluster").inputs.values.gateway.serviceAnnotations).not.toHaveProperty(NLB_SUBNETS_ANNOTATION);
    });
});

describe("CI roles", () => {
    const ci = docSection("Continuous integration");

    it("are trusted only from the main branch (destroy) and pull requests (preview)", () => {
        expect(ci).toMatch(/\| preview \| `repo:<owner>\/<repo>:pull_request` \|/);
        expect(ci).toMatch(/\| destroy \| `repo:<owner>\/<repo>:ref:refs\/heads\/main` \|/);
        expect(ci).not.toMatch(/<repo>:\*/);
    });

    it("get cluster access through clusterAdmins, not a hand-made access entry", () => {
        expect(ci).toMatch(/--plaintext 'clusterAdmins\[\d\]=arn:aws:iam::\d{12}:role\/ci-preview'/);
        expect(docsText()).not.toMatch(/create-access-entry|associate-access-policy/);
    });

    it("destroy with a session long enough for a slow destroy", () => {
        const workflow = parse(fs.readFileSync(path.join(ROOT, ".github", "workflows", "destroy.yml"), "utf8"));
        const steps = Object.values<any>(workflow.jobs).flatMap((job) => job.steps ?? []);
        const assume = steps.filter((step) => step.uses?.startsWith("aws-actions/configure-aws-credentials@"));
        expect(assume.length).toBeGreaterThan(0);
        for (const step of assume) expect(step.with["role-duration-seconds"]).toBeGreaterThanOrEqual(7200);
        expect(ci).toMatch(/--max-session-duration 7200/);
    });
});
