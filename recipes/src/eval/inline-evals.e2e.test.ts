// `evals=` in a recipe: benchmark tasks run inside the SL loop every eval_every steps on a sampler of the current
// weights, logged as eval/<task>/<metric> in metrics.jsonl, with Inspect logs under <log_path>/evals/.
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { registryPath } from "@crucible/eval";
import { afterAll, describe, expect, it } from "vitest";
import { modelsView } from "../dashboard/models.js";
import { crucible, e2eDir, listFiles, readJsonl, reportEvalLinks } from "../testing/e2e.js";

/** 3 sl_basic steps on tiny-bytes with the arithmetic benchmark at steps 0 and 2. */
const slBasicWithEvals = (log: string, saveEvery: number) =>
  crucible([
    ...["run", "sl_basic", "backend=local", "model_name=crucible/tiny-bytes", "renderer_name=role_colon"],
    ...["max_steps=3", "eval_every=2", "evals=arithmetic", "eval_limit=4", `save_every=${saveEvery}`],
    `log_path=${log}`,
  ]);

describe("inline evals in sl_basic", () => {
  const dir = e2eDir("inline-evals");
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("logs eval/arithmetic/* at the eval steps", { timeout: 240_000 }, async () => {
    const log = join(dir, "run");
    const r = await slBasicWithEvals(log, 0);
    expect(r.err).toEqual([]);
    const rows = readJsonl(join(log, "metrics.jsonl"));
    const withEval = rows.filter((m) => "eval/arithmetic/accuracy" in m).map((m) => m["step"]);
    expect(withEval).toEqual([0, 2]);
    for (const m of rows.filter((x) => "eval/arithmetic/accuracy" in x)) {
      expect(m["eval/arithmetic/accuracy"]).toBeGreaterThanOrEqual(0);
      expect(m).toHaveProperty("eval/arithmetic/stderr");
    }
    expect(readdirSync(join(log, "evals", "every"))).toHaveLength(2); // one round directory per eval step
    expect(listFiles(join(log, "evals")).filter((f) => f.endsWith(".json"))).toHaveLength(2);
    // The run report links both rounds' per-sample transcripts and logs (files that exist).
    const links = reportEvalLinks(log);
    expect(links.transcripts).toHaveLength(2);
    expect(links.logs).toHaveLength(2);
    expect(readFileSync(join(log, links.transcripts[0]!), "utf8")).toMatch(/What is \d+ \+ \d+\?/);
    // Outside the log root nothing is registered, so no weights are saved for the evals.
    expect(readFileSync(join(log, "checkpoints.jsonl"), "utf8")).not.toMatch(/eval_/);
  });

  it("under the log root each result lands in the registry on the weights it ran on", {
    timeout: 240_000,
  }, async () => {
    const root = join(dir, "root");
    process.env["CRUCIBLE_LOG_ROOT"] = root;
    try {
      const log = join(root, "run");
      const r = await slBasicWithEvals(log, 2);
      expect(r.err).toEqual([]);
      const ckpts = readJsonl(join(log, "checkpoints.jsonl"));
      // Step 0 has no checkpoint, so its weights are saved for the eval (sampler only: resume skips it);
      // step 2's eval samples the periodic checkpoint saved at that step.
      const evalSave = ckpts.find((c) => c["name"] === "eval_000000")!;
      expect(evalSave).toMatchObject({ step: 0, eval: true });
      expect(evalSave).not.toHaveProperty("state_path");
      const periodic = ckpts.find((c) => c["name"] === "000002")!;
      const weights = [evalSave["sampler_path"] as string, periodic["sampler_path"] as string];
      const acc = readJsonl(join(log, "metrics.jsonl"))
        .filter((m) => "eval/arithmetic/accuracy" in m)
        .map((m) => (m["eval/arithmetic/accuracy"] as number).toFixed(4));
      expect(acc).toHaveLength(2);

      const cmp = await crucible(["registry", "compare"]);
      expect(cmp.err).toEqual([]);
      expect(cmp.out[0]!.split("\n").slice(2)).toEqual(
        weights.map((w, i) => expect.stringMatching(new RegExp(`^${w} +${acc[i]}$`))),
      );
      const show = await crucible(["registry", "show", weights[0]!]);
      expect(JSON.parse(show.out[0]!)).toMatchObject({
        path: weights[0],
        baseModel: "crucible/tiny-bytes",
        recipe: "sl_basic",
        step: 0,
        kind: "sampler",
        runDir: log,
      });
      expect(show.out.slice(1).join("\n")).toMatch(
        new RegExp(`arithmetic/accuracy = [0-9.]+  \\(${log}/evals/every/round_[^/]+/arithmetic_`),
      );
      const list = (await crucible(["registry", "list"])).out.join("\n");
      expect(list).toContain(`${weights[1]}  crucible/tiny-bytes  rank 32  sl_basic  step 2`);
      // The dashboard's models × benchmarks table: one row per evaluated checkpoint, each cell linking its log.
      const view = await modelsView(registryPath(root), new Set());
      expect(
        view.rows.map((row) => [row.model, row.checkpoint?.step, row.cells["arithmetic"]?.value.toFixed(4)]),
      ).toEqual(weights.map((w, i) => [w, i * 2, acc[i]]));
      expect(view.links.map((l) => l["arithmetic"]?.log)).toEqual([expect.any(String), expect.any(String)]);
    } finally {
      delete process.env["CRUCIBLE_LOG_ROOT"];
    }
  });

  it("an unknown benchmark in evals= is a config error before anything runs", async () => {
    const r = await crucible([
      "run",
      "sl_basic",
      "backend=local",
      "evals=gsm8x",
      `log_path=${join(dir, "bad")}`,
    ]);
    expect(r.code).toBe(2);
    expect(r.err[0]).toMatch(/evals: unknown benchmark 'gsm8x' \(did you mean 'gsm8k'\?\)/);
  });
});
