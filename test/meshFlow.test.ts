// npm run up / down / preview: the order of the stacks and what is reported, with the Pulumi port
// replaced by a recording fake (test/fakes.ts). The port itself runs against a stand-in CLI in
// test/pulumiPort.test.ts, and the whole command in test/entry.test.ts.
import { describe, expect, it } from "vitest";
import { OperatorError } from "../scripts/errors";
import { StackNames, downMesh, previewMesh, upMesh } from "../scripts/flows/mesh";
import { fakeWorkspace, recordingReporter } from "./fakes";

const NAMES: StackNames = { cloudStack: "cloud", edgeStackPrefix: "" };
const CLOUD = { outputs: { edgeSiteNames: ["edge", "edge-berlin"], clusterName: "cloud" } };

describe("npm run up", () => {
    it("brings up the cloud stack, then every edge stack it registers, in order, streaming each one's output", async () => {
        const { workspace, calls } = fakeWorkspace({ cloud: CLOUD, edge: { outputs: { linkedCluster: "cloud" } }, "edge-berlin": {} });
        const { reporter, stdout, events } = recordingReporter();
        const result = await upMesh(workspace, NAMES, reporter);
        expect(calls).toEqual(["up cloud", "up edge", "up edge-berlin"]);
        expect(stdout()).toMatch(
            /=== pulumi up: the cloud stack cloud\noutput of up cloud\n\n=== pulumi up: the edge stack edge \(site edge\)\noutput of up edge\n/,
        );
        expect(result.edges.edge).toEqual({ linkedCluster: "cloud" });
        // Each stack's step and output are its own: a live view (or parallel runs) can tell them apart.
        expect(events.filter((event) => event.kind !== "output")).toEqual([
            { kind: "step-started", subject: "cloud", title: "pulumi up: the cloud stack cloud" },
            { kind: "step-finished", subject: "cloud" },
            { kind: "step-started", subject: "edge", title: "pulumi up: the edge stack edge (site edge)" },
            { kind: "step-finished", subject: "edge" },
            { kind: "step-started", subject: "edge-berlin", title: "pulumi up: the edge stack edge-berlin (site edge-berlin)" },
            { kind: "step-finished", subject: "edge-berlin" },
        ]);
        expect(events).toContainEqual({ kind: "output", subject: "edge", stream: "stdout", text: "output of up edge\n" });
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

    it("a failed edge stops the run, saying which stack failed at which command, the CLI's reason, and which were not run", async () => {
        const { workspace, calls } = fakeWorkspace({ cloud: CLOUD, edge: { fails: ["up"] }, "edge-berlin": {} });
        const { reporter, events } = recordingReporter();
        const error = await upMesh(workspace, NAMES, reporter).catch((caught: Error) => caught);
        expect(error).toBeInstanceOf(OperatorError);
        expect((error as Error).message).toBe(
            'the edge stack "edge" (site "edge") failed at `pulumi up`: up of edge failed. Not run: "edge-berlin".',
        );
        expect(events).toContainEqual({ kind: "step-failed", subject: "edge", reason: "up of edge failed" });
        expect(calls).toEqual(["up cloud", "up edge"]);
    });

    it("a failed cloud stack runs no edge stack", async () => {
        const { workspace, calls } = fakeWorkspace({ cloud: { ...CLOUD, fails: ["up"] }, edge: {}, "edge-berlin": {} });
        await expect(upMesh(workspace, NAMES, recordingReporter().reporter)).rejects.toThrow(
            /^the cloud stack "cloud" failed at `pulumi up`: up of cloud failed\. No edge stack was run\.$/,
        );
        expect(calls).toEqual(["up cloud"]);
    });

    it("a registered site without a stack stops the run before it, naming the stack and how to create it", async () => {
        const { workspace, calls } = fakeWorkspace({ cloud: CLOUD, "edge-berlin": {} });
        await expect(upMesh(workspace, NAMES, recordingReporter().reporter)).rejects.toThrow(
            /^the edge site "edge": the backend you are logged in to has no stack "edge"\. Create and configure it \(pulumi stack init edge; see the README\).*Not run: "edge-berlin"\.$/,
        );
        expect(calls).toEqual(["up cloud"]);
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
        expect(await downMesh(workspace, NAMES, { continuePastGoneEdges: false }, recordingReporter().reporter)).toEqual([]);
        expect(calls).toEqual(["outputs cloud", "destroy edge", "destroy edge-berlin", "destroy cloud"]);
    });

    it("takes the sites from the cloud stack's config when it has no outputs (an up that never finished)", async () => {
        const { workspace, calls } = fakeWorkspace({ cloud: { config: { edgeSites: ["edge"] } }, edge: {} });
        await downMesh(workspace, NAMES, { continuePastGoneEdges: false }, recordingReporter().reporter);
        expect(calls).toEqual(["outputs cloud", "config cloud edgeSites", "destroy edge", "destroy cloud"]);
    });

    it("a failed edge stops the run and leaves the cloud standing, saying why and what to do", async () => {
        const { workspace, calls } = fakeWorkspace({ cloud: CLOUD, edge: { fails: ["destroy"] }, "edge-berlin": {} });
        const error = await downMesh(workspace, NAMES, { continuePastGoneEdges: false }, recordingReporter().reporter).catch(
            (caught: Error) => caught,
        );
        expect(error).toBeInstanceOf(OperatorError);
        expect((error as Error).message).toMatch(
            /^stopped at the edge stack "edge" \(site "edge"\): its destroy failed at `pulumi destroy`: destroy of edge failed\. The cloud stack "cloud" was not destroyed: edge sites link to it\./,
        );
        expect((error as Error).message).toMatch(/PULUMI_K8S_DELETE_UNREACHABLE=true npm run down/);
        expect((error as Error).message).toMatch(/npm run down -- --continue-past-gone-edges/);
        expect(calls).toEqual(["outputs cloud", "destroy edge"]);
    });

    it("an edge stack that is already gone stops the run too, unless told to go on", async () => {
        const { workspace, calls } = fakeWorkspace({ cloud: CLOUD, "edge-berlin": {} });
        await expect(downMesh(workspace, NAMES, { continuePastGoneEdges: false }, recordingReporter().reporter)).rejects.toThrow(
            /^stopped at the edge stack "edge" \(site "edge"\): the backend you are logged in to has no such stack\./,
        );
        expect(calls).toEqual(["outputs cloud"]);
    });

    it("told to go on past gone edges, it destroys the others and the cloud, and says which it went past", async () => {
        const { workspace, calls } = fakeWorkspace({ cloud: CLOUD, "edge-berlin": { fails: ["destroy"] } });
        const { reporter, stdout } = recordingReporter();
        expect(await downMesh(workspace, NAMES, { continuePastGoneEdges: true }, reporter)).toEqual(["edge", "edge-berlin"]);
        expect(calls).toEqual(["outputs cloud", "destroy edge-berlin", "destroy cloud"]);
        expect(stdout()).toMatch(/=== going past the edge stack edge \(site edge\): the backend you are logged in to has no such stack\n/);
        expect(stdout()).toMatch(
            /=== going past the edge stack edge-berlin \(site edge-berlin\): its destroy failed at `pulumi destroy`: destroy of edge-berlin failed\n/,
        );
    });
});

describe("npm run preview", () => {
    it("previews the cloud stack, then each edge stack, and fails on the first that shows changes when told to expect none", async () => {
        const { workspace, calls } = fakeWorkspace({ cloud: CLOUD, edge: { fails: ["preview"] }, "edge-berlin": {} });
        await expect(previewMesh(workspace, NAMES, true, recordingReporter().reporter)).rejects.toThrow(
            /^the preview of "edge" shows changes or failed at `pulumi preview`: preview of edge failed\. Not run: "edge-berlin"\.$/,
        );
        expect(calls).toEqual(["outputs cloud", "expectNoChanges=true", "preview cloud", "expectNoChanges=true", "preview edge"]);
    });
});
