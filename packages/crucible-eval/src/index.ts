// Public API of @crucible/eval. Exports are grouped by area.

// --- benchmarks over the env protocol (resumable result files, inline evaluator)
export * from "./benchmarks/index.js";
// --- evaluator interfaces
export type {
  EvalMetrics,
  Evaluator,
  EvaluatorBuilder,
  ForwardClient,
  SamplingClientEvaluator,
  SamplingClientLike,
  SamplingEvalContext,
  TrainingClientEvaluator,
} from "./evaluator.js";
// --- Inspect-style tasks, solvers, scorers, metrics and the eval runner
export * from "./inspect/index.js";
// --- NLL / BPB
export { type BpbTokenizer, computeBpb, computeMeanNll } from "./nll.js";
export { type DatumBatches, NLLEvaluator } from "./nll-evaluator.js";
// --- offline evaluation of JSONL answers
export * from "./offline/index.js";
// --- model registry (embedded SQLite)
export * from "./registry/index.js";
// --- benchmarks as tasks (gsm8k, math500, mmlu, gpqa_diamond, arc_challenge, hellaswag, ifeval, humaneval, mbpp)
export * from "./tasks/index.js";
