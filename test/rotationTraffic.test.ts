// e2e/rotation-traffic.sh, the traffic of the end-to-end rotation, as far as it runs without clusters:
// its syntax and shellcheck (portability.test.ts holds it to bash 3.2 and BSD), and whole runs against
// the stand-in kubectl (test/standins/), with a stand-in `date` for the runner's clock: the probe it
// deploys, the pods it follows as they appear, the parts of the rotation it counts, and the restart
// commands of npm run rotate it runs as printed.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "./harness";
import { SHELLCHECK } from "./shellcheck";
import { KubeWorld, standIns } from "./standins";

const SCRIPT = path.join(ROOT, "e2e", "rotation-traffic.sh");

/** The stand-ins, bash and the few programs the script runs on the runner, and a `date` that tells the time the test sets. */
function world(edge: KubeWorld) {
    const cli = standIns(["kubectl"], { real: ["bash", "sh", "cat", "grep", "sed", "awk", "sort", "mkdir", "rm", "sleep", "touch"] });
    fs.writeFileSync(path.join(cli.bin, "date"), '#!/bin/sh\ncat "$STANDIN_STATE/clock"\n', { mode: 0o755 });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rotation-traffic-"));
    const kubeconfig = path.join(dir, "edge.kubeconfig");
    fs.writeFileSync(
        kubeconfig,
        "apiVersion: v1\nclusters:\n- cluster:\n    server: https://127.0.0.1:40001\n  name: edge\ncontexts:\n- context:\n    cluster: edge\n    user: edge\n  name: k3d-edge\ncurrent-context: k3d-edge\nusers:\n- name: edge\n  user: {}\n",
    );
    cli.kube("k3d-edge", edge);
    const traffic = path.join(dir, "traffic");
    const run = (args: string[], env: Record<string, string> = {}) =>
        spawnSync(path.join(cli.bin, "bash"), [SCRIPT, ...args], {
            encoding: "utf8",
            timeout: 30_000,
            env: cli.env({ EDGE_KUBECONFIG: kubeconfig, EDGE_CONTEXT: "k3d-edge", TRAFFIC_DIR: traffic, POLL_SECONDS: "1", ...env }),
        });
    const clock = (seconds: number) => fs.writeFileSync(path.join(cli.state, "clock"), `${seconds}\n`);
    return { cli, kubeconfig, traffic, run, clock };
}

/** A probe pod's log: a line a second from `from` to `to`, each 200 but at the seconds `failures` gives. */
function probeLog(pod: string, from: number, to: number, failures: Record<number, string> = {}): string[] {
    return Array.from({ length: to - from + 1 }, (_, index) => `${from + index} ${pod} ${failures[from + index] ?? "200"}`);
}

/** Waits (for up to 10 s) until the script's collector has followed the pod. */
async function followed(traffic: string, pod: string): Promise<void> {
    const file = path.join(traffic, "pods", `${pod}.log`);
    for (let waited = 0; waited < 10_000; waited += 100) {
        if (fs.existsSync(file) && fs.readFileSync(file, "utf8").length > 0) return;
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`${pod} was not followed`);
}

describe("e2e/rotation-traffic.sh", () => {
    it("is valid bash, and executable", () => {
        expect(spawnSync("bash", ["-n", SCRIPT]).status).toBe(0);
        expect(fs.statSync(SCRIPT).mode & 0o111).not.toBe(0);
    });

    it.skipIf(SHELLCHECK === undefined)("passes shellcheck", () => {
        const result = spawnSync(SHELLCHECK!, [SCRIPT], { encoding: "utf8" });
        expect(result.stdout).toBe("");
        expect(result.status).toBe(0);
    });

    it("deploys a meshed probe of its own, follows each of its pods as it appears, and counts requests and failures per part of the rotation", async () => {
        const image = "ghcr.io/stefanprodan/podinfo:6.7.0";
        const first = "rotation-probe-6d5f-a1";
        const second = "rotation-probe-7c8e-b2";
        const { cli, traffic, run, clock } = world({
            deployments: { "test/podinfo": { image } },
            pods: [{ namespace: "test", name: first, labels: { app: "rotation-probe" } }],
            logs: { [`test/${first}`]: probeLog(first, 1000, 1030, { 1012: "503" }) },
        });
        clock(1000);
        const started = run(["start"]);
        expect(started.stderr).toContain("The probe calls http://podinfo-cloud.test.svc.cluster.local:9898/ from the edge");
        expect(started.status).toBe(0);
        const [probe] = cli.readKube("k3d-edge").applied!;
        expect(probe).toMatchObject({
            kind: "Deployment",
            metadata: { name: "rotation-probe", namespace: "test" },
            spec: {
                replicas: 2,
                strategy: { rollingUpdate: { maxUnavailable: 0 } },
                template: {
                    metadata: { annotations: { "config.alpha.linkerd.io/proxy-wait-before-exit-seconds": "10" } },
                    spec: {
                        containers: [{ image, env: [{ name: "TARGET", value: "http://podinfo-cloud.test.svc.cluster.local:9898/" }] }],
                    },
                },
            },
        });
        // The loop the pod runs: a line per request, its time, its pod and its status; the request in flight finishes on TERM.
        const loop = probe.spec.template.spec.containers[0].command[2];
        expect(loop).toContain(`echo "$(date +%s) $HOSTNAME $(curl -s -o /dev/null -m 5 -w '%{http_code}' "$TARGET")"`);
        expect(loop).toContain("trap 'exit 0' TERM");
        await followed(traffic, first);

        clock(1010);
        expect(run(["mark", "rotate", "1"]).status).toBe(0);
        // The first restart: a new pod, whose log the collector follows too.
        cli.kube("k3d-edge", {
            ...cli.readKube("k3d-edge"),
            pods: [
                { namespace: "test", name: first, labels: { app: "rotation-probe" } },
                { namespace: "test", name: second, labels: { app: "rotation-probe" }, phase: "Pending" },
            ],
            logs: { ...cli.readKube("k3d-edge").logs, [`test/${second}`]: probeLog(second, 1020, 1040, { 1025: "000" }) },
        });
        await new Promise((resolve) => setTimeout(resolve, 1500));
        // Not followed while it is not running.
        expect(fs.existsSync(path.join(traffic, "pods", `${second}.log`))).toBe(false);
        cli.kube("k3d-edge", {
            ...cli.readKube("k3d-edge"),
            pods: [{ namespace: "test", name: second, labels: { app: "rotation-probe" } }],
        });
        await followed(traffic, second);
        clock(1020);
        run(["mark", "rotate", "2"]);
        clock(1050);
        expect(run(["stop"]).status).toBe(0);
        expect(cli.commandLines("kubectl").filter((line) => line.includes(" logs "))).toEqual([
            `kubectl --kubeconfig ${path.dirname(traffic)}/edge.kubeconfig --context k3d-edge -n test logs -f pod/${first} -c probe`,
            `kubectl --kubeconfig ${path.dirname(traffic)}/edge.kubeconfig --context k3d-edge -n test logs -f pod/${second} -c probe`,
        ]);
        expect(cli.commandLines("kubectl").at(-1)).toMatch(/ -n test delete deploy rotation-probe --ignore-not-found$/);

        const report = run(["report"]);
        expect(report.stdout).toBe(
            [
                "| part of the rotation | from (s) | requests | failed | failures at (s) |",
                "|---|---|---|---|---|",
                "| baseline | 0 | 10 | 0 |  |",
                "| rotate 1 | 10 | 10 | 1 | 12-12 |",
                "| rotate 2 | 20 | 32 | 1 | 25-25 |",
                "",
                "52 requests, 2 failed (0 allowed)",
                "",
            ].join("\n"),
        );
        expect(report.status).toBe(1);
        expect(run(["report"], { MAX_FAILED: "2" }).status).toBe(0);
    });

    it("runs the restart commands npm run rotate printed, exactly as printed, and waits for each workload's rollout", () => {
        const { cli, kubeconfig, traffic, run } = world({});
        fs.mkdirSync(traffic);
        const flags = `--kubeconfig ${kubeconfig} --context k3d-edge`;
        const printed = path.join(traffic, "rotate.log");
        fs.writeFileSync(
            printed,
            [
                "The meshed workloads the program does not own still run an earlier phase's identity (...).",
                "Restart them:",
                "",
                "  # edge",
                `  kubectl ${flags} -n shop rollout restart deployment/cart statefulset/db`,
                `  kubectl ${flags} -n test rollout restart deployment/rotation-probe`,
                "",
                "Recreate these pods, which no rollout restart reaches:",
                "  shop/debug (no controller: delete it once what replaces it is ready)",
                "",
            ].join("\n"),
        );
        const result = run(["restart", printed]);
        expect(result.status).toBe(0);
        expect(cli.commandLines("kubectl")).toEqual([
            `kubectl ${flags} -n shop rollout restart deployment/cart statefulset/db`,
            `kubectl ${flags} -n shop rollout status deployment/cart --timeout=300s`,
            `kubectl ${flags} -n shop rollout status statefulset/db --timeout=300s`,
            `kubectl ${flags} -n test rollout restart deployment/rotation-probe`,
            `kubectl ${flags} -n test rollout status deployment/rotation-probe --timeout=300s`,
        ]);
        expect(result.stderr).toContain(`+ kubectl ${flags} -n shop rollout restart deployment/cart statefulset/db`);
    });
});
