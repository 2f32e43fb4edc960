// Merge benchmark: generates a ~2 GB BF16 Llama-shaped model (4 shards) and a rank-16 adapter on every linear layer
// plus lm_head, then times `mergeAdapter` in a fresh child process and reports its peak RSS (maxRSS), which the
// streaming merge keeps near one tensor, not the model. Run by hand: pnpm --filter @crucible/tools bench:weights
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encodeSafetensors, fromFloat32, type SafetensorsSpec, writeSafetensorsFile } from "@crucible/hub";
import { mergeAdapter } from "@crucible/weights";

const H = 2048;
const I = 5632;
const V = 32000;
const LAYERS = 16;
const SHARDS = 4;
const RANK = 16;

function shapesOf(): [string, number[]][] {
  const out: [string, number[]][] = [
    ["model.embed_tokens.weight", [V, H]],
    ["lm_head.weight", [V, H]],
    ["model.norm.weight", [H]],
  ];
  for (let l = 0; l < LAYERS; l++) {
    const p = `model.layers.${l}.`;
    out.push(
      [`${p}input_layernorm.weight`, [H]],
      [`${p}post_attention_layernorm.weight`, [H]],
      [`${p}self_attn.q_proj.weight`, [H, H]],
      [`${p}self_attn.k_proj.weight`, [H, H]],
      [`${p}self_attn.v_proj.weight`, [H, H]],
      [`${p}self_attn.o_proj.weight`, [H, H]],
      [`${p}mlp.gate_proj.weight`, [I, H]],
      [`${p}mlp.up_proj.weight`, [I, H]],
      [`${p}mlp.down_proj.weight`, [H, I]],
    );
  }
  return out;
}

/** Deterministic small BF16 values without building an f32 copy of the tensor. */
function bf16Bytes(n: number, seed: number): Uint8Array {
  const out = new Uint16Array(n);
  let x = seed >>> 0;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out[i] = 0x3c00 | (x >>> 25); // ±small magnitudes, never NaN/Inf
  }
  return new Uint8Array(out.buffer);
}

function generate(dir: string): void {
  mkdirSync(join(dir, "base"), { recursive: true });
  const shapes = shapesOf();
  const per = Math.ceil(shapes.length / SHARDS);
  const weightMap: Record<string, string> = {};
  for (let s = 0; s < SHARDS; s++) {
    const file = `model-0000${s + 1}-of-0000${SHARDS}.safetensors`;
    const specs: SafetensorsSpec[] = shapes
      .slice(s * per, (s + 1) * per)
      .map(([name, shape]) => ({ name, shape, dtype: "BF16" }));
    for (const sp of specs) weightMap[sp.name] = file;
    writeSafetensorsFile(join(dir, "base", file), specs, (sp) =>
      bf16Bytes(
        sp.shape.reduce((a, b) => a * b, 1),
        sp.name.length * 7919,
      ),
    );
  }
  writeFileSync(
    join(dir, "base", "model.safetensors.index.json"),
    JSON.stringify({ metadata: {}, weight_map: weightMap }),
  );
  writeFileSync(
    join(dir, "base", "config.json"),
    JSON.stringify({
      model_type: "llama",
      hidden_size: H,
      intermediate_size: I,
      num_hidden_layers: LAYERS,
      vocab_size: V,
      tie_word_embeddings: false,
      torch_dtype: "bfloat16",
    }),
  );
  const lora = shapes
    .filter(([name, shape]) => shape.length === 2 && name !== "model.embed_tokens.weight")
    .flatMap(([name, [out, inDim]]) => {
      const m = name === "lm_head.weight" ? "model.unembed_tokens" : name.replace(/\.weight$/, "");
      const a = new Float32Array(RANK * (inDim as number)).map((_, i) => Math.sin(i) * 0.01);
      const b = new Float32Array((out as number) * RANK).map((_, i) => Math.cos(i) * 0.01);
      return [
        { name: `base_model.model.${m}.lora_A.weight`, shape: [RANK, inDim as number], data: a },
        { name: `base_model.model.${m}.lora_B.weight`, shape: [out as number, RANK], data: b },
      ];
    });
  mkdirSync(join(dir, "ckpt"));
  writeFileSync(join(dir, "ckpt", "adapter_model.safetensors"), encodeSafetensors(lora));
  writeFileSync(join(dir, "ckpt", "adapter_config.json"), JSON.stringify({ r: RANK, lora_alpha: 32 }));
  void fromFloat32;
}

async function mergeOnly(dir: string): Promise<void> {
  const t0 = performance.now();
  const r = await mergeAdapter({
    checkpointDir: join(dir, "ckpt"),
    baseDir: join(dir, "base"),
    outDir: join(dir, "out"),
  });
  const seconds = (performance.now() - t0) / 1000;
  const peakMb = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(
    `${JSON.stringify({ modelGB: +(r.totalBytes / 1e9).toFixed(2), shards: r.shards.length, largestShardGB: +(r.totalBytes / SHARDS / 1e9).toFixed(2), mergedModules: r.mergedModules, rank: RANK, seconds: +seconds.toFixed(1), peakRssMB: Math.round(peakMb) })}\n`,
  );
}

if (process.argv[2] === "--merge") {
  await mergeOnly(process.argv[3] as string);
} else {
  const dir = mkdtempSync(join(tmpdir(), "bench-merge-"));
  try {
    const t0 = performance.now();
    generate(dir);
    process.stdout.write(`generated in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
    const out = execFileSync(
      process.execPath,
      [...process.execArgv, process.argv[1] as string, "--merge", dir],
      {
        encoding: "utf8",
        env: { ...process.env, NODE_OPTIONS: "" },
      },
    );
    process.stdout.write(out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
