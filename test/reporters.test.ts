// What the operator sees: the plain reporter (CI, pipes) prints what the commands printed before
// reporters existed; the live reporter (a terminal) keeps the running steps at the bottom with their
// elapsed time and scrolls everything else above them, whole lines, each prefixed with its stack
// while more than one runs. While edge stacks run side by side, plain lines carry their stack and the
// live view shows each one's latest line; their full output goes to a log file per stack. The live
// view is read through a small terminal emulator.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import type { CheckResult } from "../scripts/checks/framework";
import type { ReportEvent, SiteOutcome } from "../scripts/events";
import { liveReporter } from "../scripts/ui/live";
import { withOutputLogs } from "../scripts/ui/logs";
import { plainReporter } from "../scripts/ui/plain";
import { renderChecks, renderSites, renderStatus, renderTable } from "../scripts/ui/table";

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
        reporter.report({ kind: "output", subject: "k3d cluster cloud", stream: "stderr", text: "WARN[0000] No node filter specified\n" });
        reporter.report({ kind: "step-finished", subject: "cloud" });
        reporter.report({ kind: "notice", text: "going past the edge stack edge (site edge): gone" });
        reporter.report({ kind: "message", text: "\nTear it all down with: npm run local:down\n" });
        expect(out).toBe(
            "\n=== pulumi up: the cloud stack cloud\nUpdating (cloud):\n\n=== going past the edge stack edge (site edge): gone\n\nTear it all down with: npm run local:down\n",
        );
        expect(err).toBe("WARN[0000] No node filter specified\n");
    });
});

describe("tables", () => {
    it("print what a command did, thing by thing, as a table under its title (plain and live alike)", () => {
        let out = "";
        const event = {
            kind: "table" as const,
            title: "local:down",
            headers: ["", "WHAT BECAME OF IT"],
            rows: [
                ["stack local-edge", "destroyed"],
                ["k3d cluster edge", "deleted"],
            ],
        };
        plainReporter({ write: (text: string) => (out += text) }, { write: () => {} }).report(event);
        expect(out).toBe("\nlocal:down\n                  WHAT BECAME OF IT\nstack local-edge  destroyed\nk3d cluster edge  deleted\n");
        const screen = terminal();
        liveReporter(screen, { tick: false }).report(event);
        expect(screen.lines.join("\n")).toBe(out);
    });

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

const OUTCOMES: SiteOutcome[] = [
    { stack: "cloud", result: "ok", durationMs: 754_000 },
    { site: "edge", stack: "edge", result: "ok", durationMs: 42_500 },
    { site: "berlin", stack: "berlin", result: "failed", durationMs: 3_000, errors: ["passphrase must be set", "update failed"] },
    { site: "paris", stack: "paris", result: "failed", errors: ['the backend you are logged in to has no stack "paris"'] },
];

describe("the summary of a run over many sites", () => {
    it("counts the results, gives each stack its row (the cloud's first) with its time and first error line, then every error line", () => {
        expect(renderSites("pulumi up", OUTCOMES)).toBe(
            "\npulumi up: 2 ok, 2 failed\n" +
                "SITE     STACK   RESULT  TIME    ERROR\n" +
                "(cloud)  cloud   ok      12m34s\n" +
                "edge     edge    ok      42s\n" +
                "berlin   berlin  FAILED  3s      passphrase must be set\n" +
                'paris    paris   FAILED  -       the backend you are logged in to has no stack "paris"\n' +
                "\nberlin:\n  passphrase must be set\n  update failed\n",
        );
    });

    it("npm run status: a row per stack, the gateway column only with --live", () => {
        const time = new Date("2026-12-01T10:00:00.123Z");
        const stacks = [
            { stack: "cloud", exists: true, lastUpdate: { kind: "update", result: "succeeded", time }, resources: 1042 },
            {
                site: "edge",
                stack: "edge",
                exists: true,
                lastUpdate: { kind: "destroy", result: "failed", time },
                resources: 0,
                gateway: { state: "alive" as const, detail: "cloud 3ms" },
            },
            { site: "paris", stack: "paris", exists: false },
            { site: "rome", stack: "rome", problem: "`pulumi stack history`: passphrase must be set" },
        ];
        expect(renderStatus(stacks, true)).toBe(
            "\n" +
                "SITE     STACK  EXISTS  LAST UPDATE           RESULT            RESOURCES  GATEWAY            PROBLEM\n" +
                "(cloud)  cloud  yes     2026-12-01 10:00:00Z  update succeeded  1042       -\n" +
                "edge     edge   yes     2026-12-01 10:00:00Z  destroy failed    0          alive (cloud 3ms)\n" +
                "paris    paris  NO      -                     -                 -          -\n" +
                "rome     rome   ?       -                     -                 -          -                  `pulumi stack history`: passphrase must be set\n",
        );
        expect(renderStatus(stacks, false).split("\n")[1]).toBe(
            "SITE     STACK  EXISTS  LAST UPDATE           RESULT            RESOURCES  PROBLEM",
        );
    });
});

describe("edge stacks side by side", () => {
    const SIDE_BY_SIDE: ReportEvent[] = [
        { kind: "sites-started", title: "pulumi up: the edge stacks", parallel: 2 },
        { kind: "step-started", subject: "edge", title: "pulumi up: edge" },
        { kind: "step-started", subject: "berlin", title: "pulumi up: berlin" },
        { kind: "output", subject: "edge", stream: "stdout", text: "Updating (edge):\n  + Secret creat" },
        { kind: "output", subject: "berlin", stream: "stdout", text: "Updating (berlin):\n" },
        { kind: "output", subject: "berlin", stream: "stderr", text: "error: passphrase must be set\n" },
    ];

    it("live: no output scrolls; each running stack's status line shows its latest line, results scroll as they end, then the summary", () => {
        const screen = terminal();
        screen.columns = 200;
        let now = 0;
        const reporter = liveReporter(screen, { now: () => now, tick: false });
        now = 1_000;
        for (const event of SIDE_BY_SIDE) reporter.report(event);
        now = 3_000;
        reporter.report({ kind: "output", subject: "edge", stream: "stdout", text: "ing\n" });
        expect(screen.lines).toEqual([
            "",
            "=== pulumi up: the edge stacks, 2 at a time",
            "⠸ pulumi up: edge  2s  + Secret creating",
            "⠸ pulumi up: berlin  2s  error: passphrase must be set",
            "",
        ]);
        reporter.report({ kind: "step-failed", subject: "berlin", reason: "passphrase must be set" });
        now = 5_000;
        reporter.report({ kind: "output", subject: "edge", stream: "stdout", text: "Resources:\n    + 1 created" });
        reporter.report({ kind: "step-finished", subject: "edge" });
        reporter.report({ kind: "sites-done", title: "pulumi up", outcomes: OUTCOMES.slice(0, 2) });
        expect(screen.lines).toEqual([
            "",
            "=== pulumi up: the edge stacks, 2 at a time",
            "× pulumi up: berlin (2s): passphrase must be set",
            "✓ pulumi up: edge (4s)",
            "",
            "pulumi up: 2 ok",
            "SITE     STACK  RESULT  TIME    ERROR",
            "(cloud)  cloud  ok      12m34s",
            "edge     edge   ok      42s",
            "",
        ]);
    });

    it("live, 20 sites at once on a small terminal: the status lines fit its height, each line's characters its width", () => {
        const screen = { ...terminal(), columns: 80, rows: 8 };
        const reporter = liveReporter(screen, { now: () => 0, tick: false });
        reporter.report({ kind: "sites-started", title: "pulumi up: the edge stacks", parallel: 20 });
        const sites = Array.from({ length: 20 }, (_, index) => `site-${index + 1}`);
        for (const site of sites) reporter.report({ kind: "step-started", subject: site, title: `pulumi up: ${site}` });
        // Tabs, a colour and a carriage return: each takes other columns than the characters it counts.
        for (const site of sites)
            reporter.report({
                kind: "output",
                subject: site,
                stream: "stdout",
                text: `\tkubernetes:core/v1:Secret\t\x1b[31mlink-token-${site}\x1b[0m creating\r\n`,
            });
        const status = screen.lines.slice(screen.lines.indexOf("=== pulumi up: the edge stacks, 20 at a time") + 1, -1);
        expect(status).toEqual([
            "⠋ pulumi up: site-1  0s  kubernetes:core/v1:Secret link-token-site-1 creating",
            ...Array.from(
                { length: 5 },
                (_, index) => `⠋ pulumi up: site-${index + 2}  0s  kubernetes:core/v1:Secret link-token-site-${index + 2} creating`,
            ),
            "  and 14 more running",
        ]);
        for (const line of status) expect(line.length).toBeLessThan(screen.columns);
    });

    it("live, one at a time: the output scrolls under each stack's heading, as for a single step", () => {
        const screen = terminal();
        const reporter = liveReporter(screen, { now: () => 0, tick: false });
        reporter.report({ kind: "sites-started", title: "pulumi up: the edge stacks", parallel: 1 });
        reporter.report({ kind: "step-started", subject: "edge", title: "pulumi up: edge" });
        reporter.report({ kind: "output", subject: "edge", stream: "stdout", text: "Updating (edge):\n" });
        expect(screen.lines).toEqual([
            "",
            "=== pulumi up: the edge stacks",
            "",
            "=== pulumi up: edge",
            "Updating (edge):",
            "⠋ pulumi up: edge  0s",
            "",
        ]);
    });

    it("plain: each whole line prefixed with its stack, stdout and stderr apart, a stack's last partial line when its step ends", () => {
        let out = "";
        let err = "";
        const reporter = plainReporter({ write: (text: string) => (out += text) }, { write: (text: string) => (err += text) });
        for (const event of SIDE_BY_SIDE) reporter.report(event);
        reporter.report({ kind: "step-finished", subject: "edge" });
        expect(out).toBe(
            "\n=== pulumi up: the edge stacks, 2 at a time\n" +
                "\n=== pulumi up: edge\n" +
                "\n=== pulumi up: berlin\n" +
                "edge | Updating (edge):\n" +
                "berlin | Updating (berlin):\n" +
                "edge |   + Secret creat\n",
        );
        expect(err).toBe("berlin | error: passphrase must be set\n");
        reporter.report({ kind: "sites-done", title: "pulumi up", outcomes: OUTCOMES });
        expect(out).toMatch(/\npulumi up: 2 ok, 2 failed\nSITE {5}STACK {3}RESULT {2}TIME {4}ERROR\n/);
    });
});

describe("each step's full output, in a log file per stack", () => {
    function logged() {
        const events: ReportEvent[] = [];
        const root = fs.mkdtempSync(path.join(os.tmpdir(), "logs-"));
        let made = 0;
        const reporter = withOutputLogs({ report: (event) => events.push(event) }, () => {
            made++;
            return fs.mkdtempSync(path.join(root, "run-"));
        });
        return { reporter, events, made: () => made };
    }

    it("makes the folder when the first step starts, says where, and appends each stack's output to its own file", () => {
        const { reporter, events, made } = logged();
        reporter.report({ kind: "status", stacks: [], live: false });
        expect(made()).toBe(0);
        reporter.report({ kind: "step-started", subject: "acme/edge-cloud-mesh/edge", title: "pulumi up: edge" });
        reporter.report({ kind: "step-started", subject: "acme_edge-cloud-mesh_edge", title: "pulumi up: look-alike" });
        const folder = (events[1] as { text: string }).text.replace(/^each step's full output is kept in (.*)\/$/, "$1");
        expect(events[1]).toEqual({ kind: "notice", text: `each step's full output is kept in ${folder}/` });
        reporter.report({ kind: "output", subject: "acme/edge-cloud-mesh/edge", stream: "stdout", text: "Updating (edge):\n" });
        reporter.report({ kind: "output", subject: "acme_edge-cloud-mesh_edge", stream: "stdout", text: "other\n" });
        reporter.report({ kind: "output", subject: "acme/edge-cloud-mesh/edge", stream: "stderr", text: "error: x\n" });
        expect(made()).toBe(1);
        expect(fs.readdirSync(folder).sort()).toEqual(["acme_edge-cloud-mesh_edge-2.log", "acme_edge-cloud-mesh_edge.log"]);
        expect(fs.readFileSync(path.join(folder, "acme_edge-cloud-mesh_edge.log"), "utf8")).toBe("Updating (edge):\nerror: x\n");
        // Every event still reaches the reporter.
        expect(events.filter((event) => event.kind === "output")).toHaveLength(3);

        reporter.report({
            kind: "sites-done",
            title: "pulumi up",
            outcomes: [{ site: "edge", stack: "acme/edge-cloud-mesh/edge", result: "failed", errors: ["x"] }, ...OUTCOMES.slice(3)],
        });
        expect(events.at(-1)).toEqual({
            kind: "message",
            text: `\nThe full output of each stack that failed:\n  ${folder}/acme_edge-cloud-mesh_edge.log\n`,
        });
    });

    it("a log file that cannot be written (a full disk, a cleaned-up folder) is said once; the run and the other stacks' logs go on", () => {
        const { reporter, events } = logged();
        reporter.report({ kind: "step-started", subject: "edge", title: "pulumi up: edge" });
        reporter.report({ kind: "step-started", subject: "berlin", title: "pulumi up: berlin" });
        const folder = (events[0] as { text: string }).text.replace(/^each step's full output is kept in (.*)\/$/, "$1");
        fs.mkdirSync(path.join(folder, "edge.log"));
        for (const text of ["one\n", "two\n"]) {
            expect(() => reporter.report({ kind: "output", subject: "edge", stream: "stdout", text })).not.toThrow();
            reporter.report({ kind: "output", subject: "berlin", stream: "stdout", text });
        }
        const notices = events.filter((event) => event.kind === "notice").slice(1);
        expect(notices).toEqual([
            { kind: "notice", text: expect.stringMatching(/^the output of edge is no longer kept in .*\/edge\.log: EISDIR: /) },
        ]);
        expect(events.filter((event) => event.kind === "output")).toHaveLength(4);
        expect(fs.readFileSync(path.join(folder, "berlin.log"), "utf8")).toBe("one\ntwo\n");
        const failed = (stack: string): SiteOutcome => ({ site: stack, stack, result: "failed", errors: ["x"] });
        reporter.report({ kind: "sites-done", title: "pulumi up", outcomes: [failed("edge"), failed("berlin")] });
        expect(events.at(-1)).toEqual({ kind: "message", text: `\nThe full output of each stack that failed:\n  ${folder}/berlin.log\n` });
    });
});
