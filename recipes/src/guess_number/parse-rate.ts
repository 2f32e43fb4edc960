// The share of a checkpoint's opening replies that parse as `Guess: <n>`, from many samples of the game's first
// turn. guess_number's per-step `reward/total` averages 32 episodes (standard error ~0.08 a step), too noisy to
// show a rise of 0.1–0.2 from three steps; 256 samples of one checkpoint give ~0.03.
import { GUESS_NUMBER_FAIL_TO_PARSE, GuessNumberEnv, judgeGuess } from "@crucible/env";
import { getTextContent, type Renderer } from "@crucible/renderers";
import type { SamplingClient } from "@crucible/tinker-client";
import { DEFAULT_LIMITS } from "@crucible/tinker-local";

/** The local backend's default cap on `num_samples` per sample request. */
const MAX_SAMPLES_PER_REQUEST = DEFAULT_LIMITS.maxNumSamples;

export async function openingParseRate(
  sampler: Pick<SamplingClient, "sample">,
  renderer: Renderer,
  samples: number,
  maxTokens: number,
): Promise<number> {
  // The target does not change whether a reply parses; any legal one will do.
  const prompt = renderer.buildGenerationPrompt(await new GuessNumberEnv(0).initialMessages());
  const samplingParams = { maxTokens, stop: renderer.getStopSequences() };
  const sizes = Array.from({ length: Math.ceil(samples / MAX_SAMPLES_PER_REQUEST) }, (_, i) =>
    Math.min(MAX_SAMPLES_PER_REQUEST, samples - i * MAX_SAMPLES_PER_REQUEST),
  );
  const replies = await Promise.all(
    sizes.map((numSamples) => sampler.sample({ prompt, numSamples, samplingParams })),
  );
  const sequences = replies.flatMap((r) => r.sequences);
  const parsed = sequences.filter((s) => {
    const text = getTextContent(renderer.parseResponse(s.tokens).message);
    return judgeGuess(text, 0).feedback !== GUESS_NUMBER_FAIL_TO_PARSE;
  });
  return parsed.length / sequences.length;
}
