// npm run up / down / preview: the order of the stacks, with the Automation API's workspace replaced
// by a recording fake.
import { describe, expect, it } from "vitest";
import { MeshRunError, MeshStack, MeshWorkspace, StackNames, downMesh, previewMesh, upMesh } from "../scripts/orchestrate";
import { parseMeshArgs } from "../scripts/mesh";

interface FakeStackSpec {
    outputs?: Record<string, unknown>;
    edgeSites?: string[];
    /** Operations that fail on this stack. */
    fails?: ("up" | "destroy" | "preview")[];
}

/** A workspace whose stacks record every operation, in order, as "<operation> <stack>". */
function fakeWorkspace(stacks: Record<string, FakeStackSpec>) {
    const calls: string[] = [];
    const workspace: MeshWorkspace = {
        async stack(name) {
            const spec = stacks[name];
            if (spec === undefined) return undefined;
            const operation = async (op: "up" | "destroy" | "preview", onOutput: (text: string) => void) => {
                calls.push(`${op} ${name}`);
                onOutput(`output of ${op} ${name}\n`);
                if (spec.fails?.includes(op)) throw new Error(`code: 255\n stderr: error: ${op} of ${name} failed`);
            };
            const stack: MeshStack = {
                name,
                up: async (onOutput) => {
                    await operation("up", onOutput);
                    return spec.outputs ?? {};
                },
                preview: async (onOutput, expectNoChanges) => {
                    calls.push(`expectNoChanges=${expectNoChanges}`);
                    await operation("preview", onOutput);
                },
                destroy: (onOutput) => operation("destroy", onOutput),
                outputs: async () => {
                    calls.push(`outputs ${name}`);
                    return spec.outputs ?? {};
                },
                edgeSites: async () => {
                    calls.push(`config ${name}`);
                    return spec.edgeSites ?? [];
                },
            };
            return stack;
        },
    };
    return { workspace, calls };
}

const NAMES: StackNames = { cloudStack: "cloud", edgeStackPrefix: "" };
const CLOUD = { outputs: { edgeSiteNames: ["edge", "edge-berlin"], clusterName: "cloud" } };

describe("npm run up", () => {
    it("brings up the cloud stack, then every edge stack it registers, in order, streaming each one's output", async () => {
        const { workspace, calls } = fakeWorkspace({ cloud: CLOUD, edge: { outputs: { linkedCluster: "cloud" } }, "edge-berlin": {} });
        const output: string[] = [];
        const result = await upMesh(workspace, NAMES, (text) => output.push(text));
        expect(calls).toEqual(["up cloud", "up edge", "up edge-berlin"]);
        expect(output.join("")).toMatch(
            /=== pulumi up: the cloud stack cloud\noutput of up cloud\n\n=== pulumi up: the edge stack edge \(site edge\)\noutput of up edge\n/,
        );
        expect(result.edges.edge).toEqual({ linkedCluster: "cloud" });
    });

    it("names each site's stack with the prefix: qualified names, the local environment's", async () => {
        const { workspace, calls } = fakeWorkspace({
            "acme/edge-cloud-mesh/cloud": CLOUD,
            "acme/edge-cloud-mesh/edge": {},
            "acme/edge-cloud-mesh/edge-berlin": {},
        });
        await upMesh(workspace, { cloudStack: "acme/edge-cloud-mesh/cloud", edgeStackPrefix: "acme/edge-cloud-mesh/" }, () => {});
        expect(calls).toEqual(["up acme/edge-cloud-mesh/cloud", "up acme/edge-cloud-mesh/edge", "up acme/edge-cloud-mesh/edge-berlin"]);
    });

    it("a failed edge stops the run, saying which stack failed and which were not run", async () => {
        const { workspace, calls } = fakeWorkspace({ cloud: CLOUD, edge: { fails: ["up"] }, "edge-berlin": {} });
        const error = await upMesh(workspace, NAMES, () => {}).catch((caught: Error) => caught);
        expect(error).toBeInstanceOf(MeshRunError);
        expect((error as Error).message).toBe(
            'the edge stack "edge" (site "edge") failed (code: 255; its output is above). Not run: "edge-berlin".',
        );
        expect(calls).toEqual(["up cloud", "up edge"]);
    });

    it("a failed cloud stack runs no edge stack", async () => {
        const { workspace, calls } = fakeWorkspace({ cloud: { ...CLOUD, fails: ["up"] }, edge: {}, "edge-berlin": {} });
        await expect(upMesh(workspace, NAMES, () => {})).rejects.toThrow(
            /^the cloud stack "cloud" failed \(code: 255; its output is above\)\. No edge stack was run\.$/,
        );
        expect(calls).toEqual(["up cloud"]);
    });

    it("a registered site without a stack stops the run before it, naming the stack and how to create it", async () => {
        const { workspace, calls } = fakeWorkspace({ cloud: CLOUD, "edge-berlin": {} });
        await expect(upMesh(workspace, NAMES, () => {})).rejects.toThrow(
            /^the edge site "edge": the backend you are logged in to has no stack "edge"\. Create and configure it \(pulumi stack init edge; see the README\).*Not run: "edge-berlin"\.$/,
        );
        expect(calls).toEqual(["up cloud"]);
    });
});

describe("npm run down", () => {
    it("destroys every edge stack first, then the cloud stack", async () => {
        const { workspace, calls } = fakeWorkspace({ cloud: CLOUD, edge: {}, "edge-berlin": {} });
        expect(await downMesh(workspace, NAMES, { continuePastGoneEdges: false }, () => {})).toEqual([]);
        expect(calls).toEqual(["outputs cloud", "destroy edge", "destroy edge-berlin", "destroy cloud"]);
    });

    it("takes the sites from the cloud stack's config when it has no outputs (an up that never finished)", async () => {
        const { workspace, calls } = fakeWorkspace({ cloud: { edgeSites: ["edge"] }, edge: {} });
        await downMesh(workspace, NAMES, { continuePastGoneEdges: false }, () => {});
        expect(calls).toEqual(["outputs cloud", "config cloud", "destroy edge", "destroy cloud"]);
    });

    it("a failed edge stops the run and leaves the cloud standing, saying why and what to do", async () => {
        const { workspace, calls } = fakeWorkspace({ cloud: CLOUD, edge: { fails: ["destroy"] }, "edge-berlin": {} });
        const error = await downMesh(workspace, NAMES, { continuePastGoneEdges: false }, () => {}).catch((caught: Error) => caught);
        expect(error).toBeInstanceOf(MeshRunError);
        expect((error as Error).message).toMatch(
            /^stopped at the edge stack "edge" \(site "edge"\): its destroy failed \(code: 255; its output is above\)\. The cloud stack "cloud" was not destroyed: edge sites link to it\./,
        );
        expect((error as Error).message).toMatch(/PULUMI_K8S_DELETE_UNREACHABLE=true npm run down/);
        expect((error as Error).message).toMatch(/npm run down -- --continue-past-gone-edges/);
        expect(calls).toEqual(["outputs cloud", "destroy edge"]);
    });

    it("an edge stack that is already gone stops the run too, unless told to go on", async () => {
        const { workspace, calls } = fakeWorkspace({ cloud: CLOUD, "edge-berlin": {} });
        await expect(downMesh(workspace, NAMES, { continuePastGoneEdges: false }, () => {})).rejects.toThrow(
            /^stopped at the edge stack "edge" \(site "edge"\): the backend you are logged in to has no such stack\./,
        );
        expect(calls).toEqual(["outputs cloud"]);
    });

    it("told to go on past gone edges, it destroys the others and the cloud, and says which it went past", async () => {
        const { workspace, calls } = fakeWorkspace({ cloud: CLOUD, "edge-berlin": { fails: ["destroy"] } });
        const output: string[] = [];
        expect(await downMesh(workspace, NAMES, { continuePastGoneEdges: true }, (text) => output.push(text))).toEqual([
            "edge",
            "edge-berlin",
        ]);
        expect(calls).toEqual(["outputs cloud", "destroy edge-berlin", "destroy cloud"]);
        expect(output.join("")).toMatch(
            /=== going past the edge stack edge \(site edge\): the backend you are logged in to has no such stack/,
        );
    });
});

describe("npm run preview", () => {
    it("previews the cloud stack, then each edge stack, and fails on the first that shows changes when told to expect none", async () => {
        const { workspace, calls } = fakeWorkspace({ cloud: CLOUD, edge: { fails: ["preview"] }, "edge-berlin": {} });
        await expect(previewMesh(workspace, NAMES, true, () => {})).rejects.toThrow(
            /^the preview of "edge" shows changes or failed .*Not run: "edge-berlin"\.$/,
        );
        expect(calls).toEqual(["outputs cloud", "expectNoChanges=true", "preview cloud", "expectNoChanges=true", "preview edge"]);
    });
});

describe("the command line", () => {
    it("names the stacks from flags, else CLOUD_STACK and EDGE_STACK_PREFIX, else cloud and the site's name", () => {
        expect(parseMeshArgs(["up"], {})).toEqual({
            command: "up",
            names: { cloudStack: "cloud", edgeStackPrefix: "" },
            continuePastGoneEdges: false,
            expectNoChanges: false,
        });
        expect(
            parseMeshArgs(["down"], { CLOUD_STACK: "acme/edge-cloud-mesh/cloud", EDGE_STACK_PREFIX: "acme/edge-cloud-mesh/" }).names,
        ).toEqual({
            cloudStack: "acme/edge-cloud-mesh/cloud",
            edgeStackPrefix: "acme/edge-cloud-mesh/",
        });
        const flags = parseMeshArgs(["down", "--cloud-stack", "demo", "--edge-stack-prefix", "demo-", "--continue-past-gone-edges"], {
            CLOUD_STACK: "x",
        });
        expect(flags).toMatchObject({ names: { cloudStack: "demo", edgeStackPrefix: "demo-" }, continuePastGoneEdges: true });
        expect(parseMeshArgs(["preview", "--expect-no-changes"], {}).expectNoChanges).toBe(true);
    });

    it("the local commands use the local stacks, and local:preview expects no changes", () => {
        expect(parseMeshArgs(["local:preview"], { CLOUD_STACK: "x" })).toEqual({
            command: "local:preview",
            names: { cloudStack: "local-cloud", edgeStackPrefix: "local-" },
            continuePastGoneEdges: false,
            expectNoChanges: true,
        });
        expect(() => parseMeshArgs(["local:up", "--cloud-stack", "x"], {})).toThrow(/local:up names its own stacks/);
    });

    it("rejects what it does not know, with the usage", () => {
        expect(() => parseMeshArgs([], {})).toThrow(/^usage: npm run up\|down\|preview/);
        expect(() => parseMeshArgs(["deploy"], {})).toThrow(/^usage:/);
        expect(() => parseMeshArgs(["up", "--continue"], {})).toThrow();
    });
});
