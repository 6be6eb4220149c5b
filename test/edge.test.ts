import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import { StackOutput, configError, installMocks, runStack, single } from "./harness";
import { K3S_KUBECONFIG, runEdge } from "./fixtures";

describe("the edge stack's cluster and its link to the cloud stack", () => {
    let cloudOutputs: Record<string, StackOutput>;
    beforeAll(async () => {
        cloudOutputs = (await runStack("cloud", { config: { edgeSites: ["edge", "edge-berlin"] } })).outputs;
    });

    it("reads a kubeconfig from a path, as Pulumi.edge.yaml gives it", async () => {
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "k3s-")), "k3s.yaml");
        fs.writeFileSync(file, K3S_KUBECONFIG);
        const run = await runEdge(cloudOutputs, { kubeconfig: file });
        const provider = single(run, "pulumi:providers:kubernetes");
        expect(provider.inputs.kubeconfig).toBe(K3S_KUBECONFIG);
        expect(provider.rawInputs.kubeconfig).toMatchObject({ value: K3S_KUBECONFIG });
        expect(run.outputs.vizDashboardCommand.value).toMatch(new RegExp(`^kubectl --kubeconfig ${file} -n linkerd-viz`));
    });

    it("names its cluster after the stack by default: a second site is one more stack", async () => {
        const run = await runEdge(cloudOutputs, {}, "edge-berlin");
        expect(single(run, "pulumi:providers:kubernetes").inputs.clusterIdentifier).toBe("edge-berlin");
        const values = single(run, "kubernetes:helm.sh/v4:Chart", "edge-control-plane").inputs.values;
        expect(values.identity.issuer.tls.crtPEM).toBe(cloudOutputs.edgeSites.value["edge-berlin"].issuerCertPem);
    });

    it("fails before declaring anything when the cloud stack does not list the site, saying what to do", async () => {
        const message = await configError("edge-paris", {
            config: { role: "edge", kubeconfig: K3S_KUBECONFIG },
            stackReferences: { cloud: cloudOutputs },
        });
        expect(message).toMatch(/edge-cloud-mesh:clusterName: the edge site "edge-paris" is not registered in the cloud stack "cloud"/);
        expect(message).toMatch(/its edgeSites: \["edge","edge-berlin"\]/);
        expect(message).toMatch(
            /\(pulumi config rm edgeSites --stack cloud && pulumi config set-all --stack cloud --path --plaintext .edgeSites\[0\]=edge. --plaintext .edgeSites\[1\]=edge-berlin. --plaintext .edgeSites\[2\]=edge-paris.\)/,
        );
        expect(message).toMatch(/run `pulumi up` on the cloud stack, then run this stack again/);
    });

    it("fails clearly when the cloud stack exists but has not been deployed", async () => {
        const message = await configError("edge", { config: { kubeconfig: K3S_KUBECONFIG }, stackReferences: { cloud: {} } });
        expect(message).toMatch(/edge-cloud-mesh:cloudStack: the stack "cloud" has no output edgeSiteNames/);
    });
});

describe("cloudStack: the stack names Pulumi's backends take", () => {
    let cloudOutputs: Record<string, StackOutput>;
    beforeAll(async () => {
        cloudOutputs = (await runStack("cloud")).outputs;
    });

    it.each(["cloud", "acme/cloud", "acme/edge-cloud-mesh/cloud", "organization/edge-cloud-mesh/cloud", "team_1/mesh.v2/cloud-eu"])(
        "%s is read as the StackReference's name",
        async (name) => {
            const run = await runStack("edge", {
                config: { kubeconfig: K3S_KUBECONFIG, cloudStack: name },
                secretKeys: ["kubeconfig"],
                stackReferences: { [name]: cloudOutputs },
            });
            expect(run.outputs.linkedCluster.value).toBe("cloud");
        },
    );

    it.each([
        ["four parts", "a/b/c/d"],
        ["an empty part", "acme//cloud"],
        ["a space", "my cloud"],
        ["a part over 100 characters", `acme/${"c".repeat(101)}`],
    ])("rejects %s, naming the forms", async (_label, name) => {
        const message = await configError("edge", { config: { kubeconfig: K3S_KUBECONFIG, cloudStack: name } });
        expect(message).toContain(`edge-cloud-mesh:cloudStack: ${JSON.stringify(name)} is not a stack name`);
        expect(message).toContain(
            '"<stack>", "<org>/<stack>" or "<org>/<project>/<stack>" (with a self-managed backend, "organization/<project>/<stack>")',
        );
    });

    it("a cloud stack that does not exist gets the program's own message, naming cloudStack, before anything is declared", async () => {
        const message = await configError("edge", {
            config: { kubeconfig: K3S_KUBECONFIG, cloudStack: "edge-cloud-mesh/cloud" },
            stackReferences: { cloud: cloudOutputs },
        });
        expect(message).toMatch(
            /^edge-cloud-mesh:cloudStack: the stack "edge-cloud-mesh\/cloud" cannot be read \(invocation of pulumi:pulumi:readStackOutputs returned an error: unknown stack "edge-cloud-mesh\/cloud"\)/,
        );
        expect(message).toMatch(/in one of the forms "<stack>", "<org>\/<stack>" or "<org>\/<project>\/<stack>"/);
    });

    it("the engine's readStackOutputs answers a missing stack with its error, which the program can catch (as the mock does)", async () => {
        installMocks("edge");
        await expect(pulumi.runtime.invoke("pulumi:pulumi:readStackOutputs", { name: "missing" })).rejects.toThrow(
            'invocation of pulumi:pulumi:readStackOutputs returned an error: unknown stack "missing"',
        );
    });
});

describe("a kubeconfig path the program cannot read is an error naming the key", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kubeconfig-"));

    it("a directory", async () => {
        const message = await configError("edge", { config: { kubeconfig: dir } });
        expect(message).toContain(`edge-cloud-mesh:kubeconfig: ${JSON.stringify(dir)} is a directory, not a kubeconfig file; k3d writes`);
        expect(message).toMatch(
            /; accepted: the kubeconfig's contents \(pulumi config set --secret kubeconfig < k3s\.yaml\) or a path to the file$/,
        );
    });

    it("~ as the path (the home directory)", async () => {
        const message = await configError("edge", { config: { kubeconfig: "~" } });
        expect(message).toContain(`edge-cloud-mesh:kubeconfig: ${JSON.stringify(os.homedir())} is a directory`);
    });

    it("a file that cannot be read (a symbolic link loop)", async () => {
        const loop = path.join(dir, "loop.yaml");
        fs.symlinkSync(loop, loop);
        const message = await configError("edge", { config: { kubeconfig: loop } });
        expect(message).toContain(`edge-cloud-mesh:kubeconfig: the file ${JSON.stringify(loop)} cannot be read (ELOOP); k3d writes`);
        expect(message).toMatch(/; accepted: the kubeconfig's contents/);
    });
});

describe("bad edge configuration is rejected before any resource is declared", () => {
    const cases: [string, Record<string, unknown>, RegExp[]][] = [
        [
            "no kubeconfig (removed from the stack file, Pulumi.yaml's default is empty): which file, from k3s or k3d, and which context",
            { kubeconfig: "" },
            [
                /edge-cloud-mesh:kubeconfig: is missing: an edge stack reaches its k3s cluster through it\. Set it to the path of the cluster's kubeconfig file/,
                /k3s keeps its own in \/etc\/rancher\/k3s\/k3s\.yaml on its server \(readable by root\), with server: https:\/\/127\.0\.0\.1:6443, which works only there/,
                /; the stack uses the file's current-context, or the context kubeContext names \(pulumi config set kubeContext <context>; k3d's is k3d-<cluster>\)$/,
            ],
        ],
        [
            "a kubeconfig file that does not exist: which file, where it comes from, and which context",
            { kubeconfig: "/nonexistent/k3s.yaml", kubeContext: "lab" },
            [
                /edge-cloud-mesh:kubeconfig: the file "\/nonexistent\/k3s.yaml" does not exist; k3d writes a cluster's file with k3d kubeconfig get <cluster>/,
                /; the stack uses the context kubeContext names, "lab", which the file must define; accepted: the kubeconfig's contents/,
            ],
        ],
        [
            "a kubeconfig whose current-context it lacks, and no kubeContext: its contexts, and kubeContext to name one",
            { kubeconfig: K3S_KUBECONFIG.replace("current-context: default", "current-context: gone") },
            [
                /edge-cloud-mesh:kubeconfig: the kubeconfig given is unusable: it has no complete context "gone" \(contexts: "default", "lab"\); /,
                /accepted: a kubeconfig whose current-context is one of its contexts, or kubeContext naming one \(pulumi config set kubeContext <context>\)$/,
            ],
        ],
        [
            "a kubeconfig that does not parse",
            { kubeconfig: "apiVersion: v1\nclusters: [\n" },
            [/edge-cloud-mesh:kubeconfig: the kubeconfig given is unusable: it does not parse as YAML/],
        ],
        [
            "YAML that is not a kubeconfig",
            { kubeconfig: "apiVersion: v1\nkind: Pod\n" },
            [/edge-cloud-mesh:kubeconfig: .*it is not a kubeconfig/],
        ],
        [
            "a context the kubeconfig lacks",
            { kubeContext: "prod" },
            [
                /edge-cloud-mesh:kubeContext: .*no complete context "prod" \(contexts: "default", "lab"\)/,
                /accepted: a context the kubeconfig defines/,
            ],
        ],
        [
            "a clusterName that is not a DNS label",
            { clusterName: "edge.berlin" },
            [/edge-cloud-mesh:clusterName: "edge\.berlin" is not a DNS label/],
        ],
    ];

    it.each(cases)("%s", async (_label, config, patterns) => {
        const message = await configError("edge", { config: { kubeconfig: K3S_KUBECONFIG, ...config } });
        for (const pattern of patterns) expect(message).toMatch(pattern);
    });
});
