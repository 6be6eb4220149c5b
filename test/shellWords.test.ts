// The commands the operator commands print for someone to paste: a real bash must read back the
// words they were made of, whatever the checkout's path holds (a space, a quote).
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { localPulumiAssignments } from "../scripts/flows/localEnv";
import { rolloutRestartCommand } from "../scripts/tools/kubectl";
import { shellLine, shellWord } from "../scripts/tools/runner";

/** The words bash makes of a line (printf ends each with a NUL, which no word can hold). */
function wordsOf(line: string): string[] {
    const result = spawnSync("bash", ["-c", `printf '%s\\0' ${line}`], { encoding: "utf8" });
    expect(result.status, result.stderr).toBe(0);
    return result.stdout.split("\0").slice(0, -1);
}

const AWKWARD = "/Users/a b/it's $HOME/`x`/*.local/edge.kubeconfig";

describe("commands printed to paste", () => {
    it("leave plain words bare and quote the rest so that bash reads them back unchanged", () => {
        expect(shellLine(["kubectl", "--kubeconfig", "/work/.local/edge.kubeconfig", "--context", "k3d-edge"])).toBe(
            "kubectl --kubeconfig /work/.local/edge.kubeconfig --context k3d-edge",
        );
        expect(shellWord("a b")).toBe("'a b'");
        for (const word of [AWKWARD, "", "it's", "a\nb", "~/x"]) expect(wordsOf(shellWord(word)), JSON.stringify(word)).toEqual([word]);
    });

    it("name a kubeconfig whose path holds a space as one argument (rollout restart)", () => {
        const line = rolloutRestartCommand({ kubeconfig: AWKWARD, context: "k3d-edge" }, "shop", ["deployment/cart"]);
        expect(wordsOf(line)).toEqual([
            "kubectl",
            "--kubeconfig",
            AWKWARD,
            "--context",
            "k3d-edge",
            "-n",
            "shop",
            "rollout",
            "restart",
            "deployment/cart",
        ]);
    });

    it("set the local backend and passphrase file as assignments bash takes, for the pulumi CLI after them", () => {
        const env = { PULUMI_BACKEND_URL: `file://${AWKWARD}/state`, PULUMI_CONFIG_PASSPHRASE_FILE: `${AWKWARD}/passphrase` };
        const script = `${localPulumiAssignments(env)} env | grep '^PULUMI_' | sort`;
        const result = spawnSync("bash", ["-c", script], { encoding: "utf8", env: { PATH: process.env.PATH } });
        expect(result.stdout).toBe(
            `PULUMI_BACKEND_URL=${env.PULUMI_BACKEND_URL}\nPULUMI_CONFIG_PASSPHRASE_FILE=${env.PULUMI_CONFIG_PASSPHRASE_FILE}\n`,
        );
        // A checkout without such characters prints what it always did.
        expect(
            localPulumiAssignments({
                PULUMI_BACKEND_URL: "file:///work/.local/state",
                PULUMI_CONFIG_PASSPHRASE_FILE: "/work/.local/passphrase",
            }),
        ).toBe("PULUMI_BACKEND_URL=file:///work/.local/state PULUMI_CONFIG_PASSPHRASE_FILE=/work/.local/passphrase");
    });
});
