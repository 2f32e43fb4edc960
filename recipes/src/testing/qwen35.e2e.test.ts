// The recipes on a Qwen3.5 model directory (model_name=<dir>): the built-in tiny Qwen3.5 written out as a plain HF
// directory (qwen3_5_text config, safetensors, tokenizer), so the run takes the local-directory path a user's model
// takes. SFT then RL, each a couple of steps on the embedded backend.
import { rmSync } from "node:fs";
import { join } from "node:path";
import { ensureBuiltinModel } from "@crucible/tinker-local";
import { afterAll, describe, expect, it } from "vitest";
import { crucible, e2eDir, readJsonl } from "./e2e.js";

const root = e2eDir("qwen35");
afterAll(() => rmSync(root, { recursive: true, force: true }));
const modelDir = ensureBuiltinModel("crucible/tiny-qwen3_5", join(root, "models"));

describe("recipes e2e on a Qwen3.5 directory (hybrid Gated DeltaNet + attention)", () => {
  it("sl_basic trains 2 steps and math_rl runs 1 RL step with model_name=<dir>", {
    timeout: 120_000,
  }, async () => {
    const sl = join(root, "sl");
    const a = await crucible([
      "run",
      "sl_basic",
      "backend=local",
      `model_name=${modelDir}`,
      `log_path=${sl}`,
      "max_steps=2",
      "batch_size=4",
      "max_length=128",
      "eval_every=0",
      "save_every=0",
    ]);
    expect(a.err).toEqual([]);
    expect(a.code).toBe(0);
    const rows = readJsonl(join(sl, "metrics.jsonl"));
    expect(rows.map((m) => m["step"])).toEqual([0, 1]);
    for (const r of rows) expect(Number.isFinite(r["train_mean_nll"])).toBe(true);

    const rl = join(root, "rl");
    const b = await crucible([
      "run",
      "math_rl",
      "backend=local",
      `model_name=${modelDir}`,
      `log_path=${rl}`,
      "groups_per_batch=2",
      "group_size=2",
      "max_tokens=4",
      "max_steps=1",
      "save_every=0",
      "eval_every=0",
    ]);
    expect(b.err).toEqual([]);
    expect(b.code).toBe(0);
    const rlRows = readJsonl(join(rl, "metrics.jsonl"));
    expect(rlRows.map((m) => m["step"])).toEqual([0]);
    expect(rlRows[0]!["env/all/total_episodes"]).toBe(4);
  });

  it("chat_sl, dpo and on-policy distillation (Qwen3.5 student and teacher) run 2 steps with model_name=<dir>", {
    timeout: 180_000,
  }, async () => {
    const runs: [string, string[], string][] = [
      ["chat_sl", ["batch_size=4", "max_length=128", "eval_every=0", "save_every=0"], "train_mean_nll"],
      ["dpo", ["batch_size=4", "eval_every=0", "save_every=0", "learning_rate=1e-4"], "dpo_loss"],
      [
        "distillation",
        [
          `teacher_model=${modelDir}`,
          "groups_per_batch=2",
          "group_size=2",
          "max_tokens=4",
          "eval_every=0",
          "save_every=0",
        ],
        "teacher_kl",
      ],
    ];
    for (const [recipe, args, metric] of runs) {
      const log = join(root, recipe);
      const r = await crucible([
        "run",
        recipe,
        "backend=local",
        `model_name=${modelDir}`,
        `log_path=${log}`,
        "max_steps=2",
        ...args,
      ]);
      expect(r.err, recipe).toEqual([]);
      expect(r.code, recipe).toBe(0);
      const rows = readJsonl(join(log, "metrics.jsonl"));
      expect(
        rows.map((m) => m["step"]),
        recipe,
      ).toEqual([0, 1]);
      for (const row of rows) expect(Number.isFinite(row[metric]), `${recipe} ${metric}`).toBe(true);
    }
  });
});
