// Sampled accuracy of a checkpoint on every sum x + y with 0 ≤ x, y < maxOperand: each problem sampled many
// times at the loop's temperature (1), so the estimate does not depend on which problems a training batch drew.
// rl_loop's per-step reward/total does: its batches are drawn at random, and on a model that knows some sums
// better than others the drawn mix moves it more than a few steps of learning do.
import { getTextContent, type Renderer } from "@crucible/renderers";
import type { SamplingClient } from "@crucible/tinker-client";
import type { Problem, ProblemSet } from "./problems.js";

export function allSums(maxOperand: number): Problem[] {
  return Array.from({ length: maxOperand * maxOperand }, (_, i) => {
    const [x, y] = [Math.floor(i / maxOperand), i % maxOperand];
    return { question: `What is ${x} + ${y}?`, answer: String(x + y) };
  });
}

/** Mean reward over `samplesPerProblem` samples of each problem. */
export async function sampledAccuracy(
  sampler: Pick<SamplingClient, "sample">,
  renderer: Renderer,
  problems: Pick<ProblemSet, "prompt" | "reward">,
  rows: Problem[],
  samplesPerProblem: number,
  maxTokens: number,
): Promise<number> {
  const samplingParams = { maxTokens, stop: renderer.getStopSequences() };
  const scores = await Promise.all(
    rows.map(async (p) => {
      const prompt = renderer.buildGenerationPrompt(problems.prompt(p));
      const r = await sampler.sample({ prompt, numSamples: samplesPerProblem, samplingParams });
      return r.sequences.map((s) =>
        problems.reward(getTextContent(renderer.parseResponse(s.tokens).message), p),
      );
    }),
  );
  const flat = scores.flat();
  return flat.reduce((a, b) => a + b, 0) / flat.length;
}
