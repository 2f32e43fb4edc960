// A supervised warm start on a fixed set of datums, saved as a training state that a recipe run can start from
// (`load_checkpoint_path=`). The e2e tests use it to give a random tiny model a behaviour RL can build on: the tool
// call of search_tool, the `Guess: <n>` format of guess_number.
import type { Datum, ServiceClient } from "@crucible/tinker-client";
import { checkpointClientFor, computeMeanNll, saveCheckpoint } from "@crucible/train";

export interface WarmStartOptions {
  service: ServiceClient;
  baseModel: string;
  /** Every step trains on all of them (one forward-backward). */
  datums: Datum[];
  steps: number;
  learningRate: number;
  /** The learning rate falls linearly from `learningRate` to this at the last step (default: constant). */
  finalLearningRate?: number;
  /** Global gradient-norm clip (0 = none). */
  gradClipNorm?: number;
  loraRank?: number;
  /** Where the checkpoint record goes (`checkpoints.jsonl`). */
  logPath: string;
  onStep?: (step: number, nll: number) => void;
}

export interface WarmStartResult {
  /** Mean NLL per trained token, before each step's update. */
  nll: number[];
  /** `tinker://…` training state, for `load_checkpoint_path=`. */
  statePath: string;
  /** `tinker://…` sampler weights of the same step, to measure what the warm start left. */
  samplerPath: string;
}

/** One LoRA training client, `steps` Adam steps on `datums` (one optimizer run), then a saved training state. */
export async function supervisedWarmStart(o: WarmStartOptions): Promise<WarmStartResult> {
  const tc = await o.service.createLoraTrainingClient({ baseModel: o.baseModel, rank: o.loraRank ?? 32 });
  const weights = o.datums.map((d) => d.lossFnInputs["weights"]?.data ?? []);
  const lrEnd = o.finalLearningRate ?? o.learningRate;
  const nll: number[] = [];
  for (let s = 0; s < o.steps; s++) {
    const frac = o.steps > 1 ? s / (o.steps - 1) : 0;
    const fb = tc.forwardBackward(o.datums, "cross_entropy");
    const op = tc.optimStep({
      learningRate: o.learningRate + (lrEnd - o.learningRate) * frac,
      beta1: 0.9,
      beta2: 0.95,
      eps: 1e-8,
      gradClipNorm: o.gradClipNorm ?? 0,
    });
    const out = await fb;
    await op;
    nll.push(
      computeMeanNll(
        out.lossFnOutputs.map((x) => x.logprobs?.data ?? []),
        weights,
      ),
    );
    o.onStep?.(s, nll[s]!);
  }
  const saved = await saveCheckpoint(checkpointClientFor(tc), "final", o.logPath, { batch: o.steps }, "both");
  if (!saved.statePath || !saved.samplerPath)
    throw new Error("supervisedWarmStart: the checkpoint lacks a state or sampler path");
  return { nll, statePath: saved.statePath, samplerPath: saved.samplerPath };
}
