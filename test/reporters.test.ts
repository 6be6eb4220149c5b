// What the operator sees: the plain reporter (CI, pipes) prints what the commands printed before
// reporters existed; the live reporter (a terminal) keeps the running steps at the bottom with their
// elapsed time and scrolls everything else above them, whole lines, each prefixed with its stack
// while more than one runs. The live view is read through a small terminal emulator.
import { describe, expect, it } from "vitest";
import type { CheckResult } from "../scripts/checks/framework";
import { liveReporter } from "../scripts/ui/live";
import { plainReporter } from "../scripts/ui/plain";
import { renderChecks, renderTable } from "../scripts/ui/table";

/** The screen's lines: text appended at the cursor, `ESC[nF ESC[J` (up n lines, clear below) honoured. */
function terminal() {
    const lines: string[] = [""];
    return {
        columns: 60,
        lines,
        write(text: string) {
            // eslint-disable-next-line no-control-regex -- the escape sequences are what is read here
            for (const part of text.split(/(\x1b\[\d+F\x1b\[J)/)) {
                // eslint-disable-next-line no-control-regex -- as above
                const up = /^\x1b\[(\d+)F\x1b\[J$/.exec(part);
                if (up !== null) {
                    lines.splice(lines.length - 1 - Number(up[1]), Number(up[1]) + 1, "");
                    continue;
                }
                const [first, ...rest] = part.split("\n");
                lines[lines.length - 1] += first;
                lines.push(...rest);
            }
        },
    };
}

describe("the plain reporter", () => {
    it("prints each step as a heading, streams output to its stream, notices as headings, messages as they are, and check tables", () => {
        let out = "";
        let err = "";
        const reporter = plainReporter({ write: (text: string) => (out += text) }, { write: (text: string) => (err += text) });
        reporter.report({ kind: "step-started", subject: "cloud", title: "pulumi up: the cloud stack cloud" });
        reporter.report({ kind: "output", subject: "cloud", stream: "stdout", text: "Updating (cloud):\n" });
        reporter.report({ kind: "output", subject: "k3d cluster cloud", stream: "stderr", text: "INFO[0000] Prep: Network\n" });
        reporter.report({ kind: "step-finished", subject: "cloud" });
        reporter.report({ kind: "notice", text: "going past the edge stack edge (site edge): gone" });
        reporter.report({ kind: "message", text: "\nTear it all down with: npm run local:down\n" });
        expect(out).toBe(
            "\n=== pulumi up: the cloud stack cloud\nUpdating (cloud):\n\n=== going past the edge stack edge (site edge): gone\n\nTear it all down with: npm run local:down\n",
        );
        expect(err).toBe("INFO[0000] Prep: Network\n");
    });
});

describe("tables", () => {
    it("align each column to its widest cell", () => {
        expect(
            renderTable(
                ["STACK", "STATUS"],
                [
                    ["cloud", "up"],
                    ["edge-berlin", "failed"],
                ],
            ),
        ).toBe("STACK        STATUS\ncloud        up\nedge-berlin  failed\n");
    });

    it("summarise checks: status, check and problem, then what to do for each that failed or warned", () => {
        const results: CheckResult[] = [
            { id: "k3d", description: "k3d answers", status: "passed" },
            { id: "k3d-version", description: "k3d is v5.9.0", status: "warned", problem: "found v5.8.3", hint: "install k3d v5.9.0" },
        ];
        expect(renderChecks("tools", results)).toBe(
            "\ntools\n      CHECK          PROBLEM\nok    k3d answers\nwarn  k3d is v5.9.0  found v5.8.3\n\nWhat to do:\n  k3d is v5.9.0: install k3d v5.9.0\n",
        );
    });
});

describe("the live reporter", () => {
    it("keeps each running step at the bottom with its elapsed time, and scrolls headings, output and results above", () => {
        const screen = terminal();
        let now = 0;
        const reporter = liveReporter(screen, { now: () => now, tick: false });
        reporter.report({ kind: "step-started", subject: "cloud", title: "pulumi up: the cloud stack cloud" });
        now = 2_000;
        reporter.report({ kind: "output", subject: "cloud", stream: "stdout", text: "Updating (cloud):\nResou" });
        expect(screen.lines).toEqual([
            "",
            "=== pulumi up: the cloud stack cloud",
            "Updating (cloud):",
            "⠹ pulumi up: the cloud stack cloud  2s",
            "",
        ]);
        now = 75_000;
        reporter.report({ kind: "output", subject: "cloud", stream: "stdout", text: "rces: 1 unchanged\n" });
        reporter.report({ kind: "step-finished", subject: "cloud" });
        expect(screen.lines).toEqual([
            "",
            "=== pulumi up: the cloud stack cloud",
            "Updating (cloud):",
            "Resources: 1 unchanged",
            "✓ pulumi up: the cloud stack cloud (1m15s)",
            "",
        ]);
    });

    it("prefixes each line with its stack while several run (parallel edges), keeps lines whole, and shows failures with their reason", () => {
        const screen = terminal();
        let now = 0;
        const reporter = liveReporter(screen, { now: () => now, tick: false });
        reporter.report({ kind: "step-started", subject: "edge", title: "pulumi up: edge" });
        reporter.report({ kind: "step-started", subject: "berlin", title: "pulumi up: berlin" });
        reporter.report({ kind: "output", subject: "edge", stream: "stdout", text: "Upda" });
        reporter.report({ kind: "output", subject: "berlin", stream: "stderr", text: "Updating (berlin):\n" });
        now = 5_000;
        reporter.report({ kind: "output", subject: "edge", stream: "stdout", text: "ting (edge):\n" });
        expect(screen.lines.slice(-3)).toEqual(["⠴ pulumi up: edge  5s", "⠴ pulumi up: berlin  5s", ""]);
        reporter.report({ kind: "step-failed", subject: "berlin", reason: "passphrase must be set" });
        reporter.report({ kind: "step-finished", subject: "edge" });
        expect(screen.lines).toEqual([
            "",
            "=== pulumi up: edge",
            "",
            "=== pulumi up: berlin",
            "berlin | Updating (berlin):",
            "edge | Updating (edge):",
            "× pulumi up: berlin (5s): passphrase must be set",
            "✓ pulumi up: edge (5s)",
            "",
        ]);
    });

    it("shows a check that is being retried, with its problem, until its result; then the summary", () => {
        const screen = terminal();
        const reporter = liveReporter(screen, { now: () => 0, tick: false });
        const waiting: CheckResult = { id: "gateway", description: "the gateway is alive", status: "retrying", problem: "not alive" };
        reporter.report({ kind: "check", result: waiting });
        expect(screen.lines).toEqual(["⠋ the gateway is alive (waiting: not alive)", ""]);
        const passed: CheckResult = { id: "gateway", description: "the gateway is alive", status: "passed" };
        reporter.report({ kind: "check", result: passed });
        reporter.report({ kind: "checks-done", title: "mesh", results: [passed] });
        expect(screen.lines).toEqual(["", "mesh", "    CHECK                 PROBLEM", "ok  the gateway is alive", ""]);
    });

    it("cuts status lines to the terminal's width, so that redrawing stays in place", () => {
        const screen = terminal();
        const reporter = liveReporter(screen, { now: () => 0, tick: false });
        reporter.report({ kind: "step-started", subject: "s", title: "x".repeat(100) });
        expect(screen.lines.at(-2)).toHaveLength(59);
    });
});
