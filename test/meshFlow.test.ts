// npm run up / down / preview: the order of the stacks, failure isolation and what is reported, with
// the Pulumi port replaced by a recording fake (test/fakes.ts). The port itself runs against a
// stand-in CLI in test/pulumiPort.test.ts, the whole command (and the concurrency bound) in
// test/entry.test.ts and test/parallel.test.ts.
import { describe, expect, it } from "vitest";
import { OperatorError } from "../scripts/errors";
import type { SiteOutcome } from "../scripts/events";
import { StackNames, downMesh, previewMesh, upMesh } from "../scripts/flows/mesh";
import { fakeWorkspace, recordingReporter } from "./fakes";

const NAMES: StackNames = { cloudStack: "cloud", edgeStackPrefix: "" };
const CLOUD = { outputs: { edgeSiteNames: ["edge", "edge-berlin"], clusterName: "cloud" } };

async function failure(action: Promise<unknown>): Promise<OperatorError> {
    const error = await action.catch((caught: Error) => caught);
    expect(error).toBeInstanceOf(OperatorError);
    return error as OperatorError;
}

/** The summary of the run: each stack's result and first error line, durations left out. */
function summary(events: ReturnType<typeof recordingReporter>["events"]) {
    const done = events.filter((event) => event.kind === "sites-done");
    expect(done).toHaveLength(1);
    return (done[0] as { outcomes: SiteOutcome[] }).outcomes.map(({ durationMs, ...outcome }) => {
        expect(durationMs === undefined || durationMs >= 0).toBe(true);
        return outcome;
    });
}

describe("npm run up", () => {
    it("brings up the cloud stack, then every edge stack it registers, streaming each one's output, then the summary", async () => {
        const { workspace, calls } = fakeWorkspace({ cloud: CLOUD, edge: { outputs: { linkedCluster: "cloud" } }, "edge-berlin": {} });
        const { reporter, stdout, events } = recordingReporter();
        const result = await upMesh(workspace, NAMES, reporter, { parallel: 1 });
        expect(calls).toEqual(["up cloud", "up edge", "up edge-berlin"]);
        expect(stdout()).toMatch(
            /^\n=== pulumi up: the cloud stack cloud\noutput of up cloud\n\n=== pulumi up: the edge stacks\n\n=== pulumi up: the edge stack edge \(site edge\)\noutput of up edge\n/,
        );
        expect(result.edges.edge).toEqual({ linkedCluster: "cloud" });
        // Each stack's step and output are its own: a live view (or parallel runs) can tell them apart.
        expect(events.filter((event) => event.kind !== "output" && event.kind !== "sites-done")).toEqual([
            { kind: "step-started", subject: "cloud", title: "pulumi up: the cloud stack cloud" },
            { kind: "step-finished", subject: "cloud" },
            { kind: "sites-started", title: "pulumi up: the edge stacks", parallel: 1 },
            { kind: "step-started", subject: "edge", title: "pulumi up: the edge stack edge (site edge)" },
            { kind: "step-finished", subject: "edge" },
            { kind: "step-started", subject: "edge-berlin", title: "pulumi up: the edge stack edge-berlin (site edge-berlin)" },
            { kind: "step-finished", subject: "edge-berlin" },
        ]);
        expect(events).toContainEqual({ kind: "output", subject: "edge", stream: "stdout", text: "output of up edge\n" });
        expect(summary(events)).toEqual([
            { stack: "cloud", result: "ok" },
            { site: "edge", stack: "edge", result: "ok" },
            { site: "edge-berlin", stack: "edge-berlin", result: "ok" },
        ]);
        expect(stdout()).toMatch(/\npulumi up: 3 ok\nSITE {9}STACK {8}RESULT {2}TIME {2}ERROR\n\(cloud\) {6}cloud {8}ok {6}\d+s\n/);
    });

    it("runs the edge stacks side by side (4 unless told), each line of their output prefixed with its stack", async () => {
        const { workspace } = fakeWorkspace({ cloud: CLOUD, edge: {}, "edge-berlin": {} });
        const { reporter, stdout, events } = recordingReporter();
        await upMesh(workspace, NAMES, reporter);
        expect(events).toContainEqual({ kind: "sites-started", title: "pulumi up: the edge stacks", parallel: 2 });
        expect(stdout()).toMatch(/\n=== pulumi up: the edge stacks, 2 at a time\n/);
        expect(stdout()).toMatch(/\nedge \| output of up edge\n/);
        expect(stdout()).toMatch(/\nedge-berlin \| output of up edge-berlin\n/);
    });

    it("names each site's stack with the prefix: qualified names, the local environment's", async () => {
        const { workspace, calls } = fakeWorkspace({
            "acme/edge-cloud-mesh/cloud": CLOUD,
            "acme/edge-cloud-mesh/edge": {},
            "acme/edge-cloud-mesh/edge-berlin": {},
        });
        await upMesh(
            workspace,
            { cloudStack: "acme/edge-cloud-mesh/cloud", edgeStackPrefix: "acme/edge-cloud-mesh/" },
            recordingReporter().reporter,
        );
        expect(calls).toEqual(["up acme/edge-cloud-mesh/cloud", "up acme/edge-cloud-mesh/edge", "up acme/edge-cloud-mesh/edge-berlin"]);
    });

    it("a failed edge stops no other: every site runs, the summary says which failed and why, and the run fails naming it", async () => {
        const { workspace, calls } = fakeWorkspace({ cloud: CLOUD, edge: { fails: ["up"] }, "edge-berlin": {} });
        const { reporter, events } = recordingReporter();
        const error = await failure(upMesh(workspace, NAMES, reporter));
        expect(error.message).toBe('the edge stack "edge" (site "edge") failed at `pulumi up`: up of edge failed.');
        expect(events).toContainEqual({ kind: "step-failed", subject: "edge", reason: "up of edge failed" });
        expect(calls).toEqual(["up cloud", "up edge", "up edge-berlin"]);
        expect(summary(events)).toEqual([
            { stack: "cloud", result: "ok" },
            { site: "edge", stack: "edge", result: "failed", errors: ["up of edge failed"] },
            { site: "edge-berlin", stack: "edge-berlin", result: "ok" },
        ]);
    });

    it("an edge whose step fails unexpectedly (not the CLI: a rejected promise) stops no other, and the summary lists every site once", async () => {
        const { workspace, calls } = fakeWorkspace({ cloud: CLOUD, edge: {}, "edge-berlin": {} });
        const stack = workspace.stack;
        workspace.stack = async (name) => {
            const found = await stack(name);
            return name === "edge" && found ? { ...found, up: () => Promise.reject(new TypeError("edge broke")) } : found;
        };
        const { reporter, events } = recordingReporter();
        const error = await failure(upMesh(workspace, NAMES, reporter, { parallel: 2 }));
        expect(error.message).toBe('the edge stack "edge" (site "edge") failed with an unexpected error: TypeError: edge broke');
        expect(calls).toEqual(["up cloud", "up edge-berlin"]);
        const [cloud, edge, berlin] = summary(events);
        expect([cloud, berlin]).toEqual([
            { stack: "cloud", result: "ok" },
            { site: "edge-berlin", stack: "edge-berlin", result: "ok" },
        ]);
        expect(edge).toMatchObject({ site: "edge", stack: "edge", result: "failed" });
        // The stack trace, for the bug report.
        expect(edge.errors![0]).toBe("TypeError: edge broke");
        expect(edge.errors![1]).toMatch(/^ {4}at /);
    });

    it("several failed edges: the run's error counts and names them", async () => {
        const { workspace } = fakeWorkspace({ cloud: CLOUD, edge: { fails: ["up"] }, "edge-berlin": { fails: ["up"] } });
        const error = await failure(upMesh(workspace, NAMES, recordingReporter().reporter));
        expect(error.message).toBe('2 of 2 edge stacks failed: "edge", "edge-berlin" (the summary above has each one\'s error).');
    });

    it("a failed cloud stack runs no edge stack", async () => {
        const { workspace, calls } = fakeWorkspace({ cloud: { ...CLOUD, fails: ["up"] }, edge: {}, "edge-berlin": {} });
        const error = await failure(upMesh(workspace, NAMES, recordingReporter().reporter));
        expect(error.message).toBe('the cloud stack "cloud" failed at `pulumi up`: up of cloud failed. No edge stack was run.');
        expect(calls).toEqual(["up cloud"]);
    });

    it("a registered site without a stack is a failed site, naming the stack and how to create it; the others run", async () => {
        const { workspace, calls } = fakeWorkspace({ cloud: CLOUD, "edge-berlin": {} });
        const { reporter, events } = recordingReporter();
        const error = await failure(upMesh(workspace, NAMES, reporter));
        expect(error.message).toMatch(
            /^the edge site "edge": the backend you are logged in to has no stack "edge"\. Create and configure it \(pulumi stack init edge; see docs\/edge-sites\.md\)/,
        );
        expect(calls).toEqual(["up cloud", "up edge-berlin"]);
        expect(summary(events)[1]).toEqual({
            site: "edge",
            stack: "edge",
            result: "failed",
            errors: ['the backend you are logged in to has no stack "edge"'],
        });
    });

    it("without a cloud stack nothing runs, and the error says how to create it", async () => {
        const { workspace, calls } = fakeWorkspace({ edge: {} });
        const error = await failure(upMesh(workspace, NAMES, recordingReporter().reporter));
        expect(error.message).toBe(
            'the cloud stack: the backend you are logged in to has no stack "cloud". Create and configure it (pulumi stack init cloud; ' +
                "see docs/edge-sites.md), or name the stacks with --cloud-stack and --edge-stack-prefix. Nothing was run.",
        );
        expect(calls).toEqual([]);
    });

    it("a cloud stack without edgeSiteNames (or with a list of something else) is not a cloud stack", async () => {
        const { workspace } = fakeWorkspace({ cloud: { outputs: { edgeSiteNames: [1] } } });
        await expect(upMesh(workspace, NAMES, recordingReporter().reporter)).rejects.toThrow(
            'the cloud stack "cloud" has no output edgeSiteNames: is its role cloud?',
        );
    });
});

describe("npm run down", () => {
    it("destroys every edge stack first, then the cloud stack", async () => {
        const { workspace, calls } = fakeWorkspace({ cloud: CLOUD, edge: {}, "edge-berlin": {} });
        const { reporter, events } = recordingReporter();
        expect(await downMesh(workspace, NAMES, { continuePastGoneEdges: false }, reporter)).toEqual([]);
        expect(calls).toEqual(["outputs cloud", "destroy edge", "destroy edge-berlin", "destroy cloud"]);
        expect(summary(events).map((outcome) => outcome.result)).toEqual(["ok", "ok", "ok"]);
    });

    it("takes the sites from the cloud stack's config when it has no outputs (an up that never finished)", async () => {
        const { workspace, calls } = fakeWorkspace({ cloud: { config: { edgeSites: ["edge"] } }, edge: {} });
        await downMesh(workspace, NAMES, { continuePastGoneEdges: false }, recordingReporter().reporter);
        expect(calls).toEqual(["outputs cloud", "config cloud edgeSites", "destroy edge", "destroy cloud"]);
    });

    it("a failed edge leaves the cloud standing, naming the edge stack, why, and what to do; the other edges are destroyed", async () => {
        const { workspace, calls } = fakeWorkspace({ cloud: CLOUD, edge: { fails: ["destroy"] }, "edge-berlin": {} });
        const { reporter, events } = recordingReporter();
        const error = await failure(downMesh(workspace, NAMES, { continuePastGoneEdges: false }, reporter));
        expect(error.message).toMatch(
            /^the edge stack "edge" \(site "edge"\) failed at `pulumi destroy`: destroy of edge failed\. The cloud stack "cloud" was not destroyed: edge sites link to it\./,
        );
        expect(error.message).toMatch(/PULUMI_K8S_DELETE_UNREACHABLE=true npm run down/);
        expect(error.message).toMatch(/npm run down -- --continue-past-gone-edges/);
        expect(calls).toEqual(["outputs cloud", "destroy edge", "destroy edge-berlin"]);
        expect(summary(events)).toEqual([
            { stack: "cloud", result: "kept", errors: ["edge stacks link to it: edge"] },
            { site: "edge", stack: "edge", result: "failed", errors: ["destroy of edge failed"] },
            { site: "edge-berlin", stack: "edge-berlin", result: "ok" },
        ]);
    });

    it("an edge stack that is already gone keeps the cloud too, unless told to go on", async () => {
        const { workspace, calls } = fakeWorkspace({ cloud: CLOUD, "edge-berlin": {} });
        const error = await failure(downMesh(workspace, NAMES, { continuePastGoneEdges: false }, recordingReporter().reporter));
        expect(error.message).toMatch(
            /^the edge site "edge": the backend you are logged in to has no stack "edge"\..* The cloud stack "cloud" was not destroyed/,
        );
        expect(calls).toEqual(["outputs cloud", "destroy edge-berlin"]);
    });

    it("told to go on past gone edges, it destroys the others and the cloud, and says which it went past", async () => {
        const { workspace, calls } = fakeWorkspace({ cloud: CLOUD, "edge-berlin": { fails: ["destroy"] } });
        const { reporter, stdout, events } = recordingReporter();
        expect(await downMesh(workspace, NAMES, { continuePastGoneEdges: true }, reporter)).toEqual(["edge", "edge-berlin"]);
        expect(calls).toEqual(["outputs cloud", "destroy edge-berlin", "destroy cloud"]);
        expect(stdout()).toMatch(
            /=== going past the edge stack "edge" \(site "edge"\): the backend you are logged in to has no stack "edge"\n/,
        );
        expect(stdout()).toMatch(/=== going past the edge stack "edge-berlin" \(site "edge-berlin"\): destroy of edge-berlin failed\n/);
        expect(summary(events).map((outcome) => outcome.result)).toEqual(["ok", "passed", "passed"]);
    });

    it("an edge stack that cannot even be looked up for an unexpected reason is that site's failure, not the run's", async () => {
        const { workspace, calls } = fakeWorkspace({ cloud: CLOUD, edge: {}, "edge-berlin": {} });
        const stack = workspace.stack;
        workspace.stack = (name) => (name === "edge" ? Promise.reject(new Error("no such thing")) : stack(name));
        const { reporter, events } = recordingReporter();
        const error = await failure(downMesh(workspace, NAMES, { continuePastGoneEdges: false }, reporter));
        expect(error.message).toMatch(
            /^the edge stack "edge" \(site "edge"\) could not be selected with an unexpected error: Error: no such thing /,
        );
        expect(calls).toEqual(["outputs cloud", "destroy edge-berlin"]);
        expect(summary(events).map(({ stack, result }) => `${stack} ${result}`)).toEqual(["cloud kept", "edge failed", "edge-berlin ok"]);
    });

    it("a cloud stack whose destroy fails fails the run after the summary", async () => {
        const { workspace } = fakeWorkspace({ cloud: { ...CLOUD, fails: ["destroy"] }, edge: {}, "edge-berlin": {} });
        const { reporter, events } = recordingReporter();
        const error = await failure(downMesh(workspace, NAMES, { continuePastGoneEdges: false }, reporter));
        expect(error.message).toBe('the cloud stack "cloud" failed at `pulumi destroy`: destroy of cloud failed. Run npm run down again.');
        expect(summary(events)[0]).toEqual({ stack: "cloud", result: "failed", errors: ["destroy of cloud failed"] });
    });
});

describe("npm run preview", () => {
    it("previews the cloud stack, then every edge stack; one that shows changes fails the run, not the others", async () => {
        const { workspace, calls } = fakeWorkspace({ cloud: CLOUD, edge: { fails: ["preview"] }, "edge-berlin": {} });
        const { reporter, events } = recordingReporter();
        const error = await failure(previewMesh(workspace, NAMES, true, reporter, { parallel: 1 }));
        expect(error.message).toBe('the edge stack "edge" (site "edge") failed at `pulumi preview`: preview of edge failed.');
        expect(calls).toEqual([
            "outputs cloud",
            "expectNoChanges=true",
            "preview cloud",
            "expectNoChanges=true",
            "preview edge",
            "expectNoChanges=true",
            "preview edge-berlin",
        ]);
        expect(summary(events).map((outcome) => outcome.result)).toEqual(["ok", "failed", "ok"]);
    });

    it("a cloud stack whose preview fails does not keep the edge stacks from theirs (they preview against its outputs)", async () => {
        const { workspace, calls } = fakeWorkspace({ cloud: { ...CLOUD, fails: ["preview"] }, edge: {}, "edge-berlin": {} });
        const error = await failure(previewMesh(workspace, NAMES, false, recordingReporter().reporter));
        expect(error.message).toBe('the cloud stack "cloud" failed at `pulumi preview`: preview of cloud failed.');
        expect(calls.filter((call) => call.startsWith("preview"))).toEqual(["preview cloud", "preview edge", "preview edge-berlin"]);
    });
});
