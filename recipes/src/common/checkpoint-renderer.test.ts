import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ServiceClient } from "@crucible/tinker-client";
import { createLocalBackend } from "@crucible/tinker-local";
import { runMetadata } from "@crucible/train";
import { afterAll, describe, expect, it } from "vitest";
import {
  checkpointRendererName,
  pickRenderer,
  type RunRendererFields,
  runRenderer,
} from "./checkpoint-renderer.js";

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

  it("runRenderer: resumed state > load_checkpoint_path > teacher_checkpoint > default; given wins; unreadable skipped", async () => {
    const backend = await createLocalBackend({ checkpointDir: join(dir, "store2") });
    const svc = new ServiceClient(backend.clientOptions);
    const printed: string[] = [];
    const warned: string[] = [];
    const ctx = { print: (l: string) => printed.push(l), warn: (l: string) => warned.push(l) };
    try {
      const save = async (rendererName: string | null, name: string) => {
        const tc = await svc.createLoraTrainingClient({
          baseModel: "crucible/tiny-qwen3",
          rank: 2,
          userMetadata: runMetadata({ recipeName: "r", rendererName }),
        });
        return (await tc.saveState(name)).path;
      };
      const [q35, llama, bare] = [
        await save("qwen3_5", "a"),
        await save("llama3", "b"),
        await save(null, "c"),
      ];
      const cfg: RunRendererFields = {
        renderer_name: "role_colon",
        renderer_name_given: false,
        load_checkpoint_path: null,
        log_path: null,
      };
      const pick = (c: Partial<RunRendererFields>, teacher?: string) =>
        runRenderer(svc, { ...cfg, ...c }, ctx, { teacherCheckpoint: teacher ?? null });

      expect(await pick({})).toBe("role_colon");
      expect(await pick({ load_checkpoint_path: q35 })).toBe("qwen3_5");
      expect(printed.at(-1)).toBe(`renderer_name=qwen3_5 (from load_checkpoint_path=${q35})`);
      expect(await pick({ load_checkpoint_path: bare }, q35)).toBe("qwen3_5"); // no metadata: the teacher's
      expect(await pick({}, llama)).toBe("llama3");
      expect(warned).toEqual([]);

      // a resumed log dir's last state wins over load_checkpoint_path (which a resume does not load)
      const log = join(dir, "resumed");
      mkdirSync(log, { recursive: true });
      writeFileSync(
        join(log, "checkpoints.jsonl"),
        `${JSON.stringify({ name: "000001", batch: 1, state_path: llama })}\n`,
      );
      expect(await pick({ log_path: log, load_checkpoint_path: q35 })).toBe("llama3");

      // given: kept, one warning per checkpoint trained with another renderer
      expect(await pick({ renderer_name_given: true, load_checkpoint_path: q35 }, llama)).toBe("role_colon");
      expect(warned).toHaveLength(2);
      expect(warned[0]).toContain(`load_checkpoint_path=${q35} (qwen3_5)`);
      expect(warned[1]).toContain(`teacher_checkpoint=${llama} (llama3)`);

      // a run the server does not know: a warning, the default stays
      expect(await pick({ load_checkpoint_path: "tinker://nope:train:0/weights/x" })).toBe("role_colon");
      expect(warned.at(-1)).toMatch(/^could not read the renderer of load_checkpoint_path=tinker:\/\/nope/);
    } finally {
      await svc.close();
      await backend.close();
    }
  }, 60_000);
});
