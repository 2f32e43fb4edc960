// Shared by the distillation e2e tests and tools/bench/distillation: a student and a clearly different teacher
// on the tiny local model. Why this design: the random-init tiny model is uniform over the 151,936-token vocab
// (entropy ≈ ln V ≈ 11.93 nats), so a student that is still near-uniform almost never samples the tokens the
// teacher prefers and the sampled reverse-KL gradient has nothing to follow. A few high-lr SL steps give the
// student a low-entropy answer format; the teacher then learns a different, fixed reply from that point.
import type { Renderer } from "@crucible/renderers";
import type { Datum, ModelInput } from "@crucible/tinker-client";
import type { RLTrainingClient } from "../../rl/clients.js";
import { slWarmStart } from "../../rl/testing/local-arithmetic.js";
import { computeMeanNll } from "../../supervised/common.js";
import { conversationToDatum } from "../../supervised/conversation.js";

/** "What is a + b?" with operands from the prompt index (deterministic, no RNG). */
export function distillPromptText(i: number): string {
  return `What is ${(i * 7) % 97} + ${(i * 13 + 5) % 89}?`;
}

/** SL datums `[user prompt, assistant reply]`, loss on the reply only. */
export function replyDatums(renderer: Renderer, prompts: readonly string[], reply: string): Datum[] {
  return prompts.map((p) =>
    conversationToDatum(
      [
        { role: "user", content: p },
        { role: "assistant", content: reply },
      ],
      renderer,
      null,
      "last_assistant_message",
      "mean",
    ),
  );
}

export interface TeacherStudent {
  /** Training state of the student (for `loadCheckpointPath`). */
  studentState: string;
  /** Sampler weights of the student (the same weights as `studentState`). */
  studentSampler: string;
  /** Sampler weights of the teacher (for `teacherConfig.loadCheckpointPath`). */
  teacherSampler: string;
  /** Mean NLL of the teacher's reply per SL step. */
  teacherNll: number[];
}

/**
 * Student = `studentSteps` SL steps on arithmetic answers (lr `lr`); teacher = the student plus `teacherSteps`
 * SL steps on the fixed `reply` to distillation prompts. Both share one LoRA run (rank of `tc`).
 */
export async function makeTeacherStudent(
  tc: RLTrainingClient,
  renderer: Renderer,
  opts: { studentSteps: number; teacherSteps: number; lr: number; reply: string; name?: string },
): Promise<TeacherStudent> {
  const name = opts.name ?? "distill";
  await slWarmStart(tc, renderer, { steps: opts.studentSteps, batchSize: 8, learningRate: opts.lr });
  const studentState = (await tc.saveState(`${name}_student`)).path;
  const studentSampler = (await tc.saveWeightsForSampler(`${name}_student`)).path;
  const teacherNll: number[] = [];
  for (let s = 0; s < opts.teacherSteps; s++) {
    const prompts = Array.from({ length: 8 }, (_, k) => distillPromptText(500 + 8 * s + k));
    const data = replyDatums(renderer, prompts, opts.reply);
    const out = await tc.forwardBackward(data, "cross_entropy");
    await tc.optimStep({ learningRate: opts.lr, beta1: 0.9, beta2: 0.95, eps: 1e-8 });
    teacherNll.push(
      computeMeanNll(
        out.lossFnOutputs.map((o) => o.logprobs?.data ?? []),
        data.map((d) => d.lossFnInputs.weights?.data ?? []),
      ),
    );
  }
  const teacherSampler = (await tc.saveWeightsForSampler(`${name}_teacher`)).path;
  return { studentState, studentSampler, teacherSampler, teacherNll };
}

/** Generation prompts of a fixed probe set: prompt indices `offset … offset+n−1`. */
export function probePrompts(renderer: Renderer, n: number, offset = 10_000): ModelInput[] {
  return Array.from({ length: n }, (_, i) =>
    renderer.buildGenerationPrompt([{ role: "user", content: distillPromptText(offset + i) }]),
  );
}
