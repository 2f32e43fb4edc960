// math_rl end to end on the embedded backend (arithmetic env), then resumed to a later step.
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { shuffleRows } from "@crucible/env";
import { describe, expect, it } from "vitest";
import { crucible, e2eDir, listFiles, metricNames, readJsonl } from "../testing/e2e.js";

/** `crucible run math_rl` on the local backend, 2 groups × 2 samples per step. */
const smallRun = (log: string) => [
  "run",
  "math_rl",
  "backend=local",
  `log_path=${log}`,
  "groups_per_batch=2",
  "group_size=2",
];

describe("math_rl e2e (local backend, tiny model)", () => {
  it("runs 2 RL steps with a held-out benchmark evaluator, then resumes to step 3", {
    timeout: 300_000,
  }, async () => {
    const log = join(e2eDir("math_rl"), "run");
    const base = [
      ...smallRun(log),
      "max_tokens=3",
      "save_every=1",
      "eval_every=2",
      "eval_benchmark=arithmetic",
      "eval_problems=4",
    ];
    const first = await crucible([...base, "max_steps=2", "--if-exists=delete"]);
    expect(first.err).toEqual([]);
    let rows = readJsonl(join(log, "metrics.jsonl"));
    expect(rows.map((m) => m["step"])).toEqual([0, 1]);
    const names = metricNames(rows);
    for (const k of [
      "progress/batch",
      "optim/lr",
      "progress/done_frac",
      "env/all/reward/total",
      "env/all/correct",
      "env/all/format",
      "env/all/total_episodes",
      "optim/kl_sample_train_v1",
      "optim/entropy",
      "bench/arithmetic/accuracy",
      "time/total",
    ]) {
      expect(names, k).toContain(k);
    }
    expect(rows[0]!["env/all/total_episodes"]).toBe(4);
    // RL writes checkpoint i+1 after update i (save_every=1), then "final".
    expect(readJsonl(join(log, "checkpoints.jsonl")).map((c) => c["name"])).toEqual([
      "000001",
      "000002",
      "final",
    ]);

    const second = await crucible([...base, "max_steps=3", "--if-exists=resume"]);
    expect(second.err).toEqual([]);
    rows = readJsonl(join(log, "metrics.jsonl"));
    expect(rows.map((m) => m["step"])).toEqual([0, 1, 2]);
    expect(rows[2]!["bench/arithmetic/accuracy"]).toEqual(expect.any(Number)); // eval_every=2 → step 2
    const files = listFiles(log);
    expect(files).toEqual(
      expect.arrayContaining([
        "config.json",
        "report.html",
        "iteration_000000/train.html",
        "iteration_000002/train.html",
      ]),
    );
    expect(files.some((f) => /^benchmarks\/.*\/arithmetic\/result.json$/.test(f))).toBe(true);
    expect(readJsonl(join(log, "checkpoints.jsonl")).at(-1)!["batch"]).toBe(3);
  });

  it("stream_minibatch_config: 2 streaming steps log the sampling-client metrics", {
    timeout: 300_000,
  }, async () => {
    const log = join(e2eDir("math_rl_stream"), "run");
    const r = await crucible([
      ...smallRun(log),
      "max_tokens=3",
      "save_every=0",
      "--if-exists=delete",
      "eval_every=0",
      "max_steps=2",
      "stream_minibatch_config.groups_per_batch=2",
      "stream_minibatch_config.num_minibatches=2",
    ]);
    expect(r.err).toEqual([]);
    const rows = readJsonl(join(log, "metrics.jsonl"));
    expect(rows.map((m) => m["step"])).toEqual([0, 1]);
    // every group of step i was sampled with step i's sampler
    expect(rows.map((m) => [m["sampling_client/step_min"], m["sampling_client/step_max"]])).toEqual([
      [0, 0],
      [1, 1],
    ]);
    for (const k of [
      "env/all/reward/total",
      "env/all/correct",
      "optim/kl_sample_train_v1",
      "time/sampling_time_mean",
    ])
      expect(metricNames(rows), k).toContain(k);
    expect(JSON.parse(readFileSync(join(log, "config.json"), "utf8")).streamMinibatchConfig).toEqual({
      groupsPerBatch: 2,
      numMinibatches: 2,
    });
    expect(readJsonl(join(log, "checkpoints.jsonl")).map((c) => c["name"])).toEqual(["final"]);
  });

  it("env=deepmath from a local data_dir: one step on the fixture's problems", {
    timeout: 300_000,
  }, async () => {
    const log = join(e2eDir("math_rl_deepmath"), "run");
    const r = await crucible([
      ...smallRun(log),
      "save_every=0",
      "--if-exists=delete",
      "env=deepmath",
      `data_dir=${resolve(__dirname, "../../test/fixtures/deepmath")}`,
      "max_tokens=4",
      "max_steps=1",
    ]);
    expect(r.err).toEqual([]);
    const rows = readJsonl(join(log, "metrics.jsonl"));
    expect(rows.map((m) => m["step"])).toEqual([0]);
    // cookbook order: the whole split shuffled with seed 0, then the batch's rows without a question skipped
    const fixture = readJsonl(
      join(resolve(__dirname, "../../test/fixtures/deepmath"), "train-00000-of-00001.jsonl"),
    );
    const batch0 = shuffleRows(fixture, 0).slice(0, 2);
    expect(rows[0]!["env/all/total_episodes"]).toBe(2 * batch0.filter((x) => x["question"]).length);
    const summaries = readJsonl(join(log, "iteration_000000", "train_rollout_summaries.jsonl"));
    expect(summaries.every((s) => JSON.stringify(s["tags"]) === '["deepmath"]')).toBe(true);
  });
});
