import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createEngine } from "../engine/index.js";
import { createTinkerHandler } from "./handler.js";
import { call, waitFuture } from "./test-support.js";

// A model the user chose that the engine does not run is the user's error: 400 / category "user", one line
// naming the config key, never "internal error".
describe("Tinker handler: unsupported model configs", () => {
  const dir = mkdtempSync(join(tmpdir(), "handler-model-config-"));
  const engine = createEngine({ modelsDir: join(dir, "models") });
  afterAll(async () => {
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const modelDir = (name: string, config: Record<string, unknown>): string => {
    const d = join(dir, name);
    mkdirSync(d);
    writeFileSync(join(d, "config.json"), JSON.stringify(config));
    return d;
  };
  const llama = {
    model_type: "llama",
    hidden_size: 32,
    intermediate_size: 64,
    num_hidden_layers: 1,
    num_attention_heads: 4,
    vocab_size: 50,
  };

  it.each([
    [
      "model_type",
      { ...llama, model_type: "qwen9_moe" },
      /config\.json field model_type: "qwen9_moe" is not supported/,
    ],
    [
      "rope_type",
      { ...llama, rope_parameters: { rope_type: "ntk-by-parts", rope_theta: 1e4 } },
      /rope_parameters\.rope_type: "ntk-by-parts"/,
    ],
  ])(
    "%s: get_server_capabilities answers 400, create_model fails with category user",
    async (name, config, message) => {
      const model = modelDir(`m-${name}`, config);
      const h = await createTinkerHandler({
        engine,
        checkpointDir: join(dir, `ckpt-${name}`),
        models: [model],
        limits: { longPollMs: 300 },
      });
      try {
        const caps = await call(h, "GET", "get_server_capabilities");
        expect(caps.status).toBe(400);
        expect(caps.json.detail).toMatch(message);
        expect(caps.json.detail).not.toMatch(/internal error/);
        const s = await call(h, "POST", "create_session", {
          tags: [],
          user_metadata: {},
          sdk_version: "0.25.0",
          type: "create_session",
        });
        const r = await call(h, "POST", "create_model", {
          session_id: s.json.session_id,
          model_seq_id: 1,
          base_model: model,
          lora_config: { rank: 4, seed: 0 },
          type: "create_model",
        });
        const done = r.status === 200 ? (await waitFuture(h, r.json.request_id)).json : r.json;
        expect(String(done.error ?? done.detail)).toMatch(message);
        if (r.status === 200) expect(done.category).toBe("user");
        else expect(r.status).toBe(400);
      } finally {
        await h.close();
      }
    },
  );
});
