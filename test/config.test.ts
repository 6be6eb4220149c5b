import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import * as pulumi from "@pulumi/pulumi";
import {
    CONFIG_KEYS,
    CONFIG_KEY_READERS,
    ConfigError,
    ConfigKey,
    EdgeConfig,
    KeyReaders,
    editDistance,
    kubernetesVersionProblem,
    misplacedKeyProblems,
    nearestKey,
    parseConfig,
    projectDefaults,
    readersLabel,
    readsKey,
} from "../config";
import { instanceArchitecture, parseIpv4Cidr } from "../policy/rules";
import { K3S_KUBECONFIG, configContext } from "./fixtures";
import { ROOT, STACK_FILES, configError, rawStackConfig, runStack } from "./harness";

describe("Pulumi.yaml and config/", () => {
    const project = parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8"));
    const declared = Object.entries<any>(project.config).filter(([key]) => !key.includes(":"));

    it("declare the same keys", () => {
        expect(declared.map(([key]) => key).sort()).toEqual([...CONFIG_KEYS].sort());
    });

    it("give every key a description, and a default unless every stack file the project ships sets it", () => {
        for (const [key, declaration] of declared) {
            expect(declaration.description, key).toEqual(expect.any(String));
            if (declaration.default === undefined) {
                // The engine refuses a stack that lacks a declared key without a default.
                for (const [stack, file] of Object.entries(STACK_FILES)) {
                    expect(Object.keys(file), `Pulumi.${stack}.yaml sets ${key}`).toContain(`edge-cloud-mesh:${key}`);
                }
            }
        }
    });

    it("mark each key with the stacks that read it, as CONFIG_KEY_READERS says: (cloud), (edge) or neither for both", () => {
        for (const [key, declaration] of declared) {
            const readers: KeyReaders = CONFIG_KEY_READERS[key as ConfigKey];
            const marker = /^\((cloud|edge)\b/.exec(declaration.description)?.[1];
            if (readers.cloud === true && readers.edge === true) expect(marker, key).toBeUndefined();
            else if (readers.cloud === true && readers.edge === undefined) expect(marker, key).toBe("cloud");
            else if (readers.edge === true && readers.cloud === undefined) expect(marker, key).toBe("edge");
            // A key read by a role only in one mode says so in its own words.
            else expect(declaration.description, key).toMatch(/^\(/);
        }
    });

    it("type every key whose value is a scalar or a list", () => {
        for (const [key, declaration] of declared) {
            const value = declaration.default;
            if (value !== undefined && typeof value === "object" && !Array.isArray(value)) continue; // maps cannot be typed
            expect(declaration.type, key).toBeDefined();
            if (value !== undefined) {
                const expected = Array.isArray(value) ? "array" : typeof value === "number" ? "integer" : typeof value;
                expect(declaration.type, key).toBe(expected);
            }
        }
    });
});

describe("bad input is rejected before any resource is declared, naming the key, the value and what is accepted", () => {
    const cases: [string, Record<string, unknown>, RegExp[]][] = [
        [
            "an x86 instance type",
            { instanceTypes: ["m7i.large"] },
            [/edge-cloud-mesh:instanceTypes/, /"m7i\.large"/, /x86/, /Graviton \(arm64\)/],
        ],
        [
            "an instance type without a size",
            { instanceTypes: ["t4g"] },
            [/edge-cloud-mesh:instanceTypes/, /"t4g" is not an EC2 instance type/, /accepted: Graviton/],
        ],
        ["an unknown instance type", { instanceTypes: ["foo"] }, [/edge-cloud-mesh:instanceTypes/, /"foo" is not an EC2 instance type/]],
        [
            "arm64 and x86 mixed",
            { instanceTypes: ["m7g.large", "c6i.xlarge"] },
            [/edge-cloud-mesh:instanceTypes/, /"c6i\.xlarge" is an x86 type mixed with arm64 m7g\.large/, /accepted: Graviton/],
        ],
        ["no instance type", { instanceTypes: [] }, [/edge-cloud-mesh:instanceTypes/, /empty list/]],
        ["an unknown capacity type", { capacityType: "RESERVED" }, [/edge-cloud-mesh:capacityType/, /"RESERVED"/, /"ON_DEMAND" or "SPOT"/]],
        [
            "min above desired",
            { nodes: { min: 3, desired: 2, max: 4 } },
            [/edge-cloud-mesh:nodes/, /min \(3\) is greater than desired \(2\)/, /accepted:/],
        ],
        [
            "desired above max",
            { nodes: { min: 1, desired: 5, max: 3 } },
            [/edge-cloud-mesh:nodes/, /desired \(5\) is greater than max \(3\)/, /accepted:/],
        ],
        [
            "a negative size",
            { nodes: { min: -1, desired: 2, max: 3 } },
            [/edge-cloud-mesh:nodes/, /min is -1, not a whole number >= 0/, /accepted:/],
        ],
        ["a fractional size", { nodes: { min: 1, desired: 1.5, max: 3 } }, [/edge-cloud-mesh:nodes/, /desired is 1\.5/]],
        ["a missing size", { nodes: { desired: 2 } }, [/edge-cloud-mesh:nodes/, /min is undefined/, /max is undefined/]],
        ["Kubernetes below 1.31", { kubernetesVersion: "1.30" }, [/edge-cloud-mesh:kubernetesVersion/, /"1\.30" is too old/, /N >= 31/]],
        [
            "a malformed Kubernetes version",
            { kubernetesVersion: "v1.31" },
            [/edge-cloud-mesh:kubernetesVersion/, /"v1\.31" is not a Kubernetes minor version/, /accepted/],
        ],
        ["a Kubernetes patch version", { kubernetesVersion: "1.33.2" }, [/edge-cloud-mesh:kubernetesVersion/, /"1\.33\.2"/]],
        [
            "a malformed CIDR",
            { apiAccessCidrs: ["203.0.113.0/33"] },
            [/edge-cloud-mesh:apiAccessCidrs/, /"203\.0\.113\.0\/33" is not an IPv4 CIDR block/, /accepted: a\.b\.c\.d\/n/],
        ],
        ["a host name as CIDR", { apiAccessCidrs: ["example.com"] }, [/edge-cloud-mesh:apiAccessCidrs/, /"example\.com"/]],
        ["no API access CIDR", { apiAccessCidrs: [] }, [/edge-cloud-mesh:apiAccessCidrs/, /empty list/]],
        ["a plain string where a list belongs", { instanceTypes: "m7g.large" }, [/edge-cloud-mesh:instanceTypes/, /a list of strings/]],
        ["a VPC CIDR too small for subnets", { vpcCidr: "10.0.0.0/26" }, [/edge-cloud-mesh:vpcCidr/, /"10\.0\.0\.0\/26"/, /\/16 to \/24/]],
        ["one availability zone", { availabilityZoneCount: 1 }, [/edge-cloud-mesh:availabilityZoneCount/, /"1"/, /from 2 to 6/]],
        [
            "an existing VPC without subnets",
            { vpcId: "vpc-0abc" },
            [
                /edge-cloud-mesh:vpcId/,
                /vpcId, publicSubnetIds and privateSubnetIds together/,
                /privateSubnetIds missing|publicSubnetIds, edge-cloud-mesh:privateSubnetIds missing/,
            ],
        ],
        ["subnets without a VPC", { publicSubnetIds: ["subnet-01"], privateSubnetIds: ["subnet-02"] }, [/edge-cloud-mesh:vpcId missing/]],
        [
            "a malformed subnet id",
            { vpcId: "vpc-0abc", publicSubnetIds: ["sn-1"], privateSubnetIds: ["subnet-02"] },
            [/edge-cloud-mesh:publicSubnetIds/, /"sn-1"/],
        ],
        [
            "an unknown gatewayApiCrds value",
            { gatewayApiCrds: "bundled" },
            [/edge-cloud-mesh:gatewayApiCrds/, /"bundled" is not accepted/, /"install" or "existing"/],
        ],
        [
            "a Linkerd version in the tag's form",
            { linkerdVersion: "edge-26.8.3" },
            [/edge-cloud-mesh:linkerdVersion/, /"edge-26\.8\.3" is not a Linkerd edge chart version/, /YYYY\.M\.N/],
        ],
        ["a Linkerd version with month 13", { linkerdVersion: "2026.13.1" }, [/edge-cloud-mesh:linkerdVersion/, /"2026\.13\.1"/]],
        ["a stable-channel Linkerd version", { linkerdVersion: "2.14.10" }, [/edge-cloud-mesh:linkerdVersion/, /"2\.14\.10"/]],
        [
            "an empty edge site name",
            { edgeSites: ["edge", ""] },
            [/edge-cloud-mesh:edgeSites/, /"" is not a DNS label/, /accepted: lowercase letters/],
        ],
        [
            "an edge site named only with digits, which config set-all --path would store as a number",
            { edgeSites: ["edge", "42"] },
            [
                /edge-cloud-mesh:edgeSites/,
                /"42" is a name the Pulumi CLI stores as a number or a boolean/,
                /accepted: a name with a letter/,
            ],
        ],
        [
            "a duplicate edge site",
            { edgeSites: ["edge", "berlin", "edge"] },
            [/edge-cloud-mesh:edgeSites/, /"edge" listed more than once/, /accepted: distinct names/],
        ],
        [
            "an edge site named like the cloud cluster",
            { edgeSites: ["cloud"] },
            [/edge-cloud-mesh:edgeSites/, /"cloud" is this cloud cluster's own clusterName/],
        ],
        [
            "a clusterName that is not a DNS label",
            { clusterName: "Cloud_1" },
            [/edge-cloud-mesh:clusterName/, /"Cloud_1" is not a DNS label/, /accepted: lowercase/],
        ],
        [
            "a clusterName too long for Service names",
            { clusterName: "a".repeat(41) },
            [/edge-cloud-mesh:clusterName/, /at most 40 characters/],
        ],
        ["viz that is not a boolean", { viz: "yes" }, [/edge-cloud-mesh:viz/, /"yes" is not accepted; accepted: true or false/]],
        ["an unknown role", { role: "hub" }, [/edge-cloud-mesh:role/, /"hub" is not accepted/, /"cloud" or "edge"/]],
        ["a missing role", { role: undefined }, [/edge-cloud-mesh:role/, /is missing/, /"cloud" or "edge"/]],
    ];

    it.each(cases)("%s", async (_label, config, patterns) => {
        const message = await configError("cloud", { config });
        for (const pattern of patterns) expect(message).toMatch(pattern);
    });

    it("reports every problem at once", async () => {
        const message = await configError("cloud", { config: { capacityType: "spot", kubernetesVersion: "1.29" } });
        expect(message).toMatch(/capacityType/);
        expect(message).toMatch(/kubernetesVersion/);
    });
});

describe("value rules", () => {
    it("tells Graviton from x86 by the instance family", () => {
        for (const type of [
            "m7g.large",
            "c7gn.2xlarge",
            "r6gd.metal",
            "t4g.nano",
            "im4gn.large",
            "is4gen.xlarge",
            "x2gd.medium",
            "g5g.xlarge",
            "r8g.48xlarge",
            "a1.large",
        ]) {
            expect(instanceArchitecture(type), type).toBe("arm64");
        }
        for (const type of [
            "m7i.large",
            "m7a.large",
            "m5.xlarge",
            "c5n.large",
            "m7i-flex.large",
            "g4dn.xlarge",
            "t3.micro",
            "r7iz.large",
        ]) {
            expect(instanceArchitecture(type), type).toBe("x86_64");
        }
        for (const type of ["t4g", "foo", "m7g.huge", "mac2.metal", "m7g.large.x", ""]) {
            expect(instanceArchitecture(type), type).toBe("unknown");
        }
    });

    it("accepts Kubernetes 1.31 and later only", () => {
        expect(kubernetesVersionProblem("1.31")).toBeUndefined();
        expect(kubernetesVersionProblem("1.34")).toBeUndefined();
        expect(kubernetesVersionProblem("1.30")).toMatch(/too old/);
        expect(kubernetesVersionProblem("1")).toMatch(/not a Kubernetes minor version/);
    });

    it("parses IPv4 CIDRs", () => {
        expect(parseIpv4Cidr("0.0.0.0/0")).toEqual([0, 0]);
        expect(parseIpv4Cidr("10.1.2.3/16")).toEqual([10 * 2 ** 24 + 1 * 2 ** 16 + 2 * 256 + 3, 16]);
        expect(parseIpv4Cidr("256.0.0.0/8")).toBeUndefined();
        expect(parseIpv4Cidr("10.0.0.0")).toBeUndefined();
    });
});

describe("a mistyped or misplaced key stops the run before anything is declared", () => {
    it.each([
        ["edgeSite", ["edge", "edge-berlin"], "edgeSites"],
        ["gatewaySourceCidr", ["198.51.100.0/24"], "gatewaySourceCidrs"],
        ["trafficsplit", { local: 100, cloud: 0 }, "trafficSplit"],
        ["kubeconfigs", "~/.kube/config", "kubeconfig"],
        ["instancetype", "m7g.large", "instanceTypes"],
    ])("%s, a key the program does not read, is named with the nearest key, %s", async (key, value, nearest) => {
        const message = await configError("cloud", { config: { [key]: value } });
        expect(message).toContain(`edge-cloud-mesh:${key} is not a key this program reads; the nearest one is ${nearest}.`);
        expect(message).toContain(`pulumi config rm edge-cloud-mesh:${key}`);
    });

    it("the typo is caught even where it would otherwise deploy the default (edgeSite: the cloud stack would register only edge)", async () => {
        const message = await configError("cloud", { config: { edgeSite: ["edge", "edge-berlin"] } });
        expect(message).not.toMatch(/edge-cloud-mesh:edgeSites:/);
    });

    it("keys of other namespaces (aws:, pulumi:) are not the program's to judge", async () => {
        const run = await runStack("cloud", { config: { "aws:profile": "demo", "aws:skipMetadataApiCheck": "false" } });
        expect(run.outputs.clusterName.value).toBe("cloud");
    });

    it.each([
        ["edge", "apiAccessCidrs", ["not-a-cidr"], "cloud stacks with cluster: eks"],
        ["edge", "edgeSites", ["edge", "edge-berlin"], "cloud stacks"],
        ["edge", "nodes", { min: 1, desired: 1, max: 1 }, "cloud stacks with cluster: eks"],
        ["cloud", "trafficSplit", { local: 100, cloud: 0 }, "edge stacks"],
        ["cloud", "cloudStack", "acme/edge-cloud-mesh/cloud", "edge stacks"],
    ])(
        "on a %s stack, %s set to something other than its default is an error naming the stacks that read it",
        async (role, key, value, readers) => {
            const message = await configError(role, {
                config: { role, kubeconfig: role === "edge" ? K3S_KUBECONFIG : undefined, [key]: value },
            });
            expect(message).toContain(
                `edge-cloud-mesh:${key} is read only by ${readers}, and this stack's role is ${role}: its value here would be ignored. ` +
                    `Set it on the stack that reads it, or remove it here (pulumi config rm edge-cloud-mesh:${key}).`,
            );
            // Another role cannot switch into reading it: no cluster to set.
            expect(message).not.toMatch(/pulumi config set cluster/);
        },
    );

    // A cloud stack on an existing cluster, valid but for the key under test.
    const kubeconfigCloud = { cluster: "kubeconfig", kubeconfig: K3S_KUBECONFIG, apiServerAddress: "https://k3d-cloud-server-0:6443" };

    it.each([
        ["instanceTypes", ["m7g.xlarge"]],
        ["vpcCidr", "10.1.0.0/16"],
        ["clusterAdmins", ["arn:aws:iam::123456789012:role/ci-preview"]],
        ["nodeSubnets", "public"],
        ["apiAccessCidrs", ["198.51.100.0/24"]],
        ["kubernetesVersion", "1.34"],
    ])(
        "on a cloud stack with cluster: kubeconfig, the EKS-only %s says the stack's cluster and offers cluster: eks besides removing it",
        async (key, value) => {
            const message = await configError("cloud", { config: { ...kubeconfigCloud, [key]: value }, secretKeys: ["kubeconfig"] });
            expect(message).toBe(
                `Invalid configuration:\n  - edge-cloud-mesh:${key} is read only by cloud stacks with cluster: eks, and this stack has ` +
                    `cluster: kubeconfig: its value here would be ignored. Remove it here (pulumi config rm edge-cloud-mesh:${key}), ` +
                    `or set cluster: eks if this stack should create its cluster on EKS (pulumi config set cluster eks).`,
            );
        },
    );

    it.each([
        ["kubeconfig", "~/.kube/k3d-cloud.yaml", "cloud stacks with cluster: kubeconfig and edge stacks"],
        ["kubeContext", "k3d-cloud", "cloud stacks with cluster: kubeconfig and edge stacks"],
        ["apiServerAddress", "https://k3d-cloud-server-0:6443", "cloud stacks with cluster: kubeconfig"],
    ])(
        "on a cloud stack on EKS (cluster left at its default), %s says the stack has cluster: eks, or set cluster: kubeconfig",
        async (key, value, readers) => {
            const message = await configError("cloud", { config: { [key]: value } });
            expect(message).toContain(
                `edge-cloud-mesh:${key} is read only by ${readers}, and this stack has cluster: eks (the default): its value here would ` +
                    `be ignored. Remove it here (pulumi config rm edge-cloud-mesh:${key}), or set cluster: kubeconfig if this stack ` +
                    `should use the existing cluster its kubeconfig reaches (pulumi config set cluster kubeconfig).`,
            );
        },
    );

    it("on a cloud stack that sets cluster: eks itself, kubeconfig is judged the same, and once it has cluster: kubeconfig, read", async () => {
        const message = await configError("cloud", { config: { cluster: "eks", kubeconfig: K3S_KUBECONFIG }, secretKeys: ["kubeconfig"] });
        expect(message).toMatch(/this stack has cluster: eks \(the default\)[^\n]*\(pulumi config set cluster kubeconfig\)\.$/);
        // The kubeconfig's contents are a secret: the message names the key, never its value.
        expect(message).not.toContain(K3S_KUBECONFIG.trim().split("\n")[0]);
    });

    it("a key of the other role left at its default (as the engine hands every declared key over) is no error", async () => {
        const run = await runStack("cloud", {
            config: { trafficSplit: { cloud: 50, local: 50 }, trafficSplitApi: "httproute", cloudStack: "cloud" },
        });
        expect(run.outputs.clusterName.value).toBe("cloud");
    });

    it("reports unknown, misplaced and invalid keys together", async () => {
        const message = await configError("cloud", { config: { edgeSite: ["x"], cloudStack: "other", capacityType: "spot" } });
        expect(message).toMatch(/edgeSite is not a key/);
        expect(message).toMatch(/cloudStack is read only by edge stacks/);
        expect(message).toMatch(/capacityType: "spot"/);
    });
});

describe("who reads a key (pure)", () => {
    // The form a key read by the cloud only in one mode takes, e.g. kubeconfig with a cluster key.
    const readers: Record<string, KeyReaders> = {
        cluster: { cloud: true },
        kubeconfig: { edge: true, cloud: { when: { cluster: "kubeconfig" } } },
        edgeSites: { cloud: true },
    };
    const defaults = { cluster: "eks", kubeconfig: "", edgeSites: ["edge"] };

    it("reads a conditional reader against the stack's other keys", () => {
        expect(readsKey(readers.kubeconfig, "cloud", { cluster: "kubeconfig" })).toBe(true);
        expect(readsKey(readers.kubeconfig, "cloud", { cluster: "eks" })).toBe(false);
        expect(readsKey(readers.kubeconfig, "edge", {})).toBe(true);
        expect(readersLabel(readers.kubeconfig)).toBe("cloud stacks with cluster: kubeconfig and edge stacks");
    });

    it("flags a conditional key only where its condition does not hold, and only when not at its default", () => {
        const set = { kubeconfig: "~/.kube/k3d-cloud.yaml", edgeSites: '["edge"]' };
        expect(misplacedKeyProblems({ ...set, cluster: "kubeconfig" }, "cloud", defaults, readers)).toEqual([]);
        expect(misplacedKeyProblems({ ...set, cluster: "eks" }, "cloud", defaults, readers)).toEqual([
            "edge-cloud-mesh:kubeconfig is read only by cloud stacks with cluster: kubeconfig and edge stacks, and this stack has " +
                "cluster: eks (the default): its value here would be ignored. Remove it here (pulumi config rm edge-cloud-mesh:kubeconfig), " +
                "or set cluster: kubeconfig if this stack should use the existing cluster its kubeconfig reaches (pulumi config set cluster kubeconfig).",
        ]);
        // cluster not handed over means its default, eks, in the judgment and in the message alike.
        expect(misplacedKeyProblems(set, "cloud", defaults, readers)).toEqual([
            expect.stringContaining("this stack has cluster: eks (the default): its value here would be ignored"),
        ]);
        expect(misplacedKeyProblems({ cluster: "eks", kubeconfig: "" }, "cloud", defaults, readers)).toEqual([]);
        // edgeSites at its default on an edge stack: the engine put it there.
        expect(misplacedKeyProblems({ kubeconfig: "x", edgeSites: '["edge"]' }, "edge", defaults, readers)).toEqual([]);
        expect(misplacedKeyProblems({ kubeconfig: "x", edgeSites: '["edge","b"]' }, "edge", defaults, readers)).toHaveLength(1);
    });

    it("names every mode that differs, with its values and the command that switches it", () => {
        const modal: Record<string, KeyReaders> = { tap: { cloud: { when: { cluster: "kubeconfig", viz: "true" } } } };
        expect(
            misplacedKeyProblems({ tap: "on", cluster: "kubeconfig", viz: "false" }, "cloud", { cluster: "eks", viz: "true" }, modal),
        ).toEqual([
            "edge-cloud-mesh:tap is read only by cloud stacks with cluster: kubeconfig, viz: true, and this stack has cluster: kubeconfig, " +
                "viz: false: its value here would be ignored. Remove it here (pulumi config rm edge-cloud-mesh:tap), or set cluster: kubeconfig, " +
                "viz: true if this stack should read it (pulumi config set cluster kubeconfig && pulumi config set viz true).",
        ]);
    });

    it("measures edit distance ignoring case, and picks the nearest key", () => {
        expect(editDistance("edgeSite", "edgeSites")).toBe(1);
        expect(editDistance("trafficsplit", "trafficSplit")).toBe(0);
        expect(editDistance("kitten", "sitting")).toBe(3);
        expect(nearestKey("edgeSite")).toBe("edgeSites");
        expect(nearestKey("kubecontext")).toBe("kubeContext");
        expect(nearestKey("linkerdversion")).toBe("linkerdVersion");
    });

    it("suggests a key only when it is close: none for a name far from every key", () => {
        expect(nearestKey("gatewayCidrs")).toBe("gatewaySourceCidrs");
        expect(nearestKey("sites")).toBe("edgeSites");
        expect(nearestKey("linkerd")).toBe("linkerdVersion");
        expect(nearestKey("colour")).toBeUndefined();
        expect(nearestKey("replicas")).toBeUndefined();
    });

    it("points provider keys set without their namespace at it, and says when nothing is close", async () => {
        const message = await configError("cloud", { config: { region: "eu-west-1", colour: "blue" } });
        expect(message).toContain("edge-cloud-mesh:region is not a key this program reads; it belongs to another package: set aws:region.");
        expect(message).toContain("edge-cloud-mesh:colour is not a key this program reads; no key of this program is close to it.");
    });

    it("compares with Pulumi.yaml's defaults as the engine serialises them (JSON for lists, maps, numbers and booleans)", () => {
        expect(projectDefaults()).toMatchObject({
            edgeSites: ["edge"],
            trafficSplit: { local: 50, cloud: 50 },
            viz: true,
            availabilityZoneCount: 2,
        });
        expect(projectDefaults()).not.toHaveProperty("role");
        const cloud = { role: "cloud" };
        expect(misplacedKeyProblems({ ...cloud, trafficSplit: '{"cloud":50,"local":50}' }, "cloud", projectDefaults())).toEqual([]);
        expect(misplacedKeyProblems({ ...cloud, trafficSplit: '{"cloud":50,"local":51}' }, "cloud", projectDefaults())).toHaveLength(1);
        expect(misplacedKeyProblems({ role: "edge", availabilityZoneCount: "2" }, "edge", projectDefaults())).toEqual([]);
        expect(misplacedKeyProblems({ role: "edge", availabilityZoneCount: "3" }, "edge", projectDefaults())).toHaveLength(1);
    });
});

describe("the parser takes what it needs besides the keys from its context, and throws an error of its own", () => {
    const edge = (overrides: Record<string, unknown>) => rawStackConfig("edge", { kubeconfig: K3S_KUBECONFIG, ...overrides });
    const context = configContext(new Date("2026-11-25T12:00:00Z"));
    const parseError = (run: () => unknown): Error => {
        try {
            run();
        } catch (error) {
            return error as Error;
        }
        throw new Error("expected parseConfig to reject the configuration");
    };

    it("throws a ConfigError, which loadConfig turns into a RunError with the same message", async () => {
        const config = { colour: "blue", cloudStack: "a/b/c/d", trafficSplitApi: "istio" };
        const error = parseError(() => parseConfig(edge(config), "edge", context));
        expect(error).toBeInstanceOf(ConfigError);
        expect(error).not.toBeInstanceOf(pulumi.RunError);
        expect(error.message).toMatch(/^Invalid configuration:\n {2}- edge-cloud-mesh:colour is not a key/);
        expect(await configError("edge", { config: { kubeconfig: K3S_KUBECONFIG, ...config } })).toBe(error.message);
    });

    it("reads a kubeconfig path through the context's reader, and reports what it could not read", () => {
        const asked: string[] = [];
        const readKubeconfigFile = (given: string) => {
            asked.push(given);
            return { path: "/home/ops/.kube/k3s-edge.yaml", text: K3S_KUBECONFIG };
        };
        const config = parseConfig(edge({ kubeconfig: "~/.kube/k3s-edge.yaml" }), "edge", { ...context, readKubeconfigFile }) as EdgeConfig;
        expect(asked).toEqual(["~/.kube/k3s-edge.yaml"]);
        expect(config).toMatchObject({ kubeconfig: K3S_KUBECONFIG, kubeconfigPath: "/home/ops/.kube/k3s-edge.yaml" });
        const unreadable = { ...context, readKubeconfigFile: () => ({ problem: 'the file "/nowhere" does not exist' }) };
        const message = parseError(() => parseConfig(edge({ kubeconfig: "/nowhere" }), "edge", unreadable)).message;
        expect(message).toContain('  - edge-cloud-mesh:kubeconfig: the file "/nowhere" does not exist; k3d writes a cluster\'s file with');
        expect(message).toMatch(
            /; accepted: the kubeconfig's contents \(pulumi config set --secret kubeconfig < k3s\.yaml\) or a path to the file$/,
        );
    });

    it("judges keys at their default against the defaults it is given, not against Pulumi.yaml on disk", () => {
        const raw = edge({ availabilityZoneCount: 3, splitMode: "failover", trafficSplit: { local: 90, cloud: 10 } });
        expect(parseError(() => parseConfig(raw, "edge", context)).message).toMatch(
            /availabilityZoneCount is read only by[\s\S]*trafficSplit: \{"local":90,"cloud":10\} has no effect/,
        );
        const defaults = { ...context.defaults, availabilityZoneCount: 3, trafficSplit: { local: 90, cloud: 10 } };
        expect(parseConfig(raw, "edge", { ...context, defaults })).toMatchObject({ splitMode: "failover" });
    });
});
