// Streaming-minibatch RL on the local backend: optimizer substeps and forward_backward calls per step follow
// the plan, training starts before the batch's last group is sampled, every step samples with a fresh sampler
// of the current weights (on-policy), and the run checkpoints and resumes like sync mode.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { arithmeticDatasetBuilder } from "@crucible/env";
import type { RLServiceClient, RLTrainingClient } from "@crucible/train";
import { trainRL } from "@crucible/train";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalSetup, startLocal, TINY_MODEL } from "../../src/rl/testing/local-arithmetic.js";

/** A timeline of training-client calls and sample calls, each sample tagged with its sampler's weight version. */
interface Timeline {
  events: { kind: "fb" | "optim" | "sample"; version?: number }[];
  samplersCreated: number[];
}

/** Wraps the real service so calls pass through unchanged while the test records them. */
function instrument(service: RLServiceClient): { service: RLServiceClient; t: Timeline } {
  const t: Timeline = { events: [], samplersCreated: [] };
  let optimCount = 0;
  const wrapSampler = <S extends object>(s: S): S => {
    const version = optimCount; // the weights this sampler was taken from: after `optimCount` updates
    t.samplersCreated.push(version);
    return new Proxy(s, {
      get(target, prop, recv) {
        const v = Reflect.get(target, prop, recv);
        if (prop === "sample" && typeof v === "function")
          return (...args: unknown[]) => {
            t.events.push({ kind: "sample", version });
            return v.apply(target, args);
          };
        return typeof v === "function" ? v.bind(target) : v;
      },
    });
  };
  const wrapTraining = (tc: RLTrainingClient): RLTrainingClient =>
    new Proxy(tc, {
      get(target, prop, recv) {
        const v = Reflect.get(target, prop, recv);
        if (typeof v !== "function") return v;
        if (prop === "forwardBackward")
          return (...args: unknown[]) => {
            t.events.push({ kind: "fb" });
            return v.apply(target, args);
          };
        if (prop === "optimStep")
          return (...args: unknown[]) => {
            optimCount++;
            t.events.push({ kind: "optim" });
            return v.apply(target, args);
          };
        if (prop === "saveWeightsAndGetSamplingClient" || prop === "createSamplingClient")
          return async (...args: unknown[]) => wrapSampler(await v.apply(target, args));
        return v.bind(target);
      },
    });
  const wrapped = new Proxy(service, {
    get(target, prop, recv) {
      const v = Reflect.get(target, prop, recv);
      if (typeof v !== "function") return v;
      if (String(prop).startsWith("createTrainingClient") || prop === "createLoraTrainingClient")
        return async (...args: unknown[]) => wrapTraining(await v.apply(target, args));
      return v.bind(target);
    },
  });
  return { service: wrapped, t };
}

let local: LocalSetup;
beforeAll(async () => {
  local = await startLocal("crucible-rl-stream-");
});
afterAll(async () => {
  await local?.close();
});

describe("streaming-minibatch RL on the local backend", () => {
  it("2 steps: 2 substeps × 2 minibatches per step, on-policy samplers, checkpoints, then resume", async () => {
    const logPath = join(local.dir, "stream");
    const { service, t } = instrument(local.service);
    const cfg = {
      serviceClient: service,
      modelName: TINY_MODEL,
      loraRank: 4,
      learningRate: 1e-3,
      maxTokens: 3,
      logPath,
      tokenizer: local.tokenizer,
      datasetBuilder: arithmeticDatasetBuilder({ batchSize: 4, groupSize: 2, renderer: local.renderer }),
      maxSteps: 2,
      saveEvery: 1,
      evalEvery: 0,
      numGroupsToLog: 1,
      numSubsteps: 2,
      // one group at a time, so "training starts before the last group is sampled" is deterministic
      rolloutConcurrency: 1,
      streamMinibatchConfig: { groupsPerBatch: 4, numMinibatches: 2 },
    };
    const res = await trainRL(cfg);
    expect(res.history.map((h) => h.step)).toEqual([0, 1]);

    // Plan: 4 groups / 2 substeps = 2 groups per substep, / 2 minibatches = 1 group per forward_backward.
    const kinds = t.events.filter((e) => e.kind !== "sample").map((e) => e.kind);
    const perStep = ["fb", "fb", "optim", "fb", "fb", "optim"];
    expect(kinds).toEqual([...perStep, ...perStep]);

    // Streaming: step 0's first forward_backward is issued while groups of the batch are still being sampled.
    const firstFb = t.events.findIndex((e) => e.kind === "fb");
    const step0Samples = t.events
      .map((e, k) => ({ e, k }))
      .filter(({ e }) => e.kind === "sample" && e.version === 0);
    expect(step0Samples).toHaveLength(8); // 4 groups × 2 samples
    expect(firstFb).toBeLessThan(step0Samples.at(-1)!.k);

    // On-policy: step i samples only with the sampler taken after step i−1's last update (2 updates per step),
    // and no sample with that sampler happens once the step's updates are all issued.
    expect([...new Set(t.events.filter((e) => e.kind === "sample").map((e) => e.version))]).toEqual([0, 2]);
    let optims = 0;
    for (const e of t.events) {
      if (e.kind === "optim") optims++;
      if (e.kind === "sample") expect(optims - e.version!).toBeLessThan(2);
    }
    expect(t.samplersCreated).toEqual([0, 2, 4]); // initial, after step 0, after step 1

    for (const h of res.history) {
      const m = h.metrics;
      expect(m["progress/batch"]).toBe(h.step);
      expect(m["sampling_client/step_min"]).toBe(h.step);
      expect(m["sampling_client/step_max"]).toBe(h.step);
      expect(m["env/all/total_episodes"]).toBe(8);
      for (const k of [
        "env/all/reward/total",
        "env/all/correct",
        "env/all/format",
        "optim/kl_sample_train_v1",
        "optim/kl_sample_train_v2",
        "optim/entropy",
        "time/sampling_time_mean",
        "time/train_step",
        "time/total",
      ]) {
        expect(Number.isFinite(m[k]), k).toBe(true);
      }
    }
    const summaries = readFileSync(join(logPath, "iteration_000001", "train_rollout_summaries.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(summaries).toHaveLength(8);
    expect(summaries.every((r) => r.sampling_client_step === 1)).toBe(true);
    const ckpts = readFileSync(join(logPath, "checkpoints.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l).name);
    expect(ckpts).toEqual(["000001", "000002", "final"]);

    // Resume: continues at batch 2 with the saved state, again 2 optimizer substeps for the one step.
    const again = instrument(local.service);
    const resumed = await trainRL({ ...cfg, serviceClient: again.service, maxSteps: 3 });
    expect(resumed.startStep).toBe(2);
    expect(resumed.history.map((h) => h.step)).toEqual([2]);
    expect(again.t.events.filter((e) => e.kind === "optim")).toHaveLength(2);
  }, 300_000);

  it("a batch with fewer groups than groupsPerBatch trains the short minibatch instead of waiting", async () => {
    const { service, t } = instrument(local.service);
    const res = await trainRL({
      serviceClient: service,
      modelName: TINY_MODEL,
      loraRank: 4,
      learningRate: 1e-3,
      maxTokens: 2,
      logPath: join(local.dir, "short"),
      datasetBuilder: arithmeticDatasetBuilder({ batchSize: 3, groupSize: 2, renderer: local.renderer }),
      maxSteps: 1,
      saveEvery: 0,
      evalEvery: 0,
      numGroupsToLog: 0,
      streamMinibatchConfig: { groupsPerBatch: 4, numMinibatches: 2 },
    });
    expect(res.history).toHaveLength(1);
    // 2 groups per minibatch: one full minibatch, one with the remaining group, then one optimizer step.
    expect(t.events.filter((e) => e.kind !== "sample").map((e) => e.kind)).toEqual(["fb", "fb", "optim"]);
    expect(res.history[0]!.metrics["env/all/total_episodes"]).toBe(6);
  }, 120_000);
});
