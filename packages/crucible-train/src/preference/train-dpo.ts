import { type Evaluator, NLLEvaluator, type SamplingClientLike } from "@crucible/eval";
import { getLogger, type Metrics } from "@crucible/log";
import { type Datum, ModelInput } from "@crucible/tinker-client";
import { z } from "zod";
import { CheckpointManager } from "../checkpoint/manager.js";
import { checkpointClientFor } from "../client.js";
import { lossInput } from "../supervised/common.js";
import { buildEvaluators, type EvalRound, runEvaluators } from "../utils/evals.js";
import { type DatasetLoopParts, sharedLoopConfigFields } from "../utils/loop-config.js";
import { loopTotalSteps, openLoopRun, walkLoop } from "../utils/loop-run.js";
import { computeScheduleLrMultiplier } from "../utils/lr-scheduling.js";
import { StepTimer } from "../utils/timing.js";
import { computeDpoLoss, weightedSum } from "./dpo-loss.js";

const log = getLogger("crucible.train.dpo");

/** `train_dpo.Config` plain fields with the cookbook defaults (spec §A18). */
export const DpoTrainConfigSchema = z.object({
  ...sharedLoopConfigFields(1e-5),
  dpoBeta: z.number().positive().default(0.1),
  numReplicas: z.number().int().positive().default(8),
  /** Unused, as in the cookbook (the reference is the initial weights). */
  referenceModelName: z.string().nullable().default(null),
  /** TS extension: take reference logprobs from this sampler checkpoint instead of the initial weights. */
  referenceCheckpointPath: z.string().nullable().default(null),
});
export type DpoTrainOptions = z.input<typeof DpoTrainConfigSchema>;

export interface DpoTrainConfig extends DpoTrainOptions, DatasetLoopParts {}

/** Reference logprobs of each datum's targets: `compute_logprobs(model_input + [last target])[1:]`. */
export async function referenceLogprobs(
  ref: SamplingClientLike,
  data: readonly Datum[],
): Promise<Float32Array[]> {
  return Promise.all(
    data.map(async (d) => {
      const targets = lossInput(d, "target_tokens");
      const last = targets[targets.length - 1];
      const full = last === undefined ? d.modelInput : ModelInput.appendInt(d.modelInput, last);
      const lps = await ref.computeLogprobs(full);
      return Float32Array.from(lps.slice(1), (x) => x ?? 0);
    }),
  );
}

/** `train_dpo.main(config)`: DPO with reference logprobs from a fixed sampler and the loss via forwardBackwardCustom. */
export async function dpoTrain(config: DpoTrainConfig): Promise<{ stepsRun: number; logPath: string }> {
  const cfg = DpoTrainConfigSchema.parse(config);
  const run = await openLoopRun(cfg, config, log);
  const { logPath, resume, logger, tc } = run;
  // The reference is fixed for the whole run: the starting weights (as the cookbook), or a given sampler checkpoint.
  const reference: SamplingClientLike = cfg.referenceCheckpointPath
    ? await tc.createSamplingClient(cfg.referenceCheckpointPath)
    : await tc.saveWeightsAndGetSamplingClient();
  if (resume && !cfg.referenceCheckpointPath) {
    log.warn(
      "resumed DPO run: the reference model is the resumed weights (cookbook behaviour); set referenceCheckpointPath to keep the original",
    );
  }

  const ckpt = new CheckpointManager({
    client: checkpointClientFor(tc, config.serviceClient),
    logPath,
    saveEvery: cfg.saveEvery,
    ttlSeconds: cfg.ttlSeconds,
    rollingSaveEvery: cfg.rollingSaveEvery,
    rollingTtlSeconds: cfg.rollingTtlSeconds,
  });
  const { train, test } = await config.datasetBuilder.build();
  const nBatches = train.length;
  const totalSteps = loopTotalSteps(nBatches, cfg.numEpochs, cfg.maxSteps);
  const evaluators: Evaluator[] = await buildEvaluators(config.evaluatorBuilders ?? []);
  if (test) evaluators.push(await NLLEvaluator.fromDataset(test, "test"));
  const infrequent = await buildEvaluators(config.infrequentEvaluatorBuilders ?? []);
  const beta = cfg.dpoBeta;

  let stepsRun = 0;
  const doUpdate = async (epoch: number, batch: number, step: number) => {
    const timer = new StepTimer();
    const metrics: Metrics = {};
    const rec = await timer.span("save_checkpoint", () => ckpt.maybeSave(step, { epoch, batch }));
    if (rec?.statePath) metrics.state_path = rec.statePath;
    const round: EvalRound = {
      step,
      ...(rec?.samplerPath && { samplerPath: rec.samplerPath }),
      saveSampler: (s) => ckpt.saveForEval(s, { epoch, batch }),
    };
    const lr = cfg.learningRate * computeScheduleLrMultiplier(cfg.lrSchedule, step, totalSteps);
    if (
      cfg.evalEvery > 0 &&
      (step % cfg.evalEvery === 0 || step === totalSteps - 1) &&
      evaluators.length > 0
    ) {
      Object.assign(metrics, await timer.span("evals", () => runEvaluators(evaluators, tc, round)));
    }
    if (cfg.infrequentEvalEvery > 0 && step % cfg.infrequentEvalEvery === 0 && infrequent.length > 0) {
      Object.assign(
        metrics,
        await timer.span("infrequent_evals", () => runEvaluators(infrequent, tc, round)),
      );
    }
    let data = await timer.span("get_batch", () => train.getBatch(batch));
    if (data.length % 2 === 1) {
      log.warn(`step ${step}: odd number of datums (${data.length}); dropping the last one`);
      data = data.slice(0, -1);
    }
    const refLps = await timer.span("compute_reference_logprobs", () => referenceLogprobs(reference, data));
    const weights = data.map((d) => lossInput(d, "weights"));
    let dpoMetrics: Record<string, number> = {};
    const fwd = await timer.span("forward_backward", () =>
      tc.forwardBackwardCustom(data, (_d, logprobs) => {
        const P = data.length / 2;
        const sum = (arr: ArrayLike<number>[], parity: number) =>
          Array.from({ length: P }, (_, i) =>
            weightedSum(arr[2 * i + parity] as ArrayLike<number>, weights[2 * i + parity] as number[]),
          );
        const res = computeDpoLoss(
          {
            chosen: sum(logprobs, 0),
            rejected: sum(logprobs, 1),
            chosenRef: sum(refLps, 0),
            rejectedRef: sum(refLps, 1),
          },
          beta,
        );
        dpoMetrics = res.metrics;
        const grads = data.map((_, k) => {
          const g = k % 2 === 0 ? (res.gradChosen[k >> 1] as number) : (res.gradRejected[k >> 1] as number);
          return Float32Array.from(weights[k] as number[], (w) => g * w);
        });
        return { loss: res.loss, gradLogprobs: grads, metrics: res.metrics };
      }),
    );
    const optim = await timer.span("optim_step", () =>
      tc.optimStep({ learningRate: lr, beta1: cfg.adamBeta1, beta2: cfg.adamBeta2, eps: cfg.adamEps }),
    );
    Object.assign(metrics, {
      epoch,
      num_pairs: data.length / 2,
      num_tokens: data.reduce((n, d) => n + ModelInput.length(d.modelInput), 0),
      learning_rate: lr,
      progress: step / totalSteps,
      ...dpoMetrics,
      ...fwd.metrics,
      ...(optim.metrics ?? {}),
    });
    const timing = timer.metrics();
    Object.assign(metrics, timing, { batch_time: timing["time/total"] as number });
    logger.logMetrics(metrics, step);
    config.onStep?.(step, metrics);
    stepsRun++;
  };

  const end = await walkLoop(
    { ...run, nBatches, numEpochs: cfg.numEpochs, totalSteps, setEpoch: (e) => train.setEpoch(e) },
    doUpdate,
  );
  if (stepsRun > 0) await ckpt.saveFinal(end);
  else await ckpt.finalize();
  await run.close();
  return { stepsRun, logPath };
}
