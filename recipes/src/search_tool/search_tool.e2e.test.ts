// search_tool end to end on the embedded backend: the RL loop runs multi-turn-capable search episodes with the tool
// declared in the prompt, and bad configs exit 2 before anything is written. (That a rendered tool call really
// round-trips through the index and the grader is shown token by token in @crucible/env's search-env.test.ts; a
// random tiny model almost never emits a well-formed tool call by itself.)
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { crucible, e2eDir, metricNames, readJsonl } from "../testing/e2e.js";

const dir = e2eDir("search_tool");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("search_tool", () => {
  it("runs an RL step of search episodes on the embedded backend", { timeout: 180_000 }, async () => {
    const log = join(dir, "run");
    const r = await crucible([
      "run",
      "search_tool",
      "backend=local",
      "batch_size=1",
      "group_size=2",
      "max_tokens=8",
      "max_steps=1",
      "save_every=0",
      "num_groups_to_log=1",
      `log_path=${log}`,
    ]);
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    const rows = readJsonl(join(log, "metrics.jsonl"));
    expect(rows.map((m) => m["step"])).toEqual([0]);
    const names = metricNames(rows);
    for (const k of ["num_tool_calls", "tool_call", "turns_per_episode", "reward/total"])
      expect(names, k).toContain(`env/all/${k}`);
    expect(rows[0]!["env/all/total_episodes"]).toBe(2);
    // Every episode ended for a recorded reason; the stop/* fractions account for all of them.
    const stops = Object.entries(rows[0]!).filter(([k]) => k.startsWith("env/all/stop/"));
    expect(stops.length).toBeGreaterThan(0);
    // The policy saw the renderer's declaration of the search tool.
    const html = readFileSync(join(log, "iteration_000000", "train.html"), "utf8");
    expect(html).toContain("&lt;tools&gt;");
    expect(html).toContain("query_list");
  });

  it("bad configs exit 2 and write nothing", async () => {
    const badQa = join(dir, "bad-qa.jsonl");
    writeFileSync(badQa, `${JSON.stringify({ question: "q?" })}\n`);
    const cases: [string[], RegExp][] = [
      [["renderer_name=role_colon"], /renderer_name=role_colon has no tool-call format/],
      [["batch_size=100"], /batch_size=100 is more than the 32 questions bundled/],
      [[`questions_path=${badQa}`], /questions_path=.*question row 0: "answer"/],
      [["corpus_path=/nonexistent/corpus.jsonl"], /corpus_path=.*file not found/],
      [["batch_size=6", "stream_minibatch=true"], /divisible by 4/],
    ];
    for (const [args, msg] of cases) {
      const log = join(dir, "never");
      const r = await crucible(["run", "search_tool", "backend=local", `log_path=${log}`, ...args]);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.err.join("\n")).toMatch(msg);
      expect(existsSync(log)).toBe(false);
    }
  }, 120_000);

  it("--help lists the cookbook's fields", async () => {
    const r = await crucible(["run", "search_tool", "--help"]);
    expect(r.code).toBe(0);
    const text = r.out.join("\n");
    for (const k of [
      "max_trajectory_tokens",
      "n_results",
      "max_num_calls",
      "corpus_path",
      "stream_minibatch",
    ])
      expect(text).toContain(k);
  });
});
