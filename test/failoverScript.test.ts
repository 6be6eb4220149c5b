// e2e/failover.sh, the end-to-end failover step, as far as it runs without clusters: its syntax, shellcheck,
// its pure functions against canned podinfo answers, and whole runs against a stand-in kubectl
// (test/fixtures/failover/kubectl) whose frontend pod runs the script's real probe loop in a real sh
// against a stand-in curl that answers as the edge's mesh would. What the mesh really does is for the
// workflow on real clusters.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "./harness";

const SCRIPT = path.join(ROOT, "e2e", "failover.sh");
const FAKES = path.join(ROOT, "test", "fixtures", "failover");

const SHELLCHECK = (process.env.PATH ?? "")
    .split(path.delimiter)
    .map((dir) => path.join(dir, "shellcheck"))
    .find((file) => fs.existsSync(file));
if (SHELLCHECK === undefined && process.env.EDGE_CLOUD_MESH_REQUIRE_SHELLCHECK) {
    throw new Error("shellcheck is required (EDGE_CLOUD_MESH_REQUIRE_SHELLCHECK) but missing: apt-get install shellcheck");
}

/** Runs one of the script's functions in bash, with the script sourced (its main does not run). */
function call(fn: string, args: string[], stdin = ""): string {
    const result = spawnSync("bash", ["-c", `source "$1" && shift && ${fn} "$@"`, "test", SCRIPT, ...args], {
        input: stdin,
        encoding: "utf8",
    });
    if (result.status !== 0) throw new Error(`${fn} exited ${result.status}: ${result.stderr}`);
    return result.stdout.trim();
}

/** podinfo 6.7.0's answer to GET / from curl (infoHandler, indented JSON), newlines removed as the probe does. */
function podinfoAnswer(message: string, status = 200): string {
    const body = JSON.stringify(
        { hostname: "podinfo-7d9f8b6c5d-x2x8q", version: "6.7.0", revision: "", color: "#34577c", logo: "", message, goos: "linux" },
        null,
        2,
    );
    return `${body.replace(/\n/g, "")} status=${status}`;
}

describe("e2e/failover.sh", () => {
    it("is valid bash, and executable", () => {
        expect(spawnSync("bash", ["-n", SCRIPT]).status).toBe(0);
        expect(fs.statSync(SCRIPT).mode & 0o111).not.toBe(0);
    });

    it.skipIf(SHELLCHECK === undefined)("passes shellcheck, as do its stand-ins", () => {
        for (const file of [SCRIPT, path.join(FAKES, "kubectl"), path.join(FAKES, "pod", "curl")]) {
            const result = spawnSync(SHELLCHECK!, [file], { encoding: "utf8" });
            expect(result.stdout, file).toBe("");
            expect(result.status, file).toBe(0);
        }
    });

    it("tells the clusters apart by podinfo's message, and counts anything but a 200 as failed", () => {
        const classify = (line: string) => call("classify_answer", [line, "greetings from edge", "greetings from cloud"]);
        expect(classify(podinfoAnswer("greetings from edge"))).toBe("edge");
        expect(classify(podinfoAnswer("greetings from cloud"))).toBe("cloud");
        expect(classify(podinfoAnswer("greetings from edge-berlin"))).toBe("unexpected");
        expect(classify(" status=503")).toBe("failed");
        expect(classify(" status=000")).toBe("failed");
        expect(classify(podinfoAnswer("greetings from cloud", 500))).toBe("failed");
        expect(classify("")).toBe("failed");
    });

    it("tallies a batch, and says whether all of it came from one cluster", () => {
        const answers = [podinfoAnswer("greetings from cloud"), " status=503", podinfoAnswer("greetings from cloud"), ""].join("\n");
        const counts = call("tally", ["greetings from edge", "greetings from cloud"], answers);
        expect(counts).toBe("edge=0 cloud=2 failed=1 unexpected=0");
        expect(call("count_of", ["failed", counts])).toBe("1");
        const allFrom = (tally: string, cluster: string) =>
            spawnSync("bash", ["-c", 'source "$1" && all_from "$2" "$3"', "test", SCRIPT, tally, cluster]).status === 0;
        expect(allFrom(counts, "cloud")).toBe(false);
        expect(allFrom("edge=0 cloud=5 failed=0 unexpected=0", "cloud")).toBe(true);
        expect(allFrom("edge=5 cloud=0 failed=0 unexpected=0", "cloud")).toBe(false);
        expect(allFrom("edge=0 cloud=0 failed=0 unexpected=0", "cloud")).toBe(false);
    });

    it("recognises the failover route by its weights", () => {
        expect(call("route_mode", [], "podinfo=1000000\npodinfo-cloud=1\n")).toBe("failover");
        expect(call("route_mode", [], "podinfo=50\npodinfo-cloud=50\n")).toBe("weighted");
        expect(call("route_mode", [], "podinfo=100\npodinfo-cloud=0\n")).toBe("weighted");
        expect(call("route_mode", [], "podinfo-cloud=1\n")).toBe("invalid");
        expect(call("seconds", ["4237"])).toBe("4.2");
    });
});

interface Run {
    status: number | null;
    stdout: string;
    stderr: string;
    calls: string[];
    replicas: string;
    ready: string;
}

/** The whole script against the stand-in clusters; `env` sets both the script's and the stand-ins' knobs. */
function runScript(env: Record<string, string> = {}): Run {
    const state = fs.mkdtempSync(path.join(os.tmpdir(), "failover-"));
    fs.writeFileSync(path.join(state, "replicas"), "1\n");
    fs.writeFileSync(path.join(state, "ready"), "1\n");
    fs.writeFileSync(path.join(state, "changed"), "0\n");
    fs.writeFileSync(path.join(state, "calls"), "");
    const result = spawnSync("bash", [SCRIPT], {
        encoding: "utf8",
        timeout: 50_000,
        env: {
            PATH: `${FAKES}:${process.env.PATH}`,
            HOME: state,
            FAKE_STATE: state,
            FAKE_EDGE_CONTEXT: "k3d-edge",
            FAKE_CLOUD_CONTEXT: "k3d-cloud",
            FAKE_SWITCH_MS: "1500",
            EDGE_CONTEXT: "k3d-edge",
            CLOUD_CONTEXT: "k3d-cloud",
            BATCH: "2",
            VERIFY_REQUESTS: "4",
            SWITCH_TIMEOUT: "8",
            ...env,
        },
    });
    const read = (file: string) => fs.readFileSync(path.join(state, file), "utf8");
    const run = {
        status: result.status,
        stdout: result.stdout,
        stderr: result.stderr,
        calls: read("calls").trim().split("\n"),
        replicas: read("replicas").trim(),
        ready: read("ready").trim(),
    };
    fs.rmSync(state, { recursive: true });
    return run;
}

describe("e2e/failover.sh against stand-in clusters", () => {
    it("scales the edge's podinfo to zero and back, and reports how long each switch took", () => {
        const run = runScript();
        expect(run.status, run.stderr).toBe(0);
        expect(run.stdout).toMatch(/^failover edge -> cloud: \d+\.\ds \(\d+ of \d+ requests failed during the switch, none after\)$/m);
        expect(run.stdout).toMatch(/^recovery cloud -> edge: \d+\.\ds \(\d+ of \d+ requests failed during the switch, none after\)$/m);
        const scales = run.calls.filter((call) => call.includes(" scale "));
        expect(scales).toEqual([
            "--context k3d-edge -n test scale deploy podinfo --replicas=0",
            "--context k3d-edge -n test scale deploy podinfo --replicas=1",
        ]);
        // Both clusters were asked, each through its own context, before anything changed.
        expect(run.calls[0]).toBe("--context k3d-cloud -n test rollout status deploy podinfo --timeout=120s");
        expect(run.calls.filter((call) => call.includes("PODINFO_UI_MESSAGE")).map((call) => call.split(" ")[1])).toEqual([
            "k3d-edge",
            "k3d-cloud",
        ]);
        expect(run.stderr).toMatch(/Unavailable; entering failfast/);
        expect(run.replicas).toBe("1");
    }, 60_000);

    it("with FAILOVER_BY=readiness, turns the pods' readiness off and on instead, through their kubeconfig", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kubeconfig-"));
        const kubeconfig = path.join(dir, "edge.yaml");
        fs.writeFileSync(kubeconfig, "apiVersion: v1\nkind: Config\n");
        const run = runScript({ FAILOVER_BY: "readiness", EDGE_KUBECONFIG: kubeconfig });
        fs.rmSync(dir, { recursive: true });
        expect(run.status, run.stderr).toBe(0);
        const readiness = run.calls.filter((call) => call.includes("/readyz/"));
        expect(readiness).toEqual([
            `--kubeconfig ${kubeconfig} --context k3d-edge -n test exec pod/podinfo-7d9f8b6c5d-x2x8q -c podinfod -- curl -fsS -X POST http://localhost:9898/readyz/disable`,
            `--kubeconfig ${kubeconfig} --context k3d-edge -n test exec pod/podinfo-7d9f8b6c5d-x2x8q -c podinfod -- curl -fsS -X POST http://localhost:9898/readyz/enable`,
        ]);
        expect(run.calls.filter((call) => call.includes(" scale "))).toEqual([]);
        expect(run.ready).toBe("1");
    }, 60_000);

    it("fails when the cloud never takes over, within SWITCH_TIMEOUT, and puts podinfo back", () => {
        const run = runScript({ FAKE_NO_FAILOVER: "1", SWITCH_TIMEOUT: "3" });
        expect(run.status).not.toBe(0);
        expect(run.stderr).toMatch(/FAIL: not every answer came from cloud within 3s \(last: edge=0 cloud=0 failed=2 unexpected=0\)/);
        expect(run.replicas).toBe("1");
    }, 60_000);

    it("fails on a failed request once the route has settled", () => {
        const run = runScript({ FAKE_FAIL_SETTLED: "4" });
        expect(run.status).not.toBe(0);
        expect(run.stderr).toMatch(
            /FAIL: 4 requests to podinfo once settled: edge=0 cloud=3 failed=1 unexpected=0; expected every one from cloud/,
        );
        expect(run.replicas).toBe("1");
    }, 60_000);

    it("refuses a weighted route, before touching podinfo, saying which config it needs", () => {
        const run = runScript({ FAKE_ROUTE: "podinfo=50\\npodinfo-cloud=50\\n" });
        expect(run.status).not.toBe(0);
        expect(run.stderr).toMatch(/splits podinfo=50 podinfo-cloud=50 - this check needs the edge stack's splitMode failover/);
        expect(run.calls.filter((call) => call.includes(" scale ") || call.includes("readyz"))).toEqual([]);
    }, 60_000);

    it("needs both contexts", () => {
        const run = runScript({ CLOUD_CONTEXT: "" });
        expect(run.status).not.toBe(0);
        expect(run.stderr).toMatch(/set CLOUD_CONTEXT to the kube context of the cloud cluster/);
        expect(run.calls).toEqual([""]);
    });
});
