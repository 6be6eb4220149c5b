#!/usr/bin/env node
// A stand-in for the docker CLI (v29, docker/cli@v29.7.2), for the commands the operator commands run:
// `info --format` (which needs the engine: without it, the template's empty line, then the connection
// error), `network inspect <name> --format` and `network rm <name>` (each error as it comes, then
// "exit status 1": cli/command/network/remove.go). An error goes to stderr and exits 1
// (cli.StatusError, cmd/docker/docker.go main); the engine's errors read "Error response from daemon: ...".
const w = require("./world.cjs");

const argv = process.argv.slice(2);
w.logCall("docker", argv);
const [format, args] = w.takeFlag(argv, "--format", "-f");
const words = args.join(" ");
const failure = w.injected("docker", args.slice(0, 2).join(" "));
if (failure) w.exitWith(failure);

const engine = w.engine();
const removing = args[0] === "network" && args[1] === "rm";
if (!engine.running) w.exitWith({ stdout: words === "info" ? "\n" : "", stderr: `${w.ENGINE_DOWN}\n${removing ? "exit status 1\n" : ""}` });

if (words === "info" && format === "{{.ServerVersion}}") {
    process.stdout.write(`${engine.version}\n`);
} else if (args[0] === "network" && args[1] === "inspect" && format === "{{json .IPAM.Config}}") {
    const network = w.networks()[args[2]];
    if (network === undefined) w.exitWith({ stderr: `Error response from daemon: network ${args[2]} not found\n` });
    process.stdout.write(`${JSON.stringify([{ Subnet: network.subnet, Gateway: network.gateway }])}\n`);
} else if (removing) {
    const networks = w.networks();
    if (networks[args[2]] === undefined)
        w.exitWith({ stderr: `Error response from daemon: network ${args[2]} not found\nexit status 1\n` });
    // k3d's clusters stay attached to their network until they are deleted (the moby daemon refuses).
    if (Object.values(w.k3dClusters()).some((cluster) => cluster.network === args[2]))
        w.exitWith({
            stderr: `Error response from daemon: error while removing network: network ${args[2]} has active endpoints\nexit status 1\n`,
        });
    delete networks[args[2]];
    w.write(["docker", "networks.json"], networks);
    process.stdout.write(`${args[2]}\n`);
} else {
    w.exitWith({ stderr: `the docker stand-in does not answer \`docker ${argv.join(" ")}\`\n`, code: 2 });
}
