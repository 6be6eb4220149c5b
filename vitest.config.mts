import { defineConfig } from "vitest/config";

export default defineConfig({
    test: {
        include: ["test/**/*.test.ts"],
        // Mocks and the default stack's config are installed before any test imports the program.
        setupFiles: ["test/setup.ts"],
        globalSetup: ["test/globalSetup.ts"],
        testTimeout: 60_000,
        hookTimeout: 60_000,
    },
});
