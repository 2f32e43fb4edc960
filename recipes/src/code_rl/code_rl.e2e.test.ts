// code_rl end to end: the sandboxed reward scores a correct and an incorrect solution correctly, and the recipe
// runs its RL loop on the embedded backend.
import { existsSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { getRenderer, getTokenizerSync } from "@crucible/renderers";
import { afterAll, describe, expect, it } from "vitest";
import { crucible, e2eDir, metricNames, readJsonl } from "../testing/e2e.js";
import { CODE_PROBLEMS, CodeEnv } from "./problems.js";

const dir = e2eDir("code_rl");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("code_rl", () => {
  const renderer = getRenderer("role_colon", getTokenizerSync("Qwen/Qwen3-8B"));

  it("every reference solution passes its tests; wrong and crashing code fails", async () => {
    for (const p of CODE_PROBLEMS) {
      const env = new CodeEnv(p, renderer);
      expect(await env.checkAnswer(env.getReferenceAnswer()), p.prompt).toBe(true);
    }
    const add = new CodeEnv(CODE_PROBLEMS[0]!, renderer);
    expect(await add.checkAnswer("```python\ndef add(a, b):\n    return a - b\n```")).toBe(false);
    expect(await add.checkAnswer("```python\ndef add(a, b):\n    raise ValueError\n```")).toBe(false);
    expect(await add.checkAnswer("```python\nwhile True: pass\n```")).toBe(false);
    expect(add.checkFormat("def add(a, b): return a + b")).toBe(false);
    // A problem with a prefix: the reply's code continues it, and only prefix + reply is run.
    const body = new CodeEnv(
      {
        prompt: "f(a, b) returns a * b.",
        prefix: "def f(a, b):\n    return ",
        tests: "assert f(7, 3) == 21",
        reference: "a*b",
      },
      renderer,
    );
    expect(body.getQuestion()).toContain("```python\ndef f(a, b):\n    return \n```");
    expect(await body.checkAnswer(body.getReferenceAnswer())).toBe(true);
    expect(await body.checkAnswer("```\na+b\n```")).toBe(false);
    expect(await body.checkAnswer("a*b")).toBe(true); // no fence: graded, but format 0
    expect(body.checkFormat("a*b")).toBe(false);
  }, 60_000);

  it("a problems file with a bad row exits 2 and writes nothing", async () => {
    const file = join(dir, "bad-problems.jsonl");
    writeFileSync(
      file,
      `${JSON.stringify({ prompt: "f", tests: "assert True" })}\n${JSON.stringify({ prompt: "g" })}\n`,
    );
    const log = join(dir, "never");
    const r = await crucible(["run", "code_rl", "backend=local", `problems_path=${file}`, `log_path=${log}`]);
    expect(r.code).toBe(2);
    expect(r.err.join("\n")).toMatch(/problems_path=.*problem row 1: needs a non-empty string "tests"/);
    expect(existsSync(log)).toBe(false);
  });

  it("runs 2 RL steps on the embedded backend", { timeout: 120_000 }, async () => {
    const log = join(dir, "run");
    const r = await crucible([
      "run",
      "code_rl",
      "backend=local",
      "model_name=crucible/tiny-bytes",
      "groups_per_batch=2",
      "group_size=2",
      "max_tokens=16",
      "max_steps=2",
      "save_every=0",
      `log_path=${log}`,
    ]);
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    const rows = readJsonl(join(log, "metrics.jsonl"));
    expect(rows.map((m) => m["step"])).toEqual([0, 1]);
    expect(metricNames(rows)).toContain("env/all/correct");
  });
});
