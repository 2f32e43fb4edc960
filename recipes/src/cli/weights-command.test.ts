import { execFileSync } from "node:child_process";
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encodeSafetensors, LocalHub, readSafetensors, toFloat32, uploadRoutes } from "@crucible/hub";
import { createDatum, ModelInput, ServiceClient } from "@crucible/tinker-client";
import {
  createEngine,
  createLocalBackend,
  type Engine,
  ensureBuiltinModel,
  startLocalServer,
} from "@crucible/tinker-local";
import { downloadCheckpoint } from "@crucible/weights";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CliIO } from "./app.js";
import { runCli } from "./app.js";
import { commands } from "./commands.js";

const MODEL = "crucible/tiny-qwen3";
const KEY = "tml-weights-test";

function captureIO(): CliIO & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, out: (l) => lines.push(l), err: (l) => errors.push(l) };
}

/**
 * Independent PEFT application (not @crucible/weights' code): reads the PEFT adapter and the base weights, adds
 * (alpha/r)·B·A per element in f64, writes an untied HF model directory the engine can load as a plain model.
 */
function applyPeftIndependently(peftDir: string, baseDir: string, outDir: string): void {
  const cfg = JSON.parse(readFileSync(join(peftDir, "adapter_config.json"), "utf8"));
  const scale = cfg.lora_alpha / cfg.r;
  const lora = new Map(
    readSafetensors(join(peftDir, "adapter_model.safetensors")).tensors.map((t) => [t.name, t]),
  );
  const base = readSafetensors(join(baseDir, "model.safetensors")).tensors;
  const weights = new Map(base.map((t) => [t.name, { shape: t.shape, data: toFloat32(t) }]));
  const embed = weights.get("model.embed_tokens.weight");
  if (!weights.has("lm_head.weight") && embed)
    weights.set("lm_head.weight", { shape: embed.shape, data: embed.data.slice() });
  for (const [name, w] of weights) {
    const module = name.replace(/\.weight$/, "");
    const a = lora.get(`base_model.model.${module}.lora_A.weight`);
    const b = lora.get(`base_model.model.${module}.lora_B.weight`);
    if (!a || !b) continue;
    const [r, inDim] = a.shape as [number, number];
    const A = toFloat32(a);
    const B = toFloat32(b);
    const out = w.shape[0] as number;
    const merged = new Float32Array(w.data.length);
    for (let o = 0; o < out; o++)
      for (let i = 0; i < inDim; i++) {
        let d = 0;
        for (let k = 0; k < r; k++) d += (B[o * r + k] as number) * (A[k * inDim + i] as number);
        merged[o * inDim + i] = (w.data[o * inDim + i] as number) + scale * d;
      }
    w.data = merged;
  }
  mkdirSync(outDir);
  writeFileSync(
    join(outDir, "model.safetensors"),
    encodeSafetensors([...weights].map(([name, w]) => ({ name, shape: w.shape, data: w.data }))),
  );
  const config = JSON.parse(readFileSync(join(baseDir, "config.json"), "utf8"));
  writeFileSync(join(outDir, "config.json"), JSON.stringify({ ...config, tie_word_embeddings: false }));
  for (const f of ["tokenizer.json", "tokenizer_config.json"]) cpSync(join(baseDir, f), join(outDir, f));
}

describe("crucible weights (end to end on a loopback server)", () => {
  let engine: Engine;
  let dir: string;
  beforeAll(() => {
    engine = createEngine();
    dir = mkdtempSync(join(tmpdir(), "weights-e2e-"));
  });
  afterAll(async () => {
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("train → download over HTTP → PEFT + merged: both compute the LoRA model's logprobs to 1e-4", async () => {
    const server = await startLocalServer({
      engine,
      checkpointDir: join(dir, "server"),
      models: [MODEL],
      apiKeys: [KEY],
    });
    const trainer = new ServiceClient({ baseUrl: server.url, apiKey: KEY });
    const heldOutTokens = [9707, 11, 1879, 0, 576, 374, 264, 1273, 315, 279, 3460, 13];
    const heldOut = ModelInput.fromInts(heldOutTokens);
    let loraLogprobs: (number | null)[];
    let path: string;
    try {
      const tc = await trainer.createLoraTrainingClient({ baseModel: MODEL, rank: 4, seed: 3 });
      const datum = createDatum(ModelInput.fromInts([40, 1079, 264, 8544, 13, 1084]), {
        target_tokens: [1079, 264, 8544, 13, 1084, 525],
        weights: [1, 1, 1, 1, 1, 1],
      });
      for (let step = 0; step < 4; step++) {
        await tc.forwardBackward([datum], "cross_entropy");
        await tc.optimStep({ learningRate: 0.05 });
      }
      path = (await tc.saveWeightsForSampler("final")).path;
      const sampler = await trainer.createSamplingClient({ modelPath: path });
      loraLogprobs = await sampler.computeLogprobs(heldOut);
    } finally {
      await trainer.close();
    }

    // A second client, the CLI's own, downloads the sampler checkpoint over HTTP.
    const io = captureIO();
    const cli = (...argv: string[]) => runCli(["weights", ...argv], commands, io);
    const dl = join(dir, "dl");
    try {
      expect(await cli("download", path, dl, "--base-url", server.url, "--api-key", KEY)).toBe(0);
    } finally {
      await server.close();
    }
    expect(io.lines.at(-1)).toMatch(/verified with x-content-sha256/);
    expect(readdirSync(dl).sort()).toEqual([
      "adapter_config.json",
      "adapter_model.safetensors",
      "crucible-download.json",
    ]);

    const peft = join(dir, "peft");
    const merged = join(dir, "merged");
    expect(await cli("adapter", dl, peft, "--base", MODEL)).toBe(0);
    expect(io.lines.join("\n")).toMatch(/unembedding LoRA kept as target "lm_head" \(tied embeddings/);
    expect(await cli("merge", dl, merged)).toBe(0);
    expect(readdirSync(merged)).toContain("model.safetensors.index.json");
    expect(JSON.parse(readFileSync(join(merged, "config.json"), "utf8")).tie_word_embeddings).toBe(false);

    // Publish the merged model to the loopback hub-compatible server, with a model card.
    const hub = await LocalHub.start();
    const { route, log } = uploadRoutes({ token: "hf_test" });
    hub.addRoute(route);
    const saved = {
      endpoint: process.env["HF_ENDPOINT"],
      token: process.env["HF_TOKEN"],
      offline: process.env["HF_HUB_OFFLINE"],
    };
    process.env["HF_ENDPOINT"] = hub.url;
    process.env["HF_TOKEN"] = "hf_test";
    // The suite runs with HF_HUB_OFFLINE=1 (no test may reach the real hub); this one talks to its loopback hub.
    delete process.env["HF_HUB_OFFLINE"];
    try {
      expect(await cli("publish", merged, "me/tiny-qwen3-sft", "--recipe", "sl_basic")).toBe(0);
    } finally {
      for (const [k, v] of [
        ["HF_ENDPOINT", saved.endpoint],
        ["HF_TOKEN", saved.token],
        ["HF_HUB_OFFLINE", saved.offline],
      ] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      await hub.close();
    }
    expect(io.lines.at(-1)).toMatch(/^published .* → http:\/\/127\.0\.0\.1:\d+\/me\/tiny-qwen3-sft/);
    expect(log.commits[0]?.lfsFiles).toContain("model-00001-of-00001.safetensors");
    expect(log.commits[0]?.files).toContain("README.md");

    const independent = join(dir, "peft-applied");
    applyPeftIndependently(peft, ensureBuiltinModel(MODEL), independent);
    const prompt = Int32Array.from(heldOutTokens);
    const ref = loraLogprobs.slice(1) as number[];
    const diffs: Record<string, number> = {};
    // The untrained base is far from the LoRA model, so agreement to 1e-4 below means the adapter was applied.
    for (const modelDir of [MODEL, merged, independent]) {
      const plain = await engine.createSampler(modelDir); // a plain local HF model, no LoRA
      try {
        const r = await plain.sample({
          prompt,
          numSamples: 1,
          maxTokens: 1,
          temperature: 0,
          topK: -1,
          topP: 1,
          stopTokenIds: [],
          stopStrings: [],
          includePromptLogprobs: true,
          topkPromptLogprobs: 0,
        });
        const got = (r.promptLogprobs ?? []).slice(1) as number[];
        expect(got).toHaveLength(ref.length);
        diffs[modelDir] = Math.max(...got.map((g, i) => Math.abs(g - (ref[i] as number))));
      } finally {
        plain.dispose();
      }
    }
    process.stderr.write(`weights e2e max |Δ logprob| vs LoRA model: ${JSON.stringify(diffs)}\n`);
    expect(diffs[MODEL]).toBeGreaterThan(1e-2);
    expect(diffs[merged]).toBeLessThan(1e-4);
    expect(diffs[independent]).toBeLessThan(1e-4);
  }, 120_000);

  it("in-process backend: the relative archive URL is downloaded through the client's transport", async () => {
    const backend = await createLocalBackend({
      engine,
      checkpointDir: join(dir, "in-process"),
      models: [MODEL],
    });
    const svc = new ServiceClient(backend.clientOptions);
    try {
      const tc = await svc.createLoraTrainingClient({ baseModel: MODEL, rank: 2, seed: 0 });
      const { path } = await tc.saveState("s0");
      const r = await downloadCheckpoint({
        tinkerPath: path,
        outDir: join(dir, "in-process-dl"),
        rest: svc.createRestClient(),
        ...(backend.transport ? { transport: backend.transport } : {}),
      });
      expect(r.verifiedWith).toBe("x-content-sha256");
      expect(r.files).toEqual([
        "adapter_config.json",
        "adapter_model.safetensors",
        "crucible_state.json",
        "optimizer.safetensors",
      ]);
    } finally {
      await svc.close();
      await backend.close();
    }
  });

  it("--help for the noun and each verb; bad input exits 2 with a clear message and no output directory", async () => {
    const io = captureIO();
    const cli = (...argv: string[]) => runCli(["weights", ...argv], commands, io);
    expect(await cli("--help")).toBe(0);
    for (const verb of ["download", "adapter", "merge", "publish"]) {
      expect(await cli(verb, "--help")).toBe(0);
      expect(io.lines.at(-1)).toMatch(new RegExp(`^Usage: crucible weights ${verb} `));
    }
    const notCkpt = join(dir, "not-a-checkpoint");
    mkdirSync(notCkpt);
    writeFileSync(join(notCkpt, "README.md"), "hello");
    const out = join(dir, "bad-out");
    expect(await cli("merge", notCkpt, out, "--base", MODEL)).toBe(2);
    expect(io.errors.at(-1)).toMatch(/is not a LoRA checkpoint: no adapter_model.safetensors/);
    // A checkpoint whose shapes do not fit the base model.
    const ckpt = join(dir, "small-ckpt");
    mkdirSync(ckpt);
    writeFileSync(
      join(ckpt, "adapter_model.safetensors"),
      encodeSafetensors([
        {
          name: "base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight",
          shape: [2, 8],
          data: new Float32Array(16),
        },
        {
          name: "base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight",
          shape: [8, 2],
          data: new Float32Array(16),
        },
      ]),
    );
    writeFileSync(join(ckpt, "adapter_config.json"), JSON.stringify({ r: 2, lora_alpha: 4 }));
    expect(await cli("merge", ckpt, out, "--base", MODEL)).toBe(2);
    expect(io.errors.at(-1)).toMatch(/q_proj: lora_A \[2,8\] and lora_B \[8,2\] do not fit base weight/);
    expect(await cli("adapter", ckpt, out, "--base", MODEL)).toBe(2);
    expect(io.errors.at(-1)).toMatch(/do not fit base weight/);
    expect(await cli("merge", ckpt, out)).toBe(2);
    expect(io.errors.at(-1)).toMatch(/does not name its base model; pass --base/);
    expect(await cli("merge", ckpt)).toBe(2);
    expect(io.errors.at(-1)).toMatch(/expected two arguments/);
    expect(existsSync(out)).toBe(false);
    // A read-only output directory (chattr +i, since chmod does not stop root) stands in for a full disk.
    const ro = join(dir, "read-only");
    mkdirSync(ro);
    chmodSync(ro, 0o555);
    if (process.getuid?.() === 0) execFileSync("chattr", ["+i", ro]);
    try {
      expect(await cli("adapter", join(dir, "small-ckpt"), join(ro, "peft"), "--base", "test/base")).toBe(2);
      expect(io.errors.at(-1)).toMatch(
        /cannot write .*read-only\/peft: (permission denied|operation not permitted)/,
      );
      expect(readdirSync(ro)).toEqual([]);
    } finally {
      if (process.getuid?.() === 0) execFileSync("chattr", ["-i", ro]);
      chmodSync(ro, 0o755);
    }
  }, 60_000);
});
