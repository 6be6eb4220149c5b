// The benchmarks behind docs/scale.md (bench/, `npm run bench:parallel` and `npm run bench:scale`)
// work: run here on tiny sizes, their timings not asserted (they depend on the machine), what they
// count is.
import { describe, expect, it } from "vitest";
import { benchParallel, formatBench } from "../bench/parallel";
import { formatScale, measureCloudScale, stateBytes } from "../bench/scale";
import { GATEWAY_PROBE } from "../components/multiclusterGateway";
import { maxGatewaySourceCidrs } from "../config";
import { docSection } from "./docs";

describe("the --parallel benchmark", () => {
    it("brings up the cloud and the sites through the real port twice, one at a time and N at a time, and prints them side by side", async () => {
        const result = await benchParallel({ sites: 3, parallel: 2, edgeUpMs: 300, cloudUpMs: 20, callSamples: 2 });
        expect(result.sequential).toMatchObject({ parallel: 1, edgeUpsAtOnce: 1, callsPerSite: 5 });
        expect(result.parallel).toMatchObject({ parallel: 2, edgeUpsAtOnce: 2, callsPerSite: 5 });
        expect(result.goalMs).toBeCloseTo(result.sequential.cloudMs + 2 * result.siteMs);
        expect(result.updatesOnlyMs).toBe(20 + 2 * 300);
        const printed = formatBench(result);
        expect(printed).toMatch(/^3 edge sites; each edge `pulumi up` takes 300 ms in the stand-in CLI, the cloud's 20 ms\n/);
        expect(printed).toMatch(/\n +--parallel 1 {2}--parallel 2\nwall time +\d+\.\d s +\d+\.\d s\n/);
        expect(printed).toMatch(/\ngoal for --parallel 2: the cloud plus ⌈3\/2⌉ = 2 edge sites, .*: (within|NOT within) 10%\n/);
    });
});

describe("the scale measurement", () => {
    it("runs the cloud stack under mocks per count of sites: each site adds its 7 resources and their state", async () => {
        const [one, three] = await measureCloudScale([1, 3]);
        expect(three.resources - one.resources).toBe(2 * 7);
        expect(stateBytes(three)).toBeGreaterThan(stateBytes(one));
        expect(three.stackOutputsBytes).toBeGreaterThan(one.stackOutputsBytes);
        expect(formatScale([one, three])).toMatch(/\neach site adds 7 resources and \d+\.\d KiB of state JSON \(from 1 to 3 sites\)\n$/);
    });
});

describe("docs/scale.md", () => {
    it("computes its watches, probes and CIDR limits from the constants the program uses", () => {
        const figures = docSection("Figures for 10, 100 and 1,000 sites");
        for (const sites of [10, 100, 1000]) {
            const row = figures.split("\n").find((line) => line.startsWith(`| ${sites.toLocaleString("en")} |`))!;
            const watches = `${(7 * sites).toLocaleString("en")} (${(17 * sites).toLocaleString("en")} HA)`;
            const probes = `${Number((sites / GATEWAY_PROBE.periodSeconds).toFixed(1))}/s`;
            expect(row.split(" | ").slice(-2)).toEqual([watches, `${probes} |`]);
        }
        expect(docSection("What one edge site adds to the cloud")).toContain(`every ${GATEWAY_PROBE.periodSeconds} seconds`);
        expect(docSection("Where it breaks first")).toContain(
            `at most ${maxGatewaySourceCidrs(2)} CIDRs with the default 2\n   availability zones, ${maxGatewaySourceCidrs(3)} with 3`,
        );
    });
});
