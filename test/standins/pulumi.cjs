#!/usr/bin/env node
// A stand-in for the Pulumi CLI 3.248.0, for tests that cross the real process boundary: it answers
// the commands the Automation API sends (sdk/nodejs/automation localWorkspace.ts, stack.ts and cmd.ts
// @v3.248.0) with the stdout, stderr and exit codes the CLI gives (pkg/cmd/pulumi@v3.248.0: errors
// as `error: <message>` on stderr through cmdutil.DisplayErrorMessage, exit codes from
// cmd/exit_codes.go ExitCodeFor). Its stacks live as JSON files in the backend: a self-managed one's
// directory when PULUMI_BACKEND_URL is file://<dir> (under <dir>/.pulumi/stacks/<project>/, as
// pkg/backend/diy keeps project-scoped stacks; a directory that does not exist cannot be opened), else
// $STANDIN_STATE/pulumi/stacks, the backend the CLI is logged in to. Each call is appended to
// $STANDIN_STATE/pulumi/calls.log, with when it started and, on a line of its own, when it ended; the
// tests write the stacks (how they fail, how long they take) through test/standins.ts. An `up` leaves
// the outputs the test gave for it, or, where the program's outcome depends on its inputs, those of the
// first case whose config or other stack's outputs match (upWhen), and with them what the clusters
// then hold, for the kubectl and linkerd stand-ins.
//
// On a self-managed backend, `stack init` makes the stack's secrets manager from the passphrase
// (pkg/cmd/pulumi/stack/io.go CreateStack, secrets.go createSecretsManagerForNewStack, diy
// DefaultSecretManager, pkg/secrets/passphrase/manager.go@v3.248.0): from PULUMI_CONFIG_PASSPHRASE,
// else the trimmed contents of PULUMI_CONFIG_PASSPHRASE_FILE (readPassphrase), and with the
// `encryptionsalt` of Pulumi.<stack>.yaml in the project when that file has one, which the passphrase
// must then open ("incorrect passphrase" otherwise: symmetricCrypterFromPhraseAndState); else a new
// salt, written there. The salt is "v1:<base64 salt>:<check>", as the CLI's; the check here is a
// digest of the passphrase and the salt, where the CLI encrypts "pulumi" with a key derived from them.
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");
const w = require("./world.cjs");

const EXIT_ERROR = 1; // cmd/exit_codes.go ExitCodeError
const EXIT_STACK_NOT_FOUND = 6; // ExitStackNotFound
const EXIT_NO_CHANGES = 7; // ExitNoChanges

const dir = path.join(process.env.STANDIN_STATE, "pulumi");

/** Pulumi.yaml in the working directory (the program's), or undefined. Loaded here, not at the top: most commands need no YAML, and each call is a process of its own. */
function project() {
    const file = path.join(process.cwd(), "Pulumi.yaml");
    return fs.existsSync(file) ? require("yaml").parse(fs.readFileSync(file, "utf8")) : undefined;
}

const BACKEND_URL = process.env.PULUMI_BACKEND_URL ?? "";
/** The self-managed backend's directory, or undefined for the one the CLI is logged in to. */
const diyDir = BACKEND_URL.startsWith("file://") ? BACKEND_URL.slice("file://".length) : undefined;
const stacksDir =
    diyDir === undefined ? path.join(dir, "stacks") : path.join(diyDir, ".pulumi", "stacks", project()?.name ?? "edge-cloud-mesh");
const stackFile = (name) => path.join(stacksDir, `${encodeURIComponent(name)}.json`);
const readStack = (name) => (fs.existsSync(stackFile(name)) ? JSON.parse(fs.readFileSync(stackFile(name), "utf8")) : undefined);
const writeStack = (name, stack) => fs.writeFileSync(stackFile(name), JSON.stringify(stack, null, 2));

const argv = process.argv.slice(2);
const LOGGED_ENV = ["PULUMI_BACKEND_URL", "PULUMI_CONFIG_PASSPHRASE", "PULUMI_CONFIG_PASSPHRASE_FILE", "PULUMI_K8S_DELETE_UNREACHABLE"];
fs.mkdirSync(dir, { recursive: true });
const call = crypto.randomUUID();
fs.appendFileSync(
    path.join(dir, "calls.log"),
    JSON.stringify({
        call,
        argv,
        env: Object.fromEntries(LOGGED_ENV.filter((key) => key in process.env).map((key) => [key, process.env[key]])),
        start: Date.now(),
    }) + "\n",
);
process.on("exit", (code) => fs.appendFileSync(path.join(dir, "calls.log"), JSON.stringify({ call, end: Date.now(), code }) + "\n"));

function fail(message, code = EXIT_ERROR) {
    process.stderr.write(`error: ${message}\n`);
    process.exit(code);
}

/** Opens the backend: a self-managed one's directory must exist (gocloud fileblob opens an existing directory). */
function openBackend() {
    if (diyDir !== undefined && !fs.existsSync(diyDir))
        fail(`unable to open bucket ${BACKEND_URL}: open file bucket: stat ${diyDir}: no such file or directory`);
    fs.mkdirSync(stacksDir, { recursive: true });
}

/** The passphrase as readPassphrase finds it, non-interactively. */
function passphrase() {
    if ("PULUMI_CONFIG_PASSPHRASE" in process.env) return process.env.PULUMI_CONFIG_PASSPHRASE;
    const file = process.env.PULUMI_CONFIG_PASSPHRASE_FILE;
    if (file) {
        if (!fs.existsSync(file)) throw new Error(`unable to read PULUMI_CONFIG_PASSPHRASE_FILE: open ${file}: no such file or directory`);
        return fs.readFileSync(file, "utf8").trim();
    }
    throw new Error("passphrase must be set with PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE environment variables");
}

const saltCheck = (phrase, salt) => crypto.createHash("sha256").update(`${salt}:${phrase}`).digest("base64");

/** The passphrase secrets manager of a new stack on a self-managed backend: the salt of Pulumi.<stack>.yaml, opened, or a new one written there. */
function passphraseSecretsManager(name) {
    const yaml = require("yaml");
    const file = path.join(process.cwd(), `Pulumi.${name}.yaml`);
    const projectStack = fs.existsSync(file) ? (yaml.parse(fs.readFileSync(file, "utf8")) ?? {}) : {};
    const phrase = passphrase();
    if (projectStack.encryptionsalt) {
        const [, salt, check] = projectStack.encryptionsalt.split(":");
        if (check !== saltCheck(phrase, salt)) throw new Error("incorrect passphrase");
        return;
    }
    const salt = crypto.randomBytes(8).toString("base64");
    projectStack.encryptionsalt = `v1:${salt}:${saltCheck(phrase, salt)}`;
    fs.writeFileSync(file, yaml.stringify(projectStack));
}

const has = (flag) => argv.includes(flag);
const [stackName, rest] = w.takeFlag(
    argv.filter((arg) => arg !== "--non-interactive"),
    "--stack",
);
const command = rest.filter((arg) => !arg.startsWith("-")).slice(0, 2);

/** The stack the command names; the CLI's backenderr.StackNotFoundError when there is none. */
function stack() {
    const found = readStack(stackName);
    if (found === undefined) fail(`no stack named '${stackName}' found`, EXIT_STACK_NOT_FOUND);
    return found;
}

/** Fails or waits as the test told this stack to, for this operation; `onFailure` runs, given the failure, before the CLI exits. */
async function behave(found, operation, onFailure = () => {}) {
    const delay = found.takesMs?.[operation];
    if (delay) await new Promise((resolve) => setTimeout(resolve, delay));
    const failure = found.fail?.[operation];
    if (failure === undefined) return;
    onFailure(failure);
    // All of it, however large, before the exit, as the CLI writes it: a pipe takes 64 KiB at a time.
    for (const [stream, text] of [
        [process.stdout, failure.stdout],
        [process.stderr, failure.stderr],
    ])
        if (text && !stream.write(text)) await new Promise((resolve) => stream.once("drain", resolve));
    process.exit(failure.code ?? EXIT_ERROR);
}

/** The project's config defaults from Pulumi.yaml in the working directory (workspace.ApplyProjectConfig). */
function projectDefaults() {
    const found = project();
    if (found === undefined) return {};
    return Object.fromEntries(
        Object.entries(found.config ?? {})
            .map(([key, spec]) => [key.includes(":") ? key : `${found.name}:${key}`, spec?.default ?? spec?.value])
            .filter(([, value]) => value !== undefined),
    );
}

/** `pulumi config --json`: configValueJSON, objects as JSON text and objectValue (pkg/cmd/pulumi/config/config.go listConfig). */
function configJson(config, withDefaults = true) {
    const merged = { ...(withDefaults ? projectDefaults() : {}), ...config };
    return Object.fromEntries(
        Object.keys(merged)
            .sort()
            .map((key) => {
                const value = merged[key];
                const object = typeof value === "object";
                return [
                    key,
                    { value: object ? JSON.stringify(value) : String(value), ...(object ? { objectValue: value } : {}), secret: false },
                ];
            }),
    );
}

/** A key as the CLI keeps it: in the project's namespace unless it names one (ParseConfigKey). */
function namespacedKey(key) {
    return key.includes(":") ? key : `${project()?.name ?? "edge-cloud-mesh"}:${key}`;
}

/** `key=value`; under --path `[ns:]key` or `[ns:]key[i]` (the only paths the commands write), else the key is all of it (`list[0]` a key's name). */
function setPath(config, assignment, path) {
    const [key, value] = [namespacedKey(assignment.slice(0, assignment.indexOf("="))), assignment.slice(assignment.indexOf("=") + 1)];
    const list = path ? /^(.+)\[(\d+)\]$/.exec(key) : null;
    if (list === null) config[key] = value;
    else (Array.isArray(config[list[1]]) ? config[list[1]] : (config[list[1]] = []))[Number(list[2])] = value;
}

/** Streams engine events to the Automation API's events server (pkg/backend/display/display.go startEventLogger). */
async function sendEvents(eventLog, events) {
    if (!eventLog?.startsWith("tcp://")) return;
    const grpc = require("@grpc/grpc-js");
    const { EventsClient } = require("@pulumi/pulumi/proto/events_grpc_pb");
    const { EventRequest } = require("@pulumi/pulumi/proto/events_pb");
    const client = new EventsClient(eventLog.slice("tcp://".length), grpc.credentials.createInsecure());
    await new Promise((resolve) => {
        const call = client.streamEvents(() => resolve());
        events.forEach((event, index) =>
            call.write(
                new EventRequest().setEvent(JSON.stringify({ sequence: index + 1, timestamp: Math.floor(Date.now() / 1000), ...event })),
            ),
        );
        call.end();
    });
    client.close();
}

const summary = (resourceChanges) => ({ summaryEvent: { maybeCorrupt: false, durationSeconds: 1, resourceChanges, PolicyPacks: {} } });

/** A time as cmd.FormatTime prints it (RFC 5424, milliseconds, UTC) from the Unix seconds the backend keeps. */
const formatTime = (seconds) => new Date(seconds * 1000).toISOString();

/**
 * `pulumi stack history --json`: updateInfoJSON (pkg/cmd/pulumi/stack/stack_history.go), newest first
 * (the backend's GetHistory), --page-size entries (10) of --page (1), printed by ui.FprintJSON.
 */
function historyJson(found) {
    const size = Number(w.takeFlag(rest, "--page-size")[0] ?? 10);
    const page = Number(w.takeFlag(rest, "--page")[0] ?? 1);
    const entries = [...found.history].reverse().slice((page - 1) * size, page * size);
    return entries.map((entry) => ({
        version: entry.version,
        kind: entry.kind,
        startTime: formatTime(entry.startTime),
        message: "",
        environment: entry.environment ?? {},
        config: entry.config ?? {},
        result: entry.result,
        ...(entry.result === "in-progress"
            ? {}
            : { endTime: formatTime(entry.endTime ?? entry.startTime), resourceChanges: entry.resourceChanges ?? {} }),
    }));
}

/** A resource of the state (apitype.ResourceV3), from the test's { type, name }: the stack resource is the others' parent. */
function resourceV3(stack, resource, time) {
    const urn = (type, name) => `urn:pulumi:${stack}::edge-cloud-mesh::${type}::${name}`;
    const root = resource.type === "pulumi:pulumi:Stack";
    return {
        urn: urn(resource.type, resource.name),
        custom: !root,
        ...(root ? {} : { id: `${resource.name}-id` }),
        type: resource.type,
        ...(root ? {} : { parent: urn("pulumi:pulumi:Stack", `edge-cloud-mesh-${stack}`) }),
        created: time,
        modified: time,
    };
}

/**
 * `pulumi stack export --show-secrets`: the UntypedDeployment (version 3) around DeploymentV3
 * (sdk/go/common/apitype/core.go), re-serialized with secrets shown (stack_export.go) and encoded with
 * 4-space indents. "resources" is omitted when empty (omitempty); a stack never updated has an empty
 * snapshot: a zero manifest and no secrets provider.
 */
function exportJson(found) {
    const last = found.history.at(-1);
    if (last === undefined && !found.resources?.length) {
        return { version: 3, deployment: { manifest: { time: "0001-01-01T00:00:00Z", magic: "", version: "" }, metadata: {} } };
    }
    const time = formatTime(last?.endTime ?? last?.startTime ?? Math.floor(Date.now() / 1000));
    const resources = (found.resources ?? []).map((resource) => resourceV3(stackName, resource, time));
    return {
        version: 3,
        deployment: {
            manifest: { time, magic: crypto.createHash("sha256").update("v3.248.0").digest("hex"), version: "v3.248.0" },
            secrets_providers: { type: "passphrase", state: { salt: "v1:c3RhbmQtaW4=:v1:c3RhbmQtaW4tc2FsdA==:c3RhbmQtaW4=" } },
            ...(resources.length > 0 ? { resources } : {}),
            metadata: {},
        },
    };
}

const sameJson = (a, b) => JSON.stringify(a) === JSON.stringify(b);

/**
 * What an `up` leaves when the program's outcome depends on its inputs: the first of the stack's
 * `upWhen` entries whose config (Pulumi.yaml's defaults applied) and whose other stack's outputs (as a
 * StackReference reads them) hold the values it names; undefined when none does.
 */
function upCase(found) {
    const config = { ...projectDefaults(), ...found.config };
    return (found.upWhen ?? []).find(
        (entry) =>
            Object.entries(entry.config ?? {}).every(([key, value]) => sameJson(config[key], value)) &&
            (entry.stackOutputs === undefined ||
                Object.entries(entry.stackOutputs.outputs).every(([key, value]) =>
                    sameJson(readStack(entry.stackOutputs.stack)?.outputs?.[key], value),
                )),
    );
}

/** What the clusters hold after an up, by kube context, as the kubectl and linkerd stand-ins read them (world.cjs). */
function writeClusters(kube) {
    for (const [context, world] of Object.entries(kube ?? {})) w.write(["kube", `${context}.json`], world);
}

/** Records an update or destroy in the stack's history as the backend does when it ends, with its resource changes. */
function recordUpdate(found, kind, result, before) {
    const after = new Set((found.resources ?? []).map((resource) => `${resource.type}::${resource.name}`));
    const changes =
        kind === "destroy"
            ? { delete: before.size }
            : {
                  create: [...after].filter((key) => !before.has(key)).length,
                  delete: [...before].filter((key) => !after.has(key)).length,
                  same: [...after].filter((key) => before.has(key)).length,
              };
    const now = Math.floor(Date.now() / 1000);
    const [execKind] = w.takeFlag(rest, "--exec-kind");
    found.history.push({
        version: found.history.length + 1,
        kind,
        startTime: now,
        endTime: now,
        result,
        environment: execKind === undefined ? {} : { "exec.kind": execKind },
        config: configJson(found.config, false),
        resourceChanges: Object.fromEntries(Object.entries(changes).filter(([, count]) => count > 0)),
    });
    writeStack(stackName, found);
}

async function main() {
    const [first, second] = command;
    // Another version when the test installed one.
    if (first === "version") {
        const version = path.join(dir, "version");
        return process.stdout.write(`${fs.existsSync(version) ? fs.readFileSync(version, "utf8").trim() : "v3.248.0"}\n`);
    }
    openBackend();
    if (first === "stack" && second === "select") {
        const found = stack();
        return behave(found, "stack select");
    }
    if (first === "stack" && second === "init") {
        const name = rest[rest.indexOf("init") + 1];
        if (readStack(name) !== undefined) fail(`stack '${name}' already exists`);
        // A stack the test described before it exists starts as described.
        const described = path.join(dir, "uncreated", `${encodeURIComponent(name)}.json`);
        const spec = fs.existsSync(described) ? JSON.parse(fs.readFileSync(described, "utf8")) : { config: {}, outputs: {}, history: [] };
        await behave(spec, "stack init");
        if (diyDir !== undefined) {
            try {
                passphraseSecretsManager(name);
            } catch (error) {
                fail(`could not create secrets manager for new stack: ${error.message}`);
            }
        }
        writeStack(name, spec);
        return process.stdout.write(`Created stack '${name}'\n`);
    }
    if (first === "stack" && second === "ls") {
        const names = fs.readdirSync(stacksDir).map((file) => decodeURIComponent(file.replace(/\.json$/, "")));
        return process.stdout.write(
            JSON.stringify(
                names.map((name) => ({ name, current: false, updateInProgress: false })),
                null,
                4,
            ) + "\n",
        );
    }
    if (first === "stack" && second === "output") {
        const found = stack();
        await behave(found, "stack output");
        const shown = Object.fromEntries(
            Object.entries(found.outputs).map(([key, value]) => [
                key,
                !has("--show-secrets") && found.secretOutputs?.includes(key) ? "[secret]" : value,
            ]),
        );
        return process.stdout.write(JSON.stringify(shown, null, 2) + "\n");
    }
    if (first === "stack" && second === "history") {
        const found = stack();
        await behave(found, "stack history");
        return process.stdout.write(JSON.stringify(historyJson(found), null, 2) + "\n");
    }
    if (first === "stack" && second === "export") {
        const found = stack();
        await behave(found, "stack export");
        return process.stdout.write(JSON.stringify(exportJson(found), null, 4) + "\n");
    }
    if (first === "config" && (second === undefined || second === "set-all" || second === "rm-all" || second === "rm")) {
        const found = stack();
        await behave(found, second === undefined ? "config" : `config ${second}`);
        if (second === undefined) return process.stdout.write(JSON.stringify(configJson(found.config), null, 4) + "\n");
        // A key that is not there is no error (config.Map Remove).
        if (second === "rm" || second === "rm-all")
            for (const key of rest.slice(rest.indexOf(second) + 1).filter((arg) => !arg.startsWith("-")))
                delete found.config[namespacedKey(key)];
        else
            rest.forEach((arg, index) => {
                if (arg === "--plaintext" || arg === "--secret") setPath(found.config, rest[index + 1], has("--path"));
            });
        return writeStack(stackName, found);
    }
    if (first === "up" || first === "preview" || first === "destroy") {
        if (first !== "preview" && !has("--yes")) fail("--yes must be passed in to proceed when running in non-interactive mode");
        const found = stack();
        const label = { up: "Updating", preview: "Previewing update", destroy: "Destroying" }[first];
        process.stdout.write(`${label} (${stackName}):\n\n`);
        const before = new Set((found.resources ?? []).map((resource) => `${resource.type}::${resource.name}`));
        // A failed update is in the history too; a preview never is (the diy backend's apply records only updates).
        // An up that fails after it changed the clusters (`applied`) leaves them changed, and the outputs as they were.
        await behave(found, first, (failure) => {
            if (first === "preview") return;
            if (first === "up" && failure.applied) writeClusters(upCase(found)?.kube);
            recordUpdate(found, first === "up" ? "update" : "destroy", "failed", before);
        });
        const [eventLog] = w.takeFlag(rest, "--event-log");
        if (first === "preview") {
            const changes = found.changes ? { create: 1 } : { same: 1 };
            process.stdout.write(`Resources:\n    ${found.changes ? "+ 1 to create" : "1 unchanged"}\n\n`);
            await sendEvents(eventLog, [summary(changes)]);
            if (found.changes && has("--expect-no-changes"))
                fail("no changes were expected for preview but changes were proposed", EXIT_NO_CHANGES);
            return;
        }
        const outcome = first === "up" ? upCase(found) : undefined;
        writeClusters(outcome?.kube);
        found.outputs = first === "up" ? (outcome?.outputs ?? found.upOutputs ?? found.outputs) : {};
        found.resources = first === "up" ? (found.upResources ?? found.resources) : [];
        recordUpdate(found, first === "up" ? "update" : "destroy", "succeeded", before);
        await sendEvents(eventLog, [summary({})]);
        return process.stdout.write(
            first === "up"
                ? "Resources:\n    1 unchanged\n\nDuration: 1s\n"
                : "The resources in the stack have been deleted, but the history and configuration associated with the stack are still maintained.\n",
        );
    }
    fail(`the stand-in pulumi does not answer \`pulumi ${argv.join(" ")}\``, 2);
}

main();
