import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDatum, ModelInput, ServiceClient } from "@crucible/tinker-client";
import {
  createEngine,
  type Engine,
  ensureBuiltinModel,
  type LocalServer,
  startLocalServer,
} from "@crucible/tinker-local";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// What `crucible-local serve --models <qwen3_5 dir>` runs: a Qwen3.5 model directory (the built-in tiny one written
// out as a plain HF directory) served over loopback HTTP to @crucible/tinker-client: train, save, sample.
describe("crucible-local serving a Qwen3.5 directory over HTTP", () => {
  let engine: Engine;
  let server: LocalServer;
  let dir: string;
  let model: string;
  let svc: ServiceClient;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "qwen35-http-"));
    model = ensureBuiltinModel("crucible/tiny-qwen3_5", join(dir, "models"));
    engine = createEngine();
    server = await startLocalServer({ engine, checkpointDir: join(dir, "ckpt"), models: [model] });
    svc = new ServiceClient({ baseUrl: server.url, apiKey: "tml-local" });
  });
  afterAll(async () => {
    await svc?.close();
    await server?.close();
    await engine?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("trains (loss falls), saves sampler weights, samples; sampled logprobs equal the learner's forward", {
    timeout: 120_000,
  }, async () => {
    const caps = await svc.getServerCapabilities();
    expect(caps.supportedModels.map((m) => m.modelName)).toEqual([model]);
    const tc = await svc.createLoraTrainingClient({ baseModel: model, rank: 8, seed: 0 });
    expect((await tc.getInfo()).modelData?.arch).toBe("qwen3_5_text");
    const toks = [101, 2023, 318, 257, 1332, 286, 262, 1080, 13, 198];
    const batch = [
      createDatum(ModelInput.fromInts(toks.slice(0, -1)), {
        target_tokens: toks.slice(1),
        weights: toks.slice(1).map(() => 1),
      }),
    ];
    const losses: number[] = [];
    for (let i = 0; i < 8; i++) {
      const fb = tc.forwardBackward(batch, "cross_entropy");
      const opt = tc.optimStep({ learningRate: 0.02 });
      losses.push((await fb).metrics["loss:sum"] as number);
      await opt;
    }
    expect(losses[7]).toBeLessThan((losses[0] as number) * 0.5);
    const sc = await tc.saveWeightsAndGetSamplingClient();
    const prompt = toks.slice(0, 4);
    const out = await sc.sample({
      prompt: ModelInput.fromInts(prompt),
      numSamples: 3,
      samplingParams: { maxTokens: 6, seed: 1 },
    });
    expect(out.sequences).toHaveLength(3);
    // each row decoded through its recurrent state scores as the learner's forward pass of the whole sequence
    for (const s of out.sequences) {
      const full = [...prompt, ...s.tokens];
      const datum = createDatum(ModelInput.fromInts(full.slice(0, -1)), {
        target_tokens: full.slice(1),
        weights: full.slice(1).map(() => 1),
      });
      const fwd = (await tc.forward([datum], "cross_entropy")).lossFnOutputs[0]?.["logprobs"]
        ?.data as number[];
      const sampled = s.logprobs ?? [];
      expect(sampled).toHaveLength(s.tokens.length);
      for (const [i, v] of sampled.entries()) expect(v).toBeCloseTo(fwd[prompt.length - 1 + i] as number, 4);
    }
  });
});
