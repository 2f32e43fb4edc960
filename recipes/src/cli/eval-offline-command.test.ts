// `crucible eval-offline`: exact/regex/math graders on a JSONL file, resume, config errors, and model-graded
// scoring with a local judge model (crucible/tiny-bytes on the embedded backend) end to end.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "./app.js";
import { commands } from "./commands.js";

async function cli(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, commands, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

const dir = mkdtempSync(join(tmpdir(), "crucible-eval-offline-"));
process.env["CRUCIBLE_LOCAL_DIR"] = join(dir, "store");
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = join(dir, "answers.jsonl");
writeFileSync(
  file,
  [
    { id: "q1", input: "What is 2 + 2?", output: "The answer is 4.\nANSWER: 4", target: "4" },
    { id: "q2", input: "What is 3 + 5?", output: "ANSWER: 9", target: "8" },
    { id: "q3", input: "Half of 1?", output: "\\boxed{\\frac{1}{2}}", target: "0.5" },
  ]
    .map((r) => JSON.stringify(r))
    .join("\n"),
);

describe("crucible eval-offline", () => {
  it("regex and math graders: per-row results, a summary, and a resumed rerun", async () => {
    const re = await cli(["eval-offline", file, "grader=regex", "pattern=ANSWER:\\s*(\\d+)"]);
    expect(re.err).toEqual([]);
    expect(re.out[0]).toMatch(/^regex: accuracy 0\.3333, .* over 3\/3 rows \(3 newly scored\)/);
    const results = readFileSync(join(dir, "answers.regex.results.jsonl"), "utf8").trim().split("\n");
    expect(results.map((l) => JSON.parse(l).value)).toEqual(["C", "I", "I"]);
    expect((await cli(["eval-offline", file, "grader=regex", "pattern=ANSWER:\\s*(\\d+)"])).out[0]).toMatch(
      /\(0 newly scored\)/,
    );
    const math = await cli(["eval-offline", file, "grader=math", `out_dir=${dir}`]);
    expect(math.out[0]).toMatch(/^math: accuracy 0\.6667/);
  });

  it("config errors are one line, exit code 2", async () => {
    expect((await cli(["eval-offline", file, "grader=regex"])).err).toEqual([
      "crucible: error: grader=regex needs pattern=<regex>",
    ]);
    expect((await cli(["eval-offline", file, "grader=model"])).err[0]).toMatch(/needs judge_model=/);
    expect((await cli(["eval-offline", join(dir, "none.jsonl")])).code).toBe(2);
  });

  it("model-graded with a local judge model runs end to end", { timeout: 120_000 }, async () => {
    const r = await cli([
      "eval-offline",
      file,
      "grader=model",
      "judge_model=crucible/tiny-bytes",
      "backend=local",
    ]);
    expect(r.err).toEqual([]);
    expect(r.out[0]).toMatch(/^model: accuracy \d\.\d{4}, .* over 3\/3 rows \(3 newly scored\)/);
    const rows = readFileSync(join(dir, "answers.model.results.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { value: string; explanation: string; error?: string });
    for (const row of rows) {
      expect(row.error).toBeUndefined();
      expect(["C", "I"]).toContain(row.value);
      expect(typeof row.explanation).toBe("string"); // the judge's own text (an untrained judge rarely says GRADE)
    }
  });
});
