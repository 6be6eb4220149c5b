// What the stand-ins for Docker, k3d, kubectl and linkerd share: one world in $STANDIN_STATE (Docker's
// engine and networks, k3d's clusters, what each kube context's cluster holds), a log of every call
// per tool, and failures a test injects per command. test/standins.ts writes the world and reads the
// logs; each stand-in reads and changes the world as the real CLI would change the real one. The
// Pulumi stand-in keeps its stacks and calls its own way, and takes its flags and writes what the
// clusters hold after an up with these.
const fs = require("node:fs");
const path = require("node:path");

const STATE = process.env.STANDIN_STATE;

function file(...parts) {
    const full = path.join(STATE, ...parts);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    return full;
}

function read(parts, fallback) {
    const full = file(...parts);
    return fs.existsSync(full) ? JSON.parse(fs.readFileSync(full, "utf8")) : fallback;
}

function write(parts, value) {
    fs.writeFileSync(file(...parts), JSON.stringify(value, null, 2));
}

/** Appends the call, with the environment variables the test may ask about, to $STANDIN_STATE/<tool>/calls.log. */
function logCall(tool, argv, envKeys = []) {
    const env = Object.fromEntries(envKeys.filter((key) => key in process.env).map((key) => [key, process.env[key]]));
    fs.appendFileSync(file(tool, "calls.log"), JSON.stringify({ argv, env }) + "\n");
}

/** Writes what a failed command writes and exits with its code. */
function exitWith({ stdout = "", stderr = "", code = 1 }) {
    if (stdout) process.stdout.write(stdout);
    if (stderr) process.stderr.write(stderr);
    process.exit(code);
}

/** The failure the test injected for this command ("cluster create edge", "network inspect"...), or undefined. */
function injected(tool, command) {
    return read([tool, "fail.json"], {})[command];
}

/** Docker's engine: running unless the test stopped it. */
function engine() {
    return { running: true, version: "28.3.2", ...read(["docker", "engine.json"], {}) };
}

/** The docker CLI's message when its engine does not answer (docker/cli: the client's connection error). */
const ENGINE_DOWN = "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?";

const networks = () => read(["docker", "networks.json"], {});
const k3dClusters = () => read(["k3d", "clusters.json"], {});

/** The value of a flag (`--name value` or `--name=value`), and the arguments without it. */
function takeFlag(args, ...names) {
    for (let index = 0; index < args.length; index++) {
        for (const name of names) {
            if (args[index] === name) return [args[index + 1], [...args.slice(0, index), ...args.slice(index + 2)]];
            if (args[index].startsWith(`${name}=`))
                return [args[index].slice(name.length + 1), [...args.slice(0, index), ...args.slice(index + 1)]];
        }
    }
    return [undefined, args];
}

/** Takes flags off `args` one name at a time: `take("--context")` is its value; `rest()` what is left. */
function flags(args) {
    let rest = args;
    return {
        take(...names) {
            const [value, remaining] = takeFlag(rest, ...names);
            rest = remaining;
            return value;
        },
        rest: () => rest,
    };
}

/**
 * The cluster a kube command reaches: the kubeconfig (--kubeconfig, else $KUBECONFIG, else
 * ~/.kube/config) and its context (--context, else current-context), then what that context's
 * cluster holds ($STANDIN_STATE/kube/<context>.json). When it cannot, `failure` says why, and each
 * stand-in words it as its CLI does: `config` (client-go's clientcmd could not load the kubeconfig or
 * find the context: loader.go, its message) or `refused` (nothing answers at the server: a k3d
 * cluster that does not run, or a context the test gave no world).
 */
function kubeCluster(kubeconfigFlag, contextFlag) {
    const yaml = require("yaml");
    const kubeconfig = kubeconfigFlag ?? process.env.KUBECONFIG ?? path.join(process.env.HOME ?? "/nonexistent", ".kube", "config");
    if (!fs.existsSync(kubeconfig)) return { failure: { kind: "config", message: `stat ${kubeconfig}: no such file or directory` } };
    const config = yaml.parse(fs.readFileSync(kubeconfig, "utf8"));
    const contextName = contextFlag ?? config["current-context"];
    const context = (config.contexts ?? []).find((entry) => entry.name === contextName);
    if (context === undefined)
        return { config, failure: { kind: "config", message: `context was not found for specified context: ${contextName}` } };
    const cluster = (config.clusters ?? []).find((entry) => entry.name === context.context.cluster);
    const server = cluster?.cluster?.server;
    const k3d = Object.values(k3dClusters()).find((candidate) => candidate.apiPort === Number(new URL(server).port));
    const world = read(["kube", `${contextName}.json`], undefined);
    if ((k3d !== undefined && !k3d.running) || world === undefined) return { config, contextName, server, failure: { kind: "refused" } };
    return { config, contextName, server, world };
}

/** Go's words for a request nothing answers (client-go through net/http): `Get "<url>": dial tcp <host>: connect: connection refused`. */
function refused(server, pathAndQuery) {
    const url = new URL(server);
    return `Get "${url.origin}${pathAndQuery}": dial tcp ${url.host}: connect: connection refused`;
}

module.exports = {
    STATE,
    file,
    read,
    write,
    logCall,
    exitWith,
    injected,
    engine,
    ENGINE_DOWN,
    networks,
    k3dClusters,
    takeFlag,
    flags,
    kubeCluster,
    refused,
};
