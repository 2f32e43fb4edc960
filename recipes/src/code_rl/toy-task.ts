// code_rl's toy task for showing that RL raises the sandboxed pass rate of crucible/tiny-bytes: prefix problems
// `def f(a, b):\n    return ` whose asserts all want the sum a+b (on different inputs), and a warm start that
// teaches only the answer's shape: bare bodies `a?b` whose operator is drawn uniformly from + - * %. The warm
// policy is thus right by chance (about 1/4 of its bodies), every group holds mixed rewards, and RL only has to
// shift one unconditional choice (the operator byte) towards `+`: a rise above 1/4 is RL's doing.
import { getRenderer, getTokenizer } from "@crucible/renderers";
import type { ServiceClient } from "@crucible/tinker-client";
import { computeMeanNll, conversationToDatum } from "@crucible/train";
import { openBackend } from "../common/backend.js";
import { CodeEnv, type CodeProblem } from "./problems.js";

export const TOY_MODEL = "crucible/tiny-bytes";
export const TOY_RENDERER = "role_colon";
/** The operators the warm start draws from; only `+` passes the toy tests. */
export const TOY_OPERATORS = ["+", "-", "*", "%"] as const;
const PREFIX = "def f(a, b):\n    return ";

/** Input pairs on which a+b differs from a-b, a*b and a%b (and from b-a, b%a), so only `+` passes. */
const PAIRS: [number, number][][] = [
  [
    [7, 3],
    [2, 5],
  ],
  [
    [4, 9],
    [6, 1],
  ],
  [
    [8, 5],
    [3, 7],
  ],
  [
    [10, 4],
    [1, 6],
  ],
];

export const TOY_SUM_PROBLEMS: CodeProblem[] = PAIRS.map((pairs) => ({
  prompt: "f(a, b) returns the sum of a and b.",
  prefix: PREFIX,
  tests: pairs.map(([a, b]) => `assert f(${a}, ${b}) == ${a + b}`).join("\n"),
  reference: "a+b",
}));

/**
 * The measured config (curves in README.md): a 40-step warm start at lr 5e-3 decaying linearly to 0, then 14 RL
 * steps of 4 problems × 8 answers at lr 5e-4. RL starts with a fresh Adam state, whose first step moves every weight
 * by about lr whatever the gradient's size (its first update is lr × sign(gradient)), noise included: at lr 1e-3 the
 * pass rate fell to 0 for good after the first RL step in 2 of 24 runs (all-wrong groups carry no signal back); at
 * 5e-4 none of 10 did, and all rose by ≥ 0.18.
 */
export const TOY_CONFIG = {
  warmSteps: 40,
  warmLearningRate: 5e-3,
  rlSteps: 14,
  rlLearningRate: 5e-4,
  groupsPerBatch: 4,
  groupSize: 8,
} as const;

export interface WarmStartOptions {
  steps: number;
  /** Peak lr, decaying linearly to 0 over the steps. */
  learningRate: number;
  /** LoRA init. */
  seed: number;
  /** Called with the mean NLL of each step's batch. */
  onStep?: (step: number, nll: number) => void;
}

/**
 * SFT of a fresh LoRA (rank 32 + unembedding) on the toy prompts answered with `a?b`; every batch holds each problem
 * with each of TOY_OPERATORS once, so the policy learns a uniform operator (random draws per batch left it skewed
 * towards the last batches' operators, and a policy that rarely writes `+` gives RL almost no signal).
 * Returns the saved training state's tinker:// path for `load_checkpoint_path`.
 */
export async function randomOperatorWarmStart(
  service: ServiceClient,
  problems: readonly CodeProblem[],
  o: WarmStartOptions,
): Promise<string> {
  const renderer = getRenderer(TOY_RENDERER, await getTokenizer("crucible/byte-level"));
  const tc = await service.createLoraTrainingClient({
    baseModel: TOY_MODEL,
    rank: 32,
    trainUnembed: true,
    seed: o.seed,
  });
  for (let s = 0; s < o.steps; s++) {
    const data = problems.flatMap((p) =>
      TOY_OPERATORS.map((op) => {
        const msgs = [
          { role: "user" as const, content: new CodeEnv(p, renderer).getQuestion() },
          { role: "assistant" as const, content: `a${op}b` },
        ];
        return conversationToDatum(msgs, renderer, null, "last_assistant_message");
      }),
    );
    const out = await tc.forwardBackward(data, "cross_entropy");
    // Linear decay to 0: the last steps settle the shape instead of jumping around the floor.
    const learningRate = o.learningRate * (1 - s / o.steps);
    await tc.optimStep({ learningRate, beta1: 0.9, beta2: 0.95, eps: 1e-8 });
    o.onStep?.(
      s,
      computeMeanNll(
        out.lossFnOutputs.map((x) => x.logprobs?.data ?? []),
        data.map((d) => d.lossFnInputs["weights"]?.data ?? []),
      ),
    );
  }
  return (await tc.saveState("warm")).path;
}

/** randomOperatorWarmStart on a local backend opened for it (the state stays in CRUCIBLE_LOCAL_DIR's store). */
export async function localRandomOperatorWarmStart(
  problems: readonly CodeProblem[],
  o: WarmStartOptions,
): Promise<string> {
  const session = await openBackend("local", null, [TOY_MODEL]);
  try {
    return await randomOperatorWarmStart(session.service, problems, o);
  } finally {
    await session.close();
  }
}

/** `crucible run code_rl` arguments for RL on the toy problems file from the warm state (bare bodies: 4 tokens). */
export function toyRlArgs(o: {
  problemsPath: string;
  statePath: string;
  logPath: string;
  steps: number;
  learningRate: number;
  groupSize: number;
  groupsPerBatch: number;
  temperature?: number;
}): string[] {
  return [
    ...["run", "code_rl", "backend=local", `model_name=${TOY_MODEL}`, `renderer_name=${TOY_RENDERER}`],
    ...[`problems_path=${o.problemsPath}`, `load_checkpoint_path=${o.statePath}`, `log_path=${o.logPath}`],
    ...[`groups_per_batch=${o.groupsPerBatch}`, `group_size=${o.groupSize}`, "max_tokens=4"],
    ...[`learning_rate=${o.learningRate}`, `temperature=${o.temperature ?? 1}`, `max_steps=${o.steps}`],
    ...["save_every=0", "eval_every=0", "--if-exists=delete"],
  ];
}
