// The flat RL loop (cookbook recipes/rl_loop.py): sample a group of answers per problem from the current
// weights, score them, centre the rewards within each group, and train with the importance-sampling loss.
// Only the Tinker client and a renderer; read it top to bottom.
import { getLogger, setupLogging } from "@crucible/log";
import { getRenderer, getTextContent, getTokenizer } from "@crucible/renderers";
import { createDatum, type Datum, ModelInput } from "@crucible/tinker-client";
import { checkpointClientFor, getLastCheckpoint, runMetadata, saveCheckpoint } from "@crucible/train";
import { type BackendSession, openBackend } from "../common/backend.js";
import { runRenderer } from "../common/checkpoint-renderer.js";
import { finalMetrics, writeRunReport } from "../common/report.js";
import { tokenizerNameFor } from "../common/resolve.js";
import type { RecipeContext, RecipeResult, ResolvedExtras } from "../recipe.js";
import { gsm8kProblems, type ProblemSet, sumProblems } from "./problems.js";
import type { RlLoopConfig } from "./schema.js";

const logger = getLogger("rl_loop");

export async function runRlLoop(c: RlLoopConfig & ResolvedExtras, ctx: RecipeContext): Promise<RecipeResult> {
  const session = await openBackend(c.backend as "local" | "remote", c.base_url);
  let rendererName: string;
  try {
    // A run from a checkpoint renders as that checkpoint was trained, unless renderer_name is given.
    rendererName = await runRenderer(session.service, c, ctx);
  } catch (e) {
    await session.close();
    throw e;
  }
  return rlLoop({ ...c, renderer_name: rendererName }, ctx, session);
}

async function rlLoop(
  c: RlLoopConfig & ResolvedExtras,
  ctx: RecipeContext,
  session: BackendSession,
): Promise<RecipeResult> {
  const logPath = c.log_path!;
  const mlLogger = await setupLogging({
    logDir: logPath,
    config: c,
    console: null,
    echoLogs: false,
    ...(c.wandb_project && { wandbProject: c.wandb_project }),
    ...(c.wandb_name && { wandbName: c.wandb_name }),
  });
  const tokenizer = await getTokenizer(tokenizerNameFor(c.model_name!));
  const renderer = getRenderer(c.renderer_name!, tokenizer);
  logger.info(`Using renderer: ${c.renderer_name}`);

  const problems: ProblemSet =
    c.dataset === "gsm8k"
      ? await gsm8kProblems()
      : sumProblems(c.batch_size * (c.max_steps ?? 100), c.max_operand);
  let nTrainBatches = Math.floor(problems.rows.length / c.batch_size);
  if (c.max_steps !== null) nTrainBatches = Math.min(nTrainBatches, c.max_steps);

  try {
    const service = session.service;
    // The run's user metadata: what trained these weights, so later runs can read the renderer back.
    const meta = {
      userMetadata: runMetadata({ recipeName: "rl_loop", rendererName: c.renderer_name, config: { ...c } }),
    };
    const resume = getLastCheckpoint(logPath);
    let startBatch = 0;
    let tc: Awaited<ReturnType<typeof service.createLoraTrainingClient>>;
    if (resume?.statePath) {
      tc = await service.createTrainingClientFromStateWithOptimizer(resume.statePath, meta);
      startBatch = resume.batch ?? 0;
      logger.info(`Resuming from batch ${startBatch}`);
    } else if (c.load_checkpoint_path) {
      tc = await service.createTrainingClientFromState(c.load_checkpoint_path, meta);
    } else {
      tc = await service.createLoraTrainingClient({ baseModel: c.model_name!, rank: c.lora_rank, ...meta });
    }
    const ckpt = checkpointClientFor(tc);
    const samplingParams = { maxTokens: c.max_tokens, stop: renderer.getStopSequences() };
    const adam = { learningRate: c.learning_rate, beta1: 0.9, beta2: 0.95, eps: 1e-8 };
    logger.info(`Training for ${nTrainBatches} batches`);

    for (let step = startBatch; step < nTrainBatches; step++) {
      const t0 = Date.now();
      if (c.save_every > 0 && step % c.save_every === 0 && step > 0) {
        await saveCheckpoint(ckpt, String(step).padStart(6, "0"), logPath, { batch: step }, "state");
      }
      const rows = problems.rows.slice(step * c.batch_size, (step + 1) * c.batch_size);

      // Sample from the current weights: save them for the sampler and open a sampling client on them.
      const samplerPath = (await tc.saveWeightsForSampler(String(step).padStart(6, "0"))).path;
      const sampler = await service.createSamplingClient({ modelPath: samplerPath });

      // Submit every problem's group of samples at once; they run concurrently.
      const prompts = rows.map((p) => renderer.buildGenerationPrompt(problems.prompt(p)));
      const groups = rows.map((_, i) =>
        Array.from({ length: c.group_size }, () =>
          sampler.sample({ prompt: prompts[i]!, numSamples: 1, samplingParams }),
        ),
      );

      const datums: Datum[] = [];
      const batchRewards: number[] = [];
      for (let i = 0; i < rows.length; i++) {
        const promptTokens = ModelInput.toInts(prompts[i]!);
        const samples = await Promise.all(groups[i]!);
        const rewards = samples.map((s) => {
          const { message } = renderer.parseResponse(s.sequences[0]!.tokens);
          return problems.reward(getTextContent(message), rows[i]!);
        });
        // GRPO-style advantage: reward minus the group mean.
        const mean = rewards.reduce((a, b) => a + b, 0) / rewards.length;
        batchRewards.push(mean);
        const advantages = rewards.map((r) => r - mean);
        if (advantages.every((a) => a === 0)) continue; // nothing to learn from this group

        samples.forEach((s, j) => {
          const seq = s.sequences[0]!;
          const tokens = [...promptTokens, ...seq.tokens];
          if (tokens.length > c.max_length) return; // too long to train on
          const obLen = promptTokens.length - 1; // prompt positions predict prompt tokens: no loss there
          const n = tokens.length - 1;
          datums.push(
            createDatum(ModelInput.fromInts(tokens.slice(0, -1)), {
              target_tokens: tokens.slice(1),
              logprobs: [...Array(obLen).fill(0), ...(seq.logprobs ?? [])],
              advantages: [...Array(obLen).fill(0), ...Array(n - obLen).fill(advantages[j]!)],
            }),
          );
        });
      }

      // One importance-sampling step on the batch (skipped when every group had equal rewards).
      if (datums.length > 0) {
        const fwdBwd = tc.forwardBackward(datums, "importance_sampling");
        const optim = tc.optimStep(adam);
        await fwdBwd;
        await optim;
      }

      const reward = batchRewards.reduce((a, b) => a + b, 0) / batchRewards.length;
      mlLogger.logMetrics(
        {
          "progress/batch": step,
          "optim/lr": c.learning_rate,
          "progress/done_frac": (step + 1) / nTrainBatches,
          "reward/total": reward,
          // Samples trained on (groups with equal rewards contribute none).
          "env/num_datums": datums.length,
          "time/total": (Date.now() - t0) / 1000,
        },
        step,
      );
      ctx.print(`step ${step}: reward/total ${reward.toFixed(3)} (${datums.length} datums)`);
    }
    await saveCheckpoint(ckpt, "final", logPath, { batch: nTrainBatches }, "both");
  } finally {
    await session.close();
    await mlLogger.close();
  }
  logger.info("Training completed");
  await writeRunReport(logPath, "rl_loop run report", { ...c });
  ctx.print(`report: ${logPath}/report.html`);
  return { logPath, finalMetrics: finalMetrics(logPath) };
}
