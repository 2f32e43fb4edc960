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

  it("the config's renderer wins, with a warning per differing checkpoint; else the first checkpoint's", () => {
    const warnings: string[] = [];
    const warn = (m: string) => warnings.push(m);
    const load = { label: "load_checkpoint_path=tinker://a", rendererName: "qwen3_5" };
    const teacher = { label: "teacher_checkpoint=tinker://t", rendererName: "llama3" };
    expect(pickRenderer("llama3", [load], warn)).toBe("llama3");
    expect(warnings).toEqual([
      "renderer_name=llama3 differs from the renderer of load_checkpoint_path=tinker://a (qwen3_5); its weights were trained with qwen3_5",
    ]);
    expect(pickRenderer(null, [load], warn)).toBe("qwen3_5");
    expect(pickRenderer("qwen3_5", [load], warn)).toBe("qwen3_5");
    expect(pickRenderer(null, [], warn)).toBeNull();
    expect(warnings).toHaveLength(1);
    // student checkpoint first; a teacher trained with another renderer is reported
    expect(pickRenderer(null, [load, teacher], warn)).toBe("qwen3_5");
    expect(warnings.at(-1)).toBe(
      "renderer qwen3_5 differs from the renderer of teacher_checkpoint=tinker://t (llama3); its weights were trained with llama3",
    );
    expect(pickRenderer(null, [teacher], warn)).toBe("llama3");
    expect(warnings).toHaveLength(2);
  });
});
