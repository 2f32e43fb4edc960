// rlhf end to end on the embedded backend (crucible/tiny-bytes, bundled shorter-is-better comparisons): SFT to a
// policy that answers like the comparisons, mostly padded (warm-start-data.ts), a reward model whose held-out pairwise
// accuracy rises above chance, then RL of the SFT policy against it, after which the reward model prefers the RL
// policy's answers to the SFT policy's (head-to-head.ts).
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openBackend } from "../common/backend.js";
import { rendererFor } from "../math_rl/run.js";
import { crucible, e2eDir, readJsonl } from "../testing/e2e.js";
import { rlVersusSftWinRate } from "./head-to-head.js";
import { bundledComparisonPrompts, writeShortOrPaddedSft } from "./warm-start-data.js";

const dir = e2eDir("rlhf");
const RL_STEPS = 21;
const RL_MAX_TOKENS = 40;
/** SFT rows (batch 4 → 320 steps, 40 passes over the 32 prompts; ~27 s). */
const SFT_ROWS = 1280;
/** RL has moved the reward model's verdict if its head-to-head win rate against the SFT policy's answers exceeds this
 * (0.5 = no preference; 256 answers judged both ways; measured 0.77–0.86 in 23 runs, controls 0.47–0.54, README.md). */
const HEAD_TO_HEAD_MIN = 0.65;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("rlhf e2e (local backend, crucible/tiny-bytes)", () => {
  it("trains a reward model above chance and RL against it wins its verdict", {
    timeout: 900_000,
  }, async () => {
    const log = join(dir, "run");
    const sftData = join(dir, "sft.jsonl");
    writeShortOrPaddedSft(sftData, SFT_ROWS);
    const r = await crucible([
      "run",
      "rlhf",
      "backend=local",
      "batch_size=4",
      "rm_swap=true",
      "lora_rank=32",
      `sft_dataset=${sftData}`,
      `sft_max_steps=${SFT_ROWS / 4}`,
      "sft_learning_rate=3e-3",
      "rm_max_steps=48",
      "rm_num_epochs=2",
      "rm_learning_rate=2e-3",
      `rl_max_steps=${RL_STEPS}`,
      "rl_group_size=8",
      `rl_max_tokens=${RL_MAX_TOKENS}`,
      "rl_learning_rate=5e-4",
      "eval_every=5",
      "save_every=0",
      `log_path=${log}`,
    ]);
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    for (const stage of ["sft", "rm", "rl"])
      expect(existsSync(join(log, stage, "checkpoints.jsonl")), stage).toBe(true);

    // Stage 1 learns its answers (per-token NLL 5.8 → 0.06–0.08 measured).
    const sftNll = readJsonl(join(log, "sft", "metrics.jsonl")).map((m) => m["train_mean_nll"] as number);
    expect(sftNll.at(-1)!).toBeLessThan(0.5);

    // Stage 2: held-out pairwise accuracy (32 comparisons, chance 0.5). Untrained, the model answers neither A nor B.
    const rm = readJsonl(join(log, "rm", "metrics.jsonl")).filter((m) => "test/pairwise_accuracy" in m);
    expect(rm[0]!["step"]).toBe(0);
    expect(rm[0]!["test/pm_invalid_fraction"]).toBe(1);
    const acc = rm.map((m) => `${m["step"]}: ${(m["test/pairwise_accuracy"] as number).toFixed(3)}`);
    console.log(`rlhf: test/pairwise_accuracy ${acc.join(", ")}`);
    const final = rm.at(-1)!;
    expect(final["step"]).toBe(48);
    expect(final["test/pm_invalid_fraction"]).toBe(0);
    expect(final["test/pairwise_accuracy"] as number).toBeGreaterThanOrEqual(0.75);

    // Stage 3: the reward model judges every matchup (win-minus-loss is zero-sum within a group, so the per-step
    // reward cannot rise); the win rate against the held-out references is logged every 5 steps.
    const rl = readJsonl(join(log, "rl", "metrics.jsonl"));
    expect(rl.map((m) => m["step"])).toEqual([...Array(RL_STEPS).keys()]);
    for (const m of rl) expect(m["env/all/win_minus_loss"] as number).toBeCloseTo(0, 9);
    const evals = rl.filter((m) => "test/win_rate" in m);
    expect(evals.map((m) => m["step"])).toEqual([0, 5, 10, 15, 20]);
    const fmt = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(", ");
    const win = evals.map((m) => m["test/win_rate"] as number);
    const mixed = rl.map((m) => m["env/all/by_group/frac_mixed"] as number);
    console.log(`rlhf: test/win_rate ${fmt(win)}; frac_mixed ${fmt(mixed)}`);
    // The reward model tells the SFT policy's answers apart, so RL has a signal from the first step.
    expect(mixed[0]!).toBeGreaterThan(0);

    // What RL optimises: the reward model's verdict, here against two fixed opponents: the policy RL started from
    // (head-to-head) and the held-out references (the win rate above).
    const session = await openBackend("local", null, ["crucible/tiny-bytes"]);
    try {
      const h = await rlVersusSftWinRate({
        service: session.service,
        renderer: await rendererFor("crucible/tiny-bytes", "role_colon"),
        logPath: log,
        prompts: bundledComparisonPrompts(),
        answersPerPrompt: 8,
        maxTokens: RL_MAX_TOKENS,
      });
      console.log(
        `rlhf: head-to-head vs the SFT policy's answers: SFT ${h.sft.toFixed(3)}, RL ${h.rl.toFixed(3)}`,
      );
      expect(Math.abs(h.sft - 0.5)).toBeLessThan(0.15); // the control: judged both ways, a policy ties itself
      expect(h.rl).toBeGreaterThan(HEAD_TO_HEAD_MIN);
    } finally {
      await session.close();
    }
  });

  it("keeps the cookbook's defaults", async () => {
    const r = await crucible(["run", "rlhf", "--dry-run", "backend=local"]);
    expect(r.err).toEqual([]);
    expect(JSON.parse(r.out.join("\n"))).toMatchObject({
      base_model: "crucible/tiny-bytes",
      short_name: "qwen3_5_9b_base",
      log_path: "/tmp/tinker-examples/rlhf-qwen3_5_9b_base",
      run_sft: true,
      run_rm: true,
      run_rl: true,
      lora_rank: 64,
      max_length: 16384,
      sft_learning_rate: 2e-4,
      rm_learning_rate: 3e-4,
      rl_learning_rate: 1e-5,
      rl_max_tokens: 1024,
      rl_group_size: 4,
      save_every: 100,
      eval_every: 20,
      num_groups_to_log: 4,
      wandb_name: "rlhf",
    });
  });
});
