// The frontend's generated nginx.conf, run under a real nginx (Debian's package) against stub
// upstreams on loopback addresses, with a stub DNS server standing in for kube-dns: only the listen
// address, the resolver's address and the runtime directory differ from what the pod gets, so the
// `location`, `rewrite` and `proxy_pass` lines under test are the generated ones.
import { ChildProcess, spawn } from "node:child_process";
import * as dgram from "node:dgram";
import * as fs from "node:fs";
import * as http from "node:http";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FRONTEND_RUNTIME, PODINFO_PORT, frontendConfig } from "../components/demoWorkloads";

const NGINX = process.env.EDGE_CLOUD_MESH_NGINX ?? "/usr/sbin/nginx";
const NGINX_AVAILABLE = fs.existsSync(NGINX);
if (!NGINX_AVAILABLE && process.env.EDGE_CLOUD_MESH_REQUIRE_NGINX) {
    throw new Error(`nginx is required (EDGE_CLOUD_MESH_REQUIRE_NGINX) but missing at ${NGINX}: apt-get install nginx`);
}

/** A /24 of loopback addresses of this run's own, so that parallel runs on one machine do not meet. */
const NET = `127.${1 + Math.floor(Math.random() * 250)}.${1 + Math.floor(Math.random() * 250)}`;
const FRONTEND_ADDRESS = `${NET}.1`;
const UPSTREAMS: Record<string, string> = {
    "podinfo.test.svc.cluster.local": `${NET}.2`,
    "podinfo-cloud.test.svc.cluster.local": `${NET}.3`,
};

/** Answers A queries for the upstreams' names (and AAAA with no address), like kube-dns for Services. */
function startDns(): Promise<dgram.Socket> {
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
        const address = UPSTREAMS[labels.join(".").toLowerCase()];
        const answers = address !== undefined && type === 1 ? 1 : 0;
        const header = Buffer.alloc(12);
        query.copy(header, 0, 0, 2);
        header.writeUInt16BE(0x8180 | (address === undefined ? 3 : 0), 2); // response, recursion; NXDOMAIN for strangers
        header.writeUInt16BE(1, 4);
        header.writeUInt16BE(answers, 6);
        const answer = Buffer.alloc(answers ? 16 : 0);
        if (answers) {
            answer.writeUInt16BE(0xc00c, 0); // the name in the question
            answer.writeUInt16BE(1, 2); // A
            answer.writeUInt16BE(1, 4); // IN
            answer.writeUInt32BE(10, 6); // TTL
            answer.writeUInt16BE(4, 10);
            address.split(".").forEach((octet, index) => answer.writeUInt8(Number(octet), 12 + index));
        }
        socket.send(Buffer.concat([header, question, answer]), remote.port, remote.address);
    });
    return new Promise((resolve) => socket.bind(0, FRONTEND_ADDRESS, () => resolve(socket)));
}

/** A podinfo stand-in that records the path of every request it receives. */
function startUpstream(address: string, received: string[]): Promise<http.Server> {
    const server = http.createServer((request, response) => {
        received.push(request.url ?? "");
        response.writeHead(200, { "content-type": "application/json" });
        response.end(JSON.stringify({ upstream: address, path: request.url }));
    });
    return new Promise((resolve) => server.listen(PODINFO_PORT, address, () => resolve(server)));
}

async function freePort(host: string): Promise<number> {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, host, resolve));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise((resolve) => server.close(resolve));
    return port;
}

interface Answer {
    status: number;
    location?: string;
    upstream?: string;
    path?: string;
}

describe.skipIf(!NGINX_AVAILABLE)("the frontend's nginx.conf under a real nginx", () => {
    const received: Record<string, string[]> = { local: [], cloud: [] };
    let dns: dgram.Socket;
    let upstreams: http.Server[];
    let nginx: ChildProcess;
    let stderr = "";
    let frontend: string;
    let generated: string;

    /** A browser's GET: podinfo answers browsers (User-Agent Mozilla) with its page at `/`. */
    function get(pathAndQuery: string): Promise<Answer> {
        return new Promise((resolve, reject) => {
            http.get(`${frontend}${pathAndQuery}`, { headers: { "user-agent": "Mozilla/5.0 (X11; Linux x86_64)" } }, (response) => {
                let body = "";
                response.on("data", (chunk) => (body += chunk));
                response.on("end", () => {
                    const answer: Answer = { status: response.statusCode ?? 0, location: response.headers.location };
                    resolve(response.statusCode === 200 ? { ...answer, ...JSON.parse(body) } : answer);
                });
            }).on("error", reject);
        });
    }

    beforeAll(async () => {
        dns = await startDns();
        upstreams = await Promise.all([
            startUpstream(UPSTREAMS["podinfo.test.svc.cluster.local"], received.local),
            startUpstream(UPSTREAMS["podinfo-cloud.test.svc.cluster.local"], received.cloud),
        ]);
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "frontend-nginx-"));
        fs.chmodSync(dir, 0o755); // nginx's workers may run as another user
        const port = await freePort(FRONTEND_ADDRESS);
        generated = frontendConfig(["cloud"], {
            listen: `${FRONTEND_ADDRESS}:${port}`,
            resolver: `${FRONTEND_ADDRESS}:${(dns.address() as net.AddressInfo).port}`,
            runtimeDir: dir,
        });
        fs.writeFileSync(path.join(dir, "nginx.conf"), generated);
        nginx = spawn(NGINX, ["-p", dir, "-e", "stderr", "-c", path.join(dir, "nginx.conf"), "-g", "daemon off;"], {
            stdio: ["ignore", "ignore", "pipe"],
        });
        nginx.stderr!.on("data", (chunk) => (stderr += chunk));
        frontend = `http://${FRONTEND_ADDRESS}:${port}`;
        for (let attempt = 0; ; attempt++) {
            const up = await new Promise<boolean>((resolve) => {
                const socket = net.connect({ host: FRONTEND_ADDRESS, port }, () => resolve(true)).on("error", () => resolve(false));
                socket.unref();
                setTimeout(() => socket.destroy(), 200);
            });
            if (up) break;
            if (attempt > 50 || nginx.exitCode !== null) throw new Error(`nginx did not start: ${stderr}`);
            await new Promise((resolve) => setTimeout(resolve, 100));
        }
    });

    afterAll(async () => {
        if (nginx && nginx.exitCode === null) {
            const exited = new Promise((resolve) => nginx.once("exit", resolve));
            nginx.kill("SIGQUIT");
            await exited;
        }
        dns?.close();
        await Promise.all((upstreams ?? []).map((server) => new Promise((resolve) => server.close(resolve))));
    });

    it("runs the generated config: only where it listens, its resolver and its runtime directory differ from the pod's", () => {
        const differing = (a: string, b: string) => a.split("\n").filter((line, index) => line !== b.split("\n")[index]);
        const pod = frontendConfig(["cloud"]);
        expect(pod.split("\n")).toHaveLength(generated.split("\n").length);
        const changed = differing(pod, generated);
        expect(
            changed.every((line) => /^\s*(listen|resolver|pid|\w+_temp_path)\s/.test(line)),
            changed.join("\n"),
        ).toBe(true);
        expect(pod).toContain(`listen ${FRONTEND_RUNTIME.listen};`);
        expect(pod).toContain("resolver kube-dns.kube-system.svc.cluster.local valid=10s;");
    });

    it("sends / and everything under it to the local podinfo, with the path", async () => {
        expect(await get("/")).toMatchObject({ status: 200, upstream: UPSTREAMS["podinfo.test.svc.cluster.local"], path: "/" });
        expect(await get("/api/info")).toMatchObject({ upstream: UPSTREAMS["podinfo.test.svc.cluster.local"], path: "/api/info" });
        expect(await get("/version?x=1")).toMatchObject({ path: "/version?x=1" });
        // A prefix match alone would have sent this to the cloud.
        expect(await get("/cloudx/api/info")).toMatchObject({
            upstream: UPSTREAMS["podinfo.test.svc.cluster.local"],
            path: "/cloudx/api/info",
        });
        expect(received.local).toEqual(expect.arrayContaining(["/", "/api/info", "/version?x=1", "/cloudx/api/info"]));
    });

    it("sends /cloud/ and everything under it to the cloud's mirror, prefix stripped", async () => {
        const cloud = UPSTREAMS["podinfo-cloud.test.svc.cluster.local"];
        expect(await get("/cloud/")).toMatchObject({ status: 200, upstream: cloud, path: "/" });
        expect(await get("/cloud/api/info")).toMatchObject({ upstream: cloud, path: "/api/info" });
        expect(await get("/cloud/api/info?x=1&y=2")).toMatchObject({ upstream: cloud, path: "/api/info?x=1&y=2" });
        expect(await get("/cloud/a%20b")).toMatchObject({ upstream: cloud, path: "/a%20b" });
        expect(received.cloud).not.toContain("/cloud/");
    });

    it("redirects /cloud to /cloud/ (relative, keeping the query), where the page's relative api/info stays under the prefix", async () => {
        expect(await get("/cloud")).toMatchObject({ status: 301, location: "/cloud/" });
        expect(await get("/cloud?a=b")).toMatchObject({ status: 301, location: "/cloud/?a=b" });
        // What a browser does with podinfo's page: fetch `api/info` relative to the page it shows.
        for (const [page, upstream] of [
            ["/", "podinfo.test.svc.cluster.local"],
            ["/cloud/", "podinfo-cloud.test.svc.cluster.local"],
        ]) {
            const info = new URL("api/info", `${frontend}${page}`);
            expect(await get(info.pathname)).toMatchObject({ upstream: UPSTREAMS[upstream], path: "/api/info" });
        }
    });
});
