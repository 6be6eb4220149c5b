// `npm run bench:parallel` and `npm run bench:scale`: the measurements behind docs/scale.md, run with
// vitest (it runs the TypeScript and installs the mocks the program needs, as for the tests), one file
// each, printing their figures. Not part of `npm test`: test/bench.test.ts runs both on tiny sizes.
import { defineConfig } from "vitest/config";

export default defineConfig({
    test: {
        include: ["bench/**/*.measure.ts"],
        setupFiles: ["test/setup.ts"],
        testTimeout: 3_600_000,
    },
});
