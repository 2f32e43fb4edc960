// On-policy distillation diagnostic on the embedded local backend (run by hand):
//   nice -n 19 npx tsx --tsconfig packages/crucible-train/tsconfig.json tools/bench/distillation/diagnose.mts
// Measures the student–teacher reverse KL on a FIXED prompt set with fresh student samples (probeReverseKl)
// before and after K distillation steps, plus consistency checks (teacher path, loaded student state).
// MODE=old reproduces the former e2e design (student = 2 SL steps at lr 1e-2, teacher = 6 steps: both ≈ uniform).
// COEF=-1 flips the advantage sign (a control: the KL must then rise).
import { join } from "node:path";
import { promptOnlyDatasetBuilder } from "@crucible/env";
import { trainOnPolicyDistillation } from "../../../packages/crucible-train/src/distillation/on-policy.ts";
import { probeReverseKl } from "../../../packages/crucible-train/src/distillation/reverse-kl-probe.ts";
import {
  distillPromptText,
  makeTeacherStudent,
  probePrompts,
} from "../../../packages/crucible-train/src/distillation/testing/teacher-student.ts";
import {
  slWarmStart,
  startLocal,
  TINY_MODEL,
} from "../../../packages/crucible-train/src/rl/testing/local-arithmetic.ts";

const env = (k: string, d: number) => Number(process.env[k] ?? d);
const OLD = process.env.MODE === "old";
const LR = env("LR", OLD ? 2e-2 : 1e-2);
const STEPS = env("STEPS", 6);
const SEED = env("SEED", 0);
const MAX_TOKENS = env("MAX_TOKENS", 6);
const GROUPS = env("GROUPS", 8);
const GROUP_SIZE = env("GROUP_SIZE", 2);
const RANK = env("RANK", 8);
const COEF = env("COEF", 1);
const REPLY = process.env.REPLY ?? "1";

const t0 = performance.now();
const sec = () => ((performance.now() - t0) / 1000).toFixed(0);
const local = await startLocal("crucible-distill-diag-");
try {
  const tc = await local.service.createLoraTrainingClient({ baseModel: TINY_MODEL, rank: RANK });
  let studentPath: string;
  let teacherPath: string;
  if (OLD) {
    await slWarmStart(tc, local.renderer, { steps: 2, batchSize: 8, learningRate: 1e-2 });
    studentPath = (await tc.saveState("student")).path;
    await slWarmStart(tc, local.renderer, { steps: 4, batchSize: 8, learningRate: 1e-2, seed: 2000 });
    teacherPath = (await tc.saveWeightsForSampler("teacher")).path;
  } else {
    const ts = await makeTeacherStudent(tc, local.renderer, {
      studentSteps: env("STUDENT_STEPS", 5),
      teacherSteps: env("TEACHER_STEPS", 6),
      lr: env("SL_LR", 5e-2),
      reply: REPLY,
    });
    console.log(`teacher NLL per SL step: ${ts.teacherNll.map((x) => x.toFixed(2)).join(", ")}`);
    studentPath = ts.studentState;
    teacherPath = ts.teacherSampler;
  }
  const teacher = await local.service.createSamplingClient({ baseModel: TINY_MODEL, modelPath: teacherPath });
  const teacherLive = await tc.saveWeightsAndGetSamplingClient();
  const probes = probePrompts(local.renderer, 8);
  const probeOpts = { samplesPerPrompt: 8, maxTokens: MAX_TOKENS, seed: 1234 + SEED };
  const maxDiff = (a: (number | null)[], b: (number | null)[]) =>
    Math.max(...a.slice(1).map((x, i) => Math.abs((x as number) - (b[i + 1] as number))));
  const full = probes[0]!;
  // (d) the teacher's sampler path holds the teacher weights
  const [a, b] = await Promise.all([teacher.computeLogprobs(full), teacherLive.computeLogprobs(full)]);
  console.log(`teacher path vs live weights: max |Δlogprob| = ${maxDiff(a, b).toExponential(2)}`);
  // (b) the student loaded from its state
  const loaded = await local.service.createTrainingClientFromState(studentPath);
  const loadedSampler = await loaded.saveWeightsAndGetSamplingClient();
  const show = (tag: string, r: Awaited<ReturnType<typeof probeReverseKl>>) =>
    console.log(
      `[${sec()} s] ${tag}: KL ${r.kl.toFixed(4)} (student lp ${r.studentLogprob.toFixed(3)}, teacher lp ${r.teacherLogprob.toFixed(3)}, ${r.tokens} tok, sampler-vs-score ${r.samplerVsScoreMaxAbs.toExponential(1)})`,
    );
  const before = await probeReverseKl(loadedSampler, teacher, probes, probeOpts);
  show("before", before);
  const prompts = Array.from({ length: GROUPS * STEPS }, (_, i) => distillPromptText(i + SEED * 1000));
  const tD = performance.now();
  const res = await trainOnPolicyDistillation({
    serviceClient: local.service,
    modelName: TINY_MODEL,
    loraRank: RANK,
    loadCheckpointPath: studentPath,
    learningRate: LR,
    maxTokens: MAX_TOKENS,
    logPath: join(local.dir, "distill"),
    klPenaltyCoef: COEF,
    datasetConfigs: [
      {
        datasetBuilder: promptOnlyDatasetBuilder({
          prompts,
          renderer: local.renderer,
          groupsPerBatch: GROUPS,
          groupSize: GROUP_SIZE,
        }),
        teacherConfig: { baseModel: TINY_MODEL, loadCheckpointPath: teacherPath },
        groupsPerBatch: GROUPS,
      },
    ],
    maxSteps: STEPS,
    saveEvery: 0,
    evalEvery: 0,
    numGroupsToLog: 0,
  });
  const per = (k: string) => res.history.map((h) => (h.metrics[k] as number).toFixed(3)).join(", ");
  console.log(`distillation ${STEPS} steps: ${((performance.now() - tD) / 1000).toFixed(0)} s`);
  console.log(`teacher_kl per step: ${per("teacher_kl")}`);
  console.log(`entropy per step: ${per("optim/entropy")}`);
  const after = await probeReverseKl(
    await res.trainingClient.saveWeightsAndGetSamplingClient(),
    teacher,
    probes,
    probeOpts,
  );
  show("after", after);
  console.log(
    `RESULT mode=${OLD ? "old" : "new"} seed=${SEED} lr=${LR} coef=${COEF} steps=${STEPS}: ${before.kl.toFixed(4)} -> ${after.kl.toFixed(4)} (${sec()} s)`,
  );
} finally {
  await local.close();
}
