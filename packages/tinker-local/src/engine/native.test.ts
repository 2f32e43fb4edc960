import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EngineUnavailableError, loadAddon, loadAddonFrom } from "./native.js";

describe("native addon loading", () => {
  it("names the install command when the addon is missing", () => {
    expect(() => loadAddonFrom("/nonexistent/crucible_engine.node")).toThrow(EngineUnavailableError);
    expect(() => loadAddonFrom("/nonexistent/crucible_engine.node")).toThrow(/apt-get install libtorch-dev/);
  });

  it("names the install command when the addon cannot be loaded", () => {
    const dir = mkdtempSync(join(os.tmpdir(), "addon-"));
    try {
      const bad = join(dir, "broken.node");
      writeFileSync(bad, "not a shared object");
      expect(() => loadAddonFrom(bad)).toThrow(/npm rebuild @crucible\/tinker-local/);
      expect(() => loadAddonFrom(bad)).toThrow(/LIBTORCH/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("pins torch threads to the configured count", () => {
    const a = loadAddon();
    expect(a.getNumThreads()).toBeGreaterThan(0);
    expect(a.getNumThreads()).toBeLessThanOrEqual(os.availableParallelism());
    expect(process.env.OMP_NUM_THREADS).toBeDefined();
    // idle OpenMP workers sleep rather than spin (unless the user chose otherwise before loading)
    expect(process.env.OMP_WAIT_POLICY).toBeDefined();
  });
});
