// npm run bench:parallel: 20 sites, --parallel 4, 2000 ms per update; BENCH_ARGS="sites parallel edge-ms cloud-ms" to change them.
import { it } from "vitest";
import { benchParallel, formatBench } from "./parallel";

const [sites = 20, parallel = 4, edgeUpMs = 2000, cloudUpMs = 2000] = (process.env.BENCH_ARGS ?? "")
    .split(/\s+/)
    .filter(Boolean)
    .map(Number);

it(`--parallel 1 and --parallel ${parallel}, ${sites} sites`, async () => {
    console.log(formatBench(await benchParallel({ sites, parallel, edgeUpMs, cloudUpMs })));
});
