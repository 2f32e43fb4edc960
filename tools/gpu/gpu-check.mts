// Engine side of the GPU check (tools/gpu/check.sh), bundled into one file by tools/gpu/prepare.sh:
//   node gpu-check.mjs parity <fixtures dir> <out.json>   engine outputs on the fixtures of torch_gpu.py (compared there)
//   node gpu-check.mjs e2e <model dir>                    client → HTTP server → engine: 2 training steps, sampling
//   node gpu-check.mjs bench <model dir> '<bench json>'   training and sampling tokens/s, peak device memory (1 JSON line)
// The device is the engine's default (CUDA when the addon has it and a GPU is visible) unless CRUCIBLE_DEVICE says.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { createDatum, ModelInput, ServiceClient } from "../../packages/tinker-client/src/index.js";
import { createEngine } from "../../packages/tinker-local/src/engine/index.js";
import { loadAddon } from "../../packages/tinker-local/src/engine/native.js";
import type { LocalTrainer } from "../../packages/tinker-local/src/engine/trainer.js";
import type { EngineDatum, SampleRequest } from "../../packages/tinker-local/src/engine/types.js";
import { startLocalServer } from "../../packages/tinker-local/src/server/http.js";

interface FixtureDatum {
  tokens: number[];
  targets: number[][];
  weights: number[][];
  advantages?: number[];
  sampler_logprobs?: number[];
  clip_low?: number[];
  clip_high?: number[];
}
interface Fixture {
  rank: number;
  adam: Record<string, number>;
  datums: FixtureDatum[];
  topk_datum: FixtureDatum;
  cases: { name: string; loss_fn: string; loss_fn_config: Record<string, number> }[];
}

function toDatum(d: FixtureDatum, perTokenClip: boolean): EngineDatum {
  return {
    inputTokens: Int32Array.from(d.tokens),
    targetTokens: Int32Array.from(d.targets.flat()),
    k: d.targets[0]?.length ?? 1,
    weights: Float32Array.from(d.weights.flat()),
    ...(d.advantages ? { advantages: Float32Array.from(d.advantages) } : {}),
    ...(d.sampler_logprobs ? { samplerLogprobs: Float32Array.from(d.sampler_logprobs) } : {}),
    ...(perTokenClip && d.clip_low ? { clipLowThreshold: Float32Array.from(d.clip_low) } : {}),
    ...(perTokenClip && d.clip_high ? { clipHighThreshold: Float32Array.from(d.clip_high) } : {}),
  };
}
const arr = (t: ArrayLike<number>) => Array.from(t);

async function parity(root: string, outFile: string) {
  const engine = createEngine();
  const out: Record<string, unknown> = { device: engine.device };
  for (const arch of readFileSync(join(root, "archs.txt"), "utf8").trim().split("\n")) {
    const dir = join(root, arch);
    const fx = JSON.parse(readFileSync(join(dir, "cases.json"), "utf8")) as Fixture;
    const lora = { rank: fx.rank, seed: 0, trainAttn: true, trainMlp: true, trainUnembed: true };
    const cases: Record<string, unknown>[] = [];
    for (const c of fx.cases) {
      const trainer = (await engine.createTrainer(join(dir, "model"), lora)) as LocalTrainer;
      await trainer.loadState(join(dir, "adapter"), { optimizer: false });
      const batch =
        c.name === "cross_entropy_topk"
          ? [toDatum(fx.topk_datum, false)]
          : fx.datums.map((d) => toDatum(d, c.name === "ppo_per_token"));
      const r = await trainer.forward(batch, {
        lossFn: c.loss_fn as never,
        lossFnConfig: c.loss_fn_config,
        backward: true,
      });
      const rec: Record<string, unknown> = {
        name: c.name,
        logprobs: r.logprobs.map(arr),
        elementwise_loss: r.elementwiseLoss.map(arr),
        loss_sum: r.lossSum,
        grads: Object.fromEntries(trainer.tensors("grads").map((g) => [g.name, arr(g.data)])),
      };
      if (c.name === "cross_entropy") {
        const a = fx.adam as Record<string, number>;
        const m = await trainer.optimStep({
          learningRate: a.learning_rate as number,
          beta1: a.beta1 as number,
          beta2: a.beta2 as number,
          eps: a.eps as number,
          weightDecay: a.weight_decay as number,
          gradClipNorm: a.grad_clip_norm as number,
        });
        rec.grad_norm = m["grad_norm:mean"];
        rec.params = Object.fromEntries(trainer.tensors("params").map((p) => [p.name, arr(p.data)]));
      }
      trainer.dispose();
      cases.push(rec);
    }
    // Sampling on the device: plain temperature and top-k/top-p (both return logprobs of softmax(logits/τ)).
    const sampler = await engine.createSampler(join(dir, "model"), join(dir, "adapter"));
    const prompt = Int32Array.from((fx.datums[0] as FixtureDatum).tokens);
    const samples = [];
    for (const p of [
      { temperature: 1, topK: -1, topP: 1 },
      { temperature: 0.7, topK: 20, topP: 0.9 },
    ]) {
      const req: SampleRequest = {
        prompt,
        numSamples: 4,
        maxTokens: 12,
        ...p,
        seed: 1,
        stopTokenIds: [],
        stopStrings: [],
        includePromptLogprobs: true,
        topkPromptLogprobs: 0,
      };
      const r = await sampler.sample(req);
      const again = await sampler.sample(req);
      samples.push({
        temperature: p.temperature,
        prompt: arr(prompt),
        prompt_logprobs: r.promptLogprobs,
        sequences: r.sequences.map((s) => ({ tokens: s.tokens, logprobs: s.logprobs })),
        same_seed_same_tokens:
          JSON.stringify(r.sequences.map((s) => s.tokens)) ===
          JSON.stringify(again.sequences.map((s) => s.tokens)),
      });
    }
    sampler.dispose();
    out[arch] = { cases, samples };
  }
  writeFileSync(outFile, JSON.stringify(out));
  await engine.close();
  console.log(`parity: engine outputs on ${out.device} written to ${outFile}`);
}

async function e2e(modelDir: string) {
  const ckpt = mkdtempSync(join(os.tmpdir(), "crucible-gpu-e2e-"));
  const server = await startLocalServer({ checkpointDir: ckpt, models: [modelDir], port: 0 });
  try {
    const svc = new ServiceClient({ baseUrl: server.url, apiKey: "tml-local" });
    const tc = await svc.createLoraTrainingClient({ baseModel: modelDir, rank: 32, seed: 0 });
    const toks = Array.from({ length: 257 }, (_, i) => (i * 7919 + 13) % 150000);
    const datum = createDatum(ModelInput.fromInts(toks.slice(0, 256)), {
      target_tokens: toks.slice(1),
      weights: new Array(256).fill(1),
    });
    const losses: number[] = [];
    for (let step = 0; step < 3; step++) {
      const fb = tc.forwardBackward([datum, datum], "cross_entropy");
      const opt = tc.optimStep({ learningRate: 1e-3 });
      losses.push((await fb).metrics["loss:sum"] as number);
      await opt;
    }
    const sampler = await tc.saveWeightsAndGetSamplingClient();
    const res = await sampler.sample({
      prompt: ModelInput.fromInts(toks.slice(0, 32)),
      numSamples: 4,
      samplingParams: { maxTokens: 16, seed: 1, temperature: 1 },
    });
    // A request that cannot fit (4096 rows × 32k tokens of KV cache) is refused at submit with 429 and the reason.
    const big = await server.handler.handle({
      method: "POST",
      path: "/api/v1/asample",
      headers: { "content-type": "application/json" },
      body: new TextEncoder().encode(
        JSON.stringify({
          base_model: modelDir,
          prompt: { chunks: [{ type: "encoded_text", tokens: toks.slice(0, 32) }] },
          num_samples: 4096,
          sampling_params: { max_tokens: 32000, seed: 1 },
        }),
      ),
    });
    const refused = big.status === 429 ? new TextDecoder().decode(big.body) : "";
    const lens = res.sequences.map((s) => s.tokens.length);
    const ok = losses[2] !== undefined && losses[2] < (losses[0] as number) && lens.every((n) => n === 16);
    console.log(
      `e2e (${server.handler.device}, client → HTTP → engine): loss:sum ${losses.map((l) => l.toFixed(1)).join(" → ")}; ` +
        `sampled ${lens.join(",")} tokens; oversized request: ${refused ? `refused: ${refused.slice(0, 200)}` : "NOT refused"} → ${ok && refused ? "PASS" : "FAIL"}`,
    );
    if (!ok || !refused) process.exitCode = 1;
  } finally {
    await server.close();
    rmSync(ckpt, { recursive: true, force: true });
  }
}

async function bench(dir: string, json: string) {
  const b = JSON.parse(json) as Record<string, number>;
  const engine = createEngine();
  const addon = loadAddon();
  const info = await engine.loadBaseModel(dir);
  const tr = await engine.createTrainer(dir, {
    rank: b.rank as number,
    seed: 0,
    trainAttn: true,
    trainMlp: true,
    trainUnembed: true,
  });
  const T = b.seq as number;
  const batch = Array.from({ length: b.batch as number }, (_, j) => {
    const toks = Int32Array.from({ length: T + 1 }, (_, i) => (j * 7919 + i * 104729) % info.vocabSize);
    return {
      inputTokens: toks.slice(0, T),
      targetTokens: toks.slice(1),
      k: 1,
      weights: new Float32Array(T).fill(1),
    };
  });
  const adam = { learningRate: 1e-4, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0, gradClipNorm: 0 };
  const step = async () => {
    await tr.forward(batch, { lossFn: "cross_entropy", backward: true });
    await tr.optimStep(adam);
  };
  for (let i = 0; i < (b.warmup as number); i++) await step();
  let t0 = performance.now();
  for (let i = 0; i < (b.steps as number); i++) await step();
  const trainS = (performance.now() - t0) / 1000 / (b.steps as number);
  const trainMem = addon.deviceMemory(engine.device ?? "cpu");
  const sw = join(mkdtempSync(join(os.tmpdir(), "crucible-bench-")), "sw");
  await tr.saveSamplerWeights(sw);
  const sampler = await engine.createSampler(dir, sw);
  const req: SampleRequest = {
    prompt: (batch[0] as EngineDatum).inputTokens.slice(0, b.prompt as number),
    numSamples: b.num_samples as number,
    maxTokens: b.max_tokens as number,
    temperature: 1,
    topK: -1,
    topP: 1,
    seed: 1,
    stopTokenIds: [],
    stopStrings: [],
    includePromptLogprobs: false,
    topkPromptLogprobs: 0,
  };
  await sampler.sample(req);
  t0 = performance.now();
  const r = await sampler.sample(req);
  const sampleS = (performance.now() - t0) / 1000;
  const n = r.sequences.reduce((a, s) => a + s.tokens.length, 0);
  console.log(
    JSON.stringify({
      device: engine.device,
      train_step_s: trainS,
      train_tokens_per_s: ((b.batch as number) * T) / trainS,
      sample_tokens_per_s: n / sampleS,
      sampled_tokens: n,
      peak_allocated_gb: trainMem.peakAllocatedMB / 1024,
      peak_reserved_gb: trainMem.peakReservedMB / 1024,
    }),
  );
  rmSync(join(sw, ".."), { recursive: true, force: true });
  await engine.close();
}

const [cmd, a, b2] = process.argv.slice(2);
if (cmd === "parity") await parity(a as string, b2 as string);
else if (cmd === "e2e") await e2e(a as string);
else if (cmd === "bench") await bench(a as string, b2 as string);
else {
  console.error(
    "usage: gpu-check.mjs parity <fixtures> <out.json> | e2e <model dir> | bench <model dir> '<json>'",
  );
  process.exitCode = 2;
}
