// distillation parity: on-policy prompts are the conversations' first user messages in file order
// (PromptOnlyDataset is unshuffled), and the teacher reverse-KL turns into the cookbook's advantages:
// adv += −coef·mask·(sampled − teacher), teacher_kl = Σ rkl / Σ mask (spec §A19).
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Env } from "@crucible/env";
import { TensorData } from "@crucible/tinker-client";
import { applyTeacherKl } from "@crucible/train";
import { describe, expect, it } from "vitest";
import { resolveRecipeConfig } from "../../../src/cli/run-recipe.js";
import { distillation } from "../../../src/distillation/config.js";
import { loadPrompts, promptsFromConversations } from "../../../src/distillation/prompts.js";
import type { DistillationConfig } from "../../../src/distillation/schema.js";
import { CONVERSATIONS } from "../role-colon-reference.js";

describe("distillation parity with the cookbook", () => {
  it("resolves the cookbook's on-policy defaults and prompt order", async () => {
    const cfg = (await resolveRecipeConfig(distillation, ["backend=local"])) as DistillationConfig;
    expect(cfg).toMatchObject({
      mode: "on_policy",
      lora_rank: 128,
      learning_rate: 1e-4,
      kl_penalty_coef: 1,
      kl_discount_factor: 0,
      group_size: 4,
      loss_fn: "importance_sampling",
      teacher_model: "crucible/tiny-qwen3-large",
    });
    const prompts = promptsFromConversations(cfg.dataset!);
    const firstUser = readFileSync(CONVERSATIONS, "utf8")
      .trim()
      .split("\n")
      .map(
        (l) =>
          (JSON.parse(l) as { messages: { role: string; content: string }[] }).messages.find(
            (m) => m.role === "user",
          )!.content,
      );
    expect(prompts).toEqual(firstUser);
    expect(prompts[0]).toBe("What is the capital of France?");
    const env = await import("@crucible/env");
    const { rendererFor } = await import("../../../src/math_rl/run.js");
    const renderer = await rendererFor(cfg.model_name!, cfg.renderer_name!);
    const ds = new env.PromptOnlyDataset({
      prompts,
      renderer,
      groupsPerBatch: cfg.groups_per_batch!,
      groupSize: cfg.group_size,
    });
    const batch = ds.getBatch(1);
    const qs = await Promise.all(
      batch.map(async (b) => ((await b.makeEnvs())[0] as Env & { getQuestion(): string }).getQuestion()),
    );
    expect(qs).toEqual(firstUser.slice(4, 8));
  });

  it("dataset=deepmath: every DeepMath question in file order, read from the HF cache", async () => {
    // A DeepMath-shaped cache snapshot made from the in-repo fixture (no network, no real download).
    const hub = mkdtempSync(join(tmpdir(), "crucible-hub-"));
    const snap = join(hub, "datasets--zwhe99--DeepMath-103K", "snapshots", "0", "data");
    mkdirSync(snap, { recursive: true });
    // As huggingface_hub lays a cache out: refs/main names the snapshot.
    mkdirSync(join(hub, "datasets--zwhe99--DeepMath-103K", "refs"), { recursive: true });
    writeFileSync(join(hub, "datasets--zwhe99--DeepMath-103K", "refs", "main"), "0");
    const fixture = resolve(__dirname, "../../fixtures/deepmath/train-00000-of-00001.jsonl");
    copyFileSync(fixture, join(snap, "train-00000-of-00001.jsonl"));
    const saved = process.env["HF_HUB_CACHE"];
    process.env["HF_HUB_CACHE"] = hub;
    try {
      const cfg = (await resolveRecipeConfig(distillation, [
        "backend=local",
        "dataset=deepmath",
      ])) as DistillationConfig;
      expect(cfg.dataset).toBe("deepmath");
      const questions = readFileSync(fixture, "utf8")
        .trim()
        .split("\n")
        .map((l) => (JSON.parse(l) as { question: string }).question);
      expect(await loadPrompts("deepmath")).toEqual(questions);
    } finally {
      if (saved === undefined) delete process.env["HF_HUB_CACHE"];
      else process.env["HF_HUB_CACHE"] = saved;
      rmSync(hub, { recursive: true, force: true });
    }
  });

  it("teacher KL advantages and teacher_kl metric", () => {
    const datum = (lp: number[], mask: number[], adv: number[]) => ({
      modelInput: { chunks: [{ type: "encoded_text" as const, tokens: lp.map((_, i) => i + 1) }] },
      lossFnInputs: {
        target_tokens: TensorData.fromArray(
          lp.map((_, i) => i + 2),
          "int64",
        ),
        logprobs: TensorData.fromArray(Float32Array.from(lp), "float32"),
        advantages: TensorData.fromArray(Float32Array.from(adv), "float32"),
        mask: TensorData.fromArray(Float32Array.from(mask), "float32"),
      },
    });
    const data = [
      datum([0, 0, -1, -2], [0, 0, 1, 1], [0, 0, 0, 0]),
      datum([0, -0.5, -0.5], [0, 1, 1], [0, 0.25, 0.25]),
    ];
    const teacher = [
      [0, 0, -1.5, -1],
      [0, -0.25, -1],
    ];
    const { data: out, metrics } = applyTeacherKl(data as never, teacher, [0, 0], 1.0, 0);
    const adv = (i: number) => Array.from(out[i]!.lossFnInputs["advantages"]!.data as ArrayLike<number>);
    // rkl = (sampled − teacher)·mask: [0,0,0.5,−1] and [0,−0.25,0.5]; adv −= rkl.
    expect(adv(0)).toEqual([0, 0, -0.5, 1]);
    expect(adv(1)).toEqual([0, 0.5, -0.25]);
    // teacher_kl = (0.5 − 1 − 0.25 + 0.5) / 4
    expect(metrics["teacher_kl"]).toBeCloseTo(-0.0625, 7);
    expect(metrics["teacher_kl/dataset_0"]).toBeCloseTo(-0.0625, 7);
    // identical teacher: advantages unchanged (spec §D 23).
    const same = applyTeacherKl(
      data as never,
      [
        [0, 0, -1, -2],
        [0, -0.5, -0.5],
      ],
      [0, 0],
      1.0,
      0,
    );
    expect(Array.from(same.data[1]!.lossFnInputs["advantages"]!.data as ArrayLike<number>)).toEqual([
      0, 0.25, 0.25,
    ]);
  });
});
