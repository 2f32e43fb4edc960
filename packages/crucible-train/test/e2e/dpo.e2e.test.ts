import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type Datum, ModelInput, TensorData } from "@crucible/tinker-client";
import { describe, expect, it } from "vitest";
import {
  DPODatasetBuilderFromComparisons,
  dpoTrain,
  JsonlComparisonBuilder,
  lossInput,
} from "../../src/index.js";
import { FIXTURES, localService, TINY_MODEL, tinyRenderer, tmpLogDir } from "./local.js";

type Row = { step: number; dpo_loss: number; accuracy: number; margin: number } & Record<string, number>;

describe("DPO end to end on the local backend (crucible/tiny-qwen3)", () => {
  it("20 DPO steps raise training accuracy and margin from their step-0 values", async () => {
    const { service, close } = await localService();
    const logPath = tmpLogDir("crucible-dpo-");
    try {
      const builder = new DPODatasetBuilderFromComparisons(
        { modelNameForTokenizer: "Qwen/Qwen3-8B", rendererName: "qwen3", maxLength: 48, batchSize: 2 },
        new JsonlComparisonBuilder(join(FIXTURES, "preference-pairs.jsonl")),
        tinyRenderer(),
      );
      await dpoTrain({
        logPath,
        modelName: TINY_MODEL,
        datasetBuilder: builder,
        serviceClient: service,
        learningRate: 2e-3,
        lrSchedule: "constant",
        dpoBeta: 0.1,
        loraRank: 8,
        loraSeed: 0,
        maxSteps: 20,
        evalEvery: 0,
        saveEvery: 0,
        consoleMetrics: false,
      });
    } finally {
      await close();
    }
    const rows = readFileSync(join(logPath, "metrics.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Row);
    expect(rows.map((r) => r.step)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    const s0 = rows[0] as Row;
    // Policy == reference at step 0 (cookbook semantics): ln 2 and margin 0. Accuracy counts margins > 0, and
    // the policy's (trainer) and reference's (sampler) logprobs of the same weights differ by float rounding,
    // so step 0's accuracy is a coin toss per pair, not 0: the learning check compares against one half.
    expect(s0.dpo_loss).toBeCloseTo(Math.LN2, 5);
    expect(Math.abs(s0.margin)).toBeLessThan(1e-6);
    const last5 = rows.slice(-5);
    const mean = (k: string) => last5.reduce((a, r) => a + (r[k] as number), 0) / last5.length;
    console.log(
      `DPO e2e: step0 accuracy=${s0.accuracy} margin=${s0.margin} loss=${s0.dpo_loss.toFixed(4)}; ` +
        `last-5 mean accuracy=${mean("accuracy").toFixed(3)} margin=${mean("margin").toFixed(4)} loss=${mean("dpo_loss").toFixed(4)}; ` +
        `step19 accuracy=${rows[19]?.accuracy} margin=${rows[19]?.margin.toFixed(4)}`,
    );
    expect(mean("accuracy")).toBeGreaterThan(0.5);
    expect(mean("margin")).toBeGreaterThan(1e-3);
    for (const r of rows)
      for (const k of [
        "num_pairs",
        "num_tokens",
        "learning_rate",
        "chosen_reward",
        "rejected_reward",
        "batch_time",
      ])
        expect(r).toHaveProperty(k);
  }, 600_000);

  it("resumes from checkpoints.jsonl: a second run continues at the recorded batch with the saved weights", async () => {
    const { service, close } = await localService();
    const logPath = tmpLogDir("crucible-dpo-resume-");
    const run = (maxSteps: number) =>
      dpoTrain({
        logPath,
        modelName: TINY_MODEL,
        datasetBuilder: new DPODatasetBuilderFromComparisons(
          { modelNameForTokenizer: "Qwen/Qwen3-8B", rendererName: "qwen3", maxLength: 48, batchSize: 2 },
          new JsonlComparisonBuilder(join(FIXTURES, "preference-pairs.jsonl")),
          tinyRenderer(),
        ),
        serviceClient: service,
        learningRate: 2e-3,
        lrSchedule: "constant",
        loraRank: 4,
        loraSeed: 0,
        maxSteps,
        evalEvery: 0,
        saveEvery: 2,
        consoleMetrics: false,
      });
    try {
      expect((await run(3)).stepsRun).toBe(3);
      expect((await run(5)).stepsRun).toBe(2);
    } finally {
      await close();
    }
    const rows = readFileSync(join(logPath, "metrics.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Row);
    expect(rows.map((r) => r.step)).toEqual([0, 1, 2, 3, 4]);
    expect(rows[2]?.state_path).toMatch(/^tinker:\/\/.*\/weights\/000002$/);
    // Cookbook semantics: the reference of a resumed run is the resumed weights, so step 3 starts at ln 2 again,
    // and its policy moved away from step 0's (the saved weights were loaded, not a fresh LoRA).
    expect(rows[3]?.dpo_loss).toBeCloseTo(Math.LN2, 5);
    expect(rows[3]?.["loss:sum"]).not.toBeCloseTo(rows[0]?.["loss:sum"] as number, 3);
  }, 600_000);

  it("forwardBackwardCustom's surrogate gives the same LoRA gradients as the engine's cross-entropy", async () => {
    const { service, close } = await localService();
    try {
      const r = tinyRenderer();
      const convo = [
        { role: "user", content: "What is 2 plus 2?" },
        { role: "assistant", content: "2 plus 2 is 4." },
      ];
      const ex = r.buildSupervisedExample(convo, "last_assistant_message");
      const full = ModelInput.toInts(ex.modelInput);
      const data: Datum[] = [0, 1].map((shift) => ({
        modelInput: ModelInput.fromInts(full.slice(0, full.length - 1 - shift)),
        lossFnInputs: {
          target_tokens: TensorData.fromArray(full.slice(1, full.length - shift), "int64"),
          weights: TensorData.fromArray(Array.from(ex.weights).slice(1, full.length - shift), "float32"),
        },
      }));
      // Adam with a huge eps is SGD-like (update ≈ lr·g/eps), so the post-step logprobs expose the whole gradient.
      const adam = { learningRate: 20, beta1: 0, beta2: 0, eps: 1000 };
      const after = async (mode: "ce" | "custom" | "custom2x") => {
        const tc = await service.createLoraTrainingClient({ baseModel: TINY_MODEL, rank: 4, seed: 7 });
        // B = 0 at init, so first take a step to make the LoRA gradient non-trivial in both A and B.
        await tc.forwardBackward(data, "cross_entropy");
        await tc.optimStep({ learningRate: 1e-2 });

        if (mode === "ce") await tc.forwardBackward(data, "cross_entropy");
        else {
          const scale = mode === "custom2x" ? 2 : 1;
          await tc.forwardBackwardCustom(data, (d) => ({
            loss: 0,
            gradLogprobs: d.map((x) => Float32Array.from(lossInput(x, "weights"), (w) => -w * scale)),
          }));
        }
        const o = await tc.optimStep(adam);
        const gradNorm = o.metrics?.["grad_norm:mean"];
        const out = await tc.forward(data, "cross_entropy");
        return {
          gradNorm,
          lps: out.lossFnOutputs.flatMap((x) => TensorData.toDense(x.logprobs as TensorData)),
        };
      };
      const ce = await after("ce");
      const custom = await after("custom");
      const doubled = await after("custom2x");
      const maxDiff = (a: number[], b: number[]) =>
        Math.max(...a.map((x, i) => Math.abs(x - (b[i] as number))));
      console.log(
        `surrogate check: grad_norm ce=${ce.gradNorm} custom=${custom.gradNorm} 2x=${doubled.gradNorm}; ` +
          `max |Δlogprob| ce vs custom=${maxDiff(ce.lps, custom.lps).toExponential(2)}, ce vs 2x=${maxDiff(ce.lps, doubled.lps).toExponential(2)}`,
      );
      expect(maxDiff(ce.lps, custom.lps)).toBeLessThan(1e-4);
      if (ce.gradNorm !== undefined && custom.gradNorm !== undefined) {
        expect(Math.abs(ce.gradNorm - custom.gradNorm)).toBeLessThan(1e-4 * Math.max(1, ce.gradNorm));
      }
      // The check can fail: a different gradient gives different weights.
      expect(maxDiff(ce.lps, doubled.lps)).toBeGreaterThan(1e-3);
    } finally {
      await close();
    }
  }, 600_000);
});
