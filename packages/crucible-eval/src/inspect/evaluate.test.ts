// evaluate() on the real local backend (crucible/tiny-bytes, random init: the answers are noise; the point is the
// runner): Inspect-schema logs, per-sample transcripts, resume after a crash, failed samples recorded while the
// run goes on, and bounded concurrency.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getRenderer, getTokenizerSync } from "@crucible/renderers";
import { ServiceClient } from "@crucible/tinker-client";
import { createLocalBackend } from "@crucible/tinker-local";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evaluate } from "./evaluate.js";
import type { InspectEvalLog } from "./log-types.js";
import { type ChatModel, chatModel } from "./model.js";
import { generate, solver, systemMessage } from "./solvers.js";
import { includes, match } from "./text-scorers.js";
import type { Task } from "./types.js";
import { validateEvalLog } from "./validate-log.js";

const MODEL = "crucible/tiny-bytes";
let dir: string;
let close: () => Promise<void>;
let model: ChatModel;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "crucible-evaluate-"));
  const backend = await createLocalBackend({ checkpointDir: join(dir, "store") });
  const service = new ServiceClient({ ...backend.clientOptions, apiKey: "tml-local" });
  const samplingClient = await service.createSamplingClient({ baseModel: MODEL });
  model = chatModel({
    samplingClient,
    renderer: getRenderer("role_colon", getTokenizerSync(MODEL)),
    name: MODEL,
  });
  close = async () => {
    await service.close();
    await backend.close();
  };
});
afterAll(async () => {
  await close?.();
  rmSync(dir, { recursive: true, force: true });
});

const task = (extra: Partial<Task> = {}): Task => ({
  name: "addition",
  dataset: Array.from({ length: 6 }, (_, i) => ({
    id: `q${i}`,
    input: `What is ${i} + ${i}?`,
    target: String(2 * i),
  })),
  solver: [systemMessage("Answer with a number."), generate()],
  scorer: [match({ numeric: true }), includes()],
  config: { maxTokens: 6, temperature: 0 },
  ...extra,
});

describe("evaluate", () => {
  it("writes an Inspect EvalLog that validates, with transcripts and metrics from the samples", async () => {
    const logDir = join(dir, "a");
    const r = await evaluate(task(), { model, logDir, progress: false, concurrency: 3 });
    const log = JSON.parse(readFileSync(r.logFile, "utf8")) as InspectEvalLog;
    expect(validateEvalLog(log)).toEqual({ valid: true, errors: [] });
    expect(log.status).toBe("success");
    expect(log.samples).toHaveLength(6);
    const s0 = log.samples![0]!;
    expect(s0.messages.map((m) => m.role)).toEqual(["system", "user", "assistant"]);
    expect(s0.messages[2]!.content).toBe(s0.output.completion);
    expect(s0.output.usage!.output_tokens).toBeGreaterThan(0);
    expect(log.plan.steps.map((s) => s.solver)).toEqual(["system_message", "generate"]);
    // Metrics are recomputed from the per-sample scores.
    const correct = log.samples!.filter((s) => s.scores!["match"]!.value === "C").length;
    expect(r.metrics["accuracy"]).toBeCloseTo(correct / 6, 12);
    expect(r.metrics["includes/accuracy"]).toBeDefined();
    expect(r.metrics["ci_lower"]).toBeLessThanOrEqual(r.metrics["accuracy"]!);
    expect(readFileSync(r.transcriptFile, "utf8")).toContain("What is 5 + 5?");
    // Same inputs again: the finished log is returned, nothing re-run.
    expect((await evaluate(task(), { model, logDir, progress: false })).newlyEvaluated).toBe(0);
  });

  it("a misspelt or mistyped field fails the schema", () => {
    const log = JSON.parse(readFileSync(join(dir, "a", readdir(join(dir, "a"))), "utf8")) as Record<
      string,
      unknown
    >;
    expect(validateEvalLog({ ...log, stauts: "success" }).valid).toBe(false);
    expect(validateEvalLog({ ...log, status: "done" }).errors.join()).toMatch(/status/);
    const spec = log["eval"] as Record<string, unknown>;
    expect(validateEvalLog({ ...log, eval: { ...spec, created: "yesterday" } }).valid).toBe(false);
  });

  it("resumes after a crash by sample id and records failing samples without stopping", async () => {
    const logDir = join(dir, "b");
    let calls = 0;
    const flaky = solver("flaky", async (state) => {
      calls++;
      if (state.sample.id === "q3") throw new Error("boom on q3");
      return state;
    });
    const t = task({ solver: [flaky, generate()] });
    const first = await evaluate(t, { model, logDir, progress: false, retries: 1 });
    expect(first.log.status).toBe("error");
    expect(first.log.samples!.find((s) => s.id === "q3")!.error!.message).toBe("boom on q3");
    expect(first.log.results!.completed_samples).toBe(5);
    expect(validateEvalLog(first.log).valid).toBe(true);
    expect(calls).toBe(5 + 2); // q3 tried twice (1 retry)
    // A crash mid-run: the final log is gone and the journal's last line is torn.
    rmSync(first.logFile);
    const journal = first.logFile.replace(/\.json$/, ".samples.jsonl");
    const lines = readFileSync(journal, "utf8").trim().split("\n");
    writeFileSync(journal, `${lines.slice(0, 3).join("\n")}\n${lines[3]!.slice(0, 40)}`);
    const second = await evaluate(t, { model, logDir, progress: false, retries: 0 });
    expect(second.newlyEvaluated).toBe(3); // the torn one, the missing one, the failed q3
    expect(second.log.samples!.map((s) => s.id)).toEqual(["q0", "q1", "q2", "q3", "q4", "q5"]);
    expect(existsSync(second.logFile)).toBe(true);
  });

  it("keeps at most `concurrency` samples in flight", async () => {
    let inFlight = 0;
    let peak = 0;
    const probe = solver("probe", async (state, gen) => {
      peak = Math.max(peak, ++inFlight);
      try {
        return await gen(state);
      } finally {
        inFlight--;
      }
    });
    await evaluate(task({ name: "bounded", solver: [probe] }), {
      model,
      logDir: join(dir, "c"),
      progress: false,
      concurrency: 2,
    });
    expect(peak).toBe(2);
  });
});

function readdir(d: string): string {
  return readdirSync(d).find((f) => f.endsWith(".json"))!;
}
