// e2e/failover.sh, the end-to-end failover step, as far as it runs without clusters: its syntax, shellcheck,
// its pure functions against canned podinfo answers, and whole runs against a stand-in kubectl
// (test/fixtures/failover/kubectl) whose frontend pod runs the script's real probe loop in a real sh
// against a stand-in curl that answers as the edge's mesh would. What the mesh really does is for the
// workflow on real clusters.
//
// It runs as on a Mac, as far as this machine can: Debian has no bash before 5.2 (nor a BSD userland),
// so the script runs in bash 5.2 at compatibility level 3.2, without what 5.2 has and 3.2 lacks and
// that can be taken away (EPOCHREALTIME and EPOCHSECONDS, then ordinary unset variables as in 3.2;
// mapfile and readarray), with a PATH of only the programs it and its stand-ins use: no GNU timeout.
// What cannot be taken away (bash 4+'s syntax, GNU-only flags) test/portability.test.ts reads for.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT } from "./harness";
import { SHELLCHECK } from "./shellcheck";

const SCRIPT = path.join(ROOT, "e2e", "failover.sh");
const FAKES = path.join(ROOT, "test", "fixtures", "failover");

/** bash 5.2 as close to macOS's 3.2 as it goes: run before the script, in the shell that runs it (BASH_COMPAT=3.2 beside it). */
const LIKE_BASH_32 = "unset -v EPOCHREALTIME EPOCHSECONDS; enable -n mapfile readarray";

/** The programs the script and its stand-ins run, and nothing else: a Mac has these, and no `timeout`. */
const LAPTOP_PROGRAMS = ["bash", "sh", "node", "cat", "tr", "grep", "wc", "sleep", "dirname"];

/** A directory of the real `programs`, for a PATH of those alone. */
function laptopBin(programs = LAPTOP_PROGRAMS): string {
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), "laptop-bin-"));
    for (const program of programs) {
        const real =
            program === "node"
                ? process.execPath
                : (process.env.PATH ?? "")
                      .split(path.delimiter)
                      .map((dir) => path.join(dir, program))
                      .find((file) => fs.existsSync(file));
        if (real === undefined) throw new Error(`no ${program} on PATH`);
        fs.symlinkSync(real, path.join(bin, program));
    }
    return bin;
}
const LAPTOP_BIN = laptopBin();
afterAll(() => fs.rmSync(LAPTOP_BIN, { recursive: true }));

/** The environment the script runs in, in bash like 3.2 on a laptop's PATH. */
const laptopEnv = (env: Record<string, string> = {}, bin = LAPTOP_BIN) => ({ PATH: `${FAKES}:${bin}`, BASH_COMPAT: "3.2", ...env });

/** Runs one of the script's functions, with the script sourced (its main does not run). */
function shell(fn: string, args: string[], stdin = "") {
    const script = `${LIKE_BASH_32}; source "$1" && shift && ${fn} "$@"`;
    return spawnSync("bash", ["-c", script, "test", SCRIPT, ...args], { input: stdin, encoding: "utf8", env: laptopEnv() });
}

/** A function's stdout; it must succeed. */
function call(fn: string, args: string[] = [], stdin = ""): string {
    const result = shell(fn, args, stdin);
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

    it("tells the clusters apart by podinfo's message, and counts anything but a 2xx as failed", () => {
        const classify = (line: string) => call("classify_answer", [line, "greetings from edge", "greetings from cloud"]);
        expect(classify(podinfoAnswer("greetings from edge"))).toBe("edge");
        // A read of podinfo's store (the errors probe) answers 202.
        expect(classify(podinfoAnswer("greetings from cloud", 202))).toBe("cloud");
        expect(classify(podinfoAnswer("greetings from cloud", 301))).toBe("failed");
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
        const allFrom = (tally: string, cluster: string) => shell("all_from", [tally, cluster]).status === 0;
        expect(allFrom(counts, "cloud")).toBe(false);
        expect(allFrom("edge=0 cloud=5 failed=0 unexpected=0", "cloud")).toBe(true);
        expect(allFrom("edge=5 cloud=0 failed=0 unexpected=0", "cloud")).toBe(false);
        expect(allFrom("edge=0 cloud=0 failed=0 unexpected=0", "cloud")).toBe(false);
        const someFrom = (tally: string, cluster: string) => shell("some_from", [tally, cluster]).status === 0;
        expect(someFrom("edge=3 cloud=2 failed=0 unexpected=0", "cloud")).toBe(true);
        expect(someFrom("edge=5 cloud=0 failed=0 unexpected=0", "cloud")).toBe(false);
        expect(someFrom("edge=2 cloud=2 failed=1 unexpected=0", "cloud")).toBe(false);
    });

    it("recognises the failover route by its weights", () => {
        expect(call("route_mode", [], "podinfo=1000000\npodinfo-cloud=1\n")).toBe("failover");
        expect(call("route_mode", [], "podinfo=50\npodinfo-cloud=50\n")).toBe("weighted");
        expect(call("route_mode", [], "podinfo=100\npodinfo-cloud-relay=0\n")).toBe("local-only");
        expect(call("route_mode", [], "podinfo=1000000\npodinfo-cloud-relay=1\n")).toBe("failover");
        expect(call("route_mode", [], "podinfo-cloud=1\n")).toBe("invalid");
        expect(call("seconds", ["4237"])).toBe("4.2");
    });

    it("reads a millisecond clock without EPOCHREALTIME", () => {
        // A second apart (the tests' own Date stands still, test/setup.ts: their timings use performance.now()).
        const [first, second] = call("now_ms; sleep 1; now_ms").split("\n");
        expect(first).toMatch(/^\d{13}$/);
        expect(Number(second) - Number(first)).toBeGreaterThanOrEqual(1000);
        expect(Number(second) - Number(first)).toBeLessThan(5000);
    });

    it("bounds a command without GNU timeout: its exit code and output, or 124 once its seconds are up", () => {
        const quick = shell("within", ["5", "sh", "-c", "echo answered; exit 3"]);
        expect([quick.status, quick.stdout]).toEqual([3, "answered\n"]);
        // A kubectl exec that never returns, as when the API server stops answering mid-stream.
        const started = performance.now();
        const hung = shell("within", ["1", "sleep", "30"]);
        expect(hung.status).toBe(124);
        expect(performance.now() - started).toBeLessThan(10_000);
    });
});

interface Run {
    status: number | null;
    /** Set when the test's own bound ended the run: the script hung. */
    signal: NodeJS.Signals | null;
    ms: number;
    stdout: string;
    stderr: string;
    calls: string[];
    /** The stand-in clusters' state at the end: <cluster>-replicas, edge-ready, <cluster>-stored, probe-pod. */
    state: Record<string, string>;
}

/** The whole script against the stand-in clusters; `env` sets both the script's and the stand-ins' knobs. */
function runScript(env: Record<string, string> = {}, bin = LAPTOP_BIN): Run {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "failover-"));
    const initial = { "edge-replicas": "1", "cloud-replicas": "1", "edge-ready": "1", changed: "0", calls: "" };
    for (const [file, value] of Object.entries(initial)) fs.writeFileSync(path.join(dir, file), value ? `${value}\n` : "");
    const started = performance.now();
    // As `bash e2e/failover.sh` runs it ($0 is the script, so its main runs), after LIKE_BASH_32.
    const result = spawnSync("bash", ["-c", `${LIKE_BASH_32}; source "$0"`, SCRIPT], {
        encoding: "utf8",
        timeout: 50_000,
        env: laptopEnv(
            {
                HOME: dir,
                FAKE_STATE: dir,
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
            bin,
        ),
    });
    const ms = performance.now() - started;
    const state = Object.fromEntries(fs.readdirSync(dir).map((file) => [file, fs.readFileSync(path.join(dir, file), "utf8").trim()]));
    fs.rmSync(dir, { recursive: true });
    return {
        status: result.status,
        signal: result.signal,
        ms,
        stdout: result.stdout,
        stderr: result.stderr,
        calls: state.calls.split("\n"),
        state,
    };
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
        expect(run.state["edge-replicas"]).toBe("1");
    }, 60_000);

    it("with FAILOVER_BY=readiness, turns the pods' readiness off and on instead, through their kubeconfig (its path with spaces)", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kubeconfig-"));
        const kubeconfig = path.join(dir, "my clusters", "edge kubeconfig.yaml");
        fs.mkdirSync(path.dirname(kubeconfig));
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
        expect(run.state["edge-ready"]).toBe("1");
    }, 60_000);

    it("fails when the cloud never takes over, once SWITCH_TIMEOUT is up (it does not hang), and puts podinfo back", () => {
        const run = runScript({ FAKE_NO_FAILOVER: "1", SWITCH_TIMEOUT: "3" });
        expect(run.signal).toBeNull();
        expect(run.status).toBe(1);
        expect(run.stderr).toMatch(/FAIL: not every answer came from cloud within 3s \(last: edge=0 cloud=0 failed=2 unexpected=0\)/);
        // The checks before the switch and the switch's 3 s, with room for a loaded machine; the test's own bound is 50 s.
        expect(run.ms).toBeLessThan(25_000);
        expect(run.state["edge-replicas"]).toBe("1");
    }, 60_000);

    it("fails on a failed request once the route has settled", () => {
        const run = runScript({ FAKE_FAIL_SETTLED: "4" });
        expect(run.status).not.toBe(0);
        expect(run.stderr).toMatch(
            /FAIL: 4 requests to podinfo once settled: edge=0 cloud=3 failed=1 unexpected=0; expected every one from cloud/,
        );
        expect(run.state["edge-replicas"]).toBe("1");
    }, 60_000);

    it("refuses a weighted route, before touching podinfo, saying which config it needs", () => {
        const run = runScript({ FAKE_ROUTE: "podinfo=50\\npodinfo-cloud-relay=50\\n" });
        expect(run.status).not.toBe(0);
        expect(run.stderr).toMatch(
            /splits podinfo=50 podinfo-cloud-relay=50 - FAILOVER_BY=scale needs the edge stack's splitMode failover \(pulumi config set splitMode failover/,
        );
        expect(run.calls.filter((call) => call.includes(" scale ") || call.includes("readyz"))).toEqual([]);
    }, 60_000);

    it("with FAILOVER_BY=errors, the edge's pods stay Ready and answer 500 to what a meshed probe of its own asks, then answer again", () => {
        const run = runScript({ FAILOVER_BY: "errors" });
        expect(run.status, run.stderr).toBe(0);
        expect(run.stdout).toMatch(/^failover edge -> cloud: \d+\.\ds \(\d+ of \d+ requests failed during the switch, none after\)$/m);
        expect(run.stdout).toMatch(/^recovery cloud -> edge: \d+\.\ds \(\d+ of \d+ requests failed during the switch, none after\)$/m);
        const edgePod = "--context k3d-edge -n test exec pod/podinfo-7d9f8b6c5d-x2x8q -c podinfod --";
        const cloudPod = "--context k3d-cloud -n test exec pod/podinfo-5c8d7f9b4-k2m4p -c podinfod --";
        const write = "sh -c curl -fsS http://localhost:9898/ >/data/failover-probe";
        const remove = "rm -f /data/failover-probe";
        const podCalls = run.calls.filter((call) => call.includes(" -c podinfod -- "));
        expect(podCalls).toEqual([
            // Each pod's own answer to `/`, in its store, on both clusters.
            `${edgePod} ${write}`,
            `${cloudPod} ${write}`,
            // Failover: the edge's pods lose it, and answer 500 to the probe; they stay Ready (no readyz, no scale).
            `${edgePod} ${remove}`,
            // Recovery.
            `${edgePod} ${write}`,
            // At exit: left as found.
            `${edgePod} ${remove}`,
            `${cloudPod} ${remove}`,
        ]);
        expect(run.calls.filter((call) => / scale |readyz/.test(call))).toEqual([]);
        // The probe pod: the edge's podinfo image, meshed by its namespace, asked for the stored answer, deleted at the end.
        expect(run.calls).toContain(
            "--context k3d-edge -n test run failover-probe --image=ghcr.io/stefanprodan/podinfo:6.7.0 --restart=Never --labels=app=failover-probe --command -- sleep 3600",
        );
        expect(run.calls).toContain("--context k3d-edge -n test wait --for=condition=Ready pod/failover-probe --timeout=180s");
        const probes = run.calls.filter((call) => call.includes(" exec pod/failover-probe "));
        expect(probes.length).toBeGreaterThan(4);
        expect(probes.every((call) => call.endsWith(":9898/store/failover-probe"))).toBe(true);
        expect(run.calls.filter((call) => call.includes(" exec deploy/frontend "))).toEqual([]);
        const deleted = run.calls.indexOf("--context k3d-edge -n test delete pod failover-probe --wait=false --ignore-not-found");
        const lastProbe = run.calls.length - 1 - [...run.calls].reverse().findIndex((call) => call.includes(" exec pod/failover-probe "));
        expect(deleted).toBeGreaterThan(lastProbe);
        expect(run.state["probe-pod"]).toBe("0");
        expect(run.state["edge-stored"]).toBe("0");
        expect(run.state["cloud-stored"]).toBe("0");
    }, 60_000);

    it("with FAILOVER_BY=errors, a failure still leaves the clusters as found: the edge's answer back, then everything removed", () => {
        const run = runScript({ FAILOVER_BY: "errors", FAKE_NO_FAILOVER: "1", SWITCH_TIMEOUT: "3" });
        expect(run.status).not.toBe(0);
        expect(run.stderr).toMatch(/FAIL: not every answer came from cloud within 3s \(last: edge=0 cloud=0 failed=2 unexpected=0\)/);
        expect(run.state["probe-pod"]).toBe("0");
        expect(run.state["edge-stored"]).toBe("0");
        expect(run.state["cloud-stored"]).toBe("0");
    }, 60_000);

    it("with FAILOVER_BY=cloud-scale and a weighted split, scales the cloud's podinfo to zero and back: every answer from the edge, not one failed", () => {
        const run = runScript({ FAILOVER_BY: "cloud-scale", FAKE_SPLIT: "weighted", FAKE_ROUTE: "podinfo=50\\npodinfo-cloud-relay=50\\n" });
        expect(run.status, run.stderr).toBe(0);
        expect(run.stdout).toMatch(/^cloud gone -> every answer from the edge: \d+\.\ds \(0 of \d+ requests failed\)$/m);
        expect(run.stdout).toMatch(/^cloud back -> answers from both: \d+\.\ds \(0 of \d+ requests failed\)$/m);
        expect(run.calls.filter((call) => call.includes(" scale "))).toEqual([
            "--context k3d-cloud -n test scale deploy podinfo --replicas=0",
            "--context k3d-cloud -n test scale deploy podinfo --replicas=1",
        ]);
        expect(run.state["cloud-replicas"]).toBe("1");
        expect(run.state["edge-replicas"]).toBe("1");
    }, 60_000);

    it("with FAILOVER_BY=cloud-scale, fails on any failed request at the edge, and puts the cloud's podinfo back", () => {
        const run = runScript({
            FAILOVER_BY: "cloud-scale",
            FAKE_SPLIT: "weighted",
            FAKE_ROUTE: "podinfo=50\\npodinfo-cloud-relay=50\\n",
            FAKE_FAIL_CLOUD_GONE: "1",
        });
        expect(run.status).not.toBe(0);
        expect(run.stderr).toMatch(/FAIL: [1-9]\d* of \d+ requests failed at the edge while the cloud's podinfo went away; expected none/);
        expect(run.state["cloud-replicas"]).toBe("1");
    }, 60_000);

    it("with FAILOVER_BY=cloud-scale, refuses the failover split, which sends the cloud one request in a million", () => {
        const run = runScript({ FAILOVER_BY: "cloud-scale" });
        expect(run.status).not.toBe(0);
        expect(run.stderr).toMatch(
            /FAILOVER_BY=cloud-scale needs the edge stack's splitMode weighted \(pulumi config set splitMode weighted/,
        );
        expect(run.calls.filter((call) => call.includes(" scale "))).toEqual([]);
    });

    it("needs the mirror of podinfo on the edge, and an accepted FAILOVER_BY", () => {
        const noMirror = runScript({ FAKE_MIRRORS: "" });
        expect(noMirror.status).not.toBe(0);
        expect(noMirror.stderr).toMatch(/FAIL: expected one mirror of podinfo on the edge .*found: none/);
        const unknown = runScript({ FAILOVER_BY: "chaos" });
        expect(unknown.stderr).toMatch(/FAILOVER_BY is "chaos"; accepted: scale, readiness, errors or cloud-scale/);
    });

    it("says it needs kubectl and node when one is missing, before asking anything", () => {
        const bin = laptopBin(LAPTOP_PROGRAMS.filter((program) => program !== "node"));
        const run = runScript({}, bin);
        fs.rmSync(bin, { recursive: true });
        expect(run.status).toBe(1);
        expect(run.stderr).toBe("FAIL: no node on the PATH: the script needs kubectl and node (Node.js, as npm does)\n");
        expect(run.calls).toEqual([""]);
    });

    it("needs both contexts", () => {
        const run = runScript({ CLOUD_CONTEXT: "" });
        expect(run.status).not.toBe(0);
        expect(run.stderr).toMatch(/set CLOUD_CONTEXT to the kube context of the cloud cluster/);
        expect(run.calls).toEqual([""]);
    });
});
