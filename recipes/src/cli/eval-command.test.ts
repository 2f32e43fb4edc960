// `crucible eval` on the real local backend (tiny model): Inspect eval logs, resumption, missing data as a config
// error, and the inline benchmark evaluator.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { arithmeticProblems, BenchmarkEvaluator, type InspectEvalLog, validateEvalLog } from "@crucible/eval";
import { getRenderer, getTokenizer } from "@crucible/renderers";
import { beforeAll, describe, expect, it } from "vitest";
import { openBackend } from "../common/backend.js";
import { runCli } from "./app.js";
import { commands } from "./commands.js";

const GSM8K = resolve(__dirname, "../../test/fixtures/gsm8k-mini.jsonl");

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

  it("writes Inspect eval logs that validate, reports metrics from the samples, and resumes", async () => {
    const out = join(dir, "out");
    const args = [
      "eval",
      "arithmetic",
      "gsm8k",
      "backend=local",
      "model_name=crucible/tiny-bytes",
      "limit=6",
      "max_tokens=4",
      `gsm8k_file=${GSM8K}`,
      `out_dir=${out}`,
    ];
    const first = await cli(args);
    expect(first.err).toEqual([]);
    expect(first.out[0]).toMatch(
      /^arithmetic: accuracy \d\.\d{4} ± \d\.\d{4} over 6 samples \(6 newly evaluated\) → .*arithmetic_\w+\.json$/,
    );
    expect(first.out[1]).toMatch(/^gsm8k: accuracy .* over 4 samples \(4 newly evaluated\)/); // 4 of the 5 rows have a #### answer
    const logFile = first.out[0]!.split(" → ")[1]!;
    const log = JSON.parse(readFileSync(logFile, "utf8")) as InspectEvalLog;
    expect(validateEvalLog(log)).toEqual({ valid: true, errors: [] });
    expect(log.eval.model).toBe("crucible/tiny-bytes");
    // The accuracy is the mean of the scored samples, nothing else.
    const correct = log.samples!.filter((s) => s.scores!["match"]!.value === "C").length;
    expect(log.results!.scores[0]!.metrics["accuracy"]!.value).toBeCloseTo(correct / 6, 12);
    expect(log.samples![0]!.messages.at(-2)!.content).toMatch(/^What is \d+ \+ \d+\?$/);

    // Same inputs: nothing is sampled again.
    expect((await cli(args)).out[0]).toMatch(/\(0 newly evaluated\)/);

    // An interrupted run (3 journaled samples, a torn line, no final log) resumes the other 3.
    const journal = logFile.replace(/\.json$/, ".samples.jsonl");
    writeFileSync(journal, `${readFileSync(journal, "utf8").split("\n").slice(0, 3).join("\n")}\n{"torn`);
    rmSync(logFile);
    expect((await cli(args)).out[0]).toMatch(/over 6 samples \(3 newly evaluated\)/);

    // Different settings are a different run.
    expect((await cli([...args, "max_tokens=5"])).out[0]).toMatch(/\(6 newly evaluated\)/);
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
