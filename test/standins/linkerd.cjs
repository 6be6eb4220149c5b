#!/usr/bin/env node
// A stand-in for the linkerd CLI edge-26.8.3 (linkerd/linkerd2@edge-26.8.3), for what verify, rotate and
// status run: `version --client --short`; `check [--proxy] -o json` (cli/cmd/check.go: the core categories, then
// each extension installed on the cluster, here multicluster on a cluster with Links, as `linkerd
// multicluster check` would answer: check_extensions.go); `multicluster check -o json`
// (multicluster/cmd/check.go); `multicluster gateways -o json` (gateways.go:
// json.MarshalIndent(statuses, "", "  ") of [{clusterName, alive, numberOfServices, latency}], `null`
// when it has none, exit code 0; a failure to reach the cluster is cobra's `Error: <message>` then the
// usage on stderr, exit code 1: cli/main.go). -o json of a check prints pkg/healthcheck CheckOutput,
// {success, categories: [{categoryName, checks: [{description, hint?, error?, result}]}]}, and a failed
// check exits 1; a warning alone exits 0. On a cluster it cannot reach, `check` still prints its
// kubernetes-api checks, `multicluster check` only a line on stderr (unreachableCheck,
// unreachableMulticlusterCheck). The clusters are the kube contexts' worlds (world.cjs); for gateways,
// a cluster the test describes by context or kubeconfig file ($STANDIN_STATE/linkerd/clusters) comes first.
//
// "remote cluster access credentials are valid" connects, as client-go does, to the server the
// Link's credentials name: through the proxy HTTPS_PROXY names unless the server is loopback or
// localhost (golang.org/x/net/http/httpproxy useProxy), else directly, where a name only the Docker
// network knows does not resolve. It asks /version over TLS, checking the server's certificate for that
// name against the Link's CA. "clusters share trust anchors" then fails when the two clusters' bundles
// differ, as between the cloud's up of a rotation's phase and the edge's.
const http = require("node:http");
const net = require("node:net");
const tls = require("node:tls");
const w = require("./world.cjs");

const argv = process.argv.slice(2);
w.logCall("linkerd", argv, ["HTTPS_PROXY"]);
const flags = w.flags(argv);
const kubeconfig = flags.take("--kubeconfig");
const context = flags.take("--context");
const output = flags.take("--output", "-o");
flags.take("--wait");
const rest = flags.rest();
const words = rest.filter((arg) => !arg.startsWith("-"));
const VERSION = "edge-26.8.3";

/** A TCP connection to host:port through an HTTP CONNECT proxy. */
function tunnel(proxy, host, port) {
    return new Promise((resolve, reject) => {
        const request = http.request({ host: proxy.hostname, port: proxy.port, method: "CONNECT", path: `${host}:${port}` });
        request.on("connect", (response, socket) =>
            response.statusCode === 200
                ? resolve(socket)
                : reject(new Error(`proxyconnect tcp: ${response.statusCode} ${response.statusMessage}`)),
        );
        request.on("error", (error) => reject(new Error(`proxyconnect tcp: ${error.message}`)));
        request.end();
    });
}

/** GET /version of the server, as client-go reaches it; resolves to undefined, or rejects with the error as Go words it. */
async function serverVersion(server, caPem) {
    const url = new URL(server);
    const host = url.hostname;
    const port = Number(url.port || 443);
    const loopback = host === "localhost" || (net.isIP(host) && /^(127\.|::1$)/.test(host));
    const proxy = process.env.HTTPS_PROXY || process.env.https_proxy;
    const where = `Get "${server}/version?timeout=32s"`;
    let socket;
    try {
        if (proxy && !loopback) socket = await tunnel(new URL(proxy), host, port);
        else if (net.isIP(host) || host === "localhost") socket = net.connect(port, host);
        else throw new Error(`dial tcp: lookup ${host}: no such host`);
        await new Promise((resolve, reject) => {
            const secure = tls.connect({ socket, host, servername: net.isIP(host) ? undefined : host, ca: caPem }, () => {
                secure.end(`GET /version HTTP/1.1\r\nHost: ${url.host}\r\nConnection: close\r\n\r\n`);
            });
            let answer = "";
            secure.on("data", (chunk) => (answer += chunk));
            secure.on("end", () => (/^HTTP\/1\.1 200 /.test(answer) ? resolve() : reject(new Error(answer.split("\r\n")[0]))));
            secure.on("error", (error) => reject(new Error(`tls: ${error.message}`)));
        });
    } catch (error) {
        throw new Error(`${where}: ${error.message}`);
    } finally {
        socket?.destroy();
    }
}

const success = (description) => ({ description, result: "success" });
const failed = (description, error, anchor) => ({ description, error, hint: `https://linkerd.io/2/checks/#${anchor}`, result: "error" });
const warned = (description, error, anchor) => ({ description, error, hint: `https://linkerd.io/2/checks/#${anchor}`, result: "warning" });

/** The certificates of a PEM bundle, each trimmed. */
const certificates = (bundle) => bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];

/**
 * Whether the cluster and the Link's target hold the same anchors in linkerd-config (checkRemoteClusterAnchors:
 * as many, and each of the target's among the cluster's, in any order). The target's are those of the kube
 * context the test names for it (targetContext); without one, or a bundle on either side, they are taken to match.
 */
function sameAnchors(world, link) {
    const target = link.targetContext === undefined ? undefined : w.read(["kube", `${link.targetContext}.json`], undefined);
    const local = world.linkerd?.trustBundle;
    const remote = target?.linkerd?.trustBundle;
    if (local === undefined || remote === undefined) return true;
    const [mine, theirs] = [certificates(local), certificates(remote)];
    return mine.length === theirs.length && theirs.every((certificate) => mine.includes(certificate));
}

/** The multicluster extension's category (multicluster/cmd/check.go multiclusterCategory), for the cluster's Links. */
async function multiclusterCategory(world) {
    const links = world.linkerd?.links ?? [];
    if (links.length === 0)
        return { categoryName: "linkerd-multicluster", checks: [success("Link CRD exists"), success("Link resources are valid")] };
    const remote = [];
    for (const link of links) {
        try {
            await serverVersion(link.server, link.caPem);
        } catch (error) {
            remote.push(`* failed to connect to API for cluster: [${link.target}]: ${error.message}`);
        }
    }
    const versions = links.filter((link) => (link.createdBy ?? VERSION) !== VERSION);
    const differing = remote.length > 0 ? [] : links.filter((link) => !sameAnchors(world, link));
    const gateways = world.linkerd?.gateways ?? [];
    const dead = links.filter((link) => !gateways.some((gateway) => gateway.clusterName === link.target && gateway.alive));
    return {
        categoryName: "linkerd-multicluster",
        checks: [
            success("Link CRD exists"),
            success("Link resources are valid"),
            versions.length === 0
                ? success("Link and CLI versions match")
                : warned(
                      "Link and CLI versions match",
                      versions
                          .map((link) => `* ${link.target}: CLI version is ${VERSION} but Link version is ${link.createdBy}`)
                          .join("\n"),
                      "l5d-multicluster-links-version",
                  ),
            remote.length === 0
                ? success("remote cluster access credentials are valid")
                : failed("remote cluster access credentials are valid", remote.join("\n"), "l5d-smc-target-clusters-access"),
            remote.length > 0
                ? failed("clusters share trust anchors", remote.join("\n"), "l5d-multicluster-clusters-share-anchors")
                : differing.length > 0
                  ? failed(
                        "clusters share trust anchors",
                        `Problematic clusters:\n    ${differing.map((link) => `* ${link.target}`).join("\n    ")}`,
                        "l5d-multicluster-clusters-share-anchors",
                    )
                  : success("clusters share trust anchors"),
            success("service mirror controller has required permissions"),
            success("service mirror controllers are running"),
            dead.length === 0
                ? success("probe services able to communicate with all gateway mirrors")
                : failed(
                      "probe services able to communicate with all gateway mirrors",
                      dead
                          .map(
                              (link) =>
                                  `* ${link.target}: probe-gateway-${link.target}.linkerd-multicluster mirrored from cluster [${link.target}] has no endpoints`,
                          )
                          .join("\n"),
                      "l5d-multicluster-gateways-endpoints",
                  ),
            success("all mirror services have endpoints"),
        ],
    };
}

/** The core categories: the cluster's own when the test gave them, else a healthy control plane. */
function coreCategories(world) {
    return (
        world.linkerd?.check ?? [
            { categoryName: "kubernetes-api", checks: [success("can initialize the client"), success("can query the Kubernetes API")] },
            { categoryName: "linkerd-existence", checks: [success("control plane pods are ready")] },
            { categoryName: "linkerd-version", checks: [success("can determine the latest version"), success("cli is up-to-date")] },
        ]
    );
}

/**
 * `check --proxy`: the control plane's categories, then the data plane's (cli/cmd/check.go
 * configureAndRunChecks with dataPlaneOnly, in healthcheck.go's order). "data plane proxies certificate
 * match CA" (checkPodsProxiesCertificate, a warning) compares the bundle each meshed pod's proxy was
 * injected with (LINKERD2_PROXY_IDENTITY_TRUST_ANCHORS), trimmed, with the cluster's trust-roots
 * ConfigMap, skipping the control plane's namespace, whose proxies read the ConfigMap.
 */
function proxyCategories(world) {
    const bundle = (world.linkerd?.trustBundle ?? "").trim();
    const offending = (world.pods ?? [])
        .filter(
            (pod) =>
                pod.labels?.["linkerd.io/control-plane-ns"] !== undefined &&
                pod.namespace !== "linkerd" &&
                pod.trustAnchors !== undefined &&
                pod.trustAnchors.trim() !== bundle,
        )
        .map((pod) => `* ${pod.namespace}/${pod.name}`);
    const [core, ...rest] = coreCategories(world);
    return [
        core,
        {
            categoryName: "linkerd-identity",
            checks: [success("certificate config is valid"), success("trust anchors are within their validity period")],
        },
        {
            categoryName: "linkerd-identity-data-plane",
            checks: [
                offending.length === 0
                    ? success("data plane proxies certificate match CA")
                    : warned(
                          "data plane proxies certificate match CA",
                          `Some pods do not have the current trust bundle and must be restarted:\n\t${offending.join("\n\t")}`,
                          "l5d-identity-data-plane-proxies-certs-match-ca",
                      ),
            ],
        },
        ...rest,
        { categoryName: "linkerd-data-plane", checks: [success("data plane namespace exists"), success("data plane proxies are ready")] },
    ];
}

/**
 * Prints each set of categories as its own CheckOutput document, as `linkerd check -o json` does for the
 * core checks and then for each extension (healthcheck.RunChecks per set: runChecksJSON prints one
 * document each time); exits 1 when any check failed.
 */
function print(...sets) {
    if (output !== "json") w.exitWith({ stderr: "the linkerd stand-in prints checks as JSON only\n", code: 2 });
    let ok = true;
    for (const categories of sets) {
        const success = categories.every((category) => category.checks.every((check) => check.result !== "error"));
        ok &&= success;
        process.stdout.write(`${JSON.stringify({ success, categories }, null, 2)}\n`);
    }
    process.exit(ok ? 0 : 1);
}

/** k8s.NewAPI's words when client-go cannot load the kubeconfig or find the context (pkg/k8s/api.go). */
const configuring = (failure) => `error configuring Kubernetes API client: ${failure.message}`;

/** `multicluster gateways -o json`: the cluster's gateways, from the test's description of it, else from the kube context's world. */
function gateways() {
    const described = w.read(["linkerd", "clusters", `${encodeURIComponent(context ?? kubeconfig ?? "")}.json`], undefined);
    const cluster = described === undefined ? w.kubeCluster(kubeconfig, context) : undefined;
    // Its first request: the extension's namespace, by its label (gateways.go GetNamespaceWithExtensionLabel).
    const unreachable =
        described !== undefined
            ? described.unreachable
            : cluster.failure?.kind === "refused"
              ? w.refused(cluster.server, "/api/v1/namespaces?labelSelector=linkerd.io%2Fextension%3Dmulticluster")
              : undefined;
    // cobra prints the error RunE returned, then the usage (cli/main.go leaves both on).
    const usage = "Usage:\n  linkerd multicluster gateways [flags]\n\n";
    if (cluster?.failure?.kind === "config") w.exitWith({ stderr: `Error: ${configuring(cluster.failure)}\n${usage}` });
    if (unreachable !== undefined) {
        w.exitWith({
            stderr: `Error: make sure the linkerd-multicluster extension is installed, using 'linkerd multicluster install' (${unreachable})\n${usage}`,
        });
    }
    for (const [clusterName, error] of Object.entries(described?.failedMetrics ?? {}))
        process.stderr.write(`Failed to get gateway status for ${clusterName}: ${error}\n`);
    if (output !== "json") w.exitWith({ stderr: "the linkerd stand-in answers gateways only with -o json\n", code: 2 });
    const statuses = described?.gateways ?? cluster.world.linkerd?.gateways ?? [];
    process.stdout.write(`${JSON.stringify(statuses.length > 0 ? statuses : null, null, 2)}\n`);
}

/**
 * `linkerd check` on a cluster it cannot reach: its core checks stop at the fatal kubernetes-api check
 * that fails (healthcheck.go allCategories: the client from the kubeconfig, then GET /version with the
 * 30 s RequestTimeout), that document is printed, then listing the extensions' namespaces fails
 * (check.go runExtensionChecks) and the CLI exits 1.
 */
function unreachableCheck(cluster) {
    const hint = "https://linkerd.io/2/checks/#k8s-api";
    const checks =
        cluster.failure.kind === "config"
            ? [{ description: "can initialize the client", error: configuring(cluster.failure), hint, result: "error" }]
            : [
                  success("can initialize the client"),
                  {
                      description: "can query the Kubernetes API",
                      error: w.refused(cluster.server, "/version?timeout=30s"),
                      hint,
                      result: "error",
                  },
              ];
    const extensions =
        cluster.failure.kind === "config"
            ? configuring(cluster.failure)
            : w.refused(cluster.server, "/api/v1/namespaces?labelSelector=linkerd.io%2Fextension");
    process.stdout.write(`${JSON.stringify({ success: false, categories: [{ categoryName: "kubernetes-api", checks }] }, null, 2)}\n`);
    w.exitWith({ stderr: `Failed to run extensions checks: ${extensions}\n` });
}

/** `multicluster check` on a cluster it cannot reach: before any check, as its configureAndRunChecks words it (multicluster/cmd/check.go). */
function unreachableMulticlusterCheck(cluster) {
    w.exitWith({
        stderr:
            cluster.failure.kind === "config"
                ? `Error initializing k8s API client: ${configuring(cluster.failure)}\n`
                : `Failed to fetch linkerd config: ${w.refused(cluster.server, "/api/v1/namespaces/linkerd/configmaps/linkerd-config?timeout=30s")}\n`,
    });
}

async function main() {
    if (words[0] === "version" && rest.includes("--client") && rest.includes("--short")) return process.stdout.write(`${VERSION}\n`);
    if (words[0] === "multicluster" && words[1] === "gateways") return gateways();
    const cluster = w.kubeCluster(kubeconfig, context);
    if (words[0] === "check") {
        if (cluster.failure !== undefined) return unreachableCheck(cluster);
        const extensions = (cluster.world.linkerd?.links ?? []).length > 0 ? [[await multiclusterCategory(cluster.world)]] : [];
        return print(rest.includes("--proxy") ? proxyCategories(cluster.world) : coreCategories(cluster.world), ...extensions);
    }
    if (words[0] === "multicluster" && words[1] === "check") {
        if (cluster.failure !== undefined) return unreachableMulticlusterCheck(cluster);
        return print([await multiclusterCategory(cluster.world)]);
    }
    w.exitWith({ stderr: `the linkerd stand-in does not answer \`linkerd ${argv.join(" ")}\`\n`, code: 2 });
}

main();
