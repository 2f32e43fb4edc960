// Continuous batching, merged vs unmerged, in one process:  pnpm --filter @crucible/tools bench:batching [a|b|tiny]
// N concurrent RL-style sampling requests (different prompts, num_samples rows each, seeded) on one sampler with a
// LoRA adapter. "unmerged" runs them one after another, as the server did before (one engine job per request);
// "merged" submits them at once, so their rows decode as one batch. Both must give identical results (checked).
// A second section does the same through the protocol handler (in-process transport): default limits vs
// maxBatchRows 1, which turns merging off.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { createEngine } from "../../../packages/tinker-local/src/engine/index.js";
import type {
  SampleRequest,
  SampleResult,
  Sampler,
} from "../../../packages/tinker-local/src/engine/types.js";
import { createTinkerHandler } from "../../../packages/tinker-local/src/server/handler.js";
import { call, waitFuture } from "../../../packages/tinker-local/src/server/test-support.js";

const here = import.meta.dirname;
const out = join(here, "..", "out", "engine");
const repeats = Number(process.env.BENCH_REPEATS ?? 2);
const llama = {
  architectures: ["LlamaForCausalLM"],
  model_type: "llama",
  hidden_act: "silu",
  rms_norm_eps: 1e-5,
  max_position_embeddings: 2048,
  rope_theta: 10000,
  tie_word_embeddings: true,
  head_dim: 64,
};
// the shapes of bench.mts (a) and (b); `tiny` is the built-in crucible/tiny-qwen3 (no generation step)
const MODELS: Record<string, { label: string; config?: Record<string, unknown>; maxTokens: number }> = {
  tiny: { label: "crucible/tiny-qwen3 (built in)", maxTokens: 64 },
  a: {
    label: "(a) 10M Llama: 2 layers, d 256, vocab 32k",
    config: {
      ...llama,
      hidden_size: 256,
      intermediate_size: 688,
      num_hidden_layers: 2,
      num_attention_heads: 4,
      num_key_value_heads: 4,
      vocab_size: 32000,
    },
    maxTokens: 64,
  },
  b: {
    label: "(b) SmolLM-135M shape: 30 layers, d 576, 9/3 heads, vocab 49k",
    config: {
      ...llama,
      hidden_size: 576,
      intermediate_size: 1536,
      num_hidden_layers: 30,
      num_attention_heads: 9,
      num_key_value_heads: 3,
      vocab_size: 49152,
    },
    maxTokens: 24,
  },
};
/** [requests, num_samples]: RL groups × samples per group, and a few wide requests. `BENCH_SHAPES=32x4,8x4` picks. */
const SHAPES: [number, number][] = (process.env.BENCH_SHAPES ?? "32x4,8x4,4x16")
  .split(",")
  .map((x) => x.split("x").map(Number) as [number, number]);
/** `BENCH_SECTIONS=engine|server` runs one of the two sections (default both). */
const sections = process.env.BENCH_SECTIONS ?? "engine,server";

function modelDir(key: string): string {
  const m = MODELS[key] as (typeof MODELS)[string];
  if (!m.config) return "crucible/tiny-qwen3";
  const dir = join(out, `model-${key}`);
  if (!existsSync(join(dir, "config.json")))
    execFileSync(
      "/usr/bin/python3",
      [join(here, "torch_bench.py"), "make-model", dir, JSON.stringify(m.config)],
      {
        stdio: "inherit",
      },
    );
  return dir;
}

function requests(n: number, rows: number, maxTokens: number, vocab: number): SampleRequest[] {
  return Array.from({ length: n }, (_, i) => ({
    prompt: Int32Array.from({ length: 16 + ((i * 7) % 33) }, (_, j) => (i * 7919 + j * 104729 + 13) % vocab),
    numSamples: rows,
    maxTokens,
    temperature: 1,
    topK: -1,
    topP: 1,
    seed: 1000 + i,
    stopTokenIds: [],
    stopStrings: [],
    includePromptLogprobs: false,
    topkPromptLogprobs: 0,
  }));
}

const tokens = (rs: SampleResult[]) =>
  rs.reduce((a, r) => a + r.sequences.reduce((b, s) => b + s.tokens.length, 0), 0);

async function timed<T>(f: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const r = await f();
  return [r, (performance.now() - t0) / 1000];
}

async function engineSection(sampler: Sampler, reqs: SampleRequest[]) {
  const unmerged = async () => {
    const rs: SampleResult[] = [];
    for (const r of reqs) rs.push(await sampler.sample(r));
    return rs;
  };
  const merged = () => Promise.all(reqs.map((r) => sampler.sample(r)));
  let best = { u: Number.POSITIVE_INFINITY, m: Number.POSITIVE_INFINITY };
  let same = true;
  let n = 0;
  for (let k = 0; k < repeats; k++) {
    // alternate the order, so a load change during the run hurts both alike
    const first = k % 2 === 0 ? unmerged : merged;
    const second = k % 2 === 0 ? merged : unmerged;
    const [r1, t1] = await timed(first);
    const [r2, t2] = await timed(second);
    const [tu, tm] = k % 2 === 0 ? [t1, t2] : [t2, t1];
    best = { u: Math.min(best.u, tu), m: Math.min(best.m, tm) };
    same &&= JSON.stringify(r1) === JSON.stringify(r2);
    n = tokens(r1);
  }
  return { n, u: n / best.u, m: n / best.m, same };
}

async function serverSection(
  engine: ReturnType<typeof createEngine>,
  base: string,
  reqs: SampleRequest[],
  merge: boolean,
) {
  const dir = mkdtempSync(join(os.tmpdir(), "crucible-bench-batching-"));
  const h = await createTinkerHandler({
    engine,
    checkpointDir: dir,
    models: [base],
    limits: merge ? {} : { maxBatchRows: 1 },
  });
  try {
    const session = (
      await call(h, "POST", "create_session", { tags: [], user_metadata: {}, sdk_version: "0.25.0" })
    ).json.session_id;
    const sid = (
      await call(h, "POST", "create_sampling_session", {
        session_id: session,
        sampling_session_seq_id: 0,
        base_model: base,
      })
    ).json.sampling_session_id;
    let seq = 0;
    const round = async () => {
      const subs = await Promise.all(
        reqs.map((r) =>
          call(h, "POST", "asample", {
            sampling_session_id: sid,
            seq_id: seq++,
            num_samples: r.numSamples,
            prompt: { chunks: [{ type: "encoded_text", tokens: [...r.prompt] }] },
            sampling_params: { max_tokens: r.maxTokens, seed: r.seed, temperature: 1 },
          }),
        ),
      );
      const answers = await Promise.all(subs.map((s) => waitFuture(h, s.json.request_id)));
      return answers.reduce(
        (n, a) => n + (a.json.sequences as { tokens: number[] }[]).reduce((m, q) => m + q.tokens.length, 0),
        0,
      );
    };
    const n = await round(); // the sampler is created on first use
    let best = Number.POSITIVE_INFINITY;
    for (let k = 0; k < repeats; k++) best = Math.min(best, (await timed(round))[1]);
    return { n, s: best };
  } finally {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const which = process.argv.slice(2).filter((a) => a in MODELS);
const engine = createEngine();
for (const key of which.length ? which : ["tiny", "a"]) {
  const m = MODELS[key] as (typeof MODELS)[string];
  const dir = modelDir(key);
  const info = await engine.loadBaseModel(dir);
  const tr = await engine.createTrainer(dir, {
    rank: 32,
    seed: 0,
    trainAttn: true,
    trainMlp: true,
    trainUnembed: true,
  });
  const sw = join(mkdtempSync(join(os.tmpdir(), "crucible-bench-")), "sw");
  await tr.saveSamplerWeights(sw);
  tr.dispose();
  const sampler = await engine.createSampler(dir, sw);
  await sampler.sample(requests(1, 2, 4, info.vocabSize)[0] as SampleRequest); // warm-up
  console.log(
    `${m.label}  [LoRA r32, max_tokens ${m.maxTokens}, prompts 16-48 tokens, ${process.env.CRUCIBLE_ENGINE_THREADS ?? "default"} threads, best of ${repeats}, load avg ${os.loadavg()[0]?.toFixed(1)}]`,
  );
  for (const [n, rows] of sections.includes("engine") ? SHAPES : []) {
    const reqs = requests(n, rows, m.maxTokens, info.vocabSize);
    const r = await engineSection(sampler, reqs);
    console.log(
      `  engine ${String(n).padStart(2)} requests × ${String(rows).padStart(2)} rows: unmerged ${r.u.toFixed(0)} tok/s   merged ${r.m.toFixed(0)} tok/s   ratio ${(r.m / r.u).toFixed(2)}   (${r.n} tokens; identical results: ${r.same ? "yes" : "NO"})`,
    );
  }
  if (!m.config && sections.includes("server")) {
    // through the protocol handler, base model (no adapter): the scheduler's grouping and joining included
    const [n, rows] = SHAPES[0] as [number, number];
    const reqs = requests(n, rows, m.maxTokens, info.vocabSize);
    const off = await serverSection(engine, dir, reqs, false);
    const on = await serverSection(engine, dir, reqs, true);
    console.log(
      `  server ${n} requests × ${rows} rows: maxBatchRows 1 ${(off.n / off.s).toFixed(0)} tok/s   default ${(on.n / on.s).toFixed(0)} tok/s   ratio ${(off.s / on.s).toFixed(2)}   (${on.n} tokens; same count both ways: ${on.n === off.n ? "yes" : "NO"})`,
    );
  }
  rmSync(join(sw, ".."), { recursive: true, force: true });
}
await engine.close();
