// guess_number end to end on the embedded backend: the CLI runs RL steps of multi-turn games; every turn's reward
// and the env's answer are recomputed from the logged guess and target, and the episode limits hold.
import { rmSync } from "node:fs";
import { join } from "node:path";
import { guessNumberSplit, judgeGuess } from "@crucible/env";
import { afterAll, describe, expect, it } from "vitest";
import { crucible, e2eDir, metricNames, readJsonl } from "../testing/e2e.js";

const dir = e2eDir("guess_number");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Step {
  ob_len: number;
  ac_len: number;
  reward: number;
  episode_done: boolean;
  metrics: Record<string, number>;
  logs: { guess: string; feedback: string; target: number };
}

describe("guess_number", () => {
  it("plays multi-turn games within the limits; rewards come from the game state", {
    timeout: 240_000,
  }, async () => {
    const log = join(dir, "run");
    const [maxTurns, maxTokens, maxSampled] = [4, 8, 20];
    const r = await crucible([
      "run",
      "guess_number",
      "backend=local",
      "model_name=crucible/tiny-bytes",
      "batch_size=1",
      "group_size=2",
      `max_tokens=${maxTokens}`,
      `max_turns=${maxTurns}`,
      `max_sampled_tokens=${maxSampled}`,
      "max_steps=1",
      "eval_every=0",
      "save_every=0",
      `log_path=${log}`,
    ]);
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    const rows = readJsonl(join(log, "metrics.jsonl"));
    expect(rows.map((m) => m["step"])).toEqual([0]);
    expect(metricNames(rows)).toContain("env/all/turns_per_episode");

    const trajs = readJsonl(join(log, "iteration_000000", "train_rollout_summaries.jsonl"));
    expect(trajs).toHaveLength(2);
    const train = new Set(guessNumberSplit().train.slice(0, 1)); // batch 0 = the first training target
    let multiTurn = 0;
    for (const t of trajs) {
      const steps = t["steps"] as Step[];
      expect(steps.length).toBeGreaterThanOrEqual(1);
      expect(steps.length).toBeLessThanOrEqual(maxTurns);
      if (steps.length > 1) multiTurn++;
      expect(steps.map((s) => s.episode_done)).toEqual(steps.map((_, i) => i === steps.length - 1));
      let sampled = 0;
      for (const s of steps) {
        expect(train.has(s.logs.target)).toBe(true);
        expect(judgeGuess(s.logs.guess, s.logs.target)).toEqual({
          feedback: s.logs.feedback,
          reward: s.reward,
        });
        expect(s.ac_len).toBeLessThanOrEqual(maxTokens);
        sampled += s.ac_len;
      }
      expect(sampled).toBeLessThanOrEqual(maxSampled);
      expect(t["total_reward"]).toBe(steps.reduce((a, s) => a + s.reward, 0));
      const last = steps.at(-1)!;
      const reason = Object.keys(last.metrics).find((k) => k.startsWith("stop/"));
      if (reason === "stop/max_turns") expect(steps).toHaveLength(maxTurns);
      else if (reason === "stop/max_sampled_tokens") expect(sampled).toBe(maxSampled);
      else expect([reason, last.logs.feedback]).toEqual(["stop/completed", "Correct"]);
    }
    expect(multiTurn).toBeGreaterThan(0);
  });
});
