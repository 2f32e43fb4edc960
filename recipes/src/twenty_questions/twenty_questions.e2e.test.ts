// twenty_questions end to end on the embedded backend: the policy plays against an answerer model sampled through
// the same backend; every turn's answer comes from that model, rewards are recomputed from the logged question and
// secret word, and the episode limits hold.
import { rmSync } from "node:fs";
import { join } from "node:path";
import { twentyQuestionsReward, twentyQuestionsSplit } from "@crucible/env";
import { afterAll, describe, expect, it } from "vitest";
import { crucible, e2eDir, readJsonl } from "../testing/e2e.js";

const dir = e2eDir("twenty_questions");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Step {
  ac_len: number;
  reward: number;
  episode_done: boolean;
  metrics: Record<string, number>;
  logs: { turn: number; player: string; answerer: string; secret: string };
}

describe("twenty_questions", () => {
  it("plays multi-turn games against a sampled answerer within the limits", {
    timeout: 240_000,
  }, async () => {
    const log = join(dir, "run");
    const maxTurns = 3;
    const r = await crucible([
      "run",
      "twenty_questions",
      "backend=local",
      "model_name=crucible/tiny-bytes",
      "batch_size=1",
      "group_size=2",
      "max_tokens=8",
      "answerer_max_tokens=4",
      `max_turns=${maxTurns}`,
      "max_steps=1",
      "eval_every=0",
      "save_every=0",
      `log_path=${log}`,
    ]);
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    expect(readJsonl(join(log, "metrics.jsonl")).map((m) => m["step"])).toEqual([0]);

    const trajs = readJsonl(join(log, "iteration_000000", "train_rollout_summaries.jsonl"));
    expect(trajs).toHaveLength(2);
    const secret = twentyQuestionsSplit().train[0]; // batch 0, group 0
    const answers: string[] = [];
    for (const t of trajs) {
      const steps = t["steps"] as Step[];
      expect(steps.map((s) => s.logs.turn)).toEqual(steps.map((_, i) => i + 1));
      expect(steps.map((s) => s.episode_done)).toEqual(steps.map((_, i) => i === steps.length - 1));
      for (const s of steps) {
        expect(s.logs.secret).toBe(secret);
        expect(s.reward).toBe(twentyQuestionsReward(s.logs.player, secret!));
        answers.push(String(s.logs.answerer));
        expect(s.ac_len).toBeLessThanOrEqual(8);
      }
      const reason = Object.keys(steps.at(-1)!.metrics).find((k) => k.startsWith("stop/"));
      // a random tiny model does not find the word: the game runs to the question cap
      if (reason !== "stop/completed") expect([reason, steps.length]).toEqual(["stop/max_turns", maxTurns]);
    }
    // one answer per turn, sampled from the answerer model
    expect(answers).toHaveLength(trajs.reduce((n, t) => n + (t["steps"] as Step[]).length, 0));
    expect(answers.some((a) => a.length > 0)).toBe(true);
  });
});
