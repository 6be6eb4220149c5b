// npm run check:eks-versions: the comparison on its own, then the real AWS SDK client against a loopback
// HTTP server of this test's that answers EKS's REST API (GET /cluster-versions, GET
// /addons/supported-versions, restJson1 with epoch-second timestamps), in process and as the compiled
// command npm runs.
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import { AddressInfo } from "node:net";
import * as path from "node:path";
import { promisify } from "node:util";
import { EKSClient } from "@aws-sdk/client-eks";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { EKS_VERSIONS } from "../components/eksVersions";
import { EKS_ADDON_NAMES, EksOffer, readEksOffer } from "../scripts/aws/eksOffer";
import { compareEksVersions, formatReport, newestBuild, unofferedPins } from "../scripts/checks/eksVersions";
import type { CommandContext } from "../scripts/cli/command";
import { EKS_VERSIONS_COMMANDS } from "../scripts/cli/eksVersions";
import { OperatorError } from "../scripts/errors";
import { recordingReporter } from "./fakes";
import { compiledCheckout } from "./compiledScripts";

/** What EKS offers in these tests: the table as it is, but for the changes a test makes. */
function offerOfTable(): EksOffer {
    return {
        clusterVersions: Object.entries(EKS_VERSIONS).map(([version, entry]) => ({
            version,
            endOfStandardSupport: entry.endOfStandardSupport,
            endOfExtendedSupport: entry.endOfExtendedSupport,
        })),
        addonBuilds: Object.entries(EKS_VERSIONS).flatMap(([kubernetesVersion, entry]) =>
            Object.entries(EKS_ADDON_NAMES).map(([field, addon]) => ({
                addon,
                kubernetesVersion,
                builds: [entry.addons[field as keyof typeof EKS_ADDON_NAMES]],
            })),
        ),
    };
}

/** EKS today in these tests: 1.34's kube-proxy pin withdrawn, a newer 1.35 kube-proxy, 1.32's date moved, 1.37 released. */
function changedOffer(): EksOffer {
    const offer = offerOfTable();
    const builds = (addon: string, version: string) =>
        offer.addonBuilds.find((item) => item.addon === addon && item.kubernetesVersion === version)!;
    builds("kube-proxy", "1.34").builds = ["v1.34.6-eksbuild.13"];
    builds("kube-proxy", "1.35").builds = ["v1.35.3-eksbuild.13", EKS_VERSIONS["1.35"].addons.kubeProxy, "v1.35.3-eksbuild.9"];
    offer.clusterVersions.find((item) => item.version === "1.32")!.endOfStandardSupport = "2026-03-24";
    offer.clusterVersions.push({ version: "1.37", endOfStandardSupport: "2027-12-01", endOfExtendedSupport: "2028-12-01" });
    return offer;
}

/** A day every version of the table is still in extended support (1.31's ends 2026-11-26). */
const BEFORE_1_31_RETIRES = new Date("2026-11-25T12:00:00Z");

describe("the comparison of the table with what EKS offers", () => {
    it("finds nothing to do when EKS offers exactly the table", () => {
        const rows = compareEksVersions(EKS_VERSIONS, offerOfTable(), BEFORE_1_31_RETIRES);
        expect(rows.every((row) => row.verdict === "ok")).toBe(true);
        // Two dates and three add-ons per version.
        expect(rows).toHaveLength(Object.keys(EKS_VERSIONS).length * 5);
        expect(unofferedPins(rows)).toBe(0);
        expect(formatReport(rows)).toContain("Every pin is offered.");
    });

    it("reports a withdrawn pin, a newer build, a moved date and a new Kubernetes version, and fails only on the withdrawn pin", () => {
        const rows = compareEksVersions(EKS_VERSIONS, changedOffer(), BEFORE_1_31_RETIRES);
        const notOk = rows.filter((row) => row.verdict !== "ok");
        expect(notOk).toEqual([
            { kubernetesVersion: "1.35", item: "kube-proxy", table: "v1.35.3-eksbuild.2", eks: "v1.35.3-eksbuild.13", verdict: "newer" },
            {
                kubernetesVersion: "1.34",
                item: "kube-proxy",
                table: "v1.34.6-eksbuild.2",
                eks: "v1.34.6-eksbuild.13",
                verdict: "not offered",
            },
            { kubernetesVersion: "1.32", item: "end of standard support", table: "2026-03-23", eks: "2026-03-24", verdict: "differs" },
            { kubernetesVersion: "1.37", item: "Kubernetes version", table: "not in the table", eks: "offered", verdict: "newer" },
        ]);
        expect(unofferedPins(rows)).toBe(1);
        expect(formatReport(rows)).toContain("1 pin(s) EKS no longer offers: update components/eksVersions.ts");
    });

    it("calls a version EKS no longer lists not offered", () => {
        const offer = offerOfTable();
        offer.clusterVersions = offer.clusterVersions.filter((item) => item.version !== "1.31");
        const rows = compareEksVersions(EKS_VERSIONS, offer, BEFORE_1_31_RETIRES).filter(
            (row) => row.kubernetesVersion === "1.31" && row.item.startsWith("end of"),
        );
        expect(rows.map((row) => [row.eks, row.verdict])).toEqual([
            ["not listed", "not offered"],
            ["not listed", "not offered"],
        ]);
    });

    it("reports a version past the table's end of extended support once, as retired, and does not fail on it", () => {
        // EKS need not list it, nor its add-ons, once no cluster may run it.
        const offer = offerOfTable();
        offer.clusterVersions = offer.clusterVersions.filter((item) => item.version !== "1.31");
        offer.addonBuilds = offer.addonBuilds.filter((item) => item.kubernetesVersion !== "1.31");
        const rows = compareEksVersions(EKS_VERSIONS, offer, new Date("2026-11-26T00:00:00Z"));
        expect(rows.filter((row) => row.kubernetesVersion === "1.31")).toEqual([
            {
                kubernetesVersion: "1.31",
                item: "Kubernetes version",
                table: "out of extended support on 2026-11-26",
                eks: "not listed",
                verdict: "retired",
            },
        ]);
        expect(unofferedPins(rows)).toBe(0);
        expect(formatReport(rows)).toContain("Every pin is offered.\n1.31 out of extended support: config refuses them;");
        // The day before, the same answer is a failure.
        expect(unofferedPins(compareEksVersions(EKS_VERSIONS, offer, BEFORE_1_31_RETIRES))).toBe(5);
    });

    it("orders builds by their numbers, not as text", () => {
        expect(newestBuild(["v1.13.2-eksbuild.4", "v1.13.2-eksbuild.10", "v1.9.3-eksbuild.22"])).toBe("v1.13.2-eksbuild.10");
        expect(newestBuild(["latest", "v1.2.0-eksbuild.1"])).toBe("v1.2.0-eksbuild.1");
        expect(newestBuild([])).toBeUndefined();
    });
});

/** Seconds since the epoch for a YYYY-MM-DD day at 00:00 UTC: how restJson1 carries an EKS timestamp. */
function epochSeconds(day: string | undefined): number | undefined {
    return day === undefined ? undefined : Date.parse(`${day}T00:00:00Z`) / 1000;
}

interface Received {
    method: string;
    path: string;
    query: Record<string, string>;
    signed: boolean;
}

/** A loopback HTTP server answering EKS's two read APIs from `offer`, cluster versions in pages of 3. */
async function fakeEks(offer: EksOffer): Promise<{ endpoint: string; received: Received[]; close: () => Promise<void> }> {
    const received: Received[] = [];
    const server = http.createServer((request, response) => {
        const url = new URL(request.url ?? "/", "http://127.0.0.1");
        const query = Object.fromEntries(url.searchParams);
        received.push({
            method: request.method ?? "",
            path: url.pathname,
            query,
            signed: /^AWS4-HMAC-SHA256 Credential=fake\//.test(request.headers.authorization ?? ""),
        });
        let body: unknown;
        if (request.method === "GET" && url.pathname === "/cluster-versions") {
            const start = Number(query.nextToken ?? 0);
            const page = offer.clusterVersions.slice(start, start + 3).map((item) => ({
                clusterVersion: item.version,
                clusterType: "eks",
                endOfStandardSupportDate: epochSeconds(item.endOfStandardSupport),
                endOfExtendedSupportDate: epochSeconds(item.endOfExtendedSupport),
            }));
            const next = start + 3 < offer.clusterVersions.length ? String(start + 3) : undefined;
            body = { clusterVersions: page, ...(next ? { nextToken: next } : {}) };
        } else if (request.method === "GET" && url.pathname === "/addons/supported-versions") {
            const builds = offer.addonBuilds.find(
                (item) => item.addon === query.addonName && item.kubernetesVersion === query.kubernetesVersion,
            );
            body = {
                addons: [
                    {
                        addonName: query.addonName,
                        type: "networking",
                        addonVersions: (builds?.builds ?? []).map((build) => ({
                            addonVersion: build,
                            architecture: ["amd64", "arm64"],
                            compatibilities: [{ clusterVersion: query.kubernetesVersion, platformVersions: ["*"], defaultVersion: false }],
                        })),
                    },
                ],
            };
        } else {
            response.writeHead(404, { "content-type": "application/json", "x-amzn-errortype": "NotFoundException" });
            response.end(JSON.stringify({ message: `no route ${request.method} ${url.pathname}` }));
            return;
        }
        response.writeHead(200, { "content-type": "application/json" });
        response.end(JSON.stringify(body));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return {
        endpoint: `http://127.0.0.1:${port}`,
        received,
        close: () => new Promise((resolve) => server.close(() => resolve())),
    };
}

describe("check:eks-versions against a loopback EKS API", () => {
    let eks: Awaited<ReturnType<typeof fakeEks>>;
    beforeAll(async () => {
        eks = await fakeEks(changedOffer());
    });
    afterAll(() => eks.close());

    const client = () =>
        new EKSClient({ endpoint: eks.endpoint, region: "eu-west-1", credentials: { accessKeyId: "fake", secretAccessKey: "fake" } });

    it("reads every page of cluster versions, and each add-on's builds per version, with signed requests", async () => {
        eks.received.length = 0;
        const offer = await readEksOffer(Object.keys(EKS_VERSIONS), client());
        const expected = changedOffer();
        expect(offer.clusterVersions).toEqual(expected.clusterVersions);
        expect(offer.addonBuilds).toHaveLength(expected.addonBuilds.length);
        expect(offer.addonBuilds).toEqual(expect.arrayContaining(expected.addonBuilds));
        const versions = eks.received.filter((request) => request.path === "/cluster-versions");
        expect(versions.map((request) => request.query)).toEqual([
            { includeAll: "true" },
            { includeAll: "true", nextToken: "3" },
            { includeAll: "true", nextToken: "6" },
        ]);
        const addons = eks.received.filter((request) => request.path === "/addons/supported-versions").map((request) => request.query);
        expect(addons).toHaveLength(3 * Object.keys(EKS_VERSIONS).length);
        expect(addons).toContainEqual({ addonName: "coredns", kubernetesVersion: "1.33" });
        expect(eks.received.every((request) => request.method === "GET" && request.signed)).toBe(true);
    });

    /** The command as the entry runs it, its client taking the endpoint, region and credentials from the environment. */
    async function runCommand(endpoint: string) {
        vi.stubEnv("AWS_ENDPOINT_URL_EKS", endpoint);
        vi.stubEnv("AWS_REGION", "eu-west-1");
        vi.stubEnv("AWS_ACCESS_KEY_ID", "fake");
        vi.stubEnv("AWS_SECRET_ACCESS_KEY", "fake");
        vi.stubEnv("AWS_MAX_ATTEMPTS", "1");
        const { reporter, stdout } = recordingReporter();
        try {
            await EKS_VERSIONS_COMMANDS[0].run({}, { reporter } as unknown as CommandContext);
            return { error: undefined, stdout: stdout() };
        } catch (error) {
            return { error: error as OperatorError, stdout: stdout() };
        } finally {
            vi.unstubAllEnvs();
        }
    }

    it("prints the report and fails, naming the withdrawn pins, when a pin is no longer offered", async () => {
        const { error, stdout } = await runCommand(eks.endpoint);
        expect(stdout).toMatch(/^1\.34 +kube-proxy +v1\.34\.6-eksbuild\.2 +v1\.34\.6-eksbuild\.13 +not offered$/m);
        expect(stdout).toMatch(/^1\.37 +Kubernetes version +not in the table +offered +newer$/m);
        expect(error).toBeInstanceOf(OperatorError);
        expect(error?.message).toBe("1 pin(s) of components/eksVersions.ts EKS no longer offers (above)");
        expect(error?.exitCode).toBe(1);
    });

    it("says what it needs when EKS cannot be read", async () => {
        const { error, stdout } = await runCommand(`${eks.endpoint}/elsewhere`);
        expect(stdout).toBe("");
        expect(error?.message).toMatch(/^could not read what EKS offers: no route GET \/elsewhere\/cluster-versions/);
        expect(error?.hint).toContain("eks:DescribeClusterVersions and eks:DescribeAddonVersions");
    });

    it("runs as npm runs it, compiled, taking the endpoint, region and credentials from the environment", async () => {
        const out = compiledCheckout();
        try {
            // Not spawnSync: the fake EKS API answers from this process's event loop.
            const run = await promisify(execFile)(process.execPath, [path.join(out, "bin", "scripts", "mesh.js"), "check:eks-versions"], {
                env: {
                    PATH: process.env.PATH,
                    HOME: out,
                    AWS_ENDPOINT_URL_EKS: eks.endpoint,
                    AWS_REGION: "eu-west-1",
                    AWS_ACCESS_KEY_ID: "fake",
                    AWS_SECRET_ACCESS_KEY: "fake",
                    AWS_CONFIG_FILE: path.join(out, "no-config"),
                    AWS_SHARED_CREDENTIALS_FILE: path.join(out, "no-credentials"),
                    AWS_EC2_METADATA_DISABLED: "true",
                },
                timeout: 60_000,
            }).then(
                (result) => ({ code: 0, stdout: result.stdout, stderr: result.stderr }),
                (error) => ({ code: error.code as number, stdout: error.stdout as string, stderr: error.stderr as string }),
            );
            expect(run.code).toBe(1);
            expect(run.stderr).toContain("error: 1 pin(s) of components/eksVersions.ts EKS no longer offers (above)");
            expect(run.stdout).toMatch(/^1\.35 +kube-proxy +v1\.35\.3-eksbuild\.2 +v1\.35\.3-eksbuild\.13 +newer$/m);
            expect(run.stdout).toContain("1 pin(s) EKS no longer offers");
        } finally {
            fs.rmSync(out, { recursive: true, force: true });
        }
    }, 120_000);
});
