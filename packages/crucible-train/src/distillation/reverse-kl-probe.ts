import type { LogprobScorer, SamplingClientLike } from "@crucible/env";
import { ModelInput } from "@crucible/tinker-client";

export interface ReverseKlProbeOptions {
  /** Samples per prompt. */
  samplesPerPrompt: number;
  maxTokens: number;
  /** Fixed seed per prompt (`seed + promptIndex`), so two probes of the same sampler see the same draws. */
  seed: number;
  temperature?: number;
  stop?: string[] | number[];
}

export interface ReverseKlProbeResult {
  /** Mean over sampled tokens of `log p_student(x) − log p_teacher(x)`, x ~ student: a Monte Carlo reverse KL per token. */
  kl: number;
  /** Sampled completion tokens scored. */
  tokens: number;
  /** Mean student sampler logprob per token (−entropy estimate). */
  studentLogprob: number;
  /** Mean teacher logprob of the student's tokens. */
  teacherLogprob: number;
  /** max |sampler logprob − student.computeLogprobs| over all tokens (0 up to float noise when they agree). */
  samplerVsScoreMaxAbs: number;
}

/**
 * Measures the student–teacher reverse KL on a fixed prompt set with fresh student samples, independent of the
 * training metric: the teacher scores each full sequence with `computeLogprobs` and position `len(prompt)+j`
 * of that result is the logprob of completion token j. Also re-scores with the student to check that the
 * sampler's logprobs are the student's own (the importance-sampling denominator).
 */
export async function probeReverseKl(
  student: SamplingClientLike,
  teacher: LogprobScorer,
  prompts: readonly ModelInput[],
  opts: ReverseKlProbeOptions,
): Promise<ReverseKlProbeResult> {
  let sumS = 0;
  let sumT = 0;
  let n = 0;
  let maxAbs = 0;
  for (let p = 0; p < prompts.length; p++) {
    const prompt = prompts[p] as ModelInput;
    const promptLen = ModelInput.toInts(prompt).length;
    const res = await student.sample({
      prompt,
      numSamples: opts.samplesPerPrompt,
      samplingParams: {
        maxTokens: opts.maxTokens,
        temperature: opts.temperature ?? 1,
        seed: opts.seed + p,
        ...(opts.stop ? { stop: opts.stop } : {}),
      },
    });
    for (const seq of res.sequences) {
      if (seq.tokens.length === 0) continue;
      const full = ModelInput.fromInts([...ModelInput.toInts(prompt), ...seq.tokens]);
      const [t, s] = await Promise.all([teacher.computeLogprobs(full), student.computeLogprobs(full)]);
      const lps = seq.logprobs ?? [];
      seq.tokens.forEach((_, j) => {
        const ls = lps[j] as number;
        const lt = t[promptLen + j] as number;
        sumS += ls;
        sumT += lt;
        maxAbs = Math.max(maxAbs, Math.abs(ls - (s[promptLen + j] as number)));
        n++;
      });
    }
  }
  if (n === 0) throw new Error("probeReverseKl: the student sampled no tokens");
  return {
    kl: (sumS - sumT) / n,
    tokens: n,
    studentLogprob: sumS / n,
    teacherLogprob: sumT / n,
    samplerVsScoreMaxAbs: maxAbs,
  };
}
