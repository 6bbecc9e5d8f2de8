// Vitest settings: every test/**/*.test.ts in forked processes with 60 s timeouts, one
// temp folder per run (test/global-setup.ts), the IR validator compiled from the schema.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    // One temp folder per run, removed at the end (test/global-setup.ts).
    globalSetup: ["test/global-setup.ts"],
    // The IR validator from the schema (the CLI uses the build's precompiled one).
    setupFiles: ["test/setup-ir-validator.ts"],
  },
});
