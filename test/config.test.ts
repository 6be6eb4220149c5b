import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { CONFIG_KEYS, kubernetesVersionProblem } from "../config";
import { instanceArchitecture, parseIpv4Cidr } from "../policy/rules";
import { ROOT, configError } from "./harness";

describe("Pulumi.yaml and config.ts", () => {
    const project = parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8"));
    const declared = Object.entries<any>(project.config).filter(([key]) => !key.includes(":"));

    it("declare the same keys", () => {
        expect(declared.map(([key]) => key).sort()).toEqual([...CONFIG_KEYS].sort());
    });

    it("give every key a description, and a default unless every stack file sets it", () => {
        // The local environment's stack files (npm run local:up) are git-ignored, not the project's.
        const stackFiles = fs.readdirSync(ROOT).filter((file) => /^Pulumi\.[^.]+\.yaml$/.test(file) && !file.startsWith("Pulumi.local-"));
        expect(stackFiles.sort()).toEqual(["Pulumi.cloud.yaml", "Pulumi.edge.yaml"]);
        for (const [key, declaration] of declared) {
            expect(declaration.description, key).toEqual(expect.any(String));
            if (declaration.default === undefined) {
                // The engine refuses a stack that lacks a declared key without a default.
                for (const file of stackFiles) {
                    expect(Object.keys(parse(fs.readFileSync(path.join(ROOT, file), "utf8")).config), `${file} sets ${key}`).toContain(
                        `edge-cloud-mesh:${key}`,
                    );
                }
            }
        }
    });

    it("are the keys of the README's configuration table", () => {
        const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
        const table = readme.split("## Configuration")[1].split("\n## ")[0];
        const documented = [...table.matchAll(/^\| `([A-Za-z]+)` \|/gm)].map((match) => match[1]);
        expect(documented.sort()).toEqual([...CONFIG_KEYS].sort());
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
