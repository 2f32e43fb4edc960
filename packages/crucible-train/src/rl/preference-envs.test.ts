// Pairwise preference envs: matchup schedules (the cookbook's reference pairs), tournament rewards on real
// rendered answers judged by a deterministic length preference, and the dataset's batches.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Trajectory } from "@crucible/env";
import { getRenderer, getTextContent, getTokenizerSync } from "@crucible/renderers";
import { ModelInput } from "@crucible/tinker-client";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { JsonlComparisonBuilder } from "../preference/comparison-builders.js";
import type { PreferenceModel } from "../preference/preference-model.js";
import {
  getPairs,
  getPairsChunked,
  PairwisePreferenceGroupBuilder,
  PreferenceEnv,
  pairwisePreferenceRLDatasetBuilder,
} from "./preference-envs.js";

const renderer = getRenderer("role_colon", getTokenizerSync("Qwen/Qwen3-8B"));
const tok = renderer.tokenizer;
const prompt = [{ role: "user", content: "Who are you?" }];

/** B preferred (1) when B has fewer characters, as the shorter recipe's model. */
const shorterWins: PreferenceModel = async (c) => {
  const a = getTextContent(c.completionA[0]!).length;
  const b = getTextContent(c.completionB[0]!).length;
  return Math.sign(a - b);
};

/** A single-turn trajectory whose action is the encoded text (as a sampler would have produced it). */
function trajectory(text: string): Trajectory {
  return {
    transitions: [
      {
        ob: ModelInput.empty(),
        ac: { tokens: tok.encode(text), maybeLogprobs: null, stopReason: "stop" },
        reward: 0,
        episodeDone: true,
        metrics: {},
        logs: {},
      },
    ],
    finalOb: ModelInput.empty(),
    stopReason: null,
  };
}

const tmp = mkdtempSync(join(tmpdir(), "crucible-pref-envs-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("matchup schedules", () => {
  it("match the cookbook's get_pairs / get_pairs_chunked", () => {
    expect(getPairs(3, "all_pairs_both_ways")).toEqual([
      [0, 1],
      [0, 2],
      [1, 0],
      [1, 2],
      [2, 0],
      [2, 1],
    ]);
    // The example in preference_envs.py: group size 3, six players.
    expect(getPairsChunked(6, "all_pairs_one_way", 3)).toEqual([
      [0, 1],
      [0, 2],
      [1, 2],
      [3, 4],
      [3, 5],
      [4, 5],
    ]);
    expect(() => getPairs(2, "round_robin" as never)).toThrow(/invalid tournament pattern/);
  });

  it("every player of a chunk meets the same number of opponents", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 6 }), (n, chunk) => {
        const pairs = getPairsChunked(n, "all_pairs_both_ways", chunk);
        const count = Array.from({ length: n }, () => 0);
        for (const [i, j] of pairs) {
          expect(i).not.toBe(j);
          expect(Math.floor(i / chunk)).toBe(Math.floor(j / chunk));
          count[i]!++;
          count[j]!++;
        }
        for (let k = 0; k < n; k++) {
          const size = Math.min(chunk, n - Math.floor(k / chunk) * chunk);
          expect(count[k]).toBe(2 * (size - 1));
        }
      }),
    );
  });
});

describe("PairwisePreferenceGroupBuilder", () => {
  it("reward = mean win-minus-loss + (stop-sequence ending − 1)", async () => {
    const g = new PairwisePreferenceGroupBuilder({
      convoPrefix: prompt,
      policyRenderer: renderer,
      tournamentPattern: "all_pairs_both_ways",
      preferenceModel: shorterWins,
      numEnvs: 4,
    });
    const envs = await g.makeEnvs();
    expect(envs).toHaveLength(4);
    const obs = await envs[0]!.initialObservation();
    expect(obs.kind === "observation" && tok.decode(ModelInput.toInts(obs.observation))).toBe(
      "User: Who are you?\n\nAssistant:",
    );
    const step = await envs[0]!.step([1, 2, 3]);
    expect([step.reward, step.episodeDone]).toEqual([0, true]);
    // Lengths 11, 2, 7, 2; the last answer was cut off (no "\n\nUser:").
    const trajs = [" Hello there\n\nUser:", " Hi\n\nUser:", " Hey you\n\nUser:", " Yo"].map(trajectory);
    const out = await g.computeGroupRewards(trajs);
    // Both-ways round robin: win-minus-loss_k = mean over opponents j of sign(len_j − len_k).
    expect(out.map((o) => o.metrics["win_minus_loss"])).toEqual([-1, 2 / 3, -1 / 3, 2 / 3]);
    expect(out.map((o) => o.metrics["format"])).toEqual([1, 1, 1, 0]);
    expect(out.map((o) => o.metrics["response_chars"])).toEqual([11, 2, 7, 2]);
    expect(out.map((o) => o.reward)).toEqual([-1, 2 / 3, -1 / 3, 2 / 3 - 1]);
    expect(g.loggingTags()).toEqual(["pair_pref"]);
  });

  it("preprocesses answers before judging them", async () => {
    const seen: string[] = [];
    const g = new PairwisePreferenceGroupBuilder({
      convoPrefix: prompt,
      policyRenderer: renderer,
      tournamentPattern: "all_pairs_one_way",
      preferenceModel: async (c) => {
        seen.push(getTextContent(c.completionA[0]!), getTextContent(c.completionB[0]!));
        return 0;
      },
      numEnvs: 2,
      contentPreprocessor: (s) => s.replace(/<think>.*<\/think>/s, "").trim(),
    });
    const out = await g.computeGroupRewards(
      [" <think>hm</think> Yes\n\nUser:", " No\n\nUser:"].map(trajectory),
    );
    expect(seen).toEqual(["Yes", "No"]);
    expect(out.map((o) => o.metrics["response_chars"])).toEqual([3, 2]);
  });
});

describe("pairwisePreferenceRLDatasetBuilder", () => {
  it("one group per comparison prompt, batch_size prompts per batch", async () => {
    const file = join(tmp, "cmp.jsonl");
    const row = (q: string) =>
      JSON.stringify({
        prompt_conversation: [{ role: "user", content: q }],
        completion_A: [{ role: "assistant", content: "x" }],
        completion_B: [{ role: "assistant", content: "y" }],
        label: "A",
      });
    writeFileSync(file, ["Q0?", "Q1?", "Q2?", "Q3?", "Q4?"].map(row).join("\n"));
    const { train, test } = await pairwisePreferenceRLDatasetBuilder({
      comparisonBuilder: new JsonlComparisonBuilder(file, 0, null),
      renderer,
      batchSize: 2,
      groupSize: 3,
      preferenceModelBuilder: () => shorterWins,
    })();
    expect(test).toBeNull();
    expect(train.length).toBe(2);
    const batch = train.getBatch(1) as PairwisePreferenceGroupBuilder[];
    expect(batch.map((g) => getTextContent(g.opts.convoPrefix[0]!))).toEqual(["Q2?", "Q3?"]);
    const envs = await batch[0]!.makeEnvs();
    expect(envs).toHaveLength(3);
    expect(envs[0]).toBeInstanceOf(PreferenceEnv);
  });
});
