import { join } from "node:path";
import { type Env, type EnvGroupBuilder, ProblemGroupBuilder, type RLDatasetBuilder } from "@crucible/env";
import { ModelInput } from "@crucible/tinker-client";
import { type RLLossFn, trainRL } from "@crucible/train";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalSetup, startLocal, TINY_MODEL } from "../../src/rl/testing/local-arithmetic.js";
import { observe } from "./observe.js";

let local: LocalSetup;
beforeAll(async () => {
  local = await startLocal("crucible-rl-lossfns-");
});
afterAll(async () => {
  await local?.close();
});

/**
 * One-turn env whose reward is the first sampled token id mod 97, scaled to [0, 1]. A 0/1 reward (even ids) left
 * a group of 4 constant one time in 8, so a substep could see only zero advantages and never exercise the clip
 * range (a flaky failure); with 97 levels on the near-uniform tiny model a constant group is vanishingly rare.
 */
function tokenIdDataset(prompts: string[], groupsPerBatch: number, groupSize: number): RLDatasetBuilder {
  const env = (q: string): Env => ({
    async initialObservation() {
      return {
        kind: "observation",
        observation: local.renderer.buildGenerationPrompt([{ role: "user", content: q }]),
        stopCondition: local.renderer.getStopSequences(),
      };
    },
    async step(action) {
      return {
        reward: ((action[0] ?? 0) % 97) / 96,
        episodeDone: true,
        nextObservation: ModelInput.empty(),
        nextStopCondition: local.renderer.getStopSequences(),
        metrics: {},
        logs: {},
      };
    },
  });
  const train = {
    length: Math.floor(prompts.length / groupsPerBatch),
    getBatch: (i: number): EnvGroupBuilder[] =>
      prompts
        .slice(i * groupsPerBatch, (i + 1) * groupsPerBatch)
        .map((q) => new ProblemGroupBuilder(() => env(q), groupSize, "token_id")),
  };
  return async () => ({ train, test: null });
}

/** Spec §4 (tinker-protocol.md), per token with r = exp(lp − q); returns Σ over the datum. */
function referenceLoss(
  lossFn: RLLossFn,
  cfg: Record<string, number>,
  lp: readonly number[],
  q: readonly number[],
  A: readonly number[],
): number {
  let sum = 0;
  lp.forEach((l, t) => {
    const a = A[t] as number;
    const r = Math.exp(l - (q[t] as number));
    const clip = (x: number) =>
      Math.min(Math.max(x, cfg.clip_low_threshold ?? 0), cfg.clip_high_threshold ?? 0);
    if (lossFn === "ppo") sum -= Math.min(r * a, clip(r) * a);
    else if (lossFn === "cispo") sum -= clip(r) * l * a;
    else if (lossFn === "dro") sum -= l * a - 0.5 * (cfg.beta as number) * (l - (q[t] as number)) ** 2;
    else sum -= r * a;
  });
  return sum;
}

const CASES: [RLLossFn, Record<string, number>][] = [
  ["ppo", { clip_low_threshold: 0.9, clip_high_threshold: 1.1 }],
  ["cispo", { clip_low_threshold: 0.95, clip_high_threshold: 1.05 }],
  ["dro", { beta: 0.1 }],
];

describe("RL loop with ppo / cispo / dro on the local backend", () => {
  it.each(CASES)(
    "%s with loss_fn_config %j: 2 steps × 2 substeps, inputs and loss as specified",
    async (lossFn, lossFnConfig) => {
      const obs = observe(local.service);
      const prompts = Array.from({ length: 4 }, (_, i) => `What is ${i} + ${i + 3}?`);
      const res = await trainRL({
        serviceClient: obs.service,
        modelName: TINY_MODEL,
        loraRank: 4,
        learningRate: 2e-2,
        maxTokens: 4,
        logPath: join(local.dir, lossFn),
        datasetBuilder: tokenIdDataset(prompts, 2, 4),
        lossFn,
        lossFnConfig,
        numSubsteps: 2,
        maxSteps: 2,
        saveEvery: 0,
        evalEvery: 0,
        numGroupsToLog: 0,
      });
      expect(res.history.map((h) => h.step)).toEqual([0, 1]);
      for (const { metrics } of res.history) {
        for (const k of ["env/all/reward/total", "optim/kl_sample_train_v1", "optim/entropy", "loss:sum"])
          expect(Number.isFinite(metrics[k]), k).toBe(true);
      }
      // 2 steps × 2 substeps; every call names the loss and passes the config through unchanged
      expect(obs.calls).toHaveLength(4);
      let nonzeroAdv = 0;
      let clippedTokens = 0; // tokens with A ≠ 0 and r outside [lo, hi]: where the config changes the loss
      for (const call of obs.calls) {
        expect(call.lossFn).toBe(lossFn);
        expect(call.config).toEqual(lossFnConfig);
        expect(call.data).toHaveLength(4); // 8 trajectories per step, split over 2 substeps
        let expected = 0;
        call.data.forEach((d, i) => {
          expect(Object.keys(d.lossFnInputs).sort()).toEqual(["advantages", "logprobs", "target_tokens"]);
          const n = d.lossFnInputs.target_tokens!.data.length;
          const q = d.lossFnInputs.logprobs!.data;
          const A = d.lossFnInputs.advantages!.data;
          expect(q).toHaveLength(n);
          expect(A).toHaveLength(n);
          // prompt positions carry 0 (logprob and advantage); action positions one shared advantage
          const firstAction = q.findIndex((x) => x !== 0);
          expect(A.slice(0, firstAction).every((a) => a === 0)).toBe(true);
          expect(new Set(A.slice(firstAction)).size).toBe(1);
          if (A[n - 1] !== 0) nonzeroAdv++;
          const lp = call.output!.lossFnOutputs[i]!.logprobs!.data;
          expected += referenceLoss(lossFn, lossFnConfig, lp, q, A);
          lp.forEach((l, t) => {
            const r = Math.exp(l - (q[t] as number));
            const lo = lossFnConfig.clip_low_threshold;
            const hi = lossFnConfig.clip_high_threshold;
            if (A[t] !== 0 && lo !== undefined && hi !== undefined && (r < lo || r > hi)) clippedTokens++;
          });
        });
        const got = call.output!.metrics["loss:sum"] as number;
        expect(Math.abs(got - expected)).toBeLessThan(1e-3 * Math.max(1, Math.abs(expected)));
      }
      expect(nonzeroAdv).toBeGreaterThan(0); // the losses saw real advantages, not only zeros
      console.log(
        `${lossFn}: ${nonzeroAdv} datums with A ≠ 0, ${clippedTokens} tokens outside the clip range`,
      );
      // The second substep trains on updated weights (r ≠ 1), so the configured clip range is exercised
      // (measured 14 tokens for ppo, 25 for cispo); for dro, β weighs the quadratic term on every position.
      if (lossFn !== "dro") expect(clippedTokens).toBeGreaterThan(0);
    },
    300_000,
  );
});
