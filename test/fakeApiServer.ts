// A loopback HTTPS server that answers like a k3s API server for what the program asks it: GET of a
// CustomResourceDefinition, and of k3s's HelmCharts and their install Jobs in kube-system. It has a throwaway CA, requires a client certificate signed by it (as k3s
// does for its admin kubeconfig), and answers 401 without one, like the real thing.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as https from "node:https";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";

/** A throwaway CA, the server's certificate (127.0.0.1 and localhost) and an admin client certificate. */
export interface TestPki {
    caPem: string;
    serverCertPem: string;
    serverKeyPem: string;
    clientCertPem: string;
    clientKeyPem: string;
}

/** Issues a fresh PKI with openssl (ECDSA P-256, one day); the server's certificate names `subjectAltName`. */
export function issueTestPki(subjectAltName = "IP:127.0.0.1,DNS:localhost"): TestPki {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fake-k3s-pki-"));
    const file = (name: string) => path.join(dir, name);
    const openssl = (...args: string[]) => execFileSync("openssl", args, { stdio: ["ignore", "ignore", "pipe"] });
    const key = (name: string) => openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", file(name));
    key("ca.key");
    openssl("req", "-x509", "-new", "-key", file("ca.key"), "-subj", "/CN=k3s-server-ca", "-days", "1", "-out", file("ca.crt"));
    const issue = (name: string, subject: string, extensions: string) => {
        key(`${name}.key`);
        openssl("req", "-new", "-key", file(`${name}.key`), "-subj", subject, "-out", file(`${name}.csr`));
        fs.writeFileSync(file(`${name}.ext`), extensions);
        openssl(
            "x509",
            "-req",
            "-in",
            file(`${name}.csr`),
            "-CA",
            file("ca.crt"),
            "-CAkey",
            file("ca.key"),
            "-CAcreateserial",
            "-days",
            "1",
            "-extfile",
            file(`${name}.ext`),
            "-out",
            file(`${name}.crt`),
        );
    };
    issue("server", "/CN=k3s", `subjectAltName=${subjectAltName}\nextendedKeyUsage=serverAuth\n`);
    issue("client", "/O=system:masters/CN=system:admin", "extendedKeyUsage=clientAuth\n");
    const read = (name: string) => fs.readFileSync(file(name), "utf8");
    const pki = {
        caPem: read("ca.crt"),
        serverCertPem: read("server.crt"),
        serverKeyPem: read("server.key"),
        clientCertPem: read("client.crt"),
        clientKeyPem: read("client.key"),
    };
    fs.rmSync(dir, { recursive: true, force: true });
    return pki;
}

/** A CRD as the API server returns it; only what the program reads is filled in beyond name and versions. */
export interface FakeCrd {
    metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
    spec: { versions: { name: string; served: boolean; storage: boolean }[] };
}

/**
 * The route CRDs k3s 1.34–1.36 installs with Traefik's CRD chart: Gateway API v1.5.1, standard
 * channel, owned by a Helm release of k3s's helm-controller.
 */
export function k3sTraefikRouteCrds(): FakeCrd[] {
    return k3sRouteCrds("traefik-crd", "v1.5.1");
}

/**
 * The route CRDs k3s 1.37 and later install with their own gateway-api-crd chart (k3s-io/k3s#14565):
 * Gateway API v1.6.1, standard channel.
 */
export function k3sGatewayApiChartRouteCrds(): FakeCrd[] {
    return k3sRouteCrds("gateway-api-crd", "v1.6.1");
}

function k3sRouteCrds(release: string, bundleVersion: string): FakeCrd[] {
    const owned = (name: string, versions: string[]): FakeCrd => ({
        metadata: {
            name,
            labels: { "app.kubernetes.io/managed-by": "Helm" },
            annotations: {
                "gateway.networking.k8s.io/bundle-version": bundleVersion,
                "gateway.networking.k8s.io/channel": "standard",
                "meta.helm.sh/release-name": release,
                "meta.helm.sh/release-namespace": "kube-system",
            },
        },
        spec: { versions: versions.map((version, index) => ({ name: version, served: true, storage: index === 0 })) },
    });
    return [owned("httproutes.gateway.networking.k8s.io", ["v1", "v1beta1"]), owned("grpcroutes.gateway.networking.k8s.io", ["v1"])];
}

/** A HelmChart of k3s's in kube-system, and whether its install job `helm-install-<name>` has succeeded (absent: no job yet). */
export interface FakeK3sChart {
    name: string;
    jobSucceeded?: boolean;
}

export interface FakeApiServerOptions {
    pki: TestPki;
    crds: FakeCrd[];
    /** The CRDs exist only from this read of a CRD on (a k3s chart installing them after boot); before, every CRD read is a 404. */
    crdsFromRead?: number;
    k3sCharts?: FakeK3sChart[];
    /** Answer every authenticated request with this status instead (e.g. 403 for a user without rights). */
    status?: number;
    host?: string;
}

export interface FakeApiServer {
    url: string;
    port: number;
    /** Paths requested with a valid client certificate. */
    requests: string[];
    close(): Promise<void>;
}

function status(code: number, reason: string, message: string) {
    return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code };
}

const CRD_PATH = /^\/apis\/apiextensions\.k8s\.io\/v1\/customresourcedefinitions\/([^/?]+)(\?.*)?$/;
const HELM_CHART_PATH = /^\/apis\/helm\.cattle\.io\/v1\/namespaces\/kube-system\/helmcharts\/([^/?]+)(\?.*)?$/;
const JOB_PATH = /^\/apis\/batch\/v1\/namespaces\/kube-system\/jobs\/([^/?]+)(\?.*)?$/;

/** Starts the server on a free loopback port. */
export async function startFakeApiServer(options: FakeApiServerOptions): Promise<FakeApiServer> {
    const requests: string[] = [];
    let crdReads = 0;
    const server = https.createServer(
        {
            key: options.pki.serverKeyPem,
            cert: options.pki.serverCertPem,
            ca: options.pki.caPem,
            requestCert: true,
            rejectUnauthorized: false,
        },
        (request, response) => {
            const reply = (code: number, body: object) => {
                response.writeHead(code, { "content-type": "application/json" });
                response.end(JSON.stringify(body));
            };
            const socket = request.socket as import("node:tls").TLSSocket;
            if (!socket.authorized) return reply(401, status(401, "Unauthorized", "Unauthorized"));
            requests.push(request.url ?? "");
            if (options.status !== undefined) {
                return reply(
                    options.status,
                    status(
                        options.status,
                        "Forbidden",
                        `customresourcedefinitions.apiextensions.k8s.io is forbidden: User "system:admin" cannot get resource "customresourcedefinitions"`,
                    ),
                );
            }
            const url = request.url ?? "";
            const chart = HELM_CHART_PATH.exec(url)?.[1];
            const job = JOB_PATH.exec(url)?.[1];
            const k3sChart = options.k3sCharts?.find((candidate) => candidate.name === chart || `helm-install-${candidate.name}` === job);
            if (chart !== undefined && k3sChart !== undefined) {
                return reply(200, {
                    apiVersion: "helm.cattle.io/v1",
                    kind: "HelmChart",
                    metadata: { name: chart, namespace: "kube-system" },
                });
            }
            if (job !== undefined && k3sChart?.jobSucceeded !== undefined) {
                const jobStatus = k3sChart.jobSucceeded ? { succeeded: 1 } : { active: 1 };
                return reply(200, {
                    apiVersion: "batch/v1",
                    kind: "Job",
                    metadata: { name: job, namespace: "kube-system" },
                    status: jobStatus,
                });
            }
            const name = CRD_PATH.exec(url)?.[1];
            if (name !== undefined) crdReads += 1;
            const visible = crdReads >= (options.crdsFromRead ?? 0);
            const crd = visible ? options.crds.find((candidate) => candidate.metadata.name === name) : undefined;
            if (request.method !== "GET" || crd === undefined) {
                const what = name !== undefined ? `customresourcedefinitions.apiextensions.k8s.io "${name}"` : url;
                return reply(404, status(404, "NotFound", `${what} not found`));
            }
            reply(200, { apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition", ...crd });
        },
    );
    const host = options.host ?? "127.0.0.1";
    await new Promise<void>((resolve) => server.listen(0, host, resolve));
    const port = (server.address() as net.AddressInfo).port;
    return {
        url: `https://${host}:${port}`,
        port,
        requests,
        close: () => new Promise((resolve) => server.close(() => resolve())),
    };
}

/** A kubeconfig as k3s writes it (admin client certificate), for `server`, trusting the test CA. */
export function k3sKubeconfig(pki: TestPki, contexts: { name: string; server: string }[], current = contexts[0].name): string {
    const b64 = (pem: string) => Buffer.from(pem).toString("base64");
    return [
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        ...contexts.flatMap(({ name, server }) => [
            "- cluster:",
            `    certificate-authority-data: ${b64(pki.caPem)}`,
            `    server: ${server}`,
            `  name: ${name}`,
        ]),
        "contexts:",
        ...contexts.flatMap(({ name }) => ["- context:", `    cluster: ${name}`, "    user: default", `  name: ${name}`]),
        `current-context: ${current}`,
        "users:",
        "- name: default",
        "  user:",
        `    client-certificate-data: ${b64(pki.clientCertPem)}`,
        `    client-key-data: ${b64(pki.clientKeyPem)}`,
        "",
    ].join("\n");
}
