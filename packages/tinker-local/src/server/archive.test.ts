import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readSafetensors } from "@crucible/hub";
import { createDatum, ModelInput, ServiceClient } from "@crucible/tinker-client";
import { extract } from "tar-stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEngine } from "../engine/index.js";
import type { Engine } from "../engine/types.js";
import { startLocalServer } from "./http.js";

const MODEL = "crucible/tiny-qwen3";

/**
 * The hosted service's sampler-archive layout, as the Python cookbook's `weights` module reads it
 * (`_download.download` untars into a directory; `_artifacts.load_adapter_weights` reads
 * `adapter_model.safetensors` + `adapter_config.json`; `_merge_utils.build_name_remaps` strips `base_model.model.`
 * and maps `model.unembed_tokens` → `lm_head`; `validate_adapter_config` requires `lora_alpha` and `r`).
 */
const HOSTED_FILES = ["adapter_config.json", "adapter_model.safetensors"];
const HOSTED_KEY =
  /^base_model\.model\.model\.(layers\.\d+\.(self_attn\.(q|k|v|o)_proj|mlp\.(gate|up|down)_proj)|unembed_tokens)\.lora_(A|B)\.weight$/;
const REQUIRED_CONFIG_KEYS = ["lora_alpha", "r"];

async function untar(bytes: Uint8Array): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  const ex = extract();
  const done = new Promise<void>((resolve, reject) => {
    ex.on("entry", (header, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        expect(header.type).toBe("file");
        files.set(header.name, Buffer.concat(chunks));
        next();
      });
    });
    ex.on("finish", resolve);
    ex.on("error", reject);
  });
  ex.end(Buffer.from(bytes));
  await done;
  return files;
}

function keysOf(file: Buffer, dir: string, name: string): string[] {
  return readSafetensorsBuffer(file, dir, name).map((t) => t.name);
}

/** readSafetensors works on files; the test writes the tar member next to the checkpoint dir first. */
function readSafetensorsBuffer(buf: Buffer, dir: string, name: string) {
  const file = join(dir, name);
  writeFileSync(file, buf);
  return readSafetensors(file).tensors;
}

describe("checkpoint archive over HTTP", () => {
  let engine: Engine;
  let dir: string;
  beforeAll(async () => {
    engine = createEngine();
    dir = await mkdtemp(join(tmpdir(), "archive-"));
  });
  afterAll(async () => {
    await engine.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("hands out a signed, expiring URL that a plain GET downloads: a tar in the hosted layout with SHA-256", async () => {
    const server = await startLocalServer({
      engine,
      checkpointDir: join(dir, "ckpt"),
      models: [MODEL],
      apiKeys: ["secret-key"],
    });
    const svc = new ServiceClient({ baseUrl: server.url, apiKey: "secret-key" });
    try {
      const tc = await svc.createLoraTrainingClient({ baseModel: MODEL, rank: 4, seed: 1 });
      const datum = createDatum(ModelInput.fromInts([5, 6, 7, 8]), {
        target_tokens: [6, 7, 8, 9],
        weights: [1, 1, 1, 1],
      });
      for (let i = 0; i < 2; i++) {
        await tc.forwardBackward([datum], "cross_entropy");
        await tc.optimStep({ learningRate: 0.01 });
      }
      const sampler = await tc.saveWeightsForSampler("s");
      const state = await tc.saveState("t");
      const rest = svc.createRestClient();

      const before = Date.now();
      const { url, expires } = await rest.getCheckpointArchiveUrlFromTinkerPath(sampler.path);
      expect(url.startsWith(`${server.url}/api/v1/checkpoint_archive?`)).toBe(true);
      const ttl = Date.parse(expires as string) - before;
      expect(ttl).toBeGreaterThan(14 * 60_000);
      expect(ttl).toBeLessThanOrEqual(15 * 60_000 + 1000);

      const res = await fetch(url); // no API key, no headers: what urllib.urlretrieve does
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("application/x-tar");
      const body = new Uint8Array(await res.arrayBuffer());
      expect(Number(res.headers.get("content-length"))).toBe(body.byteLength);
      const sha = createHash("sha256").update(body).digest("hex");
      expect(res.headers.get("x-content-sha256")).toBe(sha);
      expect(res.headers.get("repr-digest")).toBe(`sha-256=:${Buffer.from(sha, "hex").toString("base64")}:`);

      const files = await untar(body);
      expect([...files.keys()].sort()).toEqual(HOSTED_FILES);
      const config = JSON.parse((files.get("adapter_config.json") as Buffer).toString("utf8"));
      for (const k of REQUIRED_CONFIG_KEYS) expect(config).toHaveProperty(k);
      expect(config).toMatchObject({
        r: 4,
        lora_alpha: 32,
        base_model_name_or_path: MODEL,
        peft_type: "LORA",
      });
      const keys = keysOf(files.get("adapter_model.safetensors") as Buffer, dir, "sampler.safetensors");
      for (const k of keys) expect(k).toMatch(HOSTED_KEY);
      expect(keys).toContain("base_model.model.model.unembed_tokens.lora_A.weight");
      expect(keys).toContain("base_model.model.model.unembed_tokens.lora_B.weight");
      expect(keys).toContain("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight");
      expect(keys.some((k) => k.includes("lm_head"))).toBe(false);

      // Training checkpoints add the optimizer state under the same key names.
      const train = await fetch((await rest.getCheckpointArchiveUrlFromTinkerPath(state.path)).url);
      const trainFiles = await untar(new Uint8Array(await train.arrayBuffer()));
      expect([...trainFiles.keys()].sort()).toEqual([
        ...HOSTED_FILES,
        "crucible_state.json",
        "optimizer.safetensors",
      ]);
      const trainKeys = keysOf(trainFiles.get("adapter_model.safetensors") as Buffer, dir, "t.safetensors");
      expect(trainKeys.sort()).toEqual([...keys].sort());
      const optKeys = keysOf(trainFiles.get("optimizer.safetensors") as Buffer, dir, "o.safetensors");
      expect(optKeys.sort()).toEqual(
        [...keys.map((k) => `exp_avg.${k}`), ...keys.map((k) => `exp_avg_sq.${k}`)].sort(),
      );

      // The signature is the credential: forged, re-targeted or expired URLs get 403.
      const forged = url.replace(/signature=[0-9a-f]/, (m) =>
        m.endsWith("0") ? `${m.slice(0, -1)}1` : `${m.slice(0, -1)}0`,
      );
      expect((await fetch(forged)).status).toBe(403);
      const retargeted = url.replace(
        encodeURIComponent("sampler_weights/s"),
        encodeURIComponent("weights/t"),
      );
      expect((await fetch(retargeted)).status).toBe(403);
      const expired = url.replace(/expires=\d+/, `expires=${before - 1}`);
      expect((await fetch(expired)).status).toBe(403);
    } finally {
      await svc.close();
      await server.close();
    }
  });
});
