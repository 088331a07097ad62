import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    // Integration and e2e tests start real servers and spawn the CLI; 2-core CI machines are slow.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ["default"],
    globalSetup: ["tests/global-setup.ts"],
    // GitHub's workflow parser imports its JSON schema without an import attribute, which Node
    // refuses; letting vite transform it (as it does our own files) loads it.
    server: { deps: { inline: ["@actions/workflow-parser"] } },
  },
});
