// The demo's plumbing end to end at toy size (the real demo is `pnpm demo`): base eval → SFT (chat_sl) →
// eval → RL (math_rl from the SFT checkpoint) → eval, summary read back from the runs' own files.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { crucible, e2eDir, readJsonl } from "../testing/e2e.js";

describe("demo e2e (toy size)", () => {
  it("runs every stage and reports accuracies from the benchmark result files", {
    timeout: 300_000,
  }, async () => {
    const dir = join(e2eDir("demo"), "demo");
    const r = await crucible([
      "demo",
      `log_path=${dir}`,
      "sft_steps=2",
      "sft_batch_size=8",
      "rl_steps=1",
      "rl_groups_per_batch=2",
      "rl_group_size=2",
      "eval_problems=4",
      "eval_samples=2",
      "max_tokens=3",
    ]);
    expect(r.err).toEqual([]);
    const summary = JSON.parse(readFileSync(join(dir, "demo_summary.json"), "utf8"));
    expect(summary.stages.map((s: { stage: string }) => s.stage)).toEqual([
      "before (base model)",
      "after SFT",
      "after RL",
    ]);
    for (const s of summary.stages) {
      const res = JSON.parse(readFileSync(join(dir, "eval", s.stage, "arithmetic", "result.json"), "utf8"));
      expect(s.accuracy).toBe(res.accuracy);
      expect(res.num_problems).toBe(4);
      expect(res.temperature).toBe(0);
      const sampled = JSON.parse(
        readFileSync(join(dir, "eval", s.stage, "arithmetic_sampled", "result.json"), "utf8"),
      );
      expect(s.sampled_accuracy).toBe(sampled.accuracy);
      expect([sampled.temperature, sampled.num_samples]).toEqual([1, 2]);
    }
    // The SFT run resumed nothing and wrote the usual files; RL started from the SFT checkpoint.
    expect(readJsonl(join(dir, "sft", "metrics.jsonl")).map((m) => m["step"])).toEqual([0, 1]);
    const rl = readJsonl(join(dir, "rl", "metrics.jsonl"));
    expect(rl.map((m) => m["step"])).toEqual([0]);
    expect(summary.rl_train_correct).toEqual({
      first: rl[0]?.["env/all/correct"],
      last: rl[0]?.["env/all/correct"],
    });
    expect(existsSync(join(dir, "rl", "iteration_000000", "train.html"))).toBe(true);
    expect(r.out.join("\n")).toMatch(/Open the training curves: pnpm crucible dashboard .*\/sft .*\/rl/);
  });
});
