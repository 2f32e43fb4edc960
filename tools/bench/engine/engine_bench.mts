// Engine side of the benchmark (one model per process so peak RSS is per model). Prints one JSON line.
// Usage: tsx engine_bench.mts <model dir> '<bench json>'
import { mkdtempSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { createEngine } from "../../../packages/tinker-local/src/engine/index.js";
import { loadAddon } from "../../../packages/tinker-local/src/engine/native.js";
import { syntheticBatch } from "./synthetic.mts";

const [dir, json] = process.argv.slice(2) as [string, string];
const b = JSON.parse(json);
const engine = createEngine();
const info = await engine.loadBaseModel(dir);
const tr = await engine.createTrainer(dir, {
  rank: b.rank,
  seed: 0,
  trainAttn: true,
  trainMlp: true,
  trainUnembed: true,
});
const T = b.seq;
const batch = syntheticBatch(info.vocabSize, b.batch, T);
const adam = { learningRate: 1e-4, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0, gradClipNorm: 0 };
const step = async () => {
  await tr.forward(batch, { lossFn: "cross_entropy", backward: true });
  await tr.optimStep(adam);
};
for (let i = 0; i < b.warmup; i++) await step();
let t0 = performance.now();
const c0 = process.cpuUsage();
for (let i = 0; i < b.steps; i++) await step();
const trainS = (performance.now() - t0) / 1000 / b.steps;
const c1 = process.cpuUsage(c0);
const trainCpuS = (c1.user + c1.system) / 1e6 / b.steps;
const sw = join(mkdtempSync(join(os.tmpdir(), "crucible-bench-")), "sw");
await tr.saveSamplerWeights(sw);
const sampler = await engine.createSampler(dir, sw);
const req = {
  prompt: (batch[0] as { inputTokens: Int32Array }).inputTokens.slice(0, b.prompt),
  numSamples: b.num_samples,
  maxTokens: b.max_tokens,
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
const c2 = process.cpuUsage();
const r = await sampler.sample(req);
const sampleS = (performance.now() - t0) / 1000;
const c3 = process.cpuUsage(c2);
const n = r.sequences.reduce((a, s) => a + s.tokens.length, 0);
console.log(
  JSON.stringify({
    train_step_s: trainS,
    train_cpu_s: trainCpuS,
    train_tokens_per_s: (b.batch * T) / trainS,
    sample_s: sampleS,
    sample_cpu_s: (c3.user + c3.system) / 1e6,
    sample_tokens_per_s: n / sampleS,
    peak_rss_mb: process.resourceUsage().maxRSS / 1024,
    ...(process.env.BENCH_ALLOC_STATS
      ? {
          alloc: loadAddon().allocStats(),
          v8: process.memoryUsage(),
          rss_end_mb: process.memoryUsage().rss / 2 ** 20,
        }
      : {}),
  }),
);
