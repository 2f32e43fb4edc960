// rlhf end to end on the embedded backend (crucible/tiny-bytes, bundled shorter-is-better comparisons): SFT, a
// reward model whose held-out pairwise accuracy rises above chance, then RL of the SFT policy against it, which
// raises the policy's win rate against the held-out reference answers as the reward model judges them.
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { crucible, e2eDir, readJsonl } from "../testing/e2e.js";

const dir = e2eDir("rlhf");
const RL_STEPS = 21;
/** RL's best win rate after step 0 (chance 0.5), not its last: a policy can later jump to ~14-character answers
 * that lose to the references (seen twice in 27 RL runs: 0.66 → 0.28, 0.75 → 0.27; README.md). */
const BEST_WIN_RATE_MIN = 0.6;
/** Its rise over step 0 when that starts below BEST_WIN_RATE_MIN. */
const WIN_RATE_RISE_MIN = 0.2;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("rlhf e2e (local backend, crucible/tiny-bytes)", () => {
  it("trains a reward model above chance and runs RL against it", { timeout: 900_000 }, async () => {
    const log = join(dir, "run");
    const r = await crucible([
      "run",
      "rlhf",
      "backend=local",
      "batch_size=4",
      "rm_swap=true",
      "lora_rank=32",
      "sft_max_steps=2",
      "sft_learning_rate=1e-3",
      "rm_max_steps=48",
      "rm_num_epochs=2",
      "rm_learning_rate=2e-3",
      `rl_max_steps=${RL_STEPS}`,
      "rl_group_size=8",
      "rl_max_tokens=16",
      "rl_learning_rate=1e-2",
      "eval_every=5",
      "save_every=0",
      `log_path=${log}`,
    ]);
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    for (const stage of ["sft", "rm", "rl"])
      expect(existsSync(join(log, stage, "checkpoints.jsonl")), stage).toBe(true);

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

    // Stage 3: the reward model judges every matchup (win-minus-loss is zero-sum within a group), and its verdict on
    // the policy's answers against the held-out reference answers (test/win_rate, 32 prompts, judged both ways) rises.
    const rl = readJsonl(join(log, "rl", "metrics.jsonl"));
    expect(rl.map((m) => m["step"])).toEqual([...Array(RL_STEPS).keys()]);
    for (const m of rl) expect(m["env/all/win_minus_loss"] as number).toBeCloseTo(0, 9);
    const evals = rl.filter((m) => "test/win_rate" in m);
    expect(evals.map((m) => m["step"])).toEqual([0, 5, 10, 15, 20]);
    const win = evals.map((m) => m["test/win_rate"] as number);
    const chars = rl.map((m) => m["env/all/response_chars"] as number);
    const fmt = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(", ");
    console.log(`rlhf: test/win_rate ${fmt(win)}; env/all/response_chars ${fmt(chars)}`);
    // 17 of the 32 references are padded answers, 15 short ones. Trained policies plateau at 0.766 = (17 + 15/2) / 32:
    // they beat every padded reference in both orders and score 0.5 against the short ones. Untrained byte strings
    // mostly start at 0.30–0.47; 3 reward models in 19 already rated them at 0.73–0.77, leaving RL nothing to gain.
    // The rise is asserted only with CRUCIBLE_RLHF_RISE_E2E=1: a fresh-clone CI run on 2026-12-05 had an RM that
    // rated the untrained policy 0.56 and RL left it there (0.56-0.59, answers stayed ~12 characters), so it is not
    // reliable enough for the default run (README.md).
    if (process.env.CRUCIBLE_RLHF_RISE_E2E === "1") {
      const best = Math.max(...win.slice(1));
      expect(best).toBeGreaterThanOrEqual(BEST_WIN_RATE_MIN);
      if (win[0]! < BEST_WIN_RATE_MIN) expect(best - win[0]!).toBeGreaterThanOrEqual(WIN_RATE_RISE_MIN);
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
