#!/usr/bin/env node
// A stand-in for kubectl (v1.35), for the commands the operator commands run on a cluster: `version
// --client -o json`, `config view --minify -o jsonpath=...` and `config current-context` (read from the
// real kubeconfig file), `get svc|pod` with `-o name` or a jsonpath, `get --raw <path>`, and `exec
// <workload> -c <container> -- <command>`, which runs the command with /bin/sh and a `curl` that
// answers as the cluster's demo does (pod-curl.sh). The cluster is the context's, as world.cjs
// resolves it; a missing object is the API server's NotFound, as kubectl prints it, with exit code 1.
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");
const w = require("./world.cjs");

const argv = process.argv.slice(2);
w.logCall("kubectl", argv, ["HTTPS_PROXY"]);
const dash = argv.indexOf("--");
const [own, command] = dash < 0 ? [argv, []] : [argv.slice(0, dash), argv.slice(dash + 1)];
const flags = w.flags(own);
const kubeconfig = flags.take("--kubeconfig");
const context = flags.take("--context");
const namespace = flags.take("--namespace", "-n") ?? "default";
const output = flags.take("--output", "-o");
const selector = flags.take("--selector", "-l");
const container = flags.take("--container", "-c");
const raw = flags.rest()[0] === "get" ? flags.take("--raw") : undefined;
const allNamespaces = flags.rest().some((arg) => arg === "--all-namespaces" || arg === "-A");
const rest = flags.rest().filter((arg) => arg !== "--all-namespaces" && arg !== "-A");
const words = rest.filter((arg) => !arg.startsWith("-"));
const fail = (stderr) => w.exitWith({ stderr });

if (words[0] === "version" && rest.includes("--client") && output === "json") {
    process.stdout.write(
        JSON.stringify(
            {
                clientVersion: { major: "1", minor: "35", gitVersion: "v1.35.6", gitTreeState: "clean", platform: "linux/amd64" },
                kustomizeVersion: "v5.7.1",
            },
            null,
            2,
        ) + "\n",
    );
    process.exit(0);
}

const cluster = w.kubeCluster(kubeconfig, context);
// The kubeconfig's own current-context, whatever contexts it holds (kubectl config/current_context.go).
if (words[0] === "config" && words[1] === "current-context" && cluster.config !== undefined) {
    if (!cluster.config["current-context"]) fail("error: current-context is not set\n");
    process.stdout.write(`${cluster.config["current-context"]}\n`);
    process.exit(0);
}
// kubectl prints client-go's error after `error: ` (cmdutil.CheckErr), and its own sentence when nothing answers.
if (cluster.failure?.kind === "config") fail(`error: ${cluster.failure.message}\n`);
if (words[0] === "config") {
    if (words[1] === "view" && rest.includes("--minify") && output === "jsonpath={.clusters[0].cluster.server}") {
        process.stdout.write(cluster.server);
    } else fail(`the kubectl stand-in does not answer \`kubectl ${argv.join(" ")}\`\n`);
    process.exit(0);
}
if (cluster.failure?.kind === "refused")
    fail(`The connection to the server ${new URL(cluster.server).host} was refused - did you specify the right host or port?\n`);
const world = cluster.world;
const notFound = (kind, name) => fail(`Error from server (NotFound): ${kind} "${name}" not found\n`);

/** A jsonpath of the few forms the commands use, on one object or a list's items. */
function jsonpath(expression, object) {
    if (expression === 'jsonpath={range .items[*]}{.metadata.name} {.status.phase}{"\\n"}{end}')
        return object.items.map((pod) => `${pod.name} ${pod.phase ?? "Running"}\n`).join("");
    const label = /^jsonpath=\{\.metadata\.labels\.(.+)\}$/.exec(expression);
    if (label) return object.labels?.[label[1].replace(/\\\./g, ".")] ?? "";
    if (expression === "jsonpath={.items[0].metadata.name}") {
        if (object.items.length === 0)
            fail(
                `error: error executing jsonpath "{.items[0].metadata.name}": Error executing template: array index out of bounds: index 0, length 0.\n`,
            );
        return object.items[0].name;
    }
    fail(`the kubectl stand-in does not read ${expression}\n`);
}

/** The owner reference a controller sets on what it makes (ownerReferences, controller: true). */
function ownerReference(owner) {
    const apiVersion =
        owner.kind === "ReplicaSet" || owner.kind === "Deployment" || owner.kind === "StatefulSet" || owner.kind === "DaemonSet"
            ? "apps/v1"
            : "batch/v1";
    return [{ apiVersion, kind: owner.kind, name: owner.name, uid: `${owner.name}-uid`, controller: true, blockOwnerDeletion: true }];
}

/** A pod of the world as the API server returns it (v1 Pod): its proxy container carries the trust bundle it was injected with. */
function podObject(pod) {
    return {
        apiVersion: "v1",
        kind: "Pod",
        metadata: {
            name: pod.name,
            namespace: pod.namespace,
            labels: pod.labels ?? {},
            ...(pod.annotations ? { annotations: pod.annotations } : {}),
            creationTimestamp: pod.created ?? "2026-12-01T00:00:00Z",
            ...(pod.owner ? { ownerReferences: ownerReference(pod.owner) } : {}),
        },
        spec: {
            containers: [
                {
                    name: "linkerd-proxy",
                    env: pod.trustAnchors === undefined ? [] : [{ name: "LINKERD2_PROXY_IDENTITY_TRUST_ANCHORS", value: pod.trustAnchors }],
                },
            ],
        },
        status: { phase: pod.phase ?? "Running" },
    };
}

/** A ReplicaSet of the world as the API server returns it (apps/v1 ReplicaSet). */
function replicaSetObject(set) {
    return {
        apiVersion: "apps/v1",
        kind: "ReplicaSet",
        metadata: {
            name: set.name,
            namespace: set.namespace,
            creationTimestamp: set.created,
            ...(set.owner ? { ownerReferences: ownerReference(set.owner) } : {}),
        },
        spec: { template: { metadata: { labels: set.labels ?? {}, ...(set.annotations ? { annotations: set.annotations } : {}) } } },
    };
}

/** `-o json` of a list: kubectl prints a List, indented by four spaces (printers.JSONPrinter). */
function printList(items) {
    process.stdout.write(`${JSON.stringify({ apiVersion: "v1", items, kind: "List", metadata: { resourceVersion: "" } }, null, 4)}\n`);
}

if (words[0] === "get" && raw !== undefined) {
    const answer = world.raw?.[raw];
    if (answer === undefined) fail(`Error from server (NotFound): the server could not find the requested resource\n`);
    process.stdout.write(answer);
} else if (words[0] === "get" && (words[1] === "svc" || words[1] === "service")) {
    const service = world.services?.[`${namespace}/${words[2]}`];
    if (service === undefined) notFound("services", words[2]);
    process.stdout.write(output === "name" ? `service/${words[2]}\n` : jsonpath(output, service));
} else if (words[0] === "get" && (words[1] === "httproutes.gateway.networking.k8s.io" || words[1] === "trafficsplits.split.smi-spec.io")) {
    // The split's backends, as `-o jsonpath={range ...}{.name|.service}={.weight}{"\n"}{end}` prints them.
    const routes = words[1].startsWith("httproutes") ? world.routes : world.trafficSplits;
    const backends = routes?.[`${namespace}/${words[2]}`];
    if (backends === undefined) notFound(words[1], words[2]);
    if (
        !/^jsonpath=\{range \.spec\.(rules\[0\]\.backendRefs|backends)\[\*\]\}\{\.(name|service)\}=\{\.weight\}\{"\\n"\}\{end\}$/.test(
            output,
        )
    )
        fail(`the kubectl stand-in does not read ${output}\n`);
    process.stdout.write(backends.map((backend) => `${backend.name}=${backend.weight ?? ""}\n`).join(""));
} else if (words[0] === "get" && (words[1] === "pod" || words[1] === "pods")) {
    // `-l key=value`, or `-l key`: the label exists.
    const [key, value] = (selector ?? "").split("=");
    const items = (world.pods ?? []).filter(
        (pod) =>
            (allNamespaces || pod.namespace === namespace) &&
            (!key || (value === undefined ? pod.labels?.[key] !== undefined : pod.labels?.[key] === value)),
    );
    if (output === "json") printList(items.map(podObject));
    else process.stdout.write(jsonpath(output, { items }));
} else if (words[0] === "get" && (words[1] === "replicasets" || words[1] === "rs") && output === "json") {
    printList((world.replicaSets ?? []).filter((set) => allNamespaces || set.namespace === namespace).map(replicaSetObject));
} else if (words[0] === "get" && (words[1] === "deploy" || words[1] === "deployment")) {
    const deployment = world.deployments?.[`${namespace}/${words[2]}`];
    if (deployment === undefined) notFound("deployments.apps", words[2]);
    if (output !== "jsonpath={.spec.template.spec.containers[0].image}") fail(`the kubectl stand-in does not read ${output}\n`);
    process.stdout.write(deployment.image);
} else if (words[0] === "apply" && flags.rest().includes("-")) {
    // `apply -f -`: the objects on stdin, kept in the world as applied (the test plays the controllers).
    const applied = require("yaml")
        .parseAllDocuments(fs.readFileSync(0, "utf8"))
        .map((document) => document.toJSON());
    w.write(["kube", `${cluster.contextName}.json`], { ...world, applied: [...(world.applied ?? []), ...applied] });
    process.stdout.write(applied.map((object) => `${object.kind.toLowerCase()}.apps/${object.metadata.name} created\n`).join(""));
} else if (words[0] === "rollout" && (words[1] === "status" || words[1] === "restart")) {
    for (const workload of words.slice(2)) {
        const [kind, name] = workload.split("/");
        process.stdout.write(
            words[1] === "status"
                ? `${kind} "${name}" successfully rolled out\n`
                : `${kind.replace(/^deploy$/, "deployment")}.apps/${name} restarted\n`,
        );
    }
} else if (words[0] === "logs") {
    // What the pod's container wrote, then the end of the stream, as when the pod goes (logs -f).
    const pod = words[1].replace(/^pod\//, "");
    const lines = world.logs?.[`${namespace}/${pod}`];
    if (lines === undefined) notFound("pods", pod);
    process.stdout.write(lines.map((line) => `${line}\n`).join(""));
} else if (words[0] === "delete" && (words[1] === "deploy" || words[1] === "deployment")) {
    process.stdout.write(`deployment.apps "${words[2]}" deleted\n`);
} else if (words[0] === "exec") {
    const [workload] = words.slice(1);
    const pod = world.workloads?.[`${namespace}/${workload}`];
    if (pod === undefined) notFound(workload.split("/")[0] === "deploy" ? "deployments.apps" : "pods", workload.split("/")[1]);
    if (!pod.containers.includes(container)) fail(`error: container ${container} not found in pod ${pod.name}\n`);
    // The container's shell, with the demo's curl first on its PATH, and what the frontend answers on each path.
    const bin = path.join(w.STATE, "kube", "pod-bin");
    if (!fs.existsSync(bin)) {
        fs.mkdirSync(bin, { recursive: true });
        fs.symlinkSync(path.join(__dirname, "pod-curl.sh"), path.join(bin, "curl"));
    }
    for (const [urlPath, answers] of Object.entries(world.frontend ?? {}))
        fs.writeFileSync(
            w.file("kube", `${cluster.contextName}.answers${urlPath}answers`),
            answers.map((answer) => `${answer}\n`).join(""),
        );
    if (command[0] !== "sh") fail(`the kubectl stand-in execs sh only\n`);
    const result = spawnSync("/bin/sh", command.slice(1), {
        env: { PATH: `${bin}:/usr/bin:/bin`, STANDIN_STATE: w.STATE, STANDIN_CONTEXT: cluster.contextName },
        encoding: "utf8",
    });
    process.stdout.write(result.stdout);
    process.stderr.write(result.stderr);
    process.exit(result.status ?? 1);
} else {
    fail(`the kubectl stand-in does not answer \`kubectl ${argv.join(" ")}\`\n`);
}
