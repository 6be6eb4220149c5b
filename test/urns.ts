// What `pulumi preview` on an existing stack compares against its state: each resource's URN (type and
// name, under its parent), its parent and its provider, plus the stack's output keys. A refactor that
// changes none of these shows no change in a preview; test/urns.test.ts holds the program to the record
// in test/fixtures/urns.json, taken before the issue-13 refactor.
import { StackRun, runStack } from "./harness";
import { K3S_WITHOUT_GATEWAY_API_KUBECONFIG, runEdge } from "./fixtures";

export interface RecordedIdentity {
    urn: string;
    type: string;
    name: string;
    parent: string;
    provider: string;
}

export interface StackRecord {
    resources: RecordedIdentity[];
    outputKeys: string[];
}

/** The identities of a run, sorted by URN so the record reads the same whatever the registration order. */
export function identities(run: StackRun): StackRecord {
    return {
        resources: run.resources
            .map(({ urn, type, name, parent, provider }) => ({ urn, type, name, parent, provider }))
            .sort((a, b) => a.urn.localeCompare(b.urn)),
        outputKeys: Object.keys(run.outputs).sort(),
    };
}

/** The stack configurations the tests exercise, each run the way the tests run it. */
export async function recordScenarios(): Promise<Record<string, StackRecord>> {
    const records: Record<string, StackRecord> = {};
    const cloud = await runStack("cloud");
    records["cloud"] = identities(cloud);
    records["edge"] = identities(await runEdge(cloud.outputs));
    records["edge, trafficSplitApi smi"] = identities(await runEdge(cloud.outputs, { trafficSplitApi: "smi" }));
    records["edge, Gateway API CRDs installed"] = identities(
        await runEdge(cloud.outputs, { gatewayApiCrds: "install", kubeconfig: K3S_WITHOUT_GATEWAY_API_KUBECONFIG }),
    );
    records["cloud, existing VPC"] = identities(
        await runStack("cloud", {
            config: { vpcId: "vpc-0abc", publicSubnetIds: ["subnet-01", "subnet-02"], privateSubnetIds: ["subnet-11", "subnet-12"] },
        }),
    );
    records["cloud, nodes in public subnets (the cheaper demo)"] = identities(
        await runStack("cloud", { config: { nodeSubnets: "public", instanceTypes: ["t4g.small"], nodes: { min: 2, desired: 2, max: 2 } } }),
    );
    const plain = await runStack("cloud", { config: { viz: false, demo: false } });
    records["cloud, viz and demo off"] = identities(plain);
    records["edge, viz and demo off"] = identities(await runEdge(plain.outputs, { viz: false, demo: false }));
    const twoSites = await runStack("cloud", { config: { edgeSites: ["edge", "edge-berlin"] } });
    records["cloud, two edge sites"] = identities(twoSites);
    records["edge-berlin"] = identities(await runEdge(twoSites.outputs, {}, "edge-berlin"));
    // The phases of a trust-anchor rotation after the first ([a] with a): the names slot b's resources take.
    for (const [trustAnchors, issuerTrustAnchor] of [
        [["a", "b"], "a"],
        [["a", "b"], "b"],
        [["b"], "b"],
    ] as const) {
        records[`cloud, trustAnchors ${trustAnchors.join(",")}, issuerTrustAnchor ${issuerTrustAnchor}`] = identities(
            await runStack("cloud", { config: { trustAnchors, issuerTrustAnchor } }),
        );
    }
    return records;
}

/** Every difference between two records, one line each; empty when they are the same. */
export function differences(expected: Record<string, StackRecord>, actual: Record<string, StackRecord>): string[] {
    const problems: string[] = [];
    for (const scenario of new Set([...Object.keys(expected), ...Object.keys(actual)])) {
        const before = expected[scenario];
        const after = actual[scenario];
        if (!before || !after) {
            problems.push(`${scenario}: ${before ? "not run" : "not recorded"}`);
            continue;
        }
        const beforeByUrn = new Map(before.resources.map((resource) => [resource.urn, resource]));
        const afterByUrn = new Map(after.resources.map((resource) => [resource.urn, resource]));
        for (const [urn, resource] of beforeByUrn) {
            const now = afterByUrn.get(urn);
            if (!now) problems.push(`${scenario}: ${urn} is gone`);
            else if (JSON.stringify(now) !== JSON.stringify(resource))
                problems.push(`${scenario}: ${urn} was ${JSON.stringify(resource)}, is ${JSON.stringify(now)}`);
        }
        for (const urn of afterByUrn.keys()) if (!beforeByUrn.has(urn)) problems.push(`${scenario}: ${urn} is new`);
        if (JSON.stringify(before.outputKeys) !== JSON.stringify(after.outputKeys)) {
            problems.push(`${scenario}: output keys were ${before.outputKeys.join(", ")}, are ${after.outputKeys.join(", ")}`);
        }
    }
    return problems;
}
