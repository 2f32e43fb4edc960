import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import { LongFilesFirstSequencer } from "./tools/scripts/vitest-sequencer.js";

// Tests import sibling packages from source, so `pnpm test` needs no build step first.
const pkg = (dir: string) => fileURLToPath(new URL(`${dir}/src/index.ts`, import.meta.url));

export default defineConfig({
  resolve: {
    alias: {
      "@crucible/hub": pkg("./packages/hub"),
      "@crucible/tinker-client": pkg("./packages/tinker-client"),
      "@crucible/weights": pkg("./packages/weights"),
      "@crucible/renderers": pkg("./packages/renderers"),
      "@crucible/tinker-local": pkg("./packages/tinker-local"),
      "@crucible/log": pkg("./packages/crucible-log"),
      "@crucible/grading": pkg("./packages/crucible-grading"),
      "@crucible/env": pkg("./packages/crucible-env"),
      "@crucible/eval": pkg("./packages/crucible-eval"),
      "@crucible/train": pkg("./packages/crucible-train"),
      "@crucible/recipes": pkg("./recipes"),
    },
  },
  test: {
    // Relative to the root vitest runs in: the repository (`pnpm test`) or one package (its own `test` script).
    include: ["**/*.test.ts"],
    exclude: ["**/node_modules/**", "**/dist/**"],
    // One temp root per run (TMPDIR), removed at the end: see tools/scripts/vitest-global-setup.ts.
    globalSetup: [fileURLToPath(new URL("./tools/scripts/vitest-global-setup.ts", import.meta.url))],
    // Yields to the event loop after each test and names tests that block it (vitest fails a run whose worker
    // cannot answer its runner for 60 s).
    setupFiles: [fileURLToPath(new URL("./tools/scripts/vitest-loop-setup.ts", import.meta.url))],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Two test processes on a 2-core machine: one engine thread each, so OpenMP teams never oversubscribe the
    // cores (spinning teams that share a core slowed engine steps 10-30x in measurements).
    // Tests never reach the real Hugging Face hub: offline unless a test starts a LocalHub and says otherwise.
    env: {
      CRUCIBLE_ENGINE_THREADS: process.env.CRUCIBLE_ENGINE_THREADS ?? "1",
      HF_HUB_OFFLINE: process.env.HF_HUB_OFFLINE ?? "1",
    },
    // The pack check and other long files start first (a fresh clone has no durations to order by).
    sequence: { sequencer: LongFilesFirstSequencer },
    pool: "forks",
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
});
