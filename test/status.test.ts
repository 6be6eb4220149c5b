// npm run status: what each stack's row says and when the run fails, with the Pulumi port and the
// tool runner replaced by recording fakes (test/fakes.ts); the whole command runs against stand-in
// Pulumi and linkerd CLIs in test/entry.test.ts. The answers of `linkerd multicluster gateways -o json`
// are shaped as multicluster/cmd/gateways.go@edge-26.8.3 prints them.
import * as os from "node:os";
import { describe, expect, it } from "vitest";
import { OperatorError } from "../scripts/errors";
import type { StackStatus } from "../scripts/events";
import { attention, gatewayOf, meshStatus } from "../scripts/flows/status";
import { fakeRunner, fakeWorkspace, ok, recordingReporter } from "./fakes";

const ALIVE = JSON.stringify([{ clusterName: "cloud", alive: true, numberOfServices: 1, latency: 4 }], null, 2);
const failed = (stderr: string, status = 1) => ({ status, stdout: "", stderr, missing: false });

describe("a site's gateway, from what linkerd answered", () => {
    it("alive or not alive, for the cloud cluster the site links to", () => {
        expect(gatewayOf(ok(ALIVE), "cloud")).toEqual({ state: "alive", detail: "cloud 4ms" });
        const dead = JSON.stringify([
            { clusterName: "cloud", alive: false, numberOfServices: 1, latency: 0 },
            { clusterName: "other", alive: true, numberOfServices: 0, latency: 1 },
        ]);
        expect(gatewayOf(ok(dead), "cloud")).toEqual({ state: "not alive", detail: "cloud" });
        expect(gatewayOf(ok(dead), undefined)).toEqual({ state: "not alive", detail: "cloud" });
    });

    it("unknown when linkerd reports none for it (null: no link; a link whose metrics it could not read), or failed", () => {
        expect(gatewayOf(ok("null\n"), "cloud")).toEqual({ state: "unknown", detail: "linkerd reports no gateway of cloud" });
        expect(gatewayOf({ ...ok("null\n"), stderr: "Failed to get gateway status for cloud: pod not running: x\n" }, "cloud")).toEqual({
            state: "unknown",
            detail: "Failed to get gateway status for cloud: pod not running: x",
        });
        const unreachable =
            "Error: make sure the linkerd-multicluster extension is installed, using 'linkerd multicluster install' (namespace with label \"linkerd.io/extension: multicluster\" not found)\nUsage:\n  linkerd multicluster gateways [flags]\n";
        expect(gatewayOf(failed(unreachable), "cloud")).toEqual({
            state: "unknown",
            detail: "make sure the linkerd-multicluster extension is installed, using 'linkerd multicluster install' (namespace with label \"linkerd.io/extension: multicluster\" not found)",
        });
        expect(gatewayOf(ok("not json"), "cloud")).toEqual({ state: "unknown", detail: "linkerd printed no gateways" });
    });
});

describe("what needs attention", () => {
    const fine: StackStatus = { stack: "edge", exists: true, lastUpdate: { kind: "update", result: "succeeded", time: new Date(0) } };
    it("a stack that could not be read, does not exist, was never updated, whose last update failed, or whose gateway is not alive", () => {
        expect(attention(fine)).toBeUndefined();
        expect(attention({ ...fine, gateway: { state: "alive" } })).toBeUndefined();
        expect(attention({ stack: "edge", problem: "x" })).toBe("could not be read");
        expect(attention({ stack: "edge", exists: false })).toBe("no stack");
        expect(attention({ stack: "edge", exists: true })).toBe("never updated");
        expect(attention({ ...fine, lastUpdate: { kind: "destroy", result: "in-progress", time: new Date(0) } })).toBe(
            "its last destroy in-progress",
        );
        expect(attention({ ...fine, gateway: { state: "unknown" } })).toBe("gateway unknown");
    });
});

describe("npm run status", () => {
    const UPDATED = { kind: "update", result: "succeeded", startTime: new Date(1_000), endTime: new Date(2_000) };
    const stacks = {
        cloud: { outputs: { edgeSiteNames: ["edge", "paris"] }, lastUpdate: UPDATED, resources: 40 },
        edge: {
            config: { kubeconfig: "~/edge.yaml", kubeContext: "k3d-edge" },
            outputs: { linkedCluster: "cloud" },
            lastUpdate: UPDATED,
            resources: 12,
        },
    };

    it("reads every stack (history, then state), reports the table, and fails naming the stacks that need attention", async () => {
        const { workspace, calls } = fakeWorkspace(stacks);
        const { reporter, events } = recordingReporter();
        const runner = fakeRunner({});
        const error = await meshStatus(
            { workspace, runner: runner.runner, reporter, env: {} },
            { cloudStack: "cloud", edgeStackPrefix: "" },
            {
                live: false,
                parallel: 1,
            },
        ).catch((caught: Error) => caught);
        expect(error).toBeInstanceOf(OperatorError);
        expect((error as Error).message).toBe("1 of 3 stacks need attention: paris (no stack).");
        expect(calls).toEqual(["outputs cloud", "history cloud", "export cloud", "history edge", "export edge"]);
        expect(runner.calls).toEqual([]);
        expect(events).toEqual([
            {
                kind: "status",
                live: false,
                stacks: [
                    {
                        stack: "cloud",
                        exists: true,
                        lastUpdate: { kind: "update", result: "succeeded", time: new Date(2_000) },
                        resources: 40,
                    },
                    {
                        site: "edge",
                        stack: "edge",
                        exists: true,
                        lastUpdate: { kind: "update", result: "succeeded", time: new Date(2_000) },
                        resources: 12,
                    },
                    { site: "paris", stack: "paris", exists: false },
                ],
            },
        ]);
    });

    it("--live checks the linkerd CLI first, then asks each site's linkerd on its own kubeconfig and context", async () => {
        const { workspace } = fakeWorkspace({ ...stacks, cloud: { ...stacks.cloud, outputs: { edgeSiteNames: ["edge"] } } });
        const { reporter, events } = recordingReporter();
        const runner = fakeRunner({ "linkerd version": ok("edge-26.8.3\n"), "linkerd multicluster gateways": ok(ALIVE) });
        const env = { PATH: "/bin" };
        const result = await meshStatus(
            { workspace, runner: runner.runner, reporter, env },
            { cloudStack: "cloud", edgeStackPrefix: "" },
            {
                live: true,
                parallel: 4,
            },
        );
        expect(result[1].gateway).toEqual({ state: "alive", detail: "cloud 4ms" });
        expect(result[0].gateway).toBeUndefined();
        expect(runner.commands()).toEqual([
            "linkerd version --client --short",
            `linkerd multicluster gateways --kubeconfig ${os.homedir()}/edge.yaml --context k3d-edge -o json`,
        ]);
        expect(runner.calls.every((call) => call.env === env)).toBe(true);
        // The tools' table only when a tool needs attention (checks/tools.ts requireTools).
        expect(events.map((event) => event.kind)).toEqual(["check", "check", "status"]);
    });
});
