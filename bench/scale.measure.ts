// npm run bench:scale: the cloud stack under mocks with 10, 100 and 1,000 edge sites (BENCH_SITES overrides).
import { it } from "vitest";
import { formatScale, measureCloudScale } from "./scale";

const counts = (process.env.BENCH_SITES ?? "10 100 1000").split(/\s+/).filter(Boolean).map(Number);

it(`the cloud stack with ${counts.join(", ")} edge sites`, async () => {
    console.log(formatScale(await measureCloudScale(counts)));
});
