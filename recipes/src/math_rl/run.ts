// math_rl launcher: the env's dataset builder + @crucible/train's RL loop (sync, async off-policy or streaming
// minibatches).

import type { RLDatasetBuilder } from "@crucible/env";
import type { Renderer } from "@crucible/renderers";
import type { ServiceClient } from "@crucible/tinker-client";
import type { SamplingClientEvaluator } from "@crucible/train";
import { openBackend } from "../common/backend.js";
import { runRenderer } from "../common/checkpoint-renderer.js";
import { fetchHubDataset } from "../common/hub-inputs.js";
import { inlineSamplerEvaluators } from "../common/inline-evals.js";
import { finalMetrics, writeRunReport } from "../common/report.js";
import { tokenizerNameFor } from "../common/resolve.js";
import type { RecipeContext, RecipeResult, ResolvedExtras } from "../recipe.js";
import { sourcesFromDir } from "./data.js";
import type { MathRlConfig } from "./schema.js";

/** The RL dataset builder of a resolved config (also used by the parity tests). */
export async function mathRlDatasetBuilder(c: MathRlConfig, renderer: Renderer): Promise<RLDatasetBuilder> {
  const env = await import("@crucible/env");
  const gpb = c.groups_per_batch!;
  if (c.env === "arithmetic") {
    return env.arithmeticDatasetBuilder({
      batchSize: gpb,
      renderer,
      groupSize: c.group_size,
      nBatches: c.n_batches,
      includeFewshot: c.include_fewshot,
    });
  }
  // No grader: the envs default to safeGrade (gradeAnswer in a worker with the cookbook's 1 s limit).
  const opts = { renderer, batchSize: gpb, groupSize: c.group_size, seed: c.seed };
  if (c.env === "polaris" || c.env === "deepmath") {
    const spec = c.env === "polaris" ? env.POLARIS : env.DEEPMATH;
    if (!c.data_dir) await fetchHubDataset(c.env); // into the HF cache, where hfTrainSource finds it
    const src = c.data_dir ? sourcesFromDir(c.data_dir).train : env.hfTrainSource(spec);
    const build = c.env === "polaris" ? env.polarisDatasetBuilder : env.deepmathDatasetBuilder;
    return build(src, opts);
  }
  if (c.env === "gsm8k") {
    return env.gsm8kDatasetBuilder(c.data_dir ? sourcesFromDir(c.data_dir) : env.HF_SOURCES.gsm8k, opts);
  }
  return env.mathDatasetBuilder(c.data_dir ? sourcesFromDir(c.data_dir) : env.hfMathSources(), opts);
}

export async function rendererFor(model: string, rendererName: string): Promise<Renderer> {
  const { getRenderer, getTokenizer } = await import("@crucible/renderers");
  return getRenderer(rendererName, await getTokenizer(tokenizerNameFor(model)));
}

export interface MathRlOverrides {
  /** A custom problem source (the demo's small-operand arithmetic); default: the config's env. */
  datasetBuilder?: (renderer: Renderer) => RLDatasetBuilder;
}

export async function runMathRl(
  c: MathRlConfig & ResolvedExtras,
  ctx: RecipeContext,
  o: MathRlOverrides = {},
): Promise<RecipeResult> {
  const logPath = c.log_path!;
  const session = await openBackend(c.backend === "remote" ? "remote" : "local", c.base_url, [c.model_name]);
  let used = c;
  try {
    used = { ...c, renderer_name: await runRenderer(session.service, c, ctx) };
    await trainMathRl(used, session.service, o);
  } finally {
    await session.close();
  }
  await writeRunReport(logPath, "recipe_math_rl run report", { ...used });
  ctx.print(`report: ${logPath}/report.html`);
  return { logPath, finalMetrics: finalMetrics(logPath) };
}

async function trainMathRl(c: MathRlConfig & ResolvedExtras, service: ServiceClient, o: MathRlOverrides) {
  const t = await import("@crucible/train");
  const logPath = c.log_path!;
  const renderer = await rendererFor(c.model_name!, c.renderer_name!);
  const evaluators: SamplingClientEvaluator[] = [...(await inlineSamplerEvaluators(c))];
  if (c.eval_benchmark) {
    const ev = await import("@crucible/eval");
    const { safeGrade } = await import("@crucible/grading");
    evaluators.push(
      new ev.BenchmarkEvaluator({
        name: c.eval_benchmark,
        problems: await ev.loadBenchmark(c.eval_benchmark, {
          limit: c.eval_problems,
          grader: (g: string, t: string) => safeGrade(g, t),
        }),
        renderer,
        rendererName: c.renderer_name!,
        outDir: `${logPath}/benchmarks`,
        maxTokens: c.max_tokens,
        decode: (x) => renderer.tokenizer.decode(x),
      }),
    );
  }
  await t.trainRL({
    serviceClient: service,
    modelName: c.model_name!,
    recipeName: "recipe_math_rl",
    rendererName: c.renderer_name,
    runConfig: { ...c },
    wandbProject: c.wandb_project,
    wandbName: c.wandb_name,
    learningRate: c.learning_rate,
    datasetBuilder: o.datasetBuilder ? o.datasetBuilder(renderer) : await mathRlDatasetBuilder(c, renderer),
    maxTokens: c.max_tokens,
    logPath,
    tokenizer: renderer.tokenizer,
    evalEvery: c.eval_every,
    saveEvery: c.save_every,
    loadCheckpointPath: c.load_checkpoint_path,
    evaluators,
    klPenaltyCoef: c.kl_penalty_coef,
    lossFn: c.loss_fn,
    lossFnConfig: c.loss_fn_config,
    numSubsteps: c.num_substeps,
    loraRank: c.lora_rank,
    temperature: c.temperature,
    computePostKl: c.compute_post_kl,
    numGroupsToLog: c.num_groups_to_log,
    asyncConfig:
      c.max_steps_off_policy !== null
        ? { maxStepsOffPolicy: c.max_steps_off_policy, groupsPerBatch: c.groups_per_batch! }
        : null,
    streamMinibatchConfig: c.stream_minibatch_config
      ? {
          groupsPerBatch: c.groups_per_batch!,
          numMinibatches: c.stream_minibatch_config.num_minibatches,
        }
      : null,
    maxSteps: c.max_steps,
  });
}
