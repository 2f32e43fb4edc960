// By-hand experiment (no test runs it): does code_rl's RL raise the sandboxed pass rate of crucible/tiny-bytes on a
// toy task? Four body-completion problems (`def f(a, b):\n    return ` + `a?b`; the prompt names the sum, difference,
// product or remainder). The warm start teaches only the answer's shape: its bodies use an operator drawn at
// random whatever the prompt asks, so the warm policy is right by chance (≤ 1/4 of well-formed bodies) and a rise
// above that would be RL's. Then `crucible run code_rl problems_path=… load_checkpoint_path=…`.
//   WARM_STEPS=60 WARM_LR=3e-3 RL_STEPS=20 RL_LR=5e-4 GROUP_SIZE=8 TEMPERATURE=1 SEED=0 \
//     pnpm exec tsx src/code_rl/toy-learning.ts [out_dir]
// prints the warm-start NLL per step and the per-RL-step pass rate (env/all/correct); the run stays in out_dir.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { RandomState } from "@crucible/env";
import { getRenderer, getTokenizer } from "@crucible/renderers";
import { computeMeanNll, conversationToDatum } from "@crucible/train";
import { runCli } from "../cli/app.js";
import { commands } from "../cli/commands.js";
import { openBackend } from "../common/backend.js";
import { CodeEnv, type CodeProblem } from "./problems.js";

const MODEL = "crucible/tiny-bytes";
const PREFIX = "def f(a, b):\n    return ";
/** [word in the prompt, operator, asserts only that operator passes]. */
const TASKS: [string, string, string][] = [
  ["sum", "+", "assert f(7, 3) == 10\nassert f(2, 5) == 7"],
  ["difference", "-", "assert f(7, 3) == 4\nassert f(2, 5) == -3"],
  ["product", "*", "assert f(7, 3) == 21\nassert f(2, 5) == 10"],
  ["remainder", "%", "assert f(7, 3) == 1\nassert f(2, 5) == 2"],
];
export const TOY_PROBLEMS: CodeProblem[] = TASKS.map(([word, op, tests]) => ({
  prompt: `f(a, b) returns the ${word} of a and b.`,
  prefix: PREFIX,
  tests,
  reference: `a${op}b`,
}));

const num = (k: string, d: number) => Number(process.env[k] ?? d);
const o = {
  warmSteps: num("WARM_STEPS", 60),
  warmLr: num("WARM_LR", 3e-3),
  rlSteps: num("RL_STEPS", 20),
  rlLr: num("RL_LR", 5e-4),
  groupSize: num("GROUP_SIZE", 8),
  temperature: num("TEMPERATURE", 1),
  seed: num("SEED", 0),
};

/** SFT on bare bodies (`a?b`, 3 bytes) with a random operator; returns the saved state's path. */
async function shapeOnlyWarmStart(): Promise<string> {
  const renderer = getRenderer("role_colon", await getTokenizer("crucible/byte-level"));
  const rng = new RandomState(o.seed);
  const session = await openBackend("local", null, [MODEL]);
  try {
    const tc = await session.service.createLoraTrainingClient({
      baseModel: MODEL,
      rank: 32,
      trainUnembed: true,
      seed: o.seed,
    });
    const nll: string[] = [];
    for (let s = 0; s < o.warmSteps; s++) {
      const data = Array.from({ length: 16 }, (_, i) => {
        const p = TOY_PROBLEMS[i % TOY_PROBLEMS.length]!;
        const op = TASKS[rng.randint(0, TASKS.length)]![1];
        const msgs = [
          { role: "user" as const, content: new CodeEnv(p, renderer).getQuestion() },
          { role: "assistant" as const, content: `a${op}b` },
        ];
        return conversationToDatum(msgs, renderer, null, "last_assistant_message");
      });
      const out = await tc.forwardBackward(data, "cross_entropy");
      await tc.optimStep({ learningRate: o.warmLr, beta1: 0.9, beta2: 0.95, eps: 1e-8 });
      const weights = data.map((d) => d.lossFnInputs["weights"]?.data ?? []);
      nll.push(
        computeMeanNll(
          out.lossFnOutputs.map((x) => x.logprobs?.data ?? []),
          weights,
        ).toFixed(2),
      );
    }
    console.log(`warm-start NLL per step: ${nll.join(" ")}`);
    return (await tc.saveState("shape")).path;
  } finally {
    await session.close();
  }
}

async function main(): Promise<void> {
  const out = process.argv[2] ?? "/tmp/code_rl_toy";
  mkdirSync(out, { recursive: true });
  process.env["CRUCIBLE_LOCAL_DIR"] ??= join(out, "store");
  const problems = join(out, "problems.jsonl");
  writeFileSync(problems, TOY_PROBLEMS.map((p) => `${JSON.stringify(p)}\n`).join(""));
  const state = await shapeOnlyWarmStart();
  const log = join(out, "rl");
  const code = await runCli(
    [
      ...["run", "code_rl", "backend=local", `model_name=${MODEL}`, `log_path=${log}`, "--if-exists=delete"],
      ...[`problems_path=${problems}`, `load_checkpoint_path=${state}`, "renderer_name=role_colon"],
      ...[`groups_per_batch=${TOY_PROBLEMS.length}`, `group_size=${o.groupSize}`, "max_tokens=4"],
      ...[`learning_rate=${o.rlLr}`, `temperature=${o.temperature}`, `max_steps=${o.rlSteps}`],
      ...["save_every=0", "eval_every=0", "num_groups_to_log=4"],
    ],
    commands,
    { out: () => undefined, err: (l) => console.error(l) },
  );
  if (code !== 0) throw new Error(`code_rl exited ${code}`);
  const rows = readFileSync(join(log, "metrics.jsonl"), "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l.replace(/\bNaN\b/g, "null")) as Record<string, number>);
  console.log(`pass rate per RL step: ${rows.map((r) => r["env/all/correct"]?.toFixed(3)).join(" ")}`);
  console.log(`transcripts: ${log}/iteration_*/train.html`);
}

await main();
