// The frontend's generated nginx.conf, run under a real nginx (Debian's package) against stub
// upstreams on loopback addresses, with a stub DNS server standing in for kube-dns (test/nginxHarness.ts):
// only the listen address, the resolver's address and the runtime directory differ from what the pod
// gets, so the `location`, `rewrite`, `proxy_pass` and `error_page` lines under test are the generated ones.
import type * as dgram from "node:dgram";
import type * as http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
    CLOUD_UNREACHABLE_STATUS,
    FRONTEND_RUNTIME,
    NGINX_PROXY_TIMEOUTS,
    PODINFO_PORT,
    cloudUnreachableMessage,
    frontendConfig,
} from "../components/demoWorkloads";
import {
    NGINX_AVAILABLE,
    Received,
    RunningNginx,
    differingLines,
    loopbackNet,
    request,
    startDns,
    startNginx,
    startUpstream,
} from "./nginxHarness";

const NET = loopbackNet();
const NGINX_ADDRESS = `${NET}.1`;
const UPSTREAMS: Record<string, string> = {
    "podinfo.test.svc.cluster.local": `${NET}.2`,
    "podinfo-cloud.test.svc.cluster.local": `${NET}.3`,
    // A mirror whose address takes no connection; podinfo-gone has no name at all (not mirrored).
    "podinfo-down.test.svc.cluster.local": `${NET}.4`,
};
const LOCAL = UPSTREAMS["podinfo.test.svc.cluster.local"];
const CLOUD = UPSTREAMS["podinfo-cloud.test.svc.cluster.local"];

describe.skipIf(!NGINX_AVAILABLE)("the frontend's nginx.conf under a real nginx", () => {
    const received: Record<string, Received[]> = { local: [], cloud: [] };
    /** How the cloud's mirror answers the next requests. */
    let cloudAnswer: (request: Received) => { status: number; body?: string } | "hang" = () => ({ status: 200 });
    let dns: dgram.Socket;
    let upstreams: http.Server[];
    let nginx: RunningNginx;
    let impatient: RunningNginx;
    const remotes = ["cloud", "gone", "down"];

    /** A browser's GET through the frontend, answered: status, Location, and what the upstream said it received. */
    async function get(pathAndQuery: string, frontend = nginx) {
        const answer = await request(`${frontend.url}${pathAndQuery}`);
        return { status: answer.status, location: answer.location, ...(answer.json ?? {}), text: answer.text };
    }

    beforeAll(async () => {
        dns = await startDns(NGINX_ADDRESS, UPSTREAMS);
        upstreams = await Promise.all([
            startUpstream(LOCAL, PODINFO_PORT, received.local),
            startUpstream(CLOUD, PODINFO_PORT, received.cloud, (got) => cloudAnswer(got)),
        ]);
        nginx = await startNginx(NGINX_ADDRESS, dns, (runtime) => frontendConfig(remotes, runtime));
        // The same, with a read timeout of 1 s, so that a cloud that does not answer can be waited out.
        impatient = await startNginx(NGINX_ADDRESS, dns, (runtime) =>
            frontendConfig(remotes, runtime).replaceAll(
                `proxy_read_timeout ${NGINX_PROXY_TIMEOUTS.readSeconds}s;`,
                "proxy_read_timeout 1s;",
            ),
        );
    });

    afterAll(async () => {
        await nginx?.stop();
        await impatient?.stop();
        dns?.close();
        for (const server of upstreams ?? []) server.closeAllConnections();
        await Promise.all((upstreams ?? []).map((server) => new Promise((resolve) => server.close(resolve))));
    });

    it("runs the generated config: only where it listens, its resolver and its runtime directory differ from the pod's", () => {
        const pod = frontendConfig(remotes);
        expect(pod.split("\n")).toHaveLength(nginx.config.split("\n").length);
        const changed = differingLines(pod, nginx.config);
        expect(
            changed.every((line) => /^\s*(listen|resolver|pid|\w+_temp_path)\s/.test(line)),
            changed.join("\n"),
        ).toBe(true);
        expect(pod).toContain(`listen ${FRONTEND_RUNTIME.listen};`);
        expect(pod).toContain("resolver kube-dns.kube-system.svc.cluster.local valid=10s;");
    });

    it("sends / and everything under it to the local podinfo, with the path", async () => {
        expect(await get("/")).toMatchObject({ status: 200, upstream: LOCAL, path: "/" });
        expect(await get("/api/info")).toMatchObject({ upstream: LOCAL, path: "/api/info" });
        expect(await get("/version?x=1")).toMatchObject({ path: "/version?x=1" });
        // A prefix match alone would have sent this to the cloud.
        expect(await get("/cloudx/api/info")).toMatchObject({ upstream: LOCAL, path: "/cloudx/api/info" });
        expect(received.local.map((got) => got.path)).toEqual(
            expect.arrayContaining(["/", "/api/info", "/version?x=1", "/cloudx/api/info"]),
        );
    });

    it("sends /cloud/ and everything under it to the cloud's mirror, prefix stripped", async () => {
        expect(await get("/cloud/")).toMatchObject({ status: 200, upstream: CLOUD, path: "/" });
        expect(await get("/cloud/api/info")).toMatchObject({ upstream: CLOUD, path: "/api/info" });
        expect(await get("/cloud/api/info?x=1&y=2")).toMatchObject({ upstream: CLOUD, path: "/api/info?x=1&y=2" });
        expect(await get("/cloud/a%20b")).toMatchObject({ upstream: CLOUD, path: "/a%20b" });
        expect(received.cloud.map((got) => got.path)).not.toContain("/cloud/");
    });

    it("redirects /cloud to /cloud/ (relative, keeping the query), where the page's relative api/info stays under the prefix", async () => {
        expect(await get("/cloud")).toMatchObject({ status: 301, location: "/cloud/" });
        expect(await get("/cloud?a=b")).toMatchObject({ status: 301, location: "/cloud/?a=b" });
        // What a browser does with podinfo's page: fetch `api/info` relative to the page it shows.
        for (const [page, upstream] of [
            ["/", LOCAL],
            ["/cloud/", CLOUD],
        ]) {
            const info = new URL("api/info", `${nginx.url}${page}`);
            expect(await get(info.pathname)).toMatchObject({ upstream, path: "/api/info" });
        }
    });

    describe("when the cloud cannot answer, /<cloud>/ says so at once, with its own status", () => {
        const unreachable = (cluster: string) => ({ status: CLOUD_UNREACHABLE_STATUS, text: `${cloudUnreachableMessage(cluster)}\n` });

        it("the mirror does not exist (not exported, or the link is down): nginx cannot resolve it", async () => {
            const started = performance.now();
            expect(await get("/gone/api/info")).toMatchObject(unreachable("gone"));
            expect(performance.now() - started).toBeLessThan(2_000);
        });

        it("the mirror takes no connection", async () => {
            expect(await get("/down/")).toMatchObject(unreachable("down"));
        });

        it.each([502, 503, 504])("the mesh answers %i (no endpoint, failfast, its own timeout)", async (status) => {
            cloudAnswer = () => ({ status });
            expect(await get("/cloud/api/info")).toMatchObject(unreachable("cloud"));
            cloudAnswer = () => ({ status: 200 });
        });

        it("but podinfo's own errors pass through: a 500 is the cloud's answer", async () => {
            cloudAnswer = () => ({ status: 500, body: '{"code":500}' });
            expect(await get("/cloud/api/info")).toMatchObject({ status: 500, code: 500 });
            cloudAnswer = () => ({ status: 200 });
        });

        it("the cloud does not answer: after the read timeout (1 s here), not never", async () => {
            cloudAnswer = () => "hang";
            const started = performance.now();
            expect(await get("/cloud/api/info", impatient)).toMatchObject(unreachable("cloud"));
            expect(performance.now() - started).toBeLessThan(5_000);
            cloudAnswer = () => ({ status: 200 });
        });
    });
});
