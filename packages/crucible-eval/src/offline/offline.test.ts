import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gradeAnswer } from "@crucible/grading";
import { afterAll, describe, expect, it } from "vitest";
import { mathEquivalence } from "../inspect/model-scorers.js";
import { exact, pattern } from "../inspect/text-scorers.js";
import { evaluateOffline, OfflineDataError, readOfflineRows } from "./offline.js";

const dir = mkdtempSync(join(tmpdir(), "crucible-offline-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const rowsFile = join(dir, "rows.jsonl");
writeFileSync(
  rowsFile,
  [
    { id: "a", input: "1/2 as a decimal?", output: "It is \\boxed{0.5}", target: "\\frac{1}{2}" },
    { id: "b", input: "2+2?", output: "ANSWER: 5", target: "4" },
    { id: "c", input: "Capital of France?", output: "Paris", target: ["paris", "Paris, France"] },
    { input: "no id, no target", output: "ANSWER: 4" },
  ]
    .map((r) => JSON.stringify(r))
    .join("\n"),
);

describe("offline evaluation", () => {
  it("scores each row with the chosen grader, writes per-row results and a summary, and resumes", async () => {
    const rows = await readOfflineRows(rowsFile);
    expect(rows.map((r) => r.id)).toEqual(["a", "b", "c", "3"]);
    const files = {
      resultsFile: join(dir, "math.results.jsonl"),
      summaryFile: join(dir, "math.summary.json"),
    };
    const math = mathEquivalence({ grader: gradeAnswer });
    const s = await evaluateOffline({ rows, scorer: math, ...files });
    expect(s).toMatchObject({ rows: 4, scored: 4, errors: 0, newly_scored: 4 });
    const results = readFileSync(files.resultsFile, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    const byId = Object.fromEntries(results.map((r) => [r.id, r.value]));
    expect(byId).toEqual({ a: "C", b: "I", c: "I", "3": "I" });
    expect(s.metrics["accuracy"]).toBe(0.25);
    expect(JSON.parse(readFileSync(files.summaryFile, "utf8")).metrics.accuracy).toBe(0.25);
    // Killed after two rows: the rest is scored on the rerun, nothing twice.
    writeFileSync(
      files.resultsFile,
      `${results
        .slice(0, 2)
        .map((r) => JSON.stringify(r))
        .join("\n")}\n{"id":"c","gra`,
    );
    const again = await evaluateOffline({ rows, scorer: math, ...files });
    expect(again).toMatchObject({ scored: 4, newly_scored: 2 });
    expect(again.metrics["accuracy"]).toBe(0.25);
  });

  it("exact and regex graders; a different grader does not reuse results", async () => {
    const rows = await readOfflineRows(rowsFile);
    const files = { resultsFile: join(dir, "x.results.jsonl"), summaryFile: join(dir, "x.summary.json") };
    expect((await evaluateOffline({ rows, scorer: exact(), ...files })).metrics["mean"]).toBe(0.25); // only "Paris"
    const re = await evaluateOffline({ rows, scorer: pattern(/ANSWER:\s*(\d+)/), ...files });
    expect(re.newly_scored).toBe(4);
    expect(re.metrics["accuracy"]).toBe(0); // b answers 5 (target 4); row 3 has no target
  });

  it("bad rows are typed errors naming the row and the field", async () => {
    const bad = join(dir, "bad.jsonl");
    writeFileSync(bad, `${JSON.stringify({ input: "x" })}\n`);
    await expect(readOfflineRows(bad)).rejects.toThrow(OfflineDataError);
    await expect(readOfflineRows(bad)).rejects.toThrow(/row 0: 'output' must be a string/);
  });
});
