// `crucible eval` and the benchmark runner on the real local backend (tiny model): result files,
// resumption by content hash, missing data as a config error, and the inline evaluator.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { arithmeticProblems, BenchmarkEvaluator, readTrajectories } from "@crucible/eval";
import { getRenderer, getTokenizer } from "@crucible/renderers";
import { beforeAll, describe, expect, it } from "vitest";
import { openBackend } from "../common/backend.js";
import { runCli } from "./app.js";
import { commands } from "./commands.js";

const GSM8K = resolve(__dirname, "../../test/fixtures/gsm8k-mini.jsonl");
const MATH500 = resolve(__dirname, "../../../packages/crucible-eval/test/fixtures/math500-mini.jsonl");

async function cli(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, commands, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

describe("crucible eval on the local backend", () => {
  const dir = mkdtempSync(join(tmpdir(), "crucible-eval-"));
  beforeAll(() => {
    process.env["CRUCIBLE_LOCAL_DIR"] = join(dir, "store");
  });

  it("writes result.json and trajectories.jsonl and resumes by content hash", async () => {
    const out = join(dir, "out");
    const args = [
      "eval",
      "arithmetic",
      "gsm8k",
      "backend=local",
      "limit=6",
      "max_tokens=4",
      `gsm8k_file=${GSM8K}`,
      `out_dir=${out}`,
    ];
    const first = await cli(args);
    expect(first.err).toEqual([]);
    expect(first.out[0]).toMatch(/^arithmetic: accuracy \d\.\d{4} .* over 6 problems \(6 newly evaluated\)/);
    expect(first.out[1]).toMatch(/^gsm8k: .* over 4 problems \(4 newly evaluated\)/); // 4 of the 5 rows have a #### answer
    const result = JSON.parse(readFileSync(join(out, "arithmetic", "result.json"), "utf8"));
    const trajs = readTrajectories(out, "arithmetic");
    expect(trajs).toHaveLength(6);
    // The accuracy is the mean of the graded samples, nothing else.
    const correct = trajs.flatMap((t) => t.samples.map((s) => s.correct));
    expect(result.accuracy).toBeCloseTo(correct.reduce((a, b) => a + b, 0) / 6, 12);
    expect(trajs[0]!.question).toMatch(/^What is \d+ \+ \d+\?$/);

    // Same inputs: nothing is sampled again.
    expect((await cli(args)).out[0]).toMatch(/\(0 newly evaluated\)/);

    // An interrupted run (3 finished problems, no result.json) resumes the other 3.
    const file = join(out, "arithmetic", "trajectories.jsonl");
    writeFileSync(file, readFileSync(file, "utf8").split("\n").slice(0, 3).join("\n") + '\n{"torn');
    rmSync(join(out, "arithmetic", "result.json"));
    expect((await cli(args)).out[0]).toMatch(/over 6 problems \(3 newly evaluated\)/);
    expect(
      readTrajectories(out, "arithmetic")
        .map((t) => t.problem_id)
        .sort(),
    ).toEqual(trajs.map((t) => t.problem_id).sort());

    // Different settings are a different run.
    expect((await cli([...args, "max_tokens=5"])).out[0]).toMatch(/\(6 newly evaluated\)/);
  });

  it("math500 from a local file: result.json with a per-subject breakdown", async () => {
    const out = join(dir, "math500");
    const r = await cli([
      "eval",
      "math500",
      "backend=local",
      "max_tokens=4",
      `math500_file=${MATH500}`,
      `out_dir=${out}`,
    ]);
    expect(r.err).toEqual([]);
    expect(r.out[0]).toMatch(
      /^math500: accuracy \d\.\d{4} format \d\.\d{4} over 5 problems \(5 newly evaluated\)/,
    );
    const result = JSON.parse(readFileSync(join(out, "math500", "result.json"), "utf8"));
    expect(Object.keys(result.breakdown)).toEqual(["subject", "level"]);
    expect(readTrajectories(out, "math500").map((t) => t.problem_id)).toContain("test/algebra/9002.json");
  });

  it("missing benchmark data is a one-line config error", async () => {
    const r = await cli(["eval", "math500", "backend=local", "math500_file=/no/such.jsonl"]);
    expect(r.code).toBe(2);
    expect(r.err).toEqual(["crucible: error: math500_file=/no/such.jsonl: file not found"]);
    const u = await cli(["eval", "gsm8", "backend=local"]);
    expect(u.err[0]).toMatch(/unknown benchmark 'gsm8' \(did you mean 'gsm8k'\?\)/);
  });

  it("works inline as a sampling-client evaluator, one directory per weights id", async () => {
    const tokenizer = await getTokenizer("Qwen/Qwen3-8B");
    const renderer = getRenderer("role_colon", tokenizer);
    const out = join(dir, "inline");
    const ev = new BenchmarkEvaluator({
      name: "arithmetic",
      problems: arithmeticProblems(4),
      renderer,
      rendererName: "role_colon",
      outDir: out,
      maxTokens: 3,
    });
    const session = await openBackend("local");
    try {
      const sc = await session.service.createSamplingClient({ baseModel: "crucible/tiny-qwen3" });
      const m = await ev.evaluate(sc, "step_0");
      expect(Object.keys(m).sort()).toEqual([
        "bench/arithmetic/accuracy",
        "bench/arithmetic/format",
        "bench/arithmetic/reward",
      ]);
      expect(existsSync(join(out, "step_0", "arithmetic", "result.json"))).toBe(true);
    } finally {
      await session.close();
    }
  });
});
