// npm run rotate on the local stacks: the command as the registry runs it (its flags, the tools it
// checks, the local stacks found without flags), through the real Automation API against the stand-in
// pulumi, and kubectl and linkerd as real child processes against their stand-ins, in the worlds of
// rotationWorld.ts: each phase's outputs as the program makes them, and what each up leaves on the
// clusters. What it shows, what it refuses and how it says to get out, and how it finishes a phase
// that stopped half-way. A whole rotation: rotateWhole.test.ts.
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { MESH_IDENTITY_ANNOTATION, TRUST_PHASES } from "../components/trustPhases";
import { meshedPods, pendingRestarts, phaseStart, replicaSets, restartCommands, strictnessBefore } from "../scripts/checks/rotation";
import { PhaseConfig, phaseText, planRotation } from "../scripts/checks/trustPhase";
import { ROOT } from "./harness";
import { checkoutCopy, localCloudApi } from "./localWorld";
import { standIns } from "./standins";
import { changes, phaseConfig, proxyChecks, rotate, rotationMesh, trustOf } from "./rotationWorld";

const [A, AB_A, AB_B, B] = TRUST_PHASES;
const DAY = 24 * 3600_000;

const cloudApi = localCloudApi();

const daysTo = (time: string) => Math.floor((Date.parse(time) - Date.now()) / DAY);

describe("npm run rotate", () => {
    it("--status shows the phase, every anchor's and issuer's expiry, where each stack stands and what the next run does; it changes nothing", async () => {
        const mesh = rotationMesh(cloudApi, { phase: A, restarted: true });
        const run = await rotate(mesh, "--status");
        expect(run.error).toBeUndefined();
        expect(run.stdout).toContain("npm run rotate: the local stacks local-cloud and local-<site>");
        expect(run.stdout).toContain("The trust anchors and issuers, in the phase [a]/a (anchors a; a signs the issuers)");
        expect(run.stdout).toMatch(new RegExp(`\\nanchor a \\(signs\\) +a +2036-01-08 +${daysTo("2036-01-08T09:00:00Z")} days\\n`));
        expect(run.stdout).toMatch(new RegExp(`\\nissuer of cloud +a +2027-06-01 +${daysTo("2027-06-01T09:00:00Z")} days\\n`));
        expect(run.stdout).toMatch(/\nissuer of edge +a +2027-06-01 /);
        expect(run.stdout).toMatch(/\nlocal-cloud +\(cloud\) +\[a\]\/a; its config asks for \[a\]\/a\nlocal-edge +edge +\[a\]\/a\n/);
        expect(run.stdout).toContain("=== npm run rotate: add anchor b: from the phase [a]/a to [a,b]/a\n");
        expect(run.stdout).toContain("Nothing was changed (--status).");
        expect(changes(run)).toEqual([]);
        expect(run.kubectl).toEqual([]);
        expect(run.linkerd).toEqual([]);
    });

    it("refuses a config more than one phase from the deployed one, and prints the commands that set it back, which work", async () => {
        const mesh = rotationMesh(cloudApi, { phase: A, restarted: true }, { cloudConfig: phaseConfig(AB_B) });
        const run = await rotate(mesh);
        expect(run.error?.message).toMatch(
            /^npm run rotate: the cloud stack's config asks for the phase \[a,b\]\/b, 2 phases from \[a\]\/a, the one it runs: a rotation goes one phase at a time/,
        );
        const env = `PULUMI_BACKEND_URL=file://${mesh.paths.state} PULUMI_CONFIG_PASSPHRASE_FILE=${mesh.paths.passphrase} `;
        const restore =
            `${env}pulumi config rm trustAnchors --stack local-cloud && ` +
            `${env}pulumi config set-all --stack local-cloud --path --plaintext 'trustAnchors[0]=a' --plaintext issuerTrustAnchor=a`;
        expect(run.error?.hint).toBe(
            `To set the config back to the phase the cloud stack runs ([a]/a), then go on one phase at a time:\n  ${restore}\n  npm run rotate`,
        );
        expect(changes(run)).toEqual([]);
        expect(run.kubectl).toEqual([]);
        execFileSync("/bin/sh", ["-c", restore], { cwd: mesh.root, env: mesh.cli.env() });
        expect(mesh.cli.readPulumiStack("local-cloud", mesh.paths.state)!.config).toEqual(phaseConfig(A));
        expect((await rotate(mesh, "--status")).stdout).toContain("=== npm run rotate: add anchor b");
    });

    it("a phase that failed half-way (an edge's up failed) is finished by the next run, which sets nothing; it says how to go back instead", async () => {
        const mesh = rotationMesh(cloudApi, { phase: A, restarted: true });
        const { cli, paths } = mesh;
        const edge = cli.readPulumiStack("local-edge", paths.state)!;
        cli.pulumiStack(
            "local-edge",
            { ...edge, fail: { up: { stderr: "error: the edge's API server did not answer\n" } } },
            { backend: paths.state },
        );
        const failed = await rotate(mesh);
        expect(failed.error?.message).toContain(
            'the edge stack "local-edge" (site "edge") failed at `pulumi up`: the edge\'s API server did not answer.',
        );
        expect(failed.error?.message).toContain("The phase [a,b]/a is half-way: what ran it and what did not still trust each other");
        expect(failed.error?.hint).toMatch(
            /^Fix what failed, then npm run rotate: it brings the rest to \[a,b\]\/a and sets nothing\. To go back to \[a\]\/a instead:\n {2}.*pulumi config set-all --stack local-cloud --path --plaintext 'trustAnchors\[0\]=a' --plaintext issuerTrustAnchor=a\n {2}npm run rotate$/,
        );

        // Failing again while it finishes the phase: the cloud runs it, so there is no phase of the cloud's to go back to.
        const again = await rotate(mesh);
        expect(changes(again)).toEqual(["up local-cloud", "up local-edge"]);
        expect(again.error?.hint).toBe("Fix what failed, then npm run rotate: it brings the rest to [a,b]/a and sets nothing.");

        cli.pulumiStack("local-edge", { ...cli.readPulumiStack("local-edge", paths.state)!, fail: {} }, { backend: paths.state });
        const resumed = await rotate(mesh);
        expect(resumed.error).toBeUndefined();
        expect(resumed.stdout).toMatch(/\nlocal-edge +edge +not \[a,b\]\/a yet \(another identity\)\n/);
        expect(resumed.stdout).toContain(
            "=== npm run rotate: finish the phase [a,b]/a: bring up the edge sites that do not run it yet (edge), setting nothing\n",
        );
        expect(changes(resumed)).toEqual(["up local-cloud", "up local-edge"]);
        // No gate before: the edge must catch up; after the ups, all of them.
        expect(proxyChecks(resumed)).toEqual(["k3d-cloud", "k3d-edge"]);
        expect(resumed.stdout).toContain("The phase [a,b]/a is up on every stack.");
    });

    it.each([
        { from: A, to: AB_A, step: "add anchor b" },
        { from: AB_B, to: B, step: "drop anchor a" },
    ])(
        "a cloud up that failed after its cluster took the new bundle ($step) is finished by the next run: its gates do not mistake the half-way bundles for a phase not done",
        async ({ from, to, step }) => {
            const mesh = rotationMesh(cloudApi, { phase: from, restarted: true });
            const { cli, paths } = mesh;
            const cloud = () => cli.readPulumiStack("local-cloud", paths.state)!;
            cli.pulumiStack(
                "local-cloud",
                { ...cloud(), fail: { up: { stderr: "error: timed out waiting for linkerd-destination to be ready\n", applied: true } } },
                { backend: paths.state },
            );
            const failed = await rotate(mesh);
            expect(failed.error?.message).toContain(`The phase ${phaseText(to)} is half-way`);
            expect(changes(failed)).toEqual(["config rm-all local-cloud", "config set-all local-cloud", "up local-cloud"]);
            // The cloud's cluster holds the new bundle; the edge's, and the cloud stack's outputs, the phase before.
            expect(cli.readKube("k3d-cloud").linkerd?.trustBundle).not.toBe(cli.readKube("k3d-edge").linkerd?.trustBundle);

            cli.pulumiStack("local-cloud", { ...cloud(), fail: {} }, { backend: paths.state });
            const resumed = await rotate(mesh);
            expect(resumed.stdout).toContain(
                `=== npm run rotate: finish the step ${step}, from ${phaseText(from)} to ${phaseText(to)}, which the cloud stack's config already asks for`,
            );
            expect(resumed.error).toBeUndefined();
            // Before the ups only the pods' gate, which holds a drop to what it needs; after them, every check.
            expect(resumed.stdout).toMatch(/\n(ok|warn) +every meshed pod on the cloud cluster cloud started in this phase/);
            expect(proxyChecks(resumed)).toEqual(["k3d-cloud", "k3d-edge"]);
            expect(changes(resumed)).toEqual(["up local-cloud", "up local-edge"]);
            expect(cloud().config).toEqual(phaseConfig(to));
        },
    );

    it("on stacks the flags name (as on AWS): reads them where the CLI is logged in, and prints commands for them", async () => {
        const cli = standIns(["pulumi", "kubectl", "linkerd"]);
        const trust = trustOf(AB_A);
        cli.pulumiStack("acme/cloud", {
            config: phaseConfig(B),
            // The site berlin is registered, and its stack not made yet.
            outputs: {
                clusterName: "cloud",
                edgeSiteNames: ["edge", "berlin"],
                kubeAccess: { context: "cloud" },
                trustBundlePem: "",
                trust,
            },
        });
        cli.pulumiStack("acme/edge", {
            outputs: { kubeAccess: { kubeconfig: "~/.kube/k3s-edge.yaml" }, meshIdentityChecksum: trust.issuers.edge.meshIdentityChecksum },
        });
        const run = await rotate({ cli, root: checkoutCopy(ROOT) }, "--cloud-stack", "acme/cloud", "--edge-stack-prefix", "acme/");
        expect(run.stdout).toContain(
            "npm run rotate: the cloud stack acme/cloud and the edge stacks acme/<site>, on the backend you are logged in to",
        );
        expect(run.stdout).toMatch(
            /\nacme\/cloud +\(cloud\) +\[a,b\]\/a; its config asks for \[b\]\/b\nacme\/edge +edge +\[a,b\]\/a\nacme\/berlin +berlin +no such stack: create it \(pulumi stack init acme\/berlin, docs\/edge-sites\.md\), or take the site out of edgeSites\n/,
        );
        expect(run.error?.hint).toContain(
            "\n  pulumi config rm trustAnchors --stack acme/cloud && pulumi config set-all --stack acme/cloud --path --plaintext 'trustAnchors[0]=a' --plaintext 'trustAnchors[1]=b' --plaintext issuerTrustAnchor=a\n",
        );
        expect(changes(run)).toEqual([]);
    });

    it("a phase whose cloud up failed is resumed from the config it set, with the gates first", async () => {
        const mesh = rotationMesh(cloudApi, { phase: A, restarted: true }, { cloudConfig: phaseConfig(AB_A) });
        const run = await rotate(mesh, "--status");
        expect(run.stdout).toContain(
            "=== npm run rotate: finish the step add anchor b, from [a]/a to [a,b]/a, which the cloud stack's config already asks for: bring every stack up, setting nothing\n",
        );
    });
});

/** The deployed trust of a phase, with the anchors made in the order given (the later one is where a rotation heads). */
function deployedAs(phase: (typeof TRUST_PHASES)[number], newer: "a" | "b" = "b") {
    const trust = trustOf(phase);
    const older = newer === "a" ? "b" : "a";
    for (const [slot, notBefore] of [
        [older, "2026-01-10T09:00:00Z"],
        [newer, "2026-12-01T09:00:00Z"],
    ] as const)
        if (trust.anchors[slot]) trust.anchors[slot] = { ...trust.anchors[slot]!, notBefore };
    return trust;
}

/** The plan for a mesh whose every edge runs the deployed phase unless `edgeChecksum` says otherwise. */
function plan(deployed: ReturnType<typeof trustOf>, config: PhaseConfig = deployed, edgeChecksum?: string | null) {
    const checksum = edgeChecksum === null ? undefined : (edgeChecksum ?? deployed.issuers.edge.meshIdentityChecksum);
    return planRotation({ config, deployed, edges: [{ site: "edge", stack: "edge", checksum }] });
}

const summary = (result: ReturnType<typeof plan>) =>
    result.action === "refuse"
        ? `refuse${result.restore ? ` (restore ${phaseText(result.restore)})` : ""}`
        : `${result.action} ${phaseText(result.from)} -> ${phaseText(result.to)}`;

describe("what npm run rotate decides", () => {
    it("goes one phase along the path, toward the newer anchor; [a,b]/b is a switch one way and an addition the other", () => {
        expect(summary(plan(deployedAs(A)))).toBe("advance [a]/a -> [a,b]/a");
        expect(summary(plan(deployedAs(AB_A, "b")))).toBe("advance [a,b]/a -> [a,b]/b");
        expect(summary(plan(deployedAs(AB_B, "b")))).toBe("advance [a,b]/b -> [b]/b");
        expect(summary(plan(deployedAs(B)))).toBe("advance [b]/b -> [a,b]/b");
        expect(summary(plan(deployedAs(AB_B, "a")))).toBe("advance [a,b]/b -> [a,b]/a");
        expect(summary(plan(deployedAs(AB_A, "a")))).toBe("advance [a,b]/a -> [a]/a");
        const tied = deployedAs(AB_A);
        tied.anchors.b!.notBefore = tied.anchors.a!.notBefore;
        expect(plan(tied)).toMatchObject({
            action: "refuse",
            problem: expect.stringContaining("nothing says which one the rotation heads for"),
        });
    });

    it("finishes a phase under way: the config one phase away, or an edge site that does not run the cloud's phase (or never ran)", () => {
        expect(summary(plan(deployedAs(A), { trustAnchors: ["b", "a"], issuerTrustAnchor: "a" }))).toBe("resume [a]/a -> [a,b]/a");
        expect(summary(plan(deployedAs(AB_B), AB_A))).toBe("resume [a,b]/b -> [a,b]/a");
        expect(plan(deployedAs(AB_A), AB_A, "another")).toMatchObject({ action: "resume", behind: [{ site: "edge" }] });
        expect(plan(deployedAs(AB_A), AB_A, null)).toMatchObject({ action: "resume", behind: [{ site: "edge" }] });
    });

    it("refuses a skip, a phase two steps from an edge site, and a config that is no phase, each with the phase to set back", () => {
        expect(summary(plan(deployedAs(A), B))).toBe("refuse (restore [a]/a)");
        expect(summary(plan(deployedAs(AB_A), B))).toBe("refuse (restore [a,b]/a)");
        expect(plan(deployedAs(AB_A), AB_B, "another")).toMatchObject({
            action: "refuse",
            problem: expect.stringContaining("the edge sites edge do not run [a,b]/a, the one before it, yet: they would jump two phases"),
        });
        expect(plan(deployedAs(A), { trustAnchors: ["a"], issuerTrustAnchor: "b" })).toMatchObject({
            action: "refuse",
            problem: expect.stringContaining('trustAnchors ["a"] with issuerTrustAnchor "b" is no phase of a rotation'),
        });
    });

    it("holds a step to what it needs first: nothing for an addition, every bundle for a switch, every pod started since for a drop", () => {
        expect(
            [
                [A, AB_A],
                [AB_A, AB_B],
                [AB_B, B],
                [B, AB_B],
                [AB_B, AB_A],
                [AB_A, A],
            ].map(([from, to]) => strictnessBefore(from, to)),
        ).toEqual([
            { bundles: false, started: false },
            { bundles: true, started: false },
            { bundles: true, started: true },
            { bundles: false, started: false },
            { bundles: true, started: false },
            { bundles: true, started: true },
        ]);
    });

    it("restarts what started before the phase reached its cluster and does not carry its checksum, by workload", () => {
        const at = (minutes: number) => `2026-11-25T11:${String(minutes).padStart(2, "0")}:00Z`;
        const meta = (namespace: string, name: string, created: string, owner?: string[], checksum?: string) => ({
            name,
            namespace,
            creationTimestamp: created,
            ...(checksum ? { annotations: { [MESH_IDENTITY_ANNOTATION]: checksum } } : {}),
            ...(owner ? { ownerReferences: [{ kind: owner[0], name: owner[1], controller: true }] } : {}),
        });
        const identity = (name: string, created: string, checksum: string) => ({
            metadata: meta("linkerd", name, created, ["Deployment", "linkerd-identity"]),
            spec: {
                template: {
                    metadata: {
                        labels: { "linkerd.io/control-plane-component": "identity" },
                        annotations: { [MESH_IDENTITY_ANNOTATION]: checksum },
                    },
                },
            },
        });
        const sets = replicaSets(
            JSON.stringify({
                items: [
                    identity("linkerd-identity-old", at(1), "old"),
                    identity("linkerd-identity-new", at(30), "new"),
                    identity("linkerd-identity-again", at(45), "new"),
                    { metadata: meta("shop", "cart-1", at(2), ["Deployment", "cart"]) },
                    { metadata: meta("shop", "bare-1", at(2)) },
                ],
            }),
        );
        expect(phaseStart(sets, "new")).toBe(Date.parse(at(30)));
        expect(phaseStart(sets, "other")).toBeUndefined();
        const pods = meshedPods(
            JSON.stringify({
                items: [
                    { metadata: meta("shop", "cart-1-x", at(5), ["ReplicaSet", "cart-1"]) },
                    { metadata: meta("shop", "cart-1-y", at(6), ["ReplicaSet", "cart-1"]) },
                    { metadata: meta("shop", "bare-1-x", at(5), ["ReplicaSet", "bare-1"]) },
                    { metadata: meta("shop", "agent-x", at(5), ["DaemonSet", "agent"]) },
                    { metadata: meta("shop", "job-x", at(5), ["Job", "migrate"]) },
                    { metadata: meta("shop", "done-x", at(5), ["Job", "migrate"]), status: { phase: "Succeeded" } },
                    { metadata: { ...meta("shop", "cart-0-x", at(5), ["ReplicaSet", "cart-0"]), deletionTimestamp: at(31) } },
                    { metadata: meta("test", "podinfo-x", at(5), ["ReplicaSet", "podinfo-1"], "new") },
                    { metadata: meta("web", "web-0", at(40), ["StatefulSet", "web"]) },
                ],
            }),
        );
        const pending = pendingRestarts(pods, sets, "new", Date.parse(at(30)));
        expect(pending).toEqual({
            workloads: { shop: ["daemonset/agent", "deployment/cart"] },
            others: [
                "shop/bare-1-x (ReplicaSet bare-1: delete it once what replaces it is ready)",
                "shop/job-x (Job migrate: delete it once what replaces it is ready)",
            ],
        });
        expect(restartCommands({ context: "k3d-cloud" }, pending)).toEqual([
            "kubectl --context k3d-cloud -n shop rollout restart daemonset/agent deployment/cart",
        ]);
    });
});
