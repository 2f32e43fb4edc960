// How far the student (prompt alone) is from the prompted teacher (system prompt + prompt): a Monte-Carlo estimate
// of KL(teacher ‖ student) per token, E over teacher-sampled tokens of log p_teacher − log p_student. Both log-probs
// come from the backend's own forward passes (compute_logprobs); nothing is estimated locally.
import type { Renderer } from "@crucible/renderers";
import { ModelInput, type SamplingClient } from "@crucible/tinker-client";
import { studentMessages, teacherMessages } from "./create-data.js";

export interface PromptedKlOptions {
  /** Sampler of the teacher's weights; it sees the system prompt. */
  teacher: SamplingClient;
  /** Sampler of the student's weights; it sees the prompt alone. */
  student: SamplingClient;
  renderer: Renderer;
  systemPrompt: string;
  prompts: readonly string[];
  samplesPerPrompt: number;
  maxTokens: number;
  seed?: number;
}

export interface PromptedKl {
  /** Mean over sampled tokens of log p_teacher − log p_student (nats per token). */
  klPerToken: number;
  tokens: number;
  sequences: number;
}

/** Log-probs the sampler assigns to `completion` after `prompt` (one forward pass). */
async function completionLogprobs(
  s: SamplingClient,
  prompt: number[],
  completion: number[],
): Promise<number[]> {
  const lp = await s.computeLogprobs(ModelInput.fromInts([...prompt, ...completion]));
  return lp.slice(prompt.length).map((v) => v ?? Number.NaN);
}

export async function promptedTeacherKl(o: PromptedKlOptions): Promise<PromptedKl> {
  let sum = 0;
  let tokens = 0;
  let sequences = 0;
  await Promise.all(
    o.prompts.map(async (p, i) => {
      const teacherPrompt = ModelInput.toInts(
        o.renderer.buildGenerationPrompt(teacherMessages(o.systemPrompt, p)),
      );
      const studentPrompt = ModelInput.toInts(o.renderer.buildGenerationPrompt(studentMessages(p)));
      // Temperature 1 and no stop strings: the samples are draws from the teacher's own distribution.
      const r = await o.teacher.sample({
        prompt: ModelInput.fromInts(teacherPrompt),
        numSamples: o.samplesPerPrompt,
        samplingParams: {
          maxTokens: o.maxTokens,
          temperature: 1,
          ...(o.seed !== undefined && { seed: o.seed + i }),
        },
      });
      for (const seq of r.sequences) {
        if (seq.tokens.length === 0) continue;
        const [t, s] = await Promise.all([
          completionLogprobs(o.teacher, teacherPrompt, seq.tokens),
          completionLogprobs(o.student, studentPrompt, seq.tokens),
        ]);
        for (let k = 0; k < seq.tokens.length; k++) sum += t[k]! - s[k]!;
        tokens += seq.tokens.length;
        sequences++;
      }
    }),
  );
  if (tokens === 0) throw new Error("promptedTeacherKl: the teacher sampled no tokens");
  return { klPerToken: sum / tokens, tokens, sequences };
}
