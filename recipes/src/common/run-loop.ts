// What the SL-style launchers (sl_basic, chat_sl, off-policy distillation) and the DPO launcher share: the recipe's
// snake_case loop fields → @crucible/train's camelCase options, and "open the backend, train, close, write the
// report".
import type { ServiceClient } from "@crucible/tinker-client";
import type { RecipeContext, RecipeResult, ResolvedExtras } from "../recipe.js";
import { openBackend } from "./backend.js";
import { runRenderer } from "./checkpoint-renderer.js";
import { finalMetrics, writeRunReport } from "./report.js";
import type { BackendKind } from "./resolve.js";

/** Recipe fields that map one-to-one onto the SL/DPO loops' shared options. */
export interface LoopRecipeFields extends ResolvedExtras {
  backend: BackendKind | "auto";
  base_url: string | null;
  model_name: string | null;
  renderer_name: string | null;
  log_path: string | null;
  load_checkpoint_path: string | null;
  learning_rate: number;
  lr_schedule: "linear" | "cosine" | "constant";
  num_epochs: number;
  lora_rank: number;
  eval_every: number;
  infrequent_eval_every: number;
  save_every: number;
  ttl_seconds: number | null;
  rolling_save_every: number;
  rolling_ttl_seconds: number;
  adam_beta1: number;
  adam_beta2: number;
  adam_eps: number;
  wandb_project: string | null;
  wandb_name: string | null;
  max_steps: number | null;
}

/** The loops' shared options (`sharedLoopConfigFields` in @crucible/train) from a resolved recipe config. */
export function sharedLoopOptions(c: LoopRecipeFields, recipeName: string) {
  return {
    logPath: c.log_path!,
    modelName: c.model_name!,
    recipeName,
    loadCheckpointPath: c.load_checkpoint_path,
    rendererName: c.renderer_name,
    runConfig: { ...c },
    learningRate: c.learning_rate,
    lrSchedule: c.lr_schedule,
    numEpochs: c.num_epochs,
    loraRank: c.lora_rank,
    baseUrl: c.base_url,
    saveEvery: c.save_every,
    evalEvery: c.eval_every,
    infrequentEvalEvery: c.infrequent_eval_every,
    ttlSeconds: c.ttl_seconds,
    rollingSaveEvery: c.rolling_save_every,
    rollingTtlSeconds: c.rolling_ttl_seconds,
    adamBeta1: c.adam_beta1,
    adamBeta2: c.adam_beta2,
    adamEps: c.adam_eps,
    wandbProject: c.wandb_project,
    wandbName: c.wandb_name,
    maxSteps: c.max_steps,
    consoleMetrics: Boolean(process.stdout.isTTY),
  };
}

/**
 * Opens the config's backend, settles the renderer (a checkpoint's when the user chose none: `runRenderer`), runs
 * `train` with that config on it, closes it, then writes `report.html` for the run.
 */
export async function trainOnBackendAndReport<C extends LoopRecipeFields>(
  c: C,
  recipeName: string,
  ctx: RecipeContext,
  train: (service: ServiceClient, c: C) => Promise<unknown>,
): Promise<RecipeResult> {
  const logPath = c.log_path!;
  const session = await openBackend(c.backend === "remote" ? "remote" : "local", c.base_url, [c.model_name]);
  let used = c;
  try {
    used = { ...c, renderer_name: await runRenderer(session.service, c, ctx) };
    await train(session.service, used);
  } finally {
    await session.close();
  }
  await writeRunReport(logPath, `${recipeName} run report`, { ...(used as object) });
  ctx.print(`report: ${logPath}/report.html`);
  return { logPath, finalMetrics: finalMetrics(logPath) };
}
