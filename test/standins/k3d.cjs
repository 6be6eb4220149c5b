#!/usr/bin/env node
// A stand-in for k3d v5.9.0, for the commands the local environment runs (k3d-io/k3d@v5.9.0 cmd/):
// `version`; `cluster create` (which creates its --network when missing, keeps it external so that a
// delete leaves it: pkg/client/cluster.go, and publishes the API on the --api-port host); `cluster list
// --output json` (cmd/cluster/clusterList.go: the clusters with serversRunning/serversCount, one JSON
// line); `cluster start`; `cluster delete` (a missing cluster is skipped: "No nodes found for cluster
// '<name>', nothing to delete.", exit 0: cmd/cluster/clusterDelete.go getClusters); `kubeconfig get`.
// k3d logs through logrus, info to stdout and warnings and errors to stderr (cmd/root.go initLogging:
// two writer hooks), each line in the TextFormatter's colours, which k3d forces on (ForceColors) on a
// terminal or not; its fatal errors exit 1. A test injects a failure per command ("cluster create
// edge"), optionally leaving the cluster created but not running (`leaves: "stopped"`, as an
// interrupted create does).
const w = require("./world.cjs");

const argv = process.argv.slice(2);
w.logCall("k3d", argv);
const positional = argv.filter((arg) => !arg.startsWith("-"));
const [group, verb, ...names] = positional;
/** A logrus line as printColored writes it: the level in its colour, the seconds since start, the message padded to 44. */
const log = (level, message) => {
    const colour = { INFO: 36, WARN: 33, ERRO: 31, FATA: 31 }[level];
    const stream = level === "INFO" ? process.stdout : process.stderr;
    stream.write(`\x1b[${colour}m${level}\x1b[0m[0000] ${message.padEnd(44)} \n`);
};
const fatal = (message) => {
    log("FATA", message);
    process.exit(1);
};

if (group === "version") {
    process.stdout.write("k3d version v5.9.0\nk3s version v1.32.5-k3s1 (default)\n");
    process.exit(0);
}
if (!w.engine().running)
    fatal(`runtime failed to list nodes: docker failed to get containers with labels 'map[app:k3d]': ${w.ENGINE_DOWN}`);

const clusters = w.k3dClusters();
const save = () => w.write(["k3d", "clusters.json"], clusters);
const injected = w.injected("k3d", [group, verb, names[0]].filter(Boolean).join(" "));

/** The API port the test gave the cluster, else one of its own. */
function apiPort(name) {
    const ports = w.read(["k3d", "ports.json"], {});
    return ports[name] ?? 40000 + Object.keys(clusters).length;
}

function kubeconfig(name, cluster) {
    return [
        "apiVersion: v1",
        "clusters:",
        "- cluster:",
        `    certificate-authority-data: ${Buffer.from(`stand-in CA of ${name}`).toString("base64")}`,
        `    server: https://127.0.0.1:${cluster.apiPort}`,
        `  name: k3d-${name}`,
        "contexts:",
        "- context:",
        `    cluster: k3d-${name}`,
        `    user: admin@k3d-${name}`,
        `  name: k3d-${name}`,
        `current-context: k3d-${name}`,
        "kind: Config",
        "preferences: {}",
        "users:",
        `- name: admin@k3d-${name}`,
        "  user:",
        `    client-certificate-data: ${Buffer.from("stand-in client certificate").toString("base64")}`,
        `    client-key-data: ${Buffer.from("stand-in client key").toString("base64")}`,
        "",
    ].join("\n");
}

if (group === "cluster" && verb === "create") {
    const [name] = names;
    if (clusters[name] !== undefined) fatal(`Failed to create cluster '${name}' because a cluster with that name already exists`);
    const [network] = w.takeFlag(argv, "--network");
    const [image] = w.takeFlag(argv, "--image");
    const networks = w.networks();
    if (networks[network] === undefined) {
        log("INFO", `Created network '${network}'`);
        networks[network] = { subnet: "172.18.0.0/16", gateway: "172.18.0.1" };
        w.write(["docker", "networks.json"], networks);
    }
    if (injected) {
        if (injected.leaves === "stopped") {
            clusters[name] = { network, image, apiPort: apiPort(name), running: false };
            save();
        }
        w.exitWith(injected);
    }
    clusters[name] = { network, image, apiPort: apiPort(name), running: true };
    save();
    log("INFO", `Cluster '${name}' created successfully!`);
} else if (group === "cluster" && (verb === "list" || verb === "ls")) {
    const [output] = w.takeFlag(argv, "--output", "-o");
    if (output !== "json") fatal("the k3d stand-in lists clusters as JSON only");
    const entries = Object.entries(clusters)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, cluster]) => ({
            name,
            network: { name: cluster.network, external: true },
            nodes: [{ name: `k3d-${name}-server-0`, role: "server", State: { Running: cluster.running } }],
            serversRunning: cluster.running ? 1 : 0,
            serversCount: 1,
            agentsRunning: 0,
            agentsCount: 0,
            hasLoadbalancer: true,
        }));
    process.stdout.write(`${JSON.stringify(entries)}\n`);
} else if (group === "cluster" && verb === "start") {
    const [name] = names;
    if (clusters[name] === undefined) fatal(`Failed to get cluster '${name}': No nodes found for given cluster`);
    if (injected) w.exitWith(injected);
    clusters[name].running = true;
    save();
    log("INFO", `Started cluster '${name}'`);
} else if (group === "cluster" && (verb === "delete" || verb === "rm")) {
    // Every cluster is looked up first, then the ones found are deleted.
    const found = names.filter((name) => clusters[name] !== undefined);
    for (const name of names.filter((name) => !found.includes(name)))
        log("INFO", `No nodes found for cluster '${name}', nothing to delete.`);
    if (found.length === 0) log("INFO", "No clusters found");
    for (const name of found) {
        if (injected) w.exitWith(injected);
        delete clusters[name];
        save();
        log("INFO", `Successfully deleted cluster ${name}!`);
    }
} else if (group === "kubeconfig" && verb === "get") {
    const [name] = names;
    if (clusters[name] === undefined) fatal(`Failed to get cluster '${name}': No nodes found for given cluster`);
    if (injected) w.exitWith(injected);
    // A YAML document separator before each cluster's kubeconfig (cmd/kubeconfig/kubeconfigGet.go).
    process.stdout.write(`---\n${kubeconfig(name, clusters[name])}`);
} else {
    fatal(`the k3d stand-in does not answer \`k3d ${argv.join(" ")}\``);
}
