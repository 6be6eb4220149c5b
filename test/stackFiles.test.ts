// The README tells users to narrow CIDRs in Pulumi.cloud.yaml and to add a stack per edge site
// (Pulumi.edge-berlin.yaml). Those files are theirs: the tests build their own stack config
// (harness.ts STACK_FILES) and must stay green whatever the working copy's stack files say.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "./harness";
import { UPSTREAM } from "./upstream";

/** Stack files as the README's commands leave them (`pulumi config set-all --path`, `pulumi stack init edge-berlin`). */
const USER_STACK_FILES: Record<string, string> = {
    "Pulumi.cloud.yaml": [
        "config:",
        "  aws:region: eu-west-1",
        "  edge-cloud-mesh:role: cloud",
        "  edge-cloud-mesh:apiAccessCidrs:",
        "    - 203.0.113.0/24",
        "  edge-cloud-mesh:gatewaySourceCidrs:",
        "    - 198.51.100.0/24",
        "  edge-cloud-mesh:edgeSites:",
        "    - edge",
        "    - edge-berlin",
        "  edge-cloud-mesh:clusterAdmins:",
        "    - arn:aws:iam::123456789012:role/teammate",
        "",
    ].join("\n"),
    "Pulumi.edge-berlin.yaml": [
        "config:",
        "  edge-cloud-mesh:role: edge",
        "  edge-cloud-mesh:kubeconfig: ~/.kube/k3s-edge-berlin.yaml",
        "",
    ].join("\n"),
};

/** The test files that read stack config for the default stacks (the ones a user's stack files used to break). */
const AFFECTED_TESTS = ["test/config.test.ts", "test/cloud-cluster.test.ts", "test/policy.test.ts"];

describe("following the README leaves the tests green", () => {
    it("with narrowed CIDRs in Pulumi.cloud.yaml and a Pulumi.edge-berlin.yaml in a copy of the project, its tests pass", () => {
        const copy = fs.mkdtempSync(path.join(os.tmpdir(), "edge-cloud-mesh-"));
        fs.cpSync(ROOT, copy, { recursive: true, filter: (source) => !/[/\\](node_modules|\.git)$/.test(source) });
        fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(copy, "node_modules"), "dir");
        for (const [file, text] of Object.entries(USER_STACK_FILES)) fs.writeFileSync(path.join(copy, file), text);
        const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("VITEST")));
        const result = spawnSync(process.execPath, [path.join(ROOT, "node_modules", "vitest", "vitest.mjs"), "run", ...AFFECTED_TESTS], {
            cwd: copy,
            encoding: "utf8",
            // The copy has no ../shared/upstream beside it: point it at this checkout's.
            env: { ...env, EDGE_CLOUD_MESH_UPSTREAM: UPSTREAM, NO_COLOR: "1", FORCE_COLOR: "0" },
        });
        expect(fs.readFileSync(path.join(copy, "Pulumi.cloud.yaml"), "utf8")).toContain("203.0.113.0/24");
        expect(result.status, result.stdout + result.stderr).toBe(0);
        expect(result.stdout).toMatch(/Test Files {2}3 passed/);
    }, 180_000);
});
