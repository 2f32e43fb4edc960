// Engine vs PyTorch on the same shapes, one command:  pnpm --filter @crucible/tools bench:engine  [a|b]
// (a) ~10M-param Llama: 2 layers, d 256, vocab 32k, T 256; (b) SmolLM-135M shape. LoRA rank 32 on all modules;
// (c) a scaled Qwen3-MoE (LoRA rank 16 on attention, experts in Tinker's layout and lm_head); (q) Qwen3.5-0.8B's
// layout scaled down (Gated DeltaNet + gated attention, 3:1; LoRA rank 32 on all modules).
// Both sides use the same libtorch (Debian 1.13) and the same thread count; PyTorch runs eager autograd.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { benchEnv } from "./synthetic.mts";

const here = import.meta.dirname;
const out = join(here, "..", "out", "engine");
const threads = Number(process.env.CRUCIBLE_ENGINE_THREADS ?? 2);
const env = benchEnv(threads);

const llama = {
  architectures: ["LlamaForCausalLM"],
  model_type: "llama",
  hidden_act: "silu",
  rms_norm_eps: 1e-5,
  max_position_embeddings: 2048,
};
const SHAPES: Record<
  string,
  { label: string; config: Record<string, unknown>; bench: Record<string, number> }
> = {
  a: {
    label: "(a) 10M Llama: 2 layers, d 256, vocab 32k",
    config: {
      ...llama,
      hidden_size: 256,
      intermediate_size: 688,
      num_hidden_layers: 2,
      num_attention_heads: 4,
      num_key_value_heads: 4,
      head_dim: 64,
      vocab_size: 32000,
      rope_theta: 10000,
      tie_word_embeddings: true,
    },
    bench: {
      seq: 256,
      batch: 1,
      rank: 32,
      warmup: 2,
      steps: 10,
      prompt: 32,
      num_samples: 4,
      max_tokens: 64,
      threads,
    },
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
      head_dim: 64,
      vocab_size: 49152,
      rope_theta: 10000,
      tie_word_embeddings: true,
    },
    bench: {
      seq: 256,
      batch: 1,
      rank: 32,
      warmup: 1,
      steps: 3,
      prompt: 32,
      num_samples: 4,
      max_tokens: 32,
      threads,
    },
  },
  c: {
    // Qwen3-30B-A3B's structure (q/k norm, 128 experts top-8, expert width 768 at d 2048) scaled down for a
    // 2-core machine; the same expert-width : d ratio and 1/16 of the experts active.
    label:
      "(c) Qwen3-MoE (30B-A3B structure, scaled): 4 layers, d 512, 32 experts top-2, expert width 192, vocab 32k",
    config: {
      architectures: ["Qwen3MoeForCausalLM"],
      model_type: "qwen3_moe",
      hidden_act: "silu",
      rms_norm_eps: 1e-6,
      max_position_embeddings: 2048,
      hidden_size: 512,
      intermediate_size: 1536,
      moe_intermediate_size: 192,
      num_experts: 32,
      num_experts_per_tok: 2,
      norm_topk_prob: true,
      decoder_sparse_step: 1,
      mlp_only_layers: [],
      num_hidden_layers: 4,
      num_attention_heads: 8,
      num_key_value_heads: 2,
      head_dim: 64,
      vocab_size: 32000,
      rope_parameters: { rope_type: "default", rope_theta: 1000000 },
      tie_word_embeddings: false,
    },
    bench: {
      seq: 256,
      batch: 1,
      rank: 16,
      warmup: 1,
      steps: 3,
      prompt: 32,
      num_samples: 4,
      max_tokens: 32,
      threads,
    },
  },
  q: {
    label: "(q) Qwen3.5-0.8B layout scaled down: 8 layers (6 DeltaNet, 2 attention), d 512, vocab 32k",
    config: {
      architectures: ["Qwen3_5ForConditionalGeneration"],
      model_type: "qwen3_5",
      tie_word_embeddings: true,
      text_config: {
        model_type: "qwen3_5_text",
        hidden_act: "silu",
        hidden_size: 512,
        intermediate_size: 1536,
        num_hidden_layers: 8,
        num_attention_heads: 4,
        num_key_value_heads: 1,
        head_dim: 128,
        layer_types: Array.from({ length: 8 }, (_, i) =>
          (i + 1) % 4 === 0 ? "full_attention" : "linear_attention",
        ),
        linear_num_key_heads: 8,
        linear_num_value_heads: 8,
        linear_key_head_dim: 64,
        linear_value_head_dim: 64,
        linear_conv_kernel_dim: 4,
        rms_norm_eps: 1e-6,
        rope_parameters: { rope_type: "default", rope_theta: 10000000, partial_rotary_factor: 0.25 },
        max_position_embeddings: 4096,
        vocab_size: 32000,
        tie_word_embeddings: true,
      },
    },
    bench: {
      seq: 256,
      batch: 1,
      rank: 32,
      warmup: 1,
      steps: 5,
      prompt: 32,
      num_samples: 4,
      max_tokens: 64,
      threads,
    },
  },
};

function runJson(cmd: string, args: string[]): Record<string, number> {
  const txt = execFileSync(cmd, args, { env, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  return JSON.parse(txt.trim().split("\n").pop() as string);
}

const repeats = Number(process.env.BENCH_REPEATS ?? 3);
const which = process.argv.slice(2).filter((a) => a in SHAPES);
type Run = Record<string, number>;
// Best run per side: highest tokens/s, lowest CPU seconds per step; peak RSS is the largest seen.
function best(runs: Run[]): Run {
  const max = (k: string) => Math.max(...runs.map((r) => r[k] as number));
  const min = (k: string) => Math.min(...runs.map((r) => r[k] as number));
  return {
    train_tokens_per_s: max("train_tokens_per_s"),
    train_step_s: min("train_step_s"),
    train_cpu_s: min("train_cpu_s"),
    sample_tokens_per_s: max("sample_tokens_per_s"),
    sample_cpu_s: min("sample_cpu_s"),
    peak_rss_mb: max("peak_rss_mb"),
  };
}
for (const key of which.length ? which : Object.keys(SHAPES)) {
  const s = SHAPES[key] as (typeof SHAPES)[string];
  const dir = join(out, `model-${key}`);
  if (!existsSync(join(dir, "config.json"))) {
    execFileSync(
      "/usr/bin/python3",
      [join(here, "torch_bench.py"), "make-model", dir, JSON.stringify(s.config)],
      { env, stdio: "inherit" },
    );
  }
  const pyRun = () =>
    runJson("/usr/bin/python3", [join(here, "torch_bench.py"), "run", dir, JSON.stringify(s.bench)]);
  const enRun = () =>
    runJson(process.execPath, [
      "--import",
      "tsx",
      join(here, "engine_bench.mts"),
      dir,
      JSON.stringify(s.bench),
    ]);
  const pys: Run[] = [];
  const ens: Run[] = [];
  const loads: number[] = [os.loadavg()[0] as number];
  for (let r = 0; r < repeats; r++) {
    // alternate which side goes first, so a load change during the run hurts both sides alike
    if (r % 2 === 0) {
      pys.push(pyRun());
      ens.push(enRun());
    } else {
      ens.push(enRun());
      pys.push(pyRun());
    }
    loads.push(os.loadavg()[0] as number);
  }
  const py = best(pys);
  const en = best(ens);
  const f = (x: number) => x.toFixed(1);
  const ratio = (a: number, b: number) => (a / b).toFixed(2);
  console.log(
    [
      `${s.label}  [T=${s.bench.seq}, batch ${s.bench.batch}, LoRA r${s.bench.rank}, ${threads} threads, best of ${repeats}, load avg ${loads.map((l) => l.toFixed(1)).join("→")}]`,
      `  fwd+bwd+AdamW tokens/s   engine ${f(en.train_tokens_per_s as number)}   pytorch ${f(py.train_tokens_per_s as number)}   ratio ${ratio(en.train_tokens_per_s as number, py.train_tokens_per_s as number)}   (step ${f((en.train_step_s as number) * 1000)} ms vs ${f((py.train_step_s as number) * 1000)} ms)`,
      `  CPU s per step           engine ${(en.train_cpu_s as number).toFixed(3)}   pytorch ${(py.train_cpu_s as number).toFixed(3)}   ratio ${ratio(py.train_cpu_s as number, en.train_cpu_s as number)}   (all threads, user+sys)`,
      `  KV-cached sampling tok/s engine ${f(en.sample_tokens_per_s as number)}   pytorch ${f(py.sample_tokens_per_s as number)}   ratio ${ratio(en.sample_tokens_per_s as number, py.sample_tokens_per_s as number)}   (${s.bench.num_samples} samples × ${s.bench.max_tokens} tokens, prompt ${s.bench.prompt})`,
      `  sampling CPU s          engine ${(en.sample_cpu_s as number).toFixed(3)}   pytorch ${(py.sample_cpu_s as number).toFixed(3)}   ratio ${ratio(py.sample_cpu_s as number, en.sample_cpu_s as number)}`,
      `  peak RSS MB              engine ${f(en.peak_rss_mb as number)}   pytorch ${f(py.peak_rss_mb as number)}`,
      `  per run tokens/s train engine [${ens.map((r) => f(r.train_tokens_per_s as number)).join(", ")}] pytorch [${pys.map((r) => f(r.train_tokens_per_s as number)).join(", ")}]`,
    ].join("\n"),
  );
}
