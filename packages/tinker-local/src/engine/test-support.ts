import type { Engine, Trainer } from "./types.js";

/**
 * Test helper: a LoRA (rank 5, every module) that has taken one AdamW step on `prompt`, so sampling goes through
 * non-zero adapter terms. The caller disposes the trainer.
 */
export async function trainerAfterOneStep(
  engine: Engine,
  model: string,
  prompt: Int32Array,
): Promise<Trainer> {
  const tr = await engine.createTrainer(model, {
    rank: 5,
    seed: 3,
    trainAttn: true,
    trainMlp: true,
    trainUnembed: true,
  });
  const datum = {
    inputTokens: prompt.slice(0, -1),
    targetTokens: prompt.slice(1),
    k: 1,
    weights: new Float32Array(prompt.length - 1).fill(1),
  };
  await tr.forward([datum], { lossFn: "cross_entropy", backward: true });
  await tr.optimStep({
    learningRate: 1e-2,
    beta1: 0.9,
    beta2: 0.95,
    eps: 1e-8,
    weightDecay: 0,
    gradClipNorm: 0,
  });
  return tr;
}
