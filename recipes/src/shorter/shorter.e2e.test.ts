// shorter end to end on the embedded backend: RL against the length preference model makes the byte-level tiny
// model's answers shorter (measured: ac_tokens_per_turn per step, as the cookbook's README says to watch).
import { rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { crucible, e2eDir, metricNames, readJsonl } from "../testing/e2e.js";

const dir = e2eDir("shorter");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe("shorter e2e (local backend, crucible/tiny-bytes)", () => {
  // Not in the default run: at lr 1e-2 the policy sometimes collapses to always-max-length answers (a CI run went
  // 15.8 → 11.2 at step 5, then 16.0 from step 6 on). Run it by hand with CRUCIBLE_SHORTER_E2E=1 until tuned.
  it.runIf(process.env.CRUCIBLE_SHORTER_E2E === "1")(
    "answers get shorter under the pairwise length preference",
    { timeout: 240_000 },
    async () => {
      const log = join(dir, "run");
      const r = await crucible([
        "run",
        "shorter",
        "backend=local",
        "model_name=crucible/tiny-bytes",
        "batch_size=8",
        "group_size=8",
        "max_tokens=16",
        "learning_rate=1e-2",
        "max_steps=14",
        "save_every=0",
        "eval_every=0",
        `log_path=${log}`,
      ]);
      expect(r.err).toEqual([]);
      expect(r.code).toBe(0);
      const rows = readJsonl(join(log, "metrics.jsonl"));
      expect(rows.map((m) => m["step"])).toEqual([...Array(14).keys()]);
      const names = metricNames(rows);
      for (const k of [
        "env/all/win_minus_loss",
        "env/all/format",
        "env/all/ac_tokens_per_turn",
        "kl_pre_post_v1",
      ])
        expect(names, k).toContain(k);
      const tokens = rows.map((m) => m["env/all/ac_tokens_per_turn"] as number);
      console.log(`shorter: ac_tokens_per_turn ${tokens.map((t) => t.toFixed(1)).join(", ")}`);
      // Untrained, almost every answer runs to max_tokens (16); the length preference teaches it to stop early.
      // Sampling is unseeded and lr 1e-2 is aggressive, so curves vary: four runs at batch 8 gave 15.8 → 1.1, 15.5 →
      // 1.0, 15.5 → 1.3, and 15.8 → 7.0 (step 10) → 13.0 (a rebound); at batch 4 / 12 steps one CI run never moved
      // (15.6). Required: some two consecutive steps at under half the start, and the end shorter than the start.
      const start = mean(tokens.slice(0, 2));
      expect(start).toBeGreaterThan(12);
      const pairs = tokens.slice(1).map((t, i) => (t + tokens[i]!) / 2);
      expect(Math.min(...pairs)).toBeLessThan(start / 2);
      expect(mean(tokens.slice(-2))).toBeLessThan(start);
      // Win-minus-loss is zero-sum within a group (every answer plays as many matchups as the others).
      for (const m of rows) expect(m["env/all/win_minus_loss"] as number).toBeCloseTo(0, 9);
    },
  );

  it("keeps the cookbook's defaults", async () => {
    const r = await crucible([
      "run",
      "shorter",
      "--dry-run",
      "backend=remote",
      "base_url=http://127.0.0.1:1",
    ]);
    expect(r.err).toEqual([]);
    expect(JSON.parse(r.out.join("\n"))).toMatchObject({
      model_name: "Qwen/Qwen3.5-4B",
      renderer_name: "qwen3_5_disable_thinking",
      batch_size: 32,
      group_size: 16,
      learning_rate: 3e-5,
      max_tokens: 64,
      eval_every: 5,
    });
  });
});
