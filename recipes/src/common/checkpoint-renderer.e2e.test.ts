// A checkpoint keeps its renderer across recipes (local backend): chat_sl trains with renderer_name=qwen3_5 on the
// tiny Qwen3.5 model; on-policy distillation starting from that checkpoint without renderer_name renders with
// qwen3_5 (the run's config.json and its training run's user metadata say so), and math_rl given
// renderer_name=role_colon on the same checkpoint warns and keeps role_colon. Each run's resolved recipe config
// travels in its user metadata (`config`, one JSON string) and reads back equal to what the run used.
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { ServiceClient } from "@crucible/tinker-client";
import { createLocalBackend } from "@crucible/tinker-local";
import { runConfigFromMetadata } from "@crucible/train";
import { afterAll, describe, expect, it } from "vitest";
import { crucible, e2eDir, readJsonl } from "../testing/e2e.js";

const dir = e2eDir("ckpt-renderer");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const MODEL = "crucible/tiny-qwen3_5";
const lastState = (log: string) => readJsonl(join(log, "checkpoints.jsonl")).at(-1)!["state_path"] as string;
const loggedConfig = (log: string) =>
  JSON.parse(readFileSync(join(log, "config.json"), "utf8")) as Record<string, unknown>;

/** The user metadata of the training run that wrote `path`, read back over REST from the local store. */
async function runMetadataOf(path: string): Promise<Record<string, string>> {
  const backend = await createLocalBackend();
  const svc = new ServiceClient(backend.clientOptions);
  try {
    return (await svc.createRestClient().getTrainingRunByTinkerPath(path)).userMetadata ?? {};
  } finally {
    await svc.close();
    await backend.close();
  }
}

describe("renderer read back from checkpoints (local backend)", () => {
  it("SFT with qwen3_5 → distillation uses qwen3_5 unasked; a user-given role_colon warns and wins", {
    timeout: 180_000,
  }, async () => {
    const t0 = Date.now();
    const sft = join(dir, "sft");
    const a = await crucible([
      "run",
      "chat_sl",
      "backend=local",
      `model_name=${MODEL}`,
      "renderer_name=qwen3_5",
      `log_path=${sft}`,
      "max_steps=1",
      "batch_size=2",
      "max_length=64",
      "lora_rank=4",
      "eval_every=0",
      "save_every=0",
    ]);
    expect(a.err).toEqual([]);
    const sftState = lastState(sft);
    const sftMeta = await runMetadataOf(sftState);
    expect(sftMeta.renderer_name).toBe("qwen3_5");
    expect(runConfigFromMetadata(sftMeta)).toMatchObject({
      model_name: MODEL,
      renderer_name: "qwen3_5",
      renderer_name_given: true,
      recipe_name: "recipe_chat_sl",
      lora_rank: 4,
      max_steps: 1,
    });
    const t1 = Date.now();

    const distill = join(dir, "distill");
    const b = await crucible([
      "run",
      "distillation",
      "backend=local",
      `model_name=${MODEL}`,
      `load_checkpoint_path=${sftState}`,
      `log_path=${distill}`,
      "groups_per_batch=1",
      "group_size=2",
      "max_tokens=4",
      "max_steps=1",
      "eval_every=0",
      "save_every=0",
    ]);
    expect(b.err).toEqual([]);
    expect(b.out).toContain(`renderer_name=qwen3_5 (from load_checkpoint_path=${sftState})`);
    expect(loggedConfig(distill)["rendererName"]).toBe("qwen3_5"); // what the loop ran with
    const distillMeta = await runMetadataOf(lastState(distill));
    expect(distillMeta.renderer_name).toBe("qwen3_5");
    expect(distillMeta.recipe_name).toBe("recipe_distillation_on_policy");
    const distillCfg = runConfigFromMetadata(distillMeta)!;
    expect(distillCfg).toMatchObject({
      mode: "on_policy",
      renderer_name: "qwen3_5",
      renderer_name_given: false,
      load_checkpoint_path: sftState,
      teacher_model: MODEL,
      group_size: 2,
    });
    expect(JSON.stringify(distillCfg).length).toBeLessThan(4096);
    const t2 = Date.now();

    const rl = join(dir, "rl");
    const c = await crucible([
      "run",
      "math_rl",
      "backend=local",
      `model_name=${MODEL}`,
      "renderer_name=role_colon",
      `load_checkpoint_path=${sftState}`,
      `log_path=${rl}`,
      "groups_per_batch=1",
      "group_size=2",
      "max_tokens=4",
      "max_steps=1",
      "eval_every=0",
      "save_every=0",
    ]);
    expect(c.err).toEqual([
      `crucible: warning: renderer_name=role_colon differs from the renderer of load_checkpoint_path=${sftState} (qwen3_5); its weights were trained with qwen3_5`,
    ]);
    expect(loggedConfig(rl)["rendererName"]).toBe("role_colon");
    const rlMeta = await runMetadataOf(lastState(rl));
    expect(rlMeta.renderer_name).toBe("role_colon");
    expect(runConfigFromMetadata(rlMeta)).toMatchObject({
      renderer_name: "role_colon",
      renderer_name_given: true,
    });
    const t3 = Date.now();

    // crucible eval on the SFT sampler checkpoint, no renderer_name: evaluated in qwen3_5 too.
    const sampler = readJsonl(join(sft, "checkpoints.jsonl")).at(-1)!["sampler_path"] as string;
    const d = await crucible([
      "eval",
      "arithmetic",
      "backend=local",
      `model_name=${MODEL}`,
      `checkpoint=${sampler}`,
      "limit=1",
      "max_tokens=2",
      `out_dir=${join(dir, "eval")}`,
    ]);
    expect(d.err).toEqual([]);
    expect(d.out).toContain(`renderer_name=qwen3_5 (from checkpoint=${sampler})`);
    console.log(
      `checkpoint renderer e2e: chat_sl ${(t1 - t0) / 1000} s, distillation ${(t2 - t1) / 1000} s, math_rl ${(t3 - t2) / 1000} s, eval ${(Date.now() - t3) / 1000} s`,
    );
  });
});
