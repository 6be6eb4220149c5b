// What a first `pulumi up` on a real AWS account would otherwise meet (issue 22): the creating identity
// listed in clusterAdmins, access-entry keys that collide, zones EKS refuses or that lack the instance
// types, an aws:profile the machine lacks, a VPC too small for an update's nodes, and the cheaper demo
// with its nodes in the public subnets. AWS's provider functions answer as the provider's source says
// (test/mocks.ts): callers of each kind, zones with their IDs, instance-type offerings.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { EKS_REFUSED_ZONE_IDS, chooseZones } from "../components/clusterVpc";
import { clusterAdminAccessEntries, creatorAdminProblem, principalIdentity } from "../components/eksCluster";
import { GRAVITON_INSTANCE_TYPES, addressesPerNode } from "../components/gravitonInstanceTypes";
import { configFileProfiles, credentialsFileProfiles, readAwsProfiles } from "../config";
import { docSection, docsText } from "./docs";
import { StackRun, configError, ofType, runStack, single, waitsFor } from "./harness";
import { CALLERS, DEFAULT_AWS_WORLD, MOCK_ACCOUNT, MockAwsWorld, invokedTokens } from "./mocks";

const CLUSTER_NAME = "edge-cloud-mesh-cloud";
const role = (pathAndName: string) => `arn:aws:iam::${MOCK_ACCOUNT}:role/${pathAndName}`;

describe("the identity that creates the cluster is not also in clusterAdmins", () => {
    it.each([
        ["an IAM user", CALLERS.iamUser, `arn:aws:iam::${MOCK_ACCOUNT}:user/deployer`],
        ["an assumed role, listed with its path", CALLERS.assumedRole, role("team/deployer")],
        ["an assumed role, listed without its path", CALLERS.assumedRole, role("deployer")],
        [
            "an SSO permission-set role, listed as IAM has it",
            CALLERS.ssoPermissionSet,
            role("aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Admin_0123456789abcdef"),
        ],
        ["an SSO permission-set role, listed in another case", CALLERS.ssoPermissionSet, role("awsreservedsso_admin_0123456789ABCDEF")],
    ])("%s: `up` stops before anything is declared, naming clusterAdmins", async (_label, caller, listed) => {
        const message = await configError("cloud", {
            config: { clusterAdmins: [role("ci-preview"), listed] },
            aws: caller,
        });
        expect(message).toContain(`edge-cloud-mesh:clusterAdmins: ${JSON.stringify(listed)} is the identity that runs this program`);
        expect(message).toContain("EKS makes it cluster admin by itself and refuses a second access entry for it");
        expect(message).toContain("accepted: other principals");
        // The role's own ARN from getSessionContext, path included; the session's ARN beside it.
        const issuer = Object.values(caller.roles)[0] ?? caller.caller.arn;
        expect(message).toContain(issuer);
        expect(invokedTokens).toEqual(
            expect.arrayContaining(["aws:index/getCallerIdentity:getCallerIdentity", "aws:iam/getSessionContext:getSessionContext"]),
        );
    });

    it("lets the caller through when it is not listed, asking AWS only when clusterAdmins is set", async () => {
        const run = await runStack("cloud", { config: { clusterAdmins: [role("ci-preview")] }, aws: CALLERS.ssoPermissionSet });
        expect(Object.keys(single(run, "eks:index:Cluster").inputs.accessEntries)).toEqual([`admin-${MOCK_ACCOUNT}-role-ci-preview`]);
        await runStack("cloud");
        expect(invokedTokens).not.toContain("aws:index/getCallerIdentity:getCallerIdentity");
    });

    it("skips the check once the cluster exists: its creator is fixed, and CI's listed preview role previews it", async () => {
        const run = await runStack("cloud", {
            config: { clusterAdmins: [role("team/deployer")] },
            aws: { ...CALLERS.assumedRole, eksClusters: ["other", CLUSTER_NAME] },
        });
        expect(Object.values<any>(single(run, "eks:index:Cluster").inputs.accessEntries).map((entry) => entry.principalArn)).toEqual([
            role("team/deployer"),
        ]);
        expect(invokedTokens).toContain("aws:eks/getClusters:getClusters");
        expect(invokedTokens).not.toContain("aws:index/getCallerIdentity:getCallerIdentity");
    });

    it("only warns in a preview, which CI's listed preview role may run before the first `up`", async () => {
        const warn = vi.spyOn(pulumi.log, "warn").mockImplementation(() => Promise.resolve());
        try {
            const run = await runStack("cloud", {
                config: { clusterAdmins: [role("team/deployer")] },
                aws: CALLERS.assumedRole,
                previewGatewayServiceChange: true,
            });
            expect(single(run, "eks:index:Cluster")).toBeDefined();
            expect(warn).toHaveBeenCalledWith(expect.stringMatching(/^edge-cloud-mesh:clusterAdmins: `pulumi up` would stop: /));
        } finally {
            warn.mockRestore();
        }
    });

    it("says what it needs when AWS will not say who calls (iam:GetRole denied)", async () => {
        const message = await configError("cloud", {
            config: { clusterAdmins: [role("ci-preview")] },
            aws: { ...CALLERS.assumedRole, roles: {} },
        });
        expect(message).toMatch(/^edge-cloud-mesh:clusterAdmins: the program checks that the identity creating the cluster is not listed/);
        expect(message).toContain("it needs eks:ListClusters, sts:GetCallerIdentity and, for a role, iam:GetRole on it");
        expect(message).toContain("unable to get role (deployer)");
    });

    it("matches principals as IAM tells them apart: account, kind, name without path, any case", () => {
        expect(principalIdentity(role("a/b/Ops"))).toBe(`${MOCK_ACCOUNT}:role:ops`);
        expect(principalIdentity(`arn:aws:iam::${MOCK_ACCOUNT}:user/ops`)).toBe(`${MOCK_ACCOUNT}:user:ops`);
        expect(principalIdentity(`arn:aws:iam::${MOCK_ACCOUNT}:root`)).toBeUndefined();
        const rootCaller = { callerArn: `arn:aws:iam::${MOCK_ACCOUNT}:root`, issuerArn: `arn:aws:iam::${MOCK_ACCOUNT}:root` };
        expect(creatorAdminProblem(rootCaller, [role("root")])).toBeUndefined();
        const user = { callerArn: `arn:aws:iam::${MOCK_ACCOUNT}:user/ops`, issuerArn: `arn:aws:iam::${MOCK_ACCOUNT}:user/ops` };
        expect(creatorAdminProblem(user, [role("ops")])).toBeUndefined(); // a role named like the user is another principal
        expect(creatorAdminProblem(user, [`arn:aws:iam::210987654321:user/ops`])).toBeUndefined();
    });

    it("rejects two spellings of one principal in the list", async () => {
        const message = await configError("cloud", { config: { clusterAdmins: [role("Ops"), role("team/ops")] } });
        expect(message).toContain(`edge-cloud-mesh:clusterAdmins: ${JSON.stringify(role("team/ops"))} listed more than once`);
        expect(message).toContain("accepted: distinct principals");
    });
});

describe("access-entry keys", () => {
    const keys = (arns: string[]) =>
        Object.fromEntries(Object.entries(clusterAdminAccessEntries(arns, "aws")).map(([key, entry]) => [key, entry.principalArn]));

    it("never collide: role/a/b and role/a-b are two admins, the path-less one keeping the key they would share", async () => {
        const run = await runStack("cloud", { config: { clusterAdmins: [role("a/b"), role("a-b"), role("x/y")] } });
        const entries = single(run, "eks:index:Cluster").inputs.accessEntries;
        expect(Object.fromEntries(Object.entries<any>(entries).map(([key, entry]) => [key, entry.principalArn]))).toEqual({
            [`admin-${MOCK_ACCOUNT}-role/a/b`]: role("a/b"),
            [`admin-${MOCK_ACCOUNT}-role-a-b`]: role("a-b"),
            [`admin-${MOCK_ACCOUNT}-role-x-y`]: role("x/y"),
        });
    });

    it("stay what they were for every admin whose key no other shares, with or without a path", () => {
        expect(keys([role("ci-preview"), role("aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Admin_01")])).toEqual({
            [`admin-${MOCK_ACCOUNT}-role-ci-preview`]: role("ci-preview"),
            [`admin-${MOCK_ACCOUNT}-role-aws-reserved-sso.amazonaws.com-eu-west-1-AWSReservedSSO_Admin_01`]: role(
                "aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Admin_01",
            ),
        });
        // The same keys whatever the order: reordering replaces nothing.
        expect(keys([role("a-b"), role("a/b")])).toEqual(keys([role("a/b"), role("a-b")]));
    });

    it("give two path-bearing admins that would share a key one each", () => {
        expect(Object.keys(keys([role("a/b-c"), role("a-b/c")])).sort()).toEqual([
            `admin-${MOCK_ACCOUNT}-role/a-b/c`,
            `admin-${MOCK_ACCOUNT}-role/a/b-c`,
        ]);
    });
});

/** us-east-1 as an account might see it: us-east-1a is the zone ID EKS refuses, us-east-1d lacks the newest types. */
const US_EAST_1: Partial<MockAwsWorld> = {
    region: "us-east-1",
    zones: [
        { name: "us-east-1c", zoneId: "use1-az2" },
        { name: "us-east-1a", zoneId: "use1-az3" },
        { name: "us-east-1b", zoneId: "use1-az1" },
        { name: "us-east-1d", zoneId: "use1-az4" },
    ],
    offerings: {
        "us-east-1a": ["m7g.large", "t4g.small", "m8g.large"],
        "us-east-1b": ["m7g.large", "t4g.small", "m8g.large"],
        "us-east-1c": ["m7g.large", "t4g.small", "m8g.large"],
        "us-east-1d": ["m7g.large", "t4g.small"],
    },
};

describe("zones", () => {
    const subnetZones = (run: StackRun) => [
        ...new Set(ofType(run, "aws:ec2/subnet:Subnet").map((subnet) => subnet.inputs.availabilityZone)),
    ];

    it("never places a subnet in a zone ID EKS refuses, whatever the account calls that zone", async () => {
        const run = await runStack("cloud", { aws: US_EAST_1 });
        expect(subnetZones(run)).toEqual(["us-east-1b", "us-east-1c"]);
        expect(EKS_REFUSED_ZONE_IDS).toEqual(["use1-az3", "usw1-az2", "cac1-az3"]);
    });

    it("uses only zones that offer every instance type", async () => {
        const run = await runStack("cloud", {
            aws: { offerings: { ...DEFAULT_AWS_WORLD.offerings, "eu-west-1b": ["t4g.small"] } },
        });
        expect(subnetZones(run)).toEqual(["eu-west-1a", "eu-west-1c"]);
        // Asked for the node types in the region's zones, by name.
        expect(invokedTokens).toContain("aws:ec2/getInstanceTypeOfferings:getInstanceTypeOfferings");
    });

    it("stops before anything is declared when too few zones are usable, naming the region, the types and each zone left out", async () => {
        const message = await configError("cloud", {
            config: { instanceTypes: ["m7g.large", "m8g.large"] },
            aws: { ...US_EAST_1, offerings: { ...US_EAST_1.offerings, "us-east-1b": ["m7g.large"] } },
        });
        expect(message).toBe(
            "edge-cloud-mesh:availabilityZoneCount: 2 zones are needed, but region us-east-1 has only 1 where EKS accepts cluster " +
                "subnets and instanceTypes (m7g.large, m8g.large) are all offered: us-east-1c; not us-east-1a (zone ID use1-az3, which " +
                "EKS refuses for cluster subnets), us-east-1b (does not offer m8g.large), us-east-1d (does not offer m8g.large); " +
                "accepted: instanceTypes offered in more zones, or another region (aws:region)",
        );
    });

    it("leaves out Local Zones (opted in) and zones not available, which AWS lists too", async () => {
        const run = await runStack("cloud", {
            aws: {
                ...US_EAST_1,
                zones: [
                    ...US_EAST_1.zones!,
                    // Sorted by name, both come before us-east-1b.
                    { name: "us-east-1-bos-1a", zoneId: "use1-bos1-az1", optInStatus: "opted-in" },
                    { name: "us-east-1-atl-2a", zoneId: "use1-atl2-az1", optInStatus: "opted-in" },
                ],
                offerings: { ...US_EAST_1.offerings, "us-east-1-bos-1a": ["m7g.large"], "us-east-1-atl-2a": ["m7g.large"] },
            },
        });
        expect(subnetZones(run)).toEqual(["us-east-1b", "us-east-1c"]);
        const impaired = await runStack("cloud", {
            aws: {
                ...US_EAST_1,
                zones: US_EAST_1.zones!.map((zone) => (zone.name === "us-east-1b" ? { ...zone, state: "impaired" } : zone)),
            },
        });
        expect(subnetZones(impaired)).toEqual(["us-east-1c", "us-east-1d"]);
    });

    it("keeps each subnet in the zone it was created in, whatever a later run chooses", async () => {
        const run = await runStack("cloud");
        const subnets = ofType(run, "aws:ec2/subnet:Subnet");
        expect(subnets).toHaveLength(4);
        // Chosen anew on every run: a zone impaired or an offering withdrawn later would otherwise
        // replace a subnet under the running cluster (with the CIDR the old one still holds).
        expect(subnets.map((subnet) => subnet.ignoreChanges)).toEqual(subnets.map(() => ["availabilityZone"]));
    });

    it("offers a lower availabilityZoneCount when that would do", () => {
        const survey = {
            region: "eu-west-1",
            zones: DEFAULT_AWS_WORLD.zones.map((zone) => ({ ...zone, instanceTypes: ["m7g.large"] })),
        };
        expect(chooseZones(survey, ["m7g.large"], 3)).toEqual({ zones: ["eu-west-1a", "eu-west-1b", "eu-west-1c"] });
        expect(chooseZones(survey, ["m7g.large"], 4)).toEqual({
            problem: expect.stringContaining("has only 3 where EKS accepts cluster subnets and instanceTypes (m7g.large) are all offered"),
        });
        expect(chooseZones(survey, ["m7g.large"], 4)).toEqual({
            problem: expect.stringContaining("accepted: availabilityZoneCount of at most 3, "),
        });
    });
});

describe("aws:profile names a profile this machine has", () => {
    let dir: string;
    beforeAll(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "aws-profiles-"));
    });
    const saved = { ...process.env };
    afterEach(() => {
        for (const key of ["AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "HOME"]) process.env[key] = saved[key];
    });

    it("stops, naming aws:profile, both files and CI's identity, when neither file has it", async () => {
        const message = await configError("cloud", { config: { "aws:profile": "laptop" } });
        expect(message).toContain(
            `aws:profile: "laptop" is not a profile this machine has (no [profile laptop] in ${process.env.AWS_CONFIG_FILE}, ` +
                `no [laptop] in ${process.env.AWS_SHARED_CREDENTIALS_FILE}; it has "default", "sandbox", "demo", "ci-local")`,
        );
        expect(message).toContain(`"failed to get shared config profile"`);
        expect(message).toContain("CI takes its identity from the environment (the workflows' OIDC role) and has no profiles");
        expect(message).toContain("pulumi config rm aws:profile");
    });

    it("accepts a profile of the credentials file alone", async () => {
        const run = await runStack("cloud", { config: { "aws:profile": "ci-local" } });
        expect(run.outputs.kubeconfigCommand.value).toContain("--profile ci-local");
    });

    it("reads AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/config and ~/.aws/credentials", () => {
        fs.writeFileSync(path.join(dir, "config"), "[profile from-env]\n");
        fs.mkdirSync(path.join(dir, ".aws"), { recursive: true });
        fs.writeFileSync(path.join(dir, ".aws", "config"), "[profile from-home]\n");
        fs.writeFileSync(path.join(dir, ".aws", "credentials"), "[home-keys]\n");
        expect(readAwsProfiles({ AWS_CONFIG_FILE: path.join(dir, "config"), AWS_SHARED_CREDENTIALS_FILE: path.join(dir, "none") })).toEqual(
            {
                profiles: ["from-env"],
                files: [path.join(dir, "config"), path.join(dir, "none")],
            },
        );
        process.env.HOME = dir;
        expect(readAwsProfiles({}).profiles).toEqual(["from-home", "home-keys"]);
    });

    it("counts sections as the AWS SDK does: [profile X] and [default] in config, [X] in credentials", () => {
        expect(configFileProfiles("[default]\n[profile dev]\n[ profile  staging ]\n[prod]\n[sso-session corp]\n[services s]\n")).toEqual([
            "default",
            "dev",
            "staging",
        ]);
        expect(configFileProfiles("[profile default]\n")).toEqual(["default"]);
        // The SDK keeps [DEFAULT] in the config file but looks profiles up by their exact name.
        expect(configFileProfiles("[DEFAULT]\n")).toEqual(["DEFAULT"]);
        // A line that starts with a blank continues the value above it: it is no section.
        expect(configFileProfiles("[profile dev]\nregion = eu-west-1\n  [profile nested]\n")).toEqual(["dev"]);
        expect(credentialsFileProfiles("[default]\n[prod]\n[profile dev]\n# [commented]\n")).toEqual(["default", "prod"]);
    });
});

describe("instance types and the VPC they need", () => {
    it.each([
        ["a Graviton type outside the table", ["x2gd.large"], /"x2gd\.large" is a Graviton type outside the program's table/],
        ["a t4g too small for the mesh", ["t4g.micro"], /"t4g\.micro" is a Graviton type outside the program's table/],
    ])("rejects %s, naming the key, the value and the accepted types", async (_label, instanceTypes, pattern) => {
        const message = await configError("cloud", { config: { instanceTypes } });
        expect(message).toMatch(pattern);
        expect(message).toContain("edge-cloud-mesh:instanceTypes:");
        expect(message).toContain(
            "accepted: Graviton (arm64) instance types of the table in components/gravitonInstanceTypes.ts: m6g, m6gd,",
        );
        expect(message).toContain("t4g in sizes small, medium, large, xlarge, 2xlarge");
        // Accepted before the table: the message says how a running node group keeps its type.
        expect(message).toContain("Earlier versions took any Graviton type: to keep a node group of this type, add its row");
    });

    it("sizes vpcCidr by the largest of instanceTypes", async () => {
        const message = await configError("cloud", {
            config: { instanceTypes: ["m7g.large", "m7g.4xlarge"], vpcCidr: "10.0.0.0/19" },
        });
        expect(message).toContain(`edge-cloud-mesh:vpcCidr: "10.0.0.0/19" is too small for the node group's pods`);
        expect(message).toContain("240 on m7g.4xlarge, the largest of instanceTypes");
        expect(message).toContain("1216 in all; accepted: /17 or larger");
    });

    it("knows every accepted type's addresses as the VPC CNI's limits give them", () => {
        // aws/amazon-vpc-cni-k8s pkg/vpc/vpc_ip_resource_limit.go (ENIs x IPv4 per ENI) at b521883.
        const expected: Record<string, number> = {
            "t4g.small": 12,
            "t4g.medium": 18,
            "t4g.large": 36,
            "t4g.2xlarge": 60,
            "m7g.medium": 8,
            "m7g.large": 30,
            "c8gd.xlarge": 60,
            "r6g.2xlarge": 60,
            "m8g.4xlarge": 240,
        };
        for (const [type, addresses] of Object.entries(expected))
            expect(addressesPerNode(GRAVITON_INSTANCE_TYPES[type]), type).toBe(addresses);
        expect(GRAVITON_INSTANCE_TYPES["t4g.micro"]).toBeUndefined();
        expect(Object.keys(GRAVITON_INSTANCE_TYPES)).toHaveLength(20 * 5 + 5);
    });
});

/**
 * The config the README's demo block writes: `config set <key> <value>`, and `set-all --path` with
 * `key[i]=value` and `key.field=value` (which stores whole numbers as numbers).
 */
function demoConfig(): Record<string, unknown> {
    const block = docSection("A cheaper demo").split("```sh\n")[1].split("```")[0];
    const config: Record<string, any> = {};
    for (const command of block.split(/\n| && /)) {
        const set = /^pulumi config set (\w+) (\S+)$/.exec(command);
        if (set) config[set[1]] = set[2];
        for (const [, key, index, field, text] of command.matchAll(/--plaintext '?(\w+)(?:\[(\d+)\]|\.(\w+))=([^' ]+)'?/g)) {
            const value = /^\d+$/.test(text) ? Number(text) : text;
            if (index !== undefined) config[key] = Object.assign([...(config[key] ?? [])], { [index]: value });
            else config[key] = { ...config[key], [field]: value };
        }
    }
    return config;
}

describe("the cheaper demo: nodes in the public subnets, no NAT gateway", () => {
    let demo: StackRun;
    let standard: StackRun;
    beforeAll(async () => {
        demo = await runStack("cloud", { config: demoConfig() });
        standard = await runStack("cloud");
    });

    it("is the README's configuration", () => {
        expect(demoConfig()).toEqual({ nodeSubnets: "public", instanceTypes: ["t4g.small"], nodes: { min: 2, desired: 2, max: 2 } });
    });

    it("runs t4g.small nodes in the public subnets, which give them public addresses", () => {
        const nodeGroup = single(demo, "eks:index:ManagedNodeGroup");
        expect(nodeGroup.inputs).toMatchObject({ instanceTypes: ["t4g.small"], scalingConfig: { minSize: 2, desiredSize: 2, maxSize: 2 } });
        const subnets = ofType(demo, "aws:ec2/subnet:Subnet");
        const publicSubnets = subnets.filter((subnet) => subnet.inputs.tags["kubernetes.io/role/elb"] === "1");
        expect(nodeGroup.inputs.subnetIds).toEqual(publicSubnets.map((subnet) => `${subnet.name}_id`));
        expect(publicSubnets.every((subnet) => subnet.inputs.mapPublicIpOnLaunch === true)).toBe(true);
        // The cluster keeps both kinds of subnet: switching nodeSubnets leaves it alone.
        const cluster = (run: StackRun) => single(run, "eks:index:Cluster").inputs;
        expect(cluster(demo).publicSubnetIds).toEqual(cluster(standard).publicSubnetIds);
        expect(cluster(demo).privateSubnetIds).toEqual(cluster(standard).privateSubnetIds);
    });

    it("creates no NAT gateway, elastic IP or private route, and no resource the default does not", () => {
        for (const type of ["aws:ec2/natGateway:NatGateway", "aws:ec2/eip:Eip"]) expect(ofType(demo, type)).toHaveLength(0);
        const routeTables = ofType(demo, "aws:ec2/routeTable:RouteTable");
        expect(routeTables.map((table) => table.inputs.routes)).toEqual([[{ cidrBlock: "0.0.0.0/0", gatewayId: "cloud_id" }]]);
        // No inbound rule, security group or anything else beyond what the default declares.
        const urns = new Set(standard.resources.map((resource) => resource.urn));
        expect(demo.resources.filter((resource) => !urns.has(resource.urn)).map((resource) => resource.urn)).toEqual([]);
        expect(demo.resources.some((resource) => /securityGroup/i.test(resource.type))).toBe(false);
    });

    it("starts the nodes after their egress (internet gateway, route table, associations) and deletes them before it", () => {
        const egress = [
            single(demo, "aws:ec2/internetGateway:InternetGateway"),
            ...ofType(demo, "aws:ec2/routeTable:RouteTable"),
            ...ofType(demo, "aws:ec2/routeTableAssociation:RouteTableAssociation"),
        ];
        expect(egress).toHaveLength(2 + 2);
        for (const dependent of [single(demo, "eks:index:ManagedNodeGroup"), single(demo, "eks:index:Cluster")]) {
            const after = waitsFor(demo, dependent);
            for (const plumbing of egress) {
                expect(dependent.dependencies, `${dependent.name} -> ${plumbing.name}`).toContain(plumbing.urn);
                expect(after, `${dependent.name} before ${plumbing.name}`).toContain(plumbing.urn);
            }
        }
    });

    it("costs at most $0.20 an hour by the README's table", () => {
        const rows = [...docSection("What it costs").matchAll(/^\| [^|]+ \| [^|]+ \| (?:about )?(\d+(?:\.\d+)?) \|$/gm)];
        expect(rows.reduce((sum, row) => sum + Number(row[1]), 0)).toBeLessThanOrEqual(0.2);
        expect(docSection("A cheaper demo")).toContain("What the demo gives up");
    });

    it.each([
        [
            "with an existing VPC",
            { nodeSubnets: "public", vpcId: "vpc-0abc", publicSubnetIds: ["subnet-01"], privateSubnetIds: ["subnet-11"] },
            [/edge-cloud-mesh:nodeSubnets: "public" is for the VPC the program creates/, /accepted: "private" with vpcId/],
        ],
        [
            "an unknown value",
            { nodeSubnets: "dmz" },
            [/edge-cloud-mesh:nodeSubnets: "dmz" is not accepted; accepted: "private" or "public"/],
        ],
    ])("is rejected %s", async (_label, config, patterns) => {
        const message = await configError("cloud", { config });
        for (const pattern of patterns) expect(message).toMatch(pattern);
    });
});

describe("the IAM permissions listed for the person who runs `up`", () => {
    const permissions = docSection("IAM permissions");

    it("cover every AWS function the program calls", async () => {
        const actions: Record<string, string> = {
            "aws:index/getRegion:getRegion": "",
            "aws:index/getPartition:getPartition": "",
            "aws:index/getAvailabilityZones:getAvailabilityZones": "ec2:DescribeAvailabilityZones",
            "aws:ec2/getInstanceTypeOfferings:getInstanceTypeOfferings": "ec2:DescribeInstanceTypeOfferings",
            "aws:eks/getClusters:getClusters": "eks:ListClusters",
            "aws:index/getCallerIdentity:getCallerIdentity": "sts:GetCallerIdentity",
            "aws:iam/getSessionContext:getSessionContext": "iam:GetRole",
        };
        await runStack("cloud", { config: { clusterAdmins: [role("ci-preview")] }, aws: CALLERS.assumedRole });
        const called = [...new Set(invokedTokens.filter((token) => token.startsWith("aws:")))];
        expect(called.sort()).toEqual(Object.keys(actions).sort());
        for (const action of Object.values(actions).filter(Boolean)) expect(permissions, action).toContain(`\`${action}\``);
    });

    it("name what creating the cluster and its node group needs beyond creating resources", () => {
        for (const action of ["iam:PassRole", "iam:CreateServiceLinkedRole", "eks:CreateAccessEntry", "eks:AssociateAccessPolicy"]) {
            expect(permissions, action).toContain(`\`${action}\``);
        }
        expect(permissions).toMatch(/`iam:PassRole` on the cluster's service role and the node role/);
    });

    it("say CI takes its identity from the environment", () => {
        expect(docSection("Prerequisites")).toMatch(/CI\s+takes its identity from the environment only/);
        expect(docsText()).toMatch(/CI takes its AWS identity from the environment only/);
    });
});
