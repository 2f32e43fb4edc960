import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { arithmeticDatasetBuilder } from "@crucible/env";
import { ModelInput } from "@crucible/tinker-client";
import { trainRL } from "@crucible/train";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalSetup, startLocal, TINY_MODEL } from "../../src/rl/testing/local-arithmetic.js";
import { observe, sampleOf } from "./observe.js";

let local: LocalSetup;
beforeAll(async () => {
  local = await startLocal("crucible-rl-e2e-");
});
afterAll(async () => {
  await local?.close();
});

describe("RL on the local backend", () => {
  it("sync: datums carry exactly the sampler's logprobs; transcripts, summaries, checkpoints, resume", async () => {
    const obs = observe(local.service);
    const logPath = join(local.dir, "sync");
    const cfg = {
      serviceClient: obs.service,
      modelName: TINY_MODEL,
      loraRank: 4,
      learningRate: 1e-3,
      maxTokens: 5,
      logPath,
      tokenizer: local.tokenizer,
      datasetBuilder: arithmeticDatasetBuilder({ batchSize: 2, groupSize: 2, renderer: local.renderer }),
      maxSteps: 2,
      saveEvery: 1,
      evalEvery: 0,
      numGroupsToLog: 1,
    };
    const res = await trainRL(cfg);
    expect(res.history.map((h) => h.step)).toEqual([0, 1]);
    // every datum sent for training: prompt positions carry logprob 0, action positions the sampled logprobs
    const sent = obs.sent.flat();
    expect(sent.length).toBe(8);
    for (const d of sent) {
      const full = [...ModelInput.toInts(d.modelInput), d.lossFnInputs.target_tokens!.data.at(-1)!];
      const rec = obs.samples.find((s) => {
        const seq = s.response.sequences[0]!;
        const cand = [...s.prompt, ...seq.tokens];
        return cand.length === full.length && cand.every((t, i) => t === full[i]);
      });
      expect(rec).toBeDefined();
      const seq = rec!.response.sequences[0]!;
      const lp = d.lossFnInputs.logprobs!.data;
      expect(lp.slice(0, rec!.prompt.length - 1).every((x) => x === 0)).toBe(true);
      expect(lp.slice(rec!.prompt.length - 1)).toEqual(seq.logprobs!.map(Math.fround));
      expect(Object.keys(d.lossFnInputs).sort()).toEqual(["advantages", "logprobs", "target_tokens"]);
    }
    const m0 = res.history[0]!.metrics;
    for (const k of [
      "env/all/reward/total",
      "optim/kl_sample_train_v1",
      "optim/entropy",
      "env/all/format",
      "env/all/correct",
    ]) {
      expect(Number.isFinite(m0[k])).toBe(true);
    }
    // log directory layout
    expect(existsSync(join(logPath, "iteration_000000", "train.html"))).toBe(true);
    expect(existsSync(join(logPath, "iteration_000000", "train_logtree.json"))).toBe(true);
    const summaries = readFileSync(join(logPath, "iteration_000001", "train_rollout_summaries.jsonl"), "utf8")
      .trim()
      .split("\n");
    expect(summaries).toHaveLength(4);
    expect(JSON.parse(summaries[0]!)).toMatchObject({
      schema_version: 1,
      split: "train",
      iteration: 1,
      sampling_client_step: 1,
    });
    const ckpts = readFileSync(join(logPath, "checkpoints.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(ckpts.map((c) => c.name)).toEqual(["000001", "000002", "final"]);
    const lines = readFileSync(join(logPath, "metrics.jsonl"), "utf8").trim().split("\n");
    expect(lines.map((l) => Object.keys(JSON.parse(l))[0])).toEqual(["step", "step"]);
    // resume: the last checkpoint record says batch 2, so a run to maxSteps 3 trains only step 2
    // (with a KL penalty against the base model this time)
    const resumed = await trainRL({
      ...cfg,
      maxSteps: 3,
      klPenaltyCoef: 0.05,
      klReferenceConfig: { baseModel: TINY_MODEL },
    });
    expect(resumed.startStep).toBe(2);
    expect(resumed.history.map((h) => h.step)).toEqual([2]);
    expect(Number.isFinite(resumed.history[0]!.metrics.kl_policy_base)).toBe(true);
  });

  it("async: sampling overlaps training and no group older than maxStepsOffPolicy is trained on", async () => {
    const obs = observe(local.service);
    const res = await trainRL({
      serviceClient: obs.service,
      modelName: TINY_MODEL,
      loraRank: 4,
      learningRate: 1e-3,
      maxTokens: 4,
      logPath: join(local.dir, "async"),
      datasetBuilder: arithmeticDatasetBuilder({ batchSize: 2, groupSize: 2, renderer: local.renderer }),
      maxSteps: 3,
      saveEvery: 0,
      evalEvery: 0,
      numGroupsToLog: 0,
      asyncConfig: { maxStepsOffPolicy: 1, groupsPerBatch: 2 },
    });
    expect(res.history.length).toBeGreaterThan(0);
    for (const h of res.history) {
      expect(h.metrics["async/staleness_max"]).toBeLessThanOrEqual(1);
      expect(h.metrics["async/groups"]).toBeGreaterThan(0);
      expect(h.metrics["async/stale_groups_dropped_total"]).toBeGreaterThanOrEqual(0);
    }
    // Independently of the loop's own metrics: every trained datum was sampled by a policy at most 1 optimizer
    // step older than the weights it trains, and carries that sampler's logprobs.
    expect(obs.calls.length).toBe(res.history.length);
    const staleness: number[] = [];
    for (const call of obs.calls) {
      for (const d of call.data) {
        const rec = sampleOf(obs.samples, d);
        expect(rec).toBeDefined();
        staleness.push(call.optimStepsBefore - rec!.samplerStep);
        expect(call.optimStepsBefore - rec!.samplerStep).toBeGreaterThanOrEqual(0);
        expect(call.optimStepsBefore - rec!.samplerStep).toBeLessThanOrEqual(1);
        const lp = d.lossFnInputs.logprobs!.data;
        expect(lp.slice(rec!.prompt.length - 1)).toEqual(
          rec!.response.sequences[0]!.logprobs!.map(Math.fround),
        );
      }
    }
    console.log(`async staleness per trained datum: ${staleness.join(" ")}`);
  });
});
