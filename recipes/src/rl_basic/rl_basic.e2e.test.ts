// rl_basic end to end on the embedded backend: two steps of the RL library loop on the arithmetic env with
// the byte-level tiny model, logging the library's env and optimizer metrics and a final checkpoint.
import { rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { crucible, e2eDir, metricNames, readJsonl } from "../testing/e2e.js";

const dir = e2eDir("rl_basic");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("rl_basic e2e (local backend, crucible/tiny-bytes)", () => {
  it("runs the RL loop with rl_basic's defaults overridden small", { timeout: 120_000 }, async () => {
    const log = join(dir, "run");
    const r = await crucible([
      "run",
      "rl_basic",
      "backend=local",
      "model_name=crucible/tiny-bytes",
      "groups_per_batch=4",
      "group_size=4",
      "max_tokens=8",
      "max_steps=2",
      "save_every=0",
      `log_path=${log}`,
    ]);
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    const rows = readJsonl(join(log, "metrics.jsonl"));
    expect(rows.map((m) => m["step"])).toEqual([0, 1]);
    expect(metricNames(rows)).toContain("env/all/reward/total");
    const ck = readJsonl(join(log, "checkpoints.jsonl"));
    expect(ck.at(-1)!["name"]).toBe("final");
  });

  it("keeps the cookbook's defaults", async () => {
    const r = await crucible(["run", "rl_basic", "--dry-run", "backend=local"]);
    const cfg = JSON.parse(r.out.join("\n"));
    expect(cfg).toMatchObject({
      env: "arithmetic",
      group_size: 16,
      learning_rate: 4e-5,
      max_tokens: 256,
      eval_every: 0,
      log_path: "/tmp/tinker-examples/rl_basic",
    });
  });
});
