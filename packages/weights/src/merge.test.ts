import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readSafetensors, type SafetensorsInput, toFloat32 } from "@crucible/hub";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { addLoraDelta, mergeAdapter } from "./merge.js";
import { ALPHA, H, I, RANK, V, writeAdapter, writeBaseModel } from "./test-fixtures.js";
import { makeReadOnly } from "./test-readonly.js";

/** Reference merge, written independently of merge.ts: per element, W[o,i] + s·Σ_k B[o,k]·A[k,i] in f64. */
function naiveMerged(
  w: Float32Array,
  a: Float32Array,
  b: Float32Array,
  out: number,
  inDim: number,
): Float64Array {
  const s = ALPHA / RANK;
  const res = new Float64Array(out * inDim);
  for (let o = 0; o < out; o++)
    for (let i = 0; i < inDim; i++) {
      let d = 0;
      for (let k = 0; k < RANK; k++) d += (b[o * RANK + k] as number) * (a[k * inDim + i] as number);
      res[o * inDim + i] = (w[o * inDim + i] as number) + s * d;
    }
  return res;
}

function f32(t: SafetensorsInput): Float32Array {
  return "dtype" in t ? toFloat32({ dtype: t.dtype, shape: t.shape, data: t.data }) : t.data;
}

function readModel(dir: string): Map<string, ReturnType<typeof readSafetensors>["tensors"][number]> {
  const out = new Map();
  for (const f of readdirSync(dir).filter((x) => x.endsWith(".safetensors")))
    for (const t of readSafetensors(join(dir, f)).tensors) out.set(t.name, t);
  return out;
}

describe("mergeAdapter", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "merge-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("untied, two shards: W + (alpha/r)·B·A per adapted weight, everything else byte-identical, index + tokenizer", async () => {
    const base = writeBaseModel(join(dir, "base"), { tied: false, shards: 2 });
    const adapter = writeAdapter(join(dir, "ckpt"));
    const r = await mergeAdapter({
      checkpointDir: join(dir, "ckpt"),
      baseDir: join(dir, "base"),
      outDir: join(dir, "out"),
    });
    expect(r).toMatchObject({
      shards: ["model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"],
      untied: false,
      mergedModules: 5,
    });
    const merged = readModel(join(dir, "out"));
    const index = JSON.parse(readFileSync(join(dir, "out", "model.safetensors.index.json"), "utf8"));
    expect(Object.keys(index.weight_map).sort()).toEqual(base.map((t) => t.name).sort());
    expect(index.metadata.total_size).toBe(r.totalBytes);
    const lora = (m: string) =>
      [
        f32(adapter.find((t) => t.name === `base_model.model.${m}.lora_A.weight`) as SafetensorsInput),
        f32(adapter.find((t) => t.name === `base_model.model.${m}.lora_B.weight`) as SafetensorsInput),
      ] as const;
    const adapted: Record<string, [string, number, number]> = {
      "model.layers.1.self_attn.q_proj.weight": ["model.layers.1.self_attn.q_proj", H, H],
      "model.layers.0.mlp.up_proj.weight": ["model.layers.0.mlp.up_proj", I, H],
      "lm_head.weight": ["model.unembed_tokens", V, H],
    };
    for (const t of base) {
      const got = toFloat32(merged.get(t.name) as Parameters<typeof toFloat32>[0]);
      const a = adapted[t.name];
      if (!a) {
        if (!t.name.includes("q_proj") && !t.name.includes("up_proj")) expect(got).toEqual(f32(t));
        continue;
      }
      const [A, B] = lora(a[0]);
      const want = naiveMerged(f32(t), A, B, a[1], a[2]);
      let maxDiff = 0;
      for (let i = 0; i < want.length; i++)
        maxDiff = Math.max(maxDiff, Math.abs((got[i] as number) - (want[i] as number)));
      expect(maxDiff).toBeLessThan(1e-7);
      expect(maxDiff === 0 && got.every((v, i) => v === f32(t)[i])).toBe(false); // the delta is really there
    }
    expect(readdirSync(join(dir, "out")).sort()).toEqual([
      "config.json",
      "crucible-provenance.json",
      "generation_config.json",
      "model-00001-of-00002.safetensors",
      "model-00002-of-00002.safetensors",
      "model.safetensors.index.json",
      "tokenizer.json",
      "tokenizer_config.json",
    ]);
    expect(JSON.parse(readFileSync(join(dir, "out", "generation_config.json"), "utf8"))).toEqual({
      eos_token_id: 2,
    });
  });

  it("tied embeddings: writes a separate lm_head = embedding + delta, keeps the input embedding, unties config", async () => {
    const base = writeBaseModel(join(dir, "base"), { tied: true });
    const adapter = writeAdapter(join(dir, "ckpt"));
    const r = await mergeAdapter({
      checkpointDir: join(dir, "ckpt"),
      baseDir: join(dir, "base"),
      outDir: join(dir, "out"),
    });
    expect(r.untied).toBe(true);
    const merged = readModel(join(dir, "out"));
    const embed = f32(base.find((t) => t.name === "model.embed_tokens.weight") as SafetensorsInput);
    expect(toFloat32(merged.get("model.embed_tokens.weight") as Parameters<typeof toFloat32>[0])).toEqual(
      embed,
    );
    const A = f32(adapter.find((t) => t.name.includes("unembed_tokens.lora_A")) as SafetensorsInput);
    const B = f32(adapter.find((t) => t.name.includes("unembed_tokens.lora_B")) as SafetensorsInput);
    const want = naiveMerged(embed, A, B, V, H);
    const got = toFloat32(merged.get("lm_head.weight") as Parameters<typeof toFloat32>[0]);
    for (let i = 0; i < want.length; i++)
      expect(Math.abs((got[i] as number) - (want[i] as number))).toBeLessThan(1e-7);
    expect(JSON.parse(readFileSync(join(dir, "out", "config.json"), "utf8")).tie_word_embeddings).toBe(false);
  });

  it("keeps the base dtype (BF16 in, BF16 out, rounded once from the f32 merge)", async () => {
    writeBaseModel(join(dir, "base"), { tied: false, dtype: "BF16" });
    writeAdapter(join(dir, "ckpt"));
    await mergeAdapter({
      checkpointDir: join(dir, "ckpt"),
      baseDir: join(dir, "base"),
      outDir: join(dir, "out"),
    });
    const merged = readModel(join(dir, "out"));
    expect([...merged.values()].every((t) => t.dtype === "BF16")).toBe(true);
  });

  it("bad input: not a checkpoint, mismatched base shapes, read-only output: typed errors, no output directory", async () => {
    writeBaseModel(join(dir, "base"), { tied: false });
    const out = join(dir, "out");
    await expect(
      mergeAdapter({ checkpointDir: join(dir, "base"), baseDir: join(dir, "base"), outDir: out }),
    ).rejects.toMatchObject({
      kind: "not_checkpoint",
      message: expect.stringMatching(/is not a LoRA checkpoint: no adapter_model.safetensors/),
    });
    writeAdapter(join(dir, "wrong"), { inDim: H + 2 });
    await expect(
      mergeAdapter({ checkpointDir: join(dir, "wrong"), baseDir: join(dir, "base"), outDir: out }),
    ).rejects.toMatchObject({
      kind: "shape_mismatch",
      message: expect.stringMatching(/lora_A \[2,10\].*do not fit base weight .*,8\]/),
    });
    expect(existsSync(out)).toBe(false);
    writeAdapter(join(dir, "ckpt"));
    const parent = join(dir, "ro");
    const { mkdirSync } = await import("node:fs");
    mkdirSync(parent);
    const undo = makeReadOnly(parent);
    try {
      const target = undo ? join(parent, "merged") : join(dir, "base", "config.json", "merged");
      await expect(
        mergeAdapter({ checkpointDir: join(dir, "ckpt"), baseDir: join(dir, "base"), outDir: target }),
      ).rejects.toMatchObject({ kind: "output", message: expect.stringMatching(/cannot write .*merged: /) });
      expect(readdirSync(parent)).toEqual([]);
    } finally {
      undo?.();
    }
  });

  it("addLoraDelta equals the naive per-element sum (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer(),
        (out, inDim, r, seed) => {
          const rnd = (n: number, s: number) =>
            Float32Array.from({ length: n }, (_, i) => Math.sin(seed + s * 31 + i * 7.1));
          const w = rnd(out * inDim, 1);
          const a = rnd(r * inDim, 2);
          const b = rnd(out * r, 3);
          const got = w.slice();
          addLoraDelta(got, { module: "m", a, aShape: [r, inDim], b, bShape: [out, r] }, 0.5);
          for (let o = 0; o < out; o++)
            for (let i = 0; i < inDim; i++) {
              let d = 0;
              for (let k = 0; k < r; k++) d += (b[o * r + k] as number) * (a[k * inDim + i] as number);
              expect(got[o * inDim + i]).toBeCloseTo((w[o * inDim + i] as number) + 0.5 * d, 5);
            }
        },
      ),
      { numRuns: 50 },
    );
  });
});
