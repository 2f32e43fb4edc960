import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { encodeSafetensors, fromFloat32, type SafetensorsDtype, type SafetensorsInput } from "@crucible/hub";

/** Test fixtures: a tiny synthetic Llama-style model directory and a hosted-layout adapter for it. */
export const H = 8;
export const I = 12;
export const V = 20;

function values(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    out[i] = (x / 2147483648 - 0.5) * 0.2;
  }
  return out;
}

function tensor(name: string, shape: number[], seed: number, dtype: SafetensorsDtype): SafetensorsInput {
  const data = values(
    shape.reduce((a, b) => a * b, 1),
    seed,
  );
  return dtype === "F32" ? { name, shape, data } : { name, shape, dtype, data: fromFloat32(data, dtype) };
}

export function baseTensors(opts: {
  tied: boolean;
  layers: number;
  dtype: SafetensorsDtype;
}): SafetensorsInput[] {
  const t: SafetensorsInput[] = [tensor("model.embed_tokens.weight", [V, H], 1, opts.dtype)];
  t.push(tensor("model.norm.weight", [H], 2, opts.dtype));
  if (!opts.tied) t.push(tensor("lm_head.weight", [V, H], 3, opts.dtype));
  for (let l = 0; l < opts.layers; l++) {
    const p = `model.layers.${l}.`;
    t.push(tensor(`${p}self_attn.q_proj.weight`, [H, H], 10 + l, opts.dtype));
    t.push(tensor(`${p}self_attn.v_proj.weight`, [H, H], 20 + l, opts.dtype));
    t.push(tensor(`${p}mlp.up_proj.weight`, [I, H], 30 + l, opts.dtype));
    t.push(tensor(`${p}mlp.down_proj.weight`, [H, I], 40 + l, opts.dtype));
  }
  return t;
}

/** Writes a model dir; with `shards` 2, layers go to a second shard and an index is written. */
export function writeBaseModel(
  dir: string,
  opts: { tied: boolean; layers?: number; dtype?: SafetensorsDtype; shards?: 1 | 2 },
): SafetensorsInput[] {
  const tensors = baseTensors({ tied: opts.tied, layers: opts.layers ?? 2, dtype: opts.dtype ?? "F32" });
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, "config.json"),
    JSON.stringify({ model_type: "llama", hidden_size: H, tie_word_embeddings: opts.tied, eos_token_id: 2 }),
  );
  writeFileSync(join(dir, "tokenizer.json"), JSON.stringify({ version: "1.0", model: { type: "BPE" } }));
  writeFileSync(join(dir, "tokenizer_config.json"), JSON.stringify({ eos_token: "</s>" }));
  if ((opts.shards ?? 1) === 1) {
    writeFileSync(join(dir, "model.safetensors"), encodeSafetensors(tensors));
  } else {
    const first = tensors.filter((t) => !t.name.startsWith("model.layers."));
    const second = tensors.filter((t) => t.name.startsWith("model.layers."));
    writeFileSync(join(dir, "model-00001-of-00002.safetensors"), encodeSafetensors(first));
    writeFileSync(join(dir, "model-00002-of-00002.safetensors"), encodeSafetensors(second));
    const weight_map: Record<string, string> = {};
    for (const t of first) weight_map[t.name] = "model-00001-of-00002.safetensors";
    for (const t of second) weight_map[t.name] = "model-00002-of-00002.safetensors";
    writeFileSync(join(dir, "model.safetensors.index.json"), JSON.stringify({ metadata: {}, weight_map }));
  }
  return tensors;
}

export const RANK = 2;
export const ALPHA = 4;

/** Hosted-layout adapter: q_proj and up_proj of every layer, plus the unembedding (`model.unembed_tokens`). */
export function writeAdapter(dir: string, opts: { layers?: number; unembed?: boolean; inDim?: number } = {}) {
  const inDim = opts.inDim ?? H;
  const t: SafetensorsInput[] = [];
  const add = (module: string, out: number, seed: number) => {
    t.push(tensor(`base_model.model.${module}.lora_A.weight`, [RANK, inDim], seed, "F32"));
    t.push(tensor(`base_model.model.${module}.lora_B.weight`, [out, RANK], seed + 1, "F32"));
  };
  for (let l = 0; l < (opts.layers ?? 2); l++) {
    add(`model.layers.${l}.self_attn.q_proj`, H, 100 + l * 7);
    add(`model.layers.${l}.mlp.up_proj`, I, 200 + l * 7);
  }
  if (opts.unembed ?? true) add("model.unembed_tokens", V, 300);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "adapter_model.safetensors"), encodeSafetensors(t));
  writeFileSync(
    join(dir, "adapter_config.json"),
    JSON.stringify({ r: RANK, lora_alpha: ALPHA, base_model_name_or_path: "test/tiny" }),
  );
  return t;
}
