import { join } from "node:path";
import { promptOnlyDatasetBuilder } from "@crucible/env";
import type { Datum } from "@crucible/tinker-client";
import {
  probeReverseKl,
  type RLServiceClient,
  SupervisedDatasetFromRows,
  trainOffPolicySoftTargets,
  trainOnPolicyDistillation,
} from "@crucible/train";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  distillPromptText,
  makeTeacherStudent,
  probePrompts,
  replyDatums,
  type TeacherStudent,
} from "../../src/distillation/testing/teacher-student.js";
import { type LocalSetup, startLocal, TINY_MODEL } from "../../src/rl/testing/local-arithmetic.js";
import { observe, sampleOf } from "./observe.js";

// Student: a few SL steps on arithmetic answers (a low-entropy answer format); teacher: the student plus SL on
// the fixed reply "1". See teacher-student.ts for why a near-uniform student cannot show a falling KL.
let local: LocalSetup;
let pair: TeacherStudent;
beforeAll(async () => {
  local = await startLocal("crucible-distill-e2e-");
  const tc = await local.service.createLoraTrainingClient({ baseModel: TINY_MODEL, rank: 8, seed: 0 });
  pair = await makeTeacherStudent(tc, local.renderer, STUDENT_TEACHER);
}, 300_000);
afterAll(async () => {
  await local?.close();
});

const STUDENT_TEACHER = { studentSteps: 5, teacherSteps: 6, lr: 5e-2, reply: "1" };

/** The on-policy loop's config for one prompt dataset scored by the teacher at `teacherPath`. */
function onPolicyConfig(
  name: string,
  teacherPath: string,
  opts: { lr: number; steps: number; groups: number; service?: RLServiceClient },
) {
  return {
    serviceClient: opts.service ?? local.service,
    modelName: TINY_MODEL,
    loraRank: 8,
    loadCheckpointPath: pair.studentState,
    learningRate: opts.lr,
    maxTokens: 6,
    logPath: join(local.dir, name),
    datasetConfigs: [
      {
        datasetBuilder: promptOnlyDatasetBuilder({
          prompts: Array.from({ length: opts.groups * opts.steps }, (_, i) => distillPromptText(i)),
          renderer: local.renderer,
          groupsPerBatch: opts.groups,
          groupSize: 2,
          datasetName: "arith",
        }),
        teacherConfig: { baseModel: TINY_MODEL, loadCheckpointPath: teacherPath },
        groupsPerBatch: opts.groups,
      },
    ],
    maxSteps: opts.steps,
    saveEvery: 0,
    evalEvery: 0,
    numGroupsToLog: 0,
  };
}

describe("on-policy distillation on the local backend", () => {
  it("teacher = the student's own weights ⇒ teacher_kl ≈ 0 (teacher scores are aligned with the sampled tokens)", async () => {
    // Step 0 samples before any update, so teacher and student weights are equal there. An off-by-one between
    // computeLogprobs positions and the datum's targets would make this far from 0.
    const obs = observe(local.service);
    const res = await trainOnPolicyDistillation(
      onPolicyConfig("distill-self", pair.studentSampler, {
        lr: 1e-3,
        steps: 1,
        groups: 4,
        service: obs.service,
      }),
    );
    expect(Math.abs(res.history[0]!.metrics.teacher_kl as number)).toBeLessThan(1e-4);
    // Every datum trained with importance_sampling carries its sampler's logprobs; with teacher = student the
    // reverse-KL advantage is ≈ 0 on every sampled token.
    const data = obs.calls.flatMap((c) => c.data);
    expect(data).toHaveLength(8);
    for (const d of data) {
      const rec = sampleOf(obs.samples, d);
      expect(rec).toBeDefined();
      const from = rec!.prompt.length - 1;
      expect(d.lossFnInputs.logprobs!.data.slice(from)).toEqual(
        rec!.response.sequences[0]!.logprobs!.map(Math.fround),
      );
      for (const a of d.lossFnInputs.advantages!.data.slice(from)) expect(Math.abs(a)).toBeLessThan(1e-4);
    }
  }, 300_000);

  it("lowers the student–teacher reverse KL on a fixed probe set (fresh samples)", async () => {
    const teacher = await local.service.createSamplingClient({
      baseModel: TINY_MODEL,
      modelPath: pair.teacherSampler,
    });
    const probes = probePrompts(local.renderer, 6);
    const probeOpts = { samplesPerPrompt: 6, maxTokens: 6, seed: 77 };
    const student0 = await (
      await local.service.createTrainingClientFromState(pair.studentState)
    ).saveWeightsAndGetSamplingClient();
    const before = await probeReverseKl(student0, teacher, probes, probeOpts);
    const res = await trainOnPolicyDistillation(
      onPolicyConfig("distill", pair.teacherSampler, { lr: 1e-2, steps: 4, groups: 8 }),
    );
    const after = await probeReverseKl(
      await res.trainingClient.saveWeightsAndGetSamplingClient(),
      teacher,
      probes,
      probeOpts,
    );
    const kl = res.history.map((h) => h.metrics.teacher_kl as number);
    console.log(
      `teacher SL NLL ${pair.teacherNll.map((x) => x.toFixed(2)).join(", ")}; reverse KL on the probe set ${before.kl.toFixed(3)} → ${after.kl.toFixed(3)}; teacher_kl per step ${kl.map((x) => x.toFixed(2)).join(", ")}`,
    );
    expect(kl).toHaveLength(4);
    expect(kl.every(Number.isFinite)).toBe(true);
    expect(res.history[0]!.metrics["teacher_kl/dataset_0"]).toBe(kl[0]);
    // The sampler's logprobs are the student's own (the importance-sampling denominator).
    expect(before.samplerVsScoreMaxAbs).toBeLessThan(1e-3);
    expect(after.samplerVsScoreMaxAbs).toBeLessThan(1e-3);
    // The teacher clearly differs from the student at the start (measured ≈ 1.7 nats/token with LoRA seed 0;
    // 12–29 with other seeds); require at least a halving on fresh samples and on the training metric.
    expect(before.kl).toBeGreaterThan(1);
    expect(after.kl).toBeLessThan(0.5 * before.kl);
    expect(Math.min(...kl.slice(-2))).toBeLessThan(0.5 * kl[0]!);
  }, 600_000);
});

describe("off-policy distillation with top-K soft targets on the local backend", () => {
  it("the (N, K) cross-entropy to the teacher's top-K falls", async () => {
    // Datums whose loss positions are the teacher's reply; the teacher supplies its top-K at each of them.
    const rows = Array.from({ length: 48 }, (_, i) => distillPromptText(200 + i));
    const dataset = new SupervisedDatasetFromRows<string>(rows, 8, {
      mapFn: (p: string): Datum => replyDatums(local.renderer, [p], "1")[0] as Datum,
    });
    const res = await trainOffPolicySoftTargets({
      serviceClient: local.service,
      modelName: TINY_MODEL,
      loraRank: 8,
      logPath: join(local.dir, "soft-targets"),
      learningRate: 1e-2,
      datasets: [
        {
          dataset,
          teacherConfig: { baseModel: TINY_MODEL, loadCheckpointPath: pair.teacherSampler },
        },
      ],
      nTeacherTargets: 8,
      batchSize: 8,
      saveEvery: 0,
      maxSteps: 6,
    });
    const loss = res.history.map((h) => h.metrics["train/loss:sum"] as number);
    console.log(`soft-target loss per step: ${loss.map((x) => x.toFixed(2)).join(", ")}`);
    expect(loss).toHaveLength(6);
    expect(loss.every(Number.isFinite)).toBe(true);
    // A fresh LoRA is ≈ uniform (≈ 11.9 nats per position; the batches are alike, so loss:sum is comparable
    // across steps). The LoRA init is unseeded, so curves vary run to run: at lr 2e-2 they were spiky (467, 444,
    // 414, 223, 146, 531 in one CI run; 258 at best in the last three of another); at lr 1e-2 they fell steadily
    // (467 → 196 and 467 → 258 at step 6 in two runs), so require a clear, steady fall.
    expect(Math.min(...loss.slice(-2))).toBeLessThan(0.7 * loss[0]!);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(loss.slice(-3))).toBeLessThan(mean(loss.slice(0, 3)));
  }, 600_000);
});
