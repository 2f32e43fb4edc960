import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ModelRegistry, registryPath } from "@crucible/eval";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { registerRunCheckpoints } from "./registry-hook.js";

const jsonl = (rows: object[]) => `${rows.map((r) => JSON.stringify(r)).join("\n")}\n`;
const facts = { recipe: "rlhf", baseModel: "crucible/tiny-bytes", loraRank: 8, data: "hhh" };

describe("registerRunCheckpoints", () => {
  let root: string;
  const saved = process.env.CRUCIBLE_LOG_ROOT;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "crucible-registry-hook-"));
    process.env.CRUCIBLE_LOG_ROOT = root;
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.CRUCIBLE_LOG_ROOT;
    else process.env.CRUCIBLE_LOG_ROOT = saved;
    rmSync(root, { recursive: true, force: true });
  });

  it("records the run's checkpoints and its stages' (rlhf's sft/, rm/, rl/), with the recipe name", async () => {
    const run = join(root, "rlhf-run");
    for (const stage of ["sft", "rl"]) mkdirSync(join(run, stage), { recursive: true });
    writeFileSync(
      join(run, "sft", "checkpoints.jsonl"),
      jsonl([{ name: "final", batch: 4, state_path: "tinker://a/weights/sft-final" }]),
    );
    writeFileSync(
      join(run, "rl", "checkpoints.jsonl"),
      jsonl([
        { name: "eval_000000", step: 0, sampler_path: "tinker://b/sampler_weights/eval_000000" },
        { name: "final", batch: 6, state_path: "tinker://b/weights/final" },
      ]) + '{"name": "torn',
    );
    // A row an inline eval wrote during the run, before the recipe name was known.
    const reg = ModelRegistry.open(registryPath(root));
    reg.registerCheckpoint({
      path: "tinker://b/sampler_weights/eval_000000",
      baseModel: facts.baseModel,
      loraRank: 8,
      recipe: null,
      data: null,
      step: 0,
      runDir: join(run, "rl"),
      kind: "sampler",
    });
    reg.close();

    expect(await registerRunCheckpoints(run, facts)).toBe(3);
    const after = ModelRegistry.open(registryPath(root));
    try {
      const rows = after.list().map((c) => [c.path, c.recipe, c.step, c.runDir]);
      expect(rows).toEqual(
        expect.arrayContaining([
          ["tinker://a/weights/sft-final", "rlhf", 4, join(run, "sft")],
          ["tinker://b/sampler_weights/eval_000000", "rlhf", 0, join(run, "rl")],
          ["tinker://b/weights/final", "rlhf", 6, join(run, "rl")],
        ]),
      );
      expect(rows).toHaveLength(3);
    } finally {
      after.close();
    }
  });

  it("records nothing for a run outside the log root", async () => {
    const outside = mkdtempSync(join(tmpdir(), "crucible-registry-hook-outside-"));
    try {
      writeFileSync(
        join(outside, "checkpoints.jsonl"),
        jsonl([{ name: "final", state_path: "tinker://c/w/f" }]),
      );
      expect(await registerRunCheckpoints(outside, facts)).toBe(0);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });
});
