// `evals=` in the DPO loop and the RL loops (math_rl; on-policy distillation shares the RL loop's evaluators):
// the benchmark runs on a sampler of the current weights at the eval steps, its metrics land in metrics.jsonl as
// eval/<task>/<metric>, and the run report links each round's transcript.
import { rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { crucible, e2eDir, readJsonl, reportEvalLinks } from "../testing/e2e.js";

const TINY = ["backend=local", "model_name=crucible/tiny-bytes", "renderer_name=role_colon"];
const EVALS = ["evals=arithmetic", "eval_limit=3", "eval_every=1", "save_every=0"];
/** One RL step of 2 groups × 2 samples, 3 tokens each. */
const ONE_RL_STEP = ["groups_per_batch=2", "group_size=2", "max_tokens=3", "max_steps=1"];

function evalSteps(log: string): unknown[] {
  const rows = readJsonl(join(log, "metrics.jsonl"));
  const withEval = rows.filter((m) => "eval/arithmetic/accuracy" in m);
  for (const m of withEval) {
    expect(m["eval/arithmetic/accuracy"]).toBeGreaterThanOrEqual(0);
    expect(m["eval/arithmetic/accuracy"]).toBeLessThanOrEqual(1);
    expect(typeof m["eval/arithmetic/stderr"]).toBe("number");
  }
  return withEval.map((m) => m["step"]);
}

describe("inline evals in the DPO and RL loops", () => {
  const dir = e2eDir("inline-evals-loops");
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("dpo: eval/arithmetic/* at every eval step, transcripts linked from the report", {
    timeout: 300_000,
  }, async () => {
    const log = join(dir, "dpo");
    const r = await crucible([
      "run",
      "dpo",
      ...TINY,
      ...EVALS,
      "batch_size=2",
      "max_steps=2",
      `log_path=${log}`,
    ]);
    expect(r.err).toEqual([]);
    expect(evalSteps(log)).toEqual([0, 1]);
    expect(reportEvalLinks(log).transcripts).toHaveLength(2);
  });

  it("math_rl: eval/arithmetic/* from the RL loop's sampler, transcript linked, result in the registry", {
    timeout: 300_000,
  }, async () => {
    const log = join(dir, "math_rl");
    process.env["CRUCIBLE_LOG_ROOT"] = dir; // the run lies under the log root: its eval lands in the registry
    try {
      const r = await crucible(["run", "math_rl", ...TINY, ...EVALS, ...ONE_RL_STEP, `log_path=${log}`]);
      expect(r.err).toEqual([]);
      expect(evalSteps(log)).toEqual([0]);
      expect(reportEvalLinks(log).transcripts).toHaveLength(1);
      // The RL loop saved the evaluated weights as eval_000000; the registry holds them with the score.
      const saved = readJsonl(join(log, "checkpoints.jsonl")).find((c) => c["name"] === "eval_000000")!;
      const acc = readJsonl(join(log, "metrics.jsonl"))[0]!["eval/arithmetic/accuracy"] as number;
      const cmp = await crucible(["registry", "compare"]);
      expect(cmp.out[0]!.split("\n").slice(2)).toEqual([
        expect.stringMatching(new RegExp(`^${saved["sampler_path"]} +${acc.toFixed(4)}$`)),
      ]);
      const list = (await crucible(["registry", "list"])).out.join("\n");
      expect(list).toContain(`${saved["sampler_path"]}  crucible/tiny-bytes  rank 32  math_rl  step 0`);
    } finally {
      delete process.env["CRUCIBLE_LOG_ROOT"];
    }
  });

  it("distillation on_policy: the same evaluator in the on-policy loop", { timeout: 300_000 }, async () => {
    const log = join(dir, "distill");
    const r = await crucible(["run", "distillation", ...TINY, ...EVALS, ...ONE_RL_STEP, `log_path=${log}`]);
    expect(r.err).toEqual([]);
    expect(evalSteps(log)).toEqual([0]);
    expect(reportEvalLinks(log).transcripts).toHaveLength(1);
  });

  it("an unknown benchmark in evals= is a config error in every loop's recipe", async () => {
    for (const recipe of ["dpo", "math_rl", "rl_basic", "code_rl", "distillation"]) {
      const r = await crucible([
        "run",
        recipe,
        "backend=local",
        "evals=mmlux",
        `log_path=${join(dir, recipe)}-bad`,
      ]);
      expect(r.code, recipe).toBe(2);
      expect(r.err[0], recipe).toMatch(/evals: unknown benchmark 'mmlux' \(did you mean 'mmlu'\?\)/);
    }
  });
});
