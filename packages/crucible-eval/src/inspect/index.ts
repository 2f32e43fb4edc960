// The Inspect-style evaluation API: tasks, solvers, scorers, metrics, the runner and its Inspect-format logs.
export { buildEvalLog, flatMetrics, type LogContext } from "./eval-log.js";
export { type EvaluateOptions, type EvaluateResult, evaluate, runKey } from "./evaluate.js";
export type * from "./log-types.js";
export { accuracy, type BootstrapOptions, bootstrapCi, defaultMetrics, mean, stderr } from "./metrics.js";
export { type ChatModel, type ChatModelOptions, chatModel } from "./model.js";
export {
  type AnswerExtraction,
  DEFAULT_FACT_TEMPLATE,
  DEFAULT_GRADE_INSTRUCTIONS,
  DEFAULT_QA_TEMPLATE,
  extractAnswer,
  type ModelGradedOptions,
  mathEquivalence,
  modelGradedFact,
  modelGradedQA,
  PARTIAL_GRADE_INSTRUCTIONS,
} from "./model-scorers.js";
export { generateWith, newState, type RunSampleArgs, runSample } from "./run-sample.js";
export {
  chainOfThought,
  DEFAULT_COT_TEMPLATE,
  DEFAULT_CRITIQUE_TEMPLATE,
  DEFAULT_MC_TEMPLATE,
  DEFAULT_REVISION_TEMPLATE,
  fillTemplate,
  generate,
  letterOf,
  multipleChoice,
  parseChoiceAnswer,
  promptTemplate,
  selfCritique,
  solver,
  systemMessage,
} from "./solvers.js";
export { type TaskEvalResult, TaskEvaluator, type TaskEvaluatorOptions } from "./task-evaluator.js";
export {
  choice,
  exact,
  f1,
  includes,
  type MatchOptions,
  match,
  normalizeNumber,
  normalizeText,
  pattern,
  tokenF1,
} from "./text-scorers.js";
export { transcriptHtml } from "./transcript-html.js";
export {
  asTargets,
  type ChatMessage,
  type ChatRole,
  CORRECT,
  type Generate,
  type GenerateConfig,
  INCORRECT,
  initialMessages,
  type Metric,
  type ModelOutput,
  NOANSWER,
  PARTIAL,
  type Sample,
  type Score,
  type Scorer,
  type ScoreValue,
  type Solver,
  type StopReason,
  scoreToFloat,
  type Task,
  type TaskConfig,
  TaskDefinitionError,
  type TaskState,
} from "./types.js";
export { INSPECT_LOG_SCHEMA_URL, type LogValidation, validateEvalLog } from "./validate-log.js";
