#!/usr/bin/env node
// A stand-in for the linkerd CLI edge-26.8.3, for tests that cross the real process boundary. It
// answers `linkerd version --client --short` and `linkerd multicluster gateways -o json` as
// multicluster/cmd/gateways.go@edge-26.8.3 does: json.MarshalIndent(statuses, "", "  ") of
// [{clusterName, alive, numberOfServices, latency}] (`null` when it has none), exit code 0; a failure
// to reach the cluster is cobra's `Error: <message>` then the usage on stderr, exit code 1 (cli/main.go).
// Its clusters live as JSON files in $STANDIN_STATE/linkerd/clusters, one per kubeconfig context (else
// per kubeconfig file), and each call is appended to $STANDIN_STATE/linkerd/calls.log; the tests write
// the clusters through test/standins.ts.
const fs = require("node:fs");
const path = require("node:path");

const dir = path.join(process.env.STANDIN_STATE, "linkerd");
const argv = process.argv.slice(2);
fs.mkdirSync(path.join(dir, "clusters"), { recursive: true });
fs.appendFileSync(path.join(dir, "calls.log"), JSON.stringify({ argv }) + "\n");

/** A flag's value, as `--flag value` or `--flag=value`. */
function flag(name) {
    const index = argv.indexOf(name);
    if (index >= 0) return argv[index + 1];
    return argv.find((arg) => arg.startsWith(`${name}=`))?.slice(name.length + 1);
}

const words = argv.filter((arg, index) => !arg.startsWith("-") && !argv[index - 1]?.match(/^--(kubeconfig|context|output)$|^-o$/));

if (words[0] === "version" && argv.includes("--client") && argv.includes("--short")) {
    process.stdout.write("edge-26.8.3\n");
    process.exit(0);
}

if (words[0] === "multicluster" && words[1] === "gateways") {
    const key = flag("--context") ?? flag("--kubeconfig") ?? "";
    const file = path.join(dir, "clusters", `${encodeURIComponent(key)}.json`);
    const cluster = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : undefined;
    if (cluster === undefined || cluster.unreachable) {
        const reason =
            cluster?.unreachable ?? `Get "https://127.0.0.1:6443/api/v1/namespaces": dial tcp 127.0.0.1:6443: connect: connection refused`;
        process.stderr.write(
            `Error: make sure the linkerd-multicluster extension is installed, using 'linkerd multicluster install' (${reason})\n` +
                "Usage:\n  linkerd multicluster gateways [flags]\n\n",
        );
        process.exit(1);
    }
    for (const [clusterName, error] of Object.entries(cluster.failedMetrics ?? {}))
        process.stderr.write(`Failed to get gateway status for ${clusterName}: ${error}\n`);
    const output = flag("--output") ?? flag("-o");
    if (output !== "json") {
        process.stderr.write("the stand-in linkerd answers gateways only with -o json\n");
        process.exit(2);
    }
    process.stdout.write(JSON.stringify(cluster.gateways.length > 0 ? cluster.gateways : null, null, 2) + "\n");
    process.exit(0);
}

process.stderr.write(`the stand-in linkerd does not answer \`linkerd ${argv.join(" ")}\`\n`);
process.exit(2);
