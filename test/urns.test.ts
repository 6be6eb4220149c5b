// The refactor of issue 13 (and any later one) changes no resource's URN, parent or provider and no
// stack output key, so `pulumi preview` on an existing stack shows nothing. The record was taken
// before the refactor; rewrite it only for a change that means to move resources, with
// `UPDATE_URNS=1 npx vitest run test/urns.test.ts`, and say so in the commit.
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "./harness";
import { StackRecord, differences, recordScenarios } from "./urns";

const FIXTURE = path.join(ROOT, "test", "fixtures", "urns.json");

describe("resource identities", () => {
    it("are those recorded in test/fixtures/urns.json, for every stack configuration the tests run", async () => {
        const actual = await recordScenarios();
        if (process.env.UPDATE_URNS === "1") fs.writeFileSync(FIXTURE, JSON.stringify(actual, null, 2) + "\n");
        const expected: Record<string, StackRecord> = JSON.parse(fs.readFileSync(FIXTURE, "utf8"));
        expect(differences(expected, actual)).toEqual([]);
    });

    it("differ, by the comparison, when a resource is renamed, reparented or gone, or an output key changes", () => {
        const chart = {
            urn: "urn:pulumi:cloud::edge-cloud-mesh::kubernetes:helm.sh/v4:Chart::linkerd-control-plane",
            type: "kubernetes:helm.sh/v4:Chart",
            name: "linkerd-control-plane",
            parent: "p",
            provider: "k",
        };
        const record: Record<string, StackRecord> = { cloud: { resources: [chart], outputKeys: ["gateway"] } };
        const renamed = { ...chart, urn: chart.urn.replace("control-plane", "controlplane"), name: "linkerd-controlplane" };
        expect(differences(record, { cloud: { resources: [renamed], outputKeys: ["gateway"] } })).toEqual([
            `cloud: ${chart.urn} is gone`,
            `cloud: ${renamed.urn} is new`,
        ]);
        expect(differences(record, { cloud: { resources: [{ ...chart, parent: "q" }], outputKeys: ["gateway"] } })).toHaveLength(1);
        expect(differences(record, { cloud: { resources: [chart], outputKeys: ["gatewayEndpoint"] } })).toEqual([
            "cloud: output keys were gateway, are gatewayEndpoint",
        ]);
        expect(differences(record, {})).toEqual(["cloud: not run"]);
    });
});
