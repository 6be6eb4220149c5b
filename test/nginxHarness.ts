// A real nginx (Debian's package) running a generated nginx.conf against stub upstreams on loopback
// addresses, with a stub DNS server standing in for kube-dns: only the listen address, the resolver's
// address and the runtime directory differ from what the pod gets (NginxRuntime).
import { ChildProcess, spawn } from "node:child_process";
import * as dgram from "node:dgram";
import * as fs from "node:fs";
import * as http from "node:http";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import type { NginxRuntime } from "../components/demoWorkloads";

export const NGINX = process.env.EDGE_CLOUD_MESH_NGINX ?? "/usr/sbin/nginx";
export const NGINX_AVAILABLE = fs.existsSync(NGINX);
if (!NGINX_AVAILABLE && process.env.EDGE_CLOUD_MESH_REQUIRE_NGINX) {
    throw new Error(`nginx is required (EDGE_CLOUD_MESH_REQUIRE_NGINX) but missing at ${NGINX}: apt-get install nginx`);
}

/** A /24 of loopback addresses of this run's own, so that parallel runs on one machine do not meet. */
export function loopbackNet(): string {
    return `127.${1 + Math.floor(Math.random() * 250)}.${1 + Math.floor(Math.random() * 250)}`;
}

/** Answers A queries for `names` (and AAAA with no address), like kube-dns for Services; NXDOMAIN for any other name. */
export function startDns(address: string, names: Record<string, string>): Promise<dgram.Socket> {
    const socket = dgram.createSocket("udp4");
    socket.on("message", (query, remote) => {
        let offset = 12;
        const labels: string[] = [];
        while (query[offset] !== 0) {
            labels.push(query.subarray(offset + 1, offset + 1 + query[offset]).toString());
            offset += query[offset] + 1;
        }
        const question = query.subarray(12, offset + 5);
        const type = query.readUInt16BE(offset + 1);
        const answerAddress = names[labels.join(".").toLowerCase()];
        const answers = answerAddress !== undefined && type === 1 ? 1 : 0;
        const header = Buffer.alloc(12);
        query.copy(header, 0, 0, 2);
        header.writeUInt16BE(0x8180 | (answerAddress === undefined ? 3 : 0), 2); // response, recursion; NXDOMAIN for strangers
        header.writeUInt16BE(1, 4);
        header.writeUInt16BE(answers, 6);
        const answer = Buffer.alloc(answers ? 16 : 0);
        if (answers) {
            answer.writeUInt16BE(0xc00c, 0); // the name in the question
            answer.writeUInt16BE(1, 2); // A
            answer.writeUInt16BE(1, 4); // IN
            answer.writeUInt32BE(10, 6); // TTL
            answer.writeUInt16BE(4, 10);
            answerAddress.split(".").forEach((octet, index) => answer.writeUInt8(Number(octet), 12 + index));
        }
        socket.send(Buffer.concat([header, question, answer]), remote.port, remote.address);
    });
    return new Promise((resolve) => socket.bind(0, address, () => resolve(socket)));
}

/** What a stub upstream received. */
export interface Received {
    method: string;
    path: string;
    body: string;
}

/** An upstream stand-in on `address:port`: records each request, and answers as `answer` says (200 with JSON naming itself by default). */
export function startUpstream(
    address: string,
    port: number,
    received: Received[],
    answer: (request: Received) => { status: number; body?: string } | "hang" = () => ({ status: 200 }),
): Promise<http.Server> {
    const server = http.createServer((request, response) => {
        let body = "";
        request.on("data", (chunk) => (body += chunk));
        request.on("end", () => {
            const got = { method: request.method ?? "", path: request.url ?? "", body };
            received.push(got);
            const decided = answer(got);
            if (decided === "hang") return;
            response.writeHead(decided.status, { "content-type": "application/json" });
            response.end(decided.body ?? JSON.stringify({ upstream: address, path: request.url, method: request.method, body }));
        });
    });
    return new Promise((resolve) => server.listen(port, address, () => resolve(server)));
}

export async function freePort(host: string): Promise<number> {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, host, resolve));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise((resolve) => server.close(resolve));
    return port;
}

export interface RunningNginx {
    url: string;
    /** What the nginx.conf under test was, as written. */
    config: string;
    stop(): Promise<void>;
}

/**
 * Writes `config(runtime)` (runtime: `address` on a free port, the stub DNS, a fresh directory) and runs
 * nginx on it until it accepts connections.
 */
export async function startNginx(address: string, dns: dgram.Socket, config: (runtime: NginxRuntime) => string): Promise<RunningNginx> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "nginx-"));
    fs.chmodSync(dir, 0o755); // nginx's workers may run as another user
    const port = await freePort(address);
    const text = config({
        listen: `${address}:${port}`,
        resolver: `${address}:${(dns.address() as net.AddressInfo).port}`,
        runtimeDir: dir,
    });
    fs.writeFileSync(path.join(dir, "nginx.conf"), text);
    const nginx: ChildProcess = spawn(NGINX, ["-p", dir, "-e", "stderr", "-c", path.join(dir, "nginx.conf"), "-g", "daemon off;"], {
        stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    nginx.stderr!.on("data", (chunk) => (stderr += chunk));
    for (let attempt = 0; ; attempt++) {
        const up = await new Promise<boolean>((resolve) => {
            const socket = net.connect({ host: address, port }, () => resolve(true)).on("error", () => resolve(false));
            socket.unref();
            setTimeout(() => socket.destroy(), 200);
        });
        if (up) break;
        if (attempt > 50 || nginx.exitCode !== null) throw new Error(`nginx did not start: ${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return {
        url: `http://${address}:${port}`,
        config: text,
        stop: async () => {
            if (nginx.exitCode === null) {
                const exited = new Promise((resolve) => nginx.once("exit", resolve));
                nginx.kill("SIGQUIT");
                await exited;
            }
            fs.rmSync(dir, { recursive: true, force: true });
        },
    };
}

export interface Answer {
    status: number;
    location?: string;
    contentType?: string;
    text: string;
    /** The body as JSON, when it is. */
    json?: Record<string, unknown>;
}

/** One request (a browser's User-Agent: podinfo answers browsers with its page at `/`). */
export function request(url: string, options: { method?: string; body?: string } = {}): Promise<Answer> {
    return new Promise((resolve, reject) => {
        const sent = http.request(
            url,
            { method: options.method ?? "GET", headers: { "user-agent": "Mozilla/5.0 (X11; Linux x86_64)" } },
            (response) => {
                let text = "";
                response.on("data", (chunk) => (text += chunk));
                response.on("end", () => {
                    let json: Record<string, unknown> | undefined;
                    try {
                        json = JSON.parse(text);
                    } catch {
                        json = undefined;
                    }
                    resolve({
                        status: response.statusCode ?? 0,
                        location: response.headers.location,
                        contentType: response.headers["content-type"],
                        text,
                        json,
                    });
                });
            },
        );
        sent.on("error", reject);
        sent.end(options.body);
    });
}

/** The lines of `actual` that differ from `expected`, position by position (both have as many lines). */
export function differingLines(expected: string, actual: string): string[] {
    const lines = expected.split("\n");
    return actual.split("\n").filter((line, index) => line !== lines[index]);
}
