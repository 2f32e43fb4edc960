import type {
  Evaluator,
  EvaluatorBuilder,
  SamplingClientEvaluator,
  SamplingClientLike,
  SamplingEvalContext,
} from "@crucible/eval";
import type { TrainingClientLike } from "../client.js";

export async function buildEvaluators(builders: readonly EvaluatorBuilder[]): Promise<Evaluator[]> {
  const out: Evaluator[] = [];
  for (const b of builders) out.push(await b());
  return out;
}

/** Where an evaluation round stands: its step, and how to tie results to saved weights. */
export interface EvalRound {
  /** The loop step (the weights after `step` optimizer updates). */
  step: number;
  /** Sampler weights already saved for these weights (a periodic checkpoint of this step), reused as they are. */
  samplerPath?: string;
  /** Saves the current weights as sampler weights (a checkpoint record); returns their tinker:// path. */
  saveSampler?: (step: number) => Promise<string>;
}

/** The sampler and context for sampling evaluators: saved weights when one of them wants them, else `ephemeral`. */
export async function evalSampler(
  evaluators: readonly { readonly wantsSavedWeights?: boolean }[],
  tc: Pick<TrainingClientLike, "createSamplingClient">,
  ephemeral: () => Promise<SamplingClientLike>,
  round: EvalRound | undefined,
): Promise<{ sampler: SamplingClientLike; context: SamplingEvalContext | undefined }> {
  const wantsSaved = evaluators.some((e) => e.wantsSavedWeights);
  if (round && wantsSaved && (round.samplerPath || round.saveSampler)) {
    const weightsPath = round.samplerPath ?? (await round.saveSampler!(round.step));
    return {
      sampler: await tc.createSamplingClient(weightsPath),
      context: { step: round.step, weightsPath },
    };
  }
  return { sampler: await ephemeral(), context: round && { step: round.step } };
}

/**
 * Runs evaluators on the current weights: training-client evaluators directly (their forward is queued after any
 * submitted step), sampling-client evaluators on one sampler snapshot — a fresh ephemeral one, or the saved
 * weights of `round` when an evaluator wants its results tied to a checkpoint.
 */
export async function runEvaluators(
  evaluators: readonly Evaluator[],
  tc: TrainingClientLike,
  round?: EvalRound,
): Promise<Record<string, number>> {
  const metrics: Record<string, number> = {};
  const sampling = evaluators.filter((e): e is SamplingClientEvaluator => e.kind === "sampling");
  let snapshot: Awaited<ReturnType<typeof evalSampler>> | undefined;
  for (const ev of evaluators) {
    if (ev.kind === "training") Object.assign(metrics, await ev.evaluate(tc));
    else {
      snapshot ??= await evalSampler(
        sampling,
        tc,
        async () => await tc.saveWeightsAndGetSamplingClient(),
        round,
      );
      Object.assign(metrics, await ev.evaluate(snapshot.sampler, snapshot.context));
    }
  }
  return metrics;
}
