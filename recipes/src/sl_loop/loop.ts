// The flat supervised loop (cookbook recipes/sl_loop.py): no dataset builders, no training-loop library, just
// the Tinker client, a renderer and a for-loop. Read this file top to bottom to see what one SFT step is.
import { getLogger, setupLogging } from "@crucible/log";
import { getRenderer, getTokenizer } from "@crucible/renderers";
import { ModelInput } from "@crucible/tinker-client";
import {
  checkpointClientFor,
  computeMeanNll,
  conversationToDatum,
  getLastCheckpoint,
  loadSplitRows,
  RowDataset,
  readJsonlRows,
  runMetadata,
  saveCheckpoint,
  toConversationRows,
} from "@crucible/train";
import { type BackendSession, openBackend } from "../common/backend.js";
import { runRenderer } from "../common/checkpoint-renderer.js";
import { finalMetrics, writeRunReport } from "../common/report.js";
import { tokenizerNameFor } from "../common/resolve.js";
import type { RecipeContext, RecipeResult, ResolvedExtras } from "../recipe.js";
import type { SlLoopConfig } from "./schema.js";

const logger = getLogger("sl_loop");

/** The training conversations: a .jsonl file of {messages}, or NoRobots' train split from the hub. */
async function loadConversations(dataset: string) {
  const rows = dataset.endsWith(".jsonl")
    ? readJsonlRows(dataset)
    : await loadSplitRows({ repo: "HuggingFaceH4/no_robots" }, "train");
  return RowDataset.fromList(toConversationRows(rows)).shuffle(0);
}

export async function runSlLoop(c: SlLoopConfig & ResolvedExtras, ctx: RecipeContext): Promise<RecipeResult> {
  const session = await openBackend(c.backend as "local" | "remote", c.base_url);
  let rendererName: string;
  try {
    // A run from a checkpoint renders as that checkpoint was trained, unless renderer_name is given.
    rendererName = await runRenderer(session.service, c, ctx);
  } catch (e) {
    await session.close();
    throw e;
  }
  return slLoop({ ...c, renderer_name: rendererName }, ctx, session);
}

async function slLoop(
  c: SlLoopConfig & ResolvedExtras,
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

  // Tokenizer and renderer turn conversations into tokens and per-token loss weights.
  const tokenizer = await getTokenizer(tokenizerNameFor(c.model_name!));
  const renderer = getRenderer(c.renderer_name!, tokenizer);
  logger.info(`Using renderer: ${c.renderer_name}`);

  const train = await loadConversations(c.dataset!);
  let nTrainBatches = Math.floor(train.length / c.batch_size!);
  if (c.max_steps !== null) nTrainBatches = Math.min(nTrainBatches, c.max_steps);
  logger.info(`Train batches: ${nTrainBatches}`);

  try {
    const service = session.service;
    // The run's user metadata: what trained these weights, so later runs can read the renderer back.
    const meta = {
      userMetadata: runMetadata({ recipeName: "sl_loop", rendererName: c.renderer_name, config: { ...c } }),
    };
    // Resume from the last saved state if this log dir has one.
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

    for (let step = startBatch; step < nTrainBatches; step++) {
      const t0 = Date.now();
      if (c.save_every > 0 && step % c.save_every === 0 && step > 0) {
        await saveCheckpoint(ckpt, String(step).padStart(6, "0"), logPath, { batch: step }, "state");
      }

      // Linear learning-rate decay to zero over the run.
      const lr = c.learning_rate * Math.max(0, 1 - step / nTrainBatches);

      // The step's conversations, rendered into datums (tokens + weights on assistant tokens).
      const rows = train.slice(step * c.batch_size!, (step + 1) * c.batch_size!);
      const batch = rows.map((r) => conversationToDatum(r.messages, renderer, c.max_length, c.train_on_what));

      // Submit forward-backward and the optimizer step together, then wait for both.
      const fwdBwd = tc.forwardBackward(batch, "cross_entropy");
      const optim = tc.optimStep({ learningRate: lr, beta1: 0.9, beta2: 0.95, eps: 1e-8 });
      const out = await fwdBwd;
      await optim;

      const trainNll = computeMeanNll(
        out.lossFnOutputs.map((o) => o.logprobs?.data ?? []),
        batch.map((d) => d.lossFnInputs["weights"]?.data ?? []),
      );
      const metrics = {
        num_sequences: batch.length,
        num_tokens: batch.reduce((n, d) => n + ModelInput.length(d.modelInput), 0),
        learning_rate: lr,
        train_mean_nll: trainNll,
        progress: step / nTrainBatches,
        time_total: (Date.now() - t0) / 1000,
      };
      mlLogger.logMetrics(metrics, step);
      ctx.print(`step ${step}: train_mean_nll ${trainNll.toFixed(4)} (lr ${lr.toExponential(2)})`);
    }

    await saveCheckpoint(ckpt, "final", logPath, { batch: nTrainBatches }, "both");
  } finally {
    await session.close();
    await mlLogger.close();
  }
  logger.info("Training completed");
  await writeRunReport(logPath, "sl_loop run report", { ...c });
  ctx.print(`report: ${logPath}/report.html`);
  return { logPath, finalMetrics: finalMetrics(logPath) };
}
