// npm run rotate, a whole rotation on the local stacks, from [a]/a to [b]/b, a phase per run (as
// rotate.test.ts runs it): the config each run writes, the ups cloud first, the gates before and the
// checks after on every cluster, the restarts it asks for, and the runs it holds back until they are
// done (the switch after an addition, the drop after the switch).
import { describe, expect, it } from "vitest";
import { TRUST_PHASES } from "../components/trustPhases";
import { localCloudApi } from "./localWorld";
import { changes, phaseConfig, proxyChecks, rotate, rotationMesh } from "./rotationWorld";

const [A, AB_A, AB_B, B] = TRUST_PHASES;

const cloudApi = localCloudApi();

describe("npm run rotate, a whole rotation", () => {
    it("a phase per run: each checked, written, brought up cloud first, verified; the restarts it needs, and the drop held back until they are done", async () => {
        // Back at [a]/a from a rotation before, the workloads the program does not own never restarted since.
        const mesh = rotationMesh(cloudApi, { phase: A, previous: AB_A, restarted: false });
        const { cli, paths } = mesh;
        const cloudConfig = () => cli.readPulumiStack("local-cloud", paths.state)!.config;

        // Add b.
        const add = await rotate(mesh);
        expect(add.error).toBeUndefined();
        expect(changes(add)).toEqual(["config rm-all local-cloud", "config set-all local-cloud", "up local-cloud", "up local-edge"]);
        const setAll = add.pulumi.find((call) => call.argv[1] === "set-all")!.argv;
        expect(setAll.filter((arg) => arg.includes("="))).toEqual([
            "edge-cloud-mesh:trustAnchors[0]=a",
            "edge-cloud-mesh:trustAnchors[1]=b",
            "edge-cloud-mesh:issuerTrustAnchor=a",
        ]);
        expect(cloudConfig()).toEqual({ ...phaseConfig(AB_A), "edge-cloud-mesh:trustAnchors": ["a", "b"] });
        // An addition needs no restart first: every proxy trusts the issuers, which stay. What is left warns.
        const gates = add.stdout.split("=== set trustAnchors")[0];
        expect(gates).toMatch(/\nwarn +linkerd check --proxy passes on the cloud cluster cloud .*certificate match CA/);
        expect(gates).toMatch(/\nwarn +every meshed pod on the cloud cluster cloud started in this phase .*shop\/deployment\/cart/);
        const [cloudUp, edgeUp] = add.pulumi.filter((call) => call.argv[0] === "up");
        expect(cloudUp.end).toBeLessThanOrEqual(edgeUp.start);
        // The gates before (check --proxy and the pods, on each cluster), then after the ups verify's checks and the gates again.
        expect(proxyChecks(add)).toEqual(["k3d-cloud", "k3d-edge", "k3d-cloud", "k3d-edge"]);
        expect(add.linkerd.filter((argv) => argv[0] === "check" && !argv.includes("--proxy"))).toHaveLength(2);
        const order = [
            "rotate: the phase [a]/a is done on every cluster (before add anchor b)",
            "set trustAnchors",
            "pulumi up: the cloud stack",
            "pulumi up: the edge stack",
            "rotate: the phase [a,b]/a on every cluster",
        ];
        const positions = order.map((text) => add.stdout.indexOf(text));
        expect(positions.every((position) => position >= 0)).toBe(true);
        expect([...positions].sort((x, y) => x - y)).toEqual(positions);
        // The workloads the program does not own hold the bundle of [a]/a: a command per namespace and cluster, the pods no rollout restart reaches.
        const cloudFlags = `--kubeconfig ${paths.kubeconfig("cloud")} --context k3d-cloud`;
        const edgeFlags = `--kubeconfig ${paths.kubeconfig("edge")} --context k3d-edge`;
        expect(add.stdout).toContain(
            `  # cloud\n  kubectl ${cloudFlags} -n shop rollout restart deployment/cart statefulset/db\n` +
                `  # edge\n  kubectl ${edgeFlags} -n linkerd-smi rollout restart deployment/smi-adaptor\n`,
        );
        expect(add.stdout).toContain("shop/debug (no controller: delete it once what replaces it is ready)");
        expect(add.stdout).toMatch(
            /warn +linkerd check --proxy passes on the edge edge .* data plane proxies certificate match CA: Some pods do not have the current trust bundle and must be restarted: \* linkerd-smi\/smi-adaptor-/,
        );
        expect(add.stdout).toContain(
            "The phase [a,b]/a is up on every stack. Restart the workloads above before anything else: npm run rotate refuses the next phase " +
                "until they have. The next npm run rotate will switch the issuers to b (the phase [a,b]/b).",
        );

        // Not restarted: the switch does not start.
        const early = await rotate(mesh);
        expect(early.error?.message).toBe(
            "npm run rotate: the phase [a,b]/a is not done on every cluster (the checks above), so switch the issuers to b is not safe yet. Nothing was changed.",
        );
        expect(changes(early)).toEqual([]);
        expect(early.stdout).toMatch(/FAIL +linkerd check --proxy passes on the cloud cluster cloud .*certificate match CA/);
        expect(early.stdout).toContain(`kubectl ${cloudFlags} -n shop rollout restart deployment/cart statefulset/db`);

        // Restarted: switch to b. The bundle stays; the pods started before still hold certificates of a's issuers.
        mesh.restartOthers(AB_A);
        const switched = await rotate(mesh);
        expect(switched.error).toBeUndefined();
        expect(cloudConfig()).toEqual({ "edge-cloud-mesh:trustAnchors": ["a", "b"], "edge-cloud-mesh:issuerTrustAnchor": "b" });
        expect(switched.stdout).toMatch(/ok +linkerd check --proxy passes on the edge edge/);
        expect(switched.stdout).toMatch(
            /warn +every meshed pod on the edge edge started in this phase .*linkerd-smi\/deployment\/smi-adaptor/,
        );
        expect(switched.stdout).toContain("The next npm run rotate will drop anchor a (the phase [b]/b).");

        // Before the drop: every proxy's certificate must come from b's issuers, and these started before the switch.
        const held = await rotate(mesh);
        expect(held.error?.message).toContain("so drop anchor a is not safe yet. Nothing was changed.");
        expect(held.error?.hint).toContain("Every meshed pod must hold a certificate of the issuers of b before anchor a goes.");
        expect(held.stdout).toMatch(/ok +linkerd check --proxy passes on the cloud cluster cloud/);
        expect(held.stdout).toMatch(
            /FAIL +every meshed pod on the cloud cluster cloud started in this phase .*started before the phase reached the cluster \(.*\): shop\/deployment\/cart, shop\/statefulset\/db, shop\/debug/,
        );
        expect(changes(held)).toEqual([]);

        mesh.restartOthers(AB_B);
        const dropped = await rotate(mesh);
        expect(dropped.error).toBeUndefined();
        expect(cloudConfig()).toEqual({ "edge-cloud-mesh:trustAnchors": ["b"], "edge-cloud-mesh:issuerTrustAnchor": "b" });
        expect(dropped.stdout).toContain(
            "Restart the workloads above when you can: the next phase does not wait for them, the one after it does. " +
                "The rotation is complete: anchor b alone signs, until 2036-11-29; the next npm run rotate will add anchor a (the phase [a,b]/b) and start the next rotation.",
        );
        mesh.restartOthers(B);
        const done = await rotate(mesh, "--status");
        expect(done.stdout).toContain("=== npm run rotate: add anchor a: from the phase [b]/b to [a,b]/b\n");
    });
});
