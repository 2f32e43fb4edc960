// The Inspect AI concepts, TypeScript-native: a Task is a dataset of Samples, a chain of Solvers that turn each
// sample into a TaskState (conversation + model output), and Scorers whose Scores the Metrics summarise.

export type ChatRole = "system" | "user" | "assistant";

export interface ChatMessage {
  role: ChatRole;
  content: string;
}

export interface Sample {
  /** Unique within the dataset; evaluations resume by it. */
  id: string | number;
  /** A user prompt, or a whole conversation. */
  input: string | ChatMessage[];
  /** Reference answer(s); multiple-choice targets are letters ("A", "B", …). */
  target: string | string[];
  choices?: string[];
  metadata?: Record<string, unknown>;
}

export type StopReason = "stop" | "max_tokens" | "unknown";

export interface ModelOutput {
  model: string;
  completion: string;
  stopReason: StopReason;
  inputTokens: number;
  outputTokens: number;
  /** Seconds the generate call took. */
  time: number;
}

export interface TaskState {
  readonly sample: Sample;
  readonly epoch: number;
  messages: ChatMessage[];
  output: ModelOutput;
  /** Choices shown to the model (multiple choice). */
  choices: string[];
  /** Free-form per-sample state solvers pass to scorers (e.g. the parsed choice). */
  store: Record<string, unknown>;
  /** Token usage summed over every generate call of the sample. */
  usage: { inputTokens: number; outputTokens: number };
}

export interface GenerateConfig {
  maxTokens?: number;
  temperature?: number;
  /** Extra stop strings besides the renderer's own. */
  stop?: string[];
}

/** Sends the conversation to the model and appends its answer. */
export type Generate = (state: TaskState, config?: GenerateConfig) => Promise<TaskState>;

export interface Solver {
  name: string;
  params?: Record<string, unknown>;
  solve(state: TaskState, generate: Generate): Promise<TaskState>;
}

/** "C" correct, "I" incorrect, "P" partial, "N" no answer (Inspect's letters), or a number/boolean. */
export type ScoreValue = number | boolean | string;

export interface Score {
  value: ScoreValue;
  answer?: string;
  explanation?: string;
  metadata?: Record<string, unknown>;
}

/**
 * Summarises one scorer's values (as floats: C=1, P=0.5, I=N=0, booleans 1/0), one per sample (epochs reduced by
 * mean); `scores` are the matching scores of the first epoch, for metrics that read score metadata.
 */
export interface Metric {
  name: string;
  params?: Record<string, unknown>;
  compute(values: readonly number[], scores?: readonly Score[]): number;
}

export interface Scorer {
  name: string;
  params?: Record<string, unknown>;
  metrics: Metric[];
  score(state: TaskState, target: readonly string[]): Promise<Score>;
}

export interface TaskConfig {
  /** Samples are run this many times; scores are reduced by mean per sample. */
  epochs?: number;
  maxTokens?: number;
  temperature?: number;
}

export interface Task {
  name: string;
  version?: number;
  dataset: readonly Sample[];
  /** Where the samples came from (a file or a hub id), for the log. */
  datasetName?: string;
  datasetLocation?: string;
  solver: readonly Solver[];
  scorer: Scorer | readonly Scorer[];
  config?: TaskConfig;
}

export class TaskDefinitionError extends Error {
  override readonly name = "TaskDefinitionError";
}

/** Inspect's value_to_float: letters, booleans and yes/no words as numbers. */
export function scoreToFloat(v: ScoreValue): number {
  if (typeof v === "number") return v;
  if (typeof v === "boolean") return v ? 1 : 0;
  const s = v.trim().toLowerCase();
  if (s === "c" || s === "yes" || s === "true" || s === "correct") return 1;
  if (s === "p" || s === "partial") return 0.5;
  if (s === "i" || s === "n" || s === "no" || s === "false" || s === "incorrect") return 0;
  const n = Number(s);
  if (s !== "" && Number.isFinite(n)) return n;
  throw new TaskDefinitionError(`score value '${v}' is not a number, boolean or C/P/I/N letter`);
}

export const CORRECT = "C";
export const INCORRECT = "I";
export const PARTIAL = "P";
export const NOANSWER = "N";

export function asTargets(t: string | readonly string[]): string[] {
  return typeof t === "string" ? [t] : [...t];
}

export function initialMessages(sample: Sample): ChatMessage[] {
  return typeof sample.input === "string"
    ? [{ role: "user", content: sample.input }]
    : sample.input.map((m) => ({ ...m }));
}
