import type { Evaluator } from "@crucible/eval";
import { NLLEvaluator } from "@crucible/eval";
import { getLogger, type Metrics } from "@crucible/log";
import {
  type Datum,
  type ForwardBackwardOutput,
  ModelInput,
  type OptimStepResponse,
  TensorData,
} from "@crucible/tinker-client";
import { z } from "zod";
import { CheckpointManager } from "../checkpoint/manager.js";
import { recordGet } from "../checkpoint/record.js";
import { checkpointClientFor } from "../client.js";
import { buildEvaluators, type EvalRound, runEvaluators } from "../utils/evals.js";
import { type DatasetLoopParts, sharedLoopConfigFields } from "../utils/loop-config.js";
import { loopTotalSteps, openLoopRun, walkLoop } from "../utils/loop-run.js";
import { computeScheduleLrMultiplier } from "../utils/lr-scheduling.js";
import { StepTimer } from "../utils/timing.js";
import { computeBpb, computeMeanNll, lossInput } from "./common.js";

const log = getLogger("crucible.train.supervised");

/** Plain (serialisable) fields of the SL config, with the Python `train.Config` defaults (spec §A6). */
export const SupervisedTrainConfigSchema = z.object({
  ...sharedLoopConfigFields(1e-4),
  saveEveryTokens: z.number().int().nonnegative().default(0),
  saveEverySeconds: z.number().nonnegative().default(0),
  asyncPeriodicSaves: z.boolean().default(false),
  submitAhead: z.number().int().nonnegative().default(1),
});
export type SupervisedTrainOptions = z.input<typeof SupervisedTrainConfigSchema>;

/** Full config: the plain fields plus the objects a run needs (dataset builder, evaluators, the service client). */
export interface SupervisedTrainConfig extends SupervisedTrainOptions, DatasetLoopParts {}

interface Submitted {
  step: number;
  epoch: number;
  batch: number;
  data: Datum[];
  numTokens: number;
  fwd: PromiseLike<ForwardBackwardOutput>;
  optim: PromiseLike<OptimStepResponse>;
  metrics: Metrics;
  timer: StepTimer;
}

export interface SupervisedTrainResult {
  stepsRun: number;
  finalStatePath?: string;
  logPath: string;
}

/** `supervised/train.py main(config)`: the pipelined SL loop with evals, checkpoints and resume. */
export async function supervisedTrain(config: SupervisedTrainConfig): Promise<SupervisedTrainResult> {
  const cfg = SupervisedTrainConfigSchema.parse(config);
  const run = await openLoopRun(cfg, config, log);
  const { logPath, resume, logger, tc } = run;
  let elapsedTokens = resume ? Number(recordGet(resume, "elapsed_tokens", 0)) : 0;

  const ckpt = new CheckpointManager({
    client: checkpointClientFor(tc, config.serviceClient),
    logPath,
    saveEvery: cfg.saveEvery,
    saveEveryTokens: cfg.saveEveryTokens,
    saveEverySeconds: cfg.saveEverySeconds,
    ttlSeconds: cfg.ttlSeconds,
    rollingSaveEvery: cfg.rollingSaveEvery,
    rollingTtlSeconds: cfg.rollingTtlSeconds,
    asyncPeriodicSaves: cfg.asyncPeriodicSaves,
  });
  ckpt.restoreLastSavedTokens(elapsedTokens);

  const { train, test } = await config.datasetBuilder.build();
  const tokenizer = config.datasetBuilder.tokenizer;
  const nBatches = train.length;
  const totalSteps = loopTotalSteps(nBatches, cfg.numEpochs, cfg.maxSteps);
  const evaluators: Evaluator[] = await buildEvaluators(config.evaluatorBuilders ?? []);
  if (test) evaluators.push(await NLLEvaluator.fromDataset(test, "test", tokenizer));
  const infrequent: Evaluator[] = await buildEvaluators(config.infrequentEvaluatorBuilders ?? []);

  const adam = { beta1: cfg.adamBeta1, beta2: cfg.adamBeta2, eps: cfg.adamEps };
  const pending: Submitted[] = [];
  let stepsRun = 0;

  const submit = async (epoch: number, batch: number, step: number): Promise<Submitted> => {
    const timer = new StepTimer();
    const metrics: Metrics = { epoch, progress: step / totalSteps };
    // Checkpoint N = weights after N updates, recorded with the batch to run next (submitted in order before step N).
    const rec = await timer.span("save_checkpoint", () =>
      ckpt.maybeSave(step, { epoch, batch, elapsed_tokens: elapsedTokens }, elapsedTokens),
    );
    if (rec?.statePath) metrics.state_path = rec.statePath;
    // Inline evals that tie results to weights sample this step's checkpoint, or save the weights for them.
    const round: EvalRound = {
      step,
      ...(rec?.samplerPath && { samplerPath: rec.samplerPath }),
      saveSampler: (s) => ckpt.saveForEval(s, { epoch, batch }),
    };
    const lr = cfg.learningRate * computeScheduleLrMultiplier(cfg.lrSchedule, step, totalSteps);
    metrics.learning_rate = lr;
    const data = await timer.span("get_batch", () => train.getBatch(batch));
    if (cfg.evalEvery > 0 && step % cfg.evalEvery === 0 && evaluators.length > 0) {
      Object.assign(metrics, await timer.span("evals", () => runEvaluators(evaluators, tc, round)));
    }
    if (cfg.infrequentEvalEvery > 0 && step % cfg.infrequentEvalEvery === 0 && infrequent.length > 0) {
      Object.assign(
        metrics,
        await timer.span("infrequent_evals", () => runEvaluators(infrequent, tc, round)),
      );
    }
    const fwd = tc.forwardBackward(data, "cross_entropy");
    const optim = tc.optimStep({ learningRate: lr, ...adam });
    const numTokens = data.reduce((n, d) => n + ModelInput.length(d.modelInput), 0);
    // Counted at submit time so checkpoint records hold exactly the tokens of the steps before them.
    elapsedTokens += numTokens;
    return { step, epoch, batch, data, numTokens, fwd, optim, metrics, timer };
  };

  const finish = async (s: Submitted): Promise<void> => {
    const { metrics, timer } = s;
    metrics.progress = Math.min((s.step + 1) / totalSteps, 1);
    const [fwdOut, optimOut] = await timer.span("finish_batch", () => Promise.all([s.fwd, s.optim]));
    Object.assign(metrics, optimOut.metrics ?? {});
    const logprobs = fwdOut.lossFnOutputs.map((o) => TensorData.toDense(o.logprobs as TensorData));
    const weights = s.data.map((d) => lossInput(d, "weights"));
    metrics.train_mean_nll = computeMeanNll(logprobs, weights);
    if (tokenizer) {
      const targets = s.data.map((d) => lossInput(d, "target_tokens"));
      metrics.train_mean_bpb = computeBpb(logprobs, weights, targets, tokenizer);
    }
    metrics.num_sequences = s.data.length;
    metrics.num_tokens = s.numTokens;
    metrics.num_loss_tokens = weights.reduce((n, w) => n + w.reduce((a, b) => a + b, 0), 0);
    Object.assign(metrics, timer.metrics());
    logger.logMetrics(metrics, s.step);
    config.onStep?.(s.step, metrics);
    stepsRun++;
  };

  const end = await walkLoop(
    { ...run, nBatches, numEpochs: cfg.numEpochs, totalSteps, setEpoch: (e) => train.setEpoch(e) },
    async (epoch, batch, step) => {
      pending.push(await submit(epoch, batch, step));
      while (pending.length >= 1 + cfg.submitAhead) await finish(pending.shift() as Submitted);
    },
  );
  while (pending.length > 0) await finish(pending.shift() as Submitted);

  let finalStatePath: string | undefined;
  if (stepsRun > 0)
    finalStatePath = (await ckpt.saveFinal({ ...end, elapsed_tokens: elapsedTokens })).statePath;
  else await ckpt.finalize();
  await run.close();
  return { stepsRun, logPath, ...(finalStatePath && { finalStatePath }) };
}
