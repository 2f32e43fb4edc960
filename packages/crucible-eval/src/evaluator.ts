import type {
  Datum,
  ForwardBackwardOutput,
  ModelInput,
  SampleArgs,
  SampleResponse,
} from "@crucible/tinker-client";

export type EvalMetrics = Record<string, number>;

/** The training-client calls evaluators use (a Tinker `TrainingClient` satisfies it). */
export interface ForwardClient {
  forward(
    data: readonly Datum[],
    lossFn: string,
    lossFnConfig?: Record<string, number>,
  ): PromiseLike<ForwardBackwardOutput>;
}

/** The sampling-client calls evaluators use (a Tinker `SamplingClient` satisfies it). */
export interface SamplingClientLike {
  sample(args: SampleArgs): PromiseLike<SampleResponse>;
  computeLogprobs(prompt: ModelInput): PromiseLike<(number | null)[]>;
}

/** `TrainingClientEvaluator`: runs against the current training weights (e.g. test NLL). */
export interface TrainingClientEvaluator<C extends ForwardClient = ForwardClient> {
  readonly kind: "training";
  evaluate(trainingClient: C): Promise<EvalMetrics>;
}

/** What a training loop tells a sampling evaluator about the weights its sampler holds. */
export interface SamplingEvalContext {
  /** The loop step: the weights after `step` optimizer updates. */
  step: number;
  /** tinker:// path of the saved sampler weights the sampler holds (absent for unsaved, ephemeral weights). */
  weightsPath?: string;
}

/** `SamplingClientEvaluator`: runs against a sampler holding a snapshot of the weights. */
export interface SamplingClientEvaluator<S extends SamplingClientLike = SamplingClientLike> {
  readonly kind: "sampling";
  /**
   * True when results should be tied to saved weights: the loops then save the weights as a sampler checkpoint
   * (or reuse the one saved at that step) and evaluate a sampler of that path, passed as `weightsPath`.
   */
  readonly wantsSavedWeights?: boolean;
  evaluate(samplingClient: S, context?: SamplingEvalContext): Promise<EvalMetrics>;
}

export type Evaluator = TrainingClientEvaluator | SamplingClientEvaluator;

/** `EvaluatorBuilder`: the loops build evaluators once at start. */
export type EvaluatorBuilder = () => Evaluator | Promise<Evaluator>;
