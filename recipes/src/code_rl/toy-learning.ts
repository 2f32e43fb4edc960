// By-hand experiment (no test runs it): code_rl's RL on the toy sum task of toy-task.ts, several runs in a row,
// printing each run's warm-start NLL and pass rate (env/all/correct) per RL step, and the mean of the last 3 steps
// minus the first 3 (what code_rl.e2e.test.ts asserts on).
//   RUNS=5 SEED=0 WARM_STEPS=40 WARM_LR=4e-3 RL_STEPS=8 RL_LR=1e-3 GROUP_SIZE=8 GROUPS=4 TEMPERATURE=1 \
//     pnpm exec tsx src/code_rl/toy-learning.ts [out_dir]
// (defaults: TOY_CONFIG, the e2e's). Runs differ by seed (SEED, SEED+1, …); the last run's log stays in out_dir.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "../cli/app.js";
import { commands } from "../cli/commands.js";
import { localRandomOperatorWarmStart, TOY_CONFIG, TOY_SUM_PROBLEMS, toyRlArgs } from "./toy-task.js";

const num = (k: string, d: number) => Number(process.env[k] ?? d);
const o = {
  runs: num("RUNS", 5),
  seed: num("SEED", 0),
  warmSteps: num("WARM_STEPS", TOY_CONFIG.warmSteps),
  warmLr: num("WARM_LR", TOY_CONFIG.warmLearningRate),
  rlSteps: num("RL_STEPS", TOY_CONFIG.rlSteps),
  rlLr: num("RL_LR", TOY_CONFIG.rlLearningRate),
  groupSize: num("GROUP_SIZE", TOY_CONFIG.groupSize),
  groups: num("GROUPS", TOY_CONFIG.groupsPerBatch),
  temperature: num("TEMPERATURE", 1),
};
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

async function oneRun(out: string, seed: number): Promise<void> {
  const t0 = Date.now();
  const nll: string[] = [];
  const state = await localRandomOperatorWarmStart(TOY_SUM_PROBLEMS, {
    steps: o.warmSteps,
    learningRate: o.warmLr,
    seed,
    onStep: (_, x) => nll.push(x.toFixed(2)),
  });
  const t1 = Date.now();
  const problems = join(out, "problems.jsonl");
  writeFileSync(problems, TOY_SUM_PROBLEMS.map((p) => `${JSON.stringify(p)}\n`).join(""));
  const log = join(out, "rl");
  const args = toyRlArgs({
    problemsPath: problems,
    statePath: state,
    logPath: log,
    steps: o.rlSteps,
    learningRate: o.rlLr,
    groupSize: o.groupSize,
    groupsPerBatch: o.groups,
    temperature: o.temperature,
  });
  const code = await runCli(args, commands, { out: () => undefined, err: (l) => console.error(l) });
  if (code !== 0) throw new Error(`code_rl exited ${code}`);
  const correct = readFileSync(join(log, "metrics.jsonl"), "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => (JSON.parse(l.replace(/\bNaN\b/g, "null")) as Record<string, number>)["env/all/correct"]!);
  const rise = mean(correct.slice(-3)) - mean(correct.slice(0, 3));
  console.log(
    `seed ${seed}: warm NLL ${nll.filter((_, i) => i % 5 === 0 || i === nll.length - 1).join(" ")} (${((t1 - t0) / 1000).toFixed(0)} s); ` +
      `correct ${correct.map((c) => c.toFixed(2)).join(" ")}; last3 − first3 = ${rise.toFixed(3)} ` +
      `(RL ${((Date.now() - t1) / 1000).toFixed(0)} s)`,
  );
}

async function main(): Promise<void> {
  const out = process.argv[2] ?? "/tmp/code_rl_toy";
  console.log(JSON.stringify(o));
  for (let r = 0; r < o.runs; r++) {
    rmSync(out, { recursive: true, force: true });
    mkdirSync(out, { recursive: true });
    process.env["CRUCIBLE_LOCAL_DIR"] = join(out, "store");
    await oneRun(out, o.seed + r);
  }
}

await main();
