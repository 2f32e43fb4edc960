import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ServiceClient } from "@crucible/tinker-client";
import { createLocalBackend } from "@crucible/tinker-local";
import { runMetadata } from "@crucible/train";
import { afterAll, describe, expect, it } from "vitest";
import { checkpointRendererName, pickRenderer } from "./checkpoint-renderer.js";

const dir = mkdtempSync(join(tmpdir(), "ckpt-renderer-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("checkpoint renderer", () => {
  it("a run's renderer_name and recipe_name are read back from its checkpoint (local backend)", async () => {
    const backend = await createLocalBackend({ checkpointDir: dir });
    const svc = new ServiceClient(backend.clientOptions);
    try {
      const meta = runMetadata({ recipeName: "recipe_chat_sl", rendererName: "qwen3_5" });
      const tc = await svc.createLoraTrainingClient({
        baseModel: "crucible/tiny-qwen3",
        rank: 2,
        userMetadata: meta,
      });
      const { path } = await tc.saveState("s0");
      expect(await checkpointRendererName(svc, path)).toBe("qwen3_5");
      const run = await svc.createRestClient().getTrainingRunByTinkerPath(path);
      expect(run.userMetadata?.recipe_name).toBe("recipe_chat_sl");

      const bare = await svc.createLoraTrainingClient({ baseModel: "crucible/tiny-qwen3", rank: 2 });
      expect(await checkpointRendererName(svc, (await bare.saveState("s1")).path)).toBeUndefined();
    } finally {
      await svc.close();
      await backend.close();
    }
  }, 60_000);

  it("the config's renderer wins, with a warning on a mismatch; else the checkpoint's", () => {
    const warnings: string[] = [];
    expect(pickRenderer("llama3", "qwen3_5", (m) => warnings.push(m))).toBe("llama3");
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("qwen3_5");
    expect(pickRenderer(null, "qwen3_5", (m) => warnings.push(m))).toBe("qwen3_5");
    expect(pickRenderer("qwen3_5", "qwen3_5", (m) => warnings.push(m))).toBe("qwen3_5");
    expect(pickRenderer(null, undefined, (m) => warnings.push(m))).toBeNull();
    expect(warnings).toHaveLength(1);
  });
});
