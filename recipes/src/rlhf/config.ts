// rlhf: the three-stage RLHF pipeline (cookbook recipes/preference/rlhf/rlhf_pipeline.py): SFT the policy, train a
// reward model on comparisons, then RL the SFT policy against the reward model with pairwise preference envs.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ConfigError } from "../cli/errors.js";
import { bundledData, CONVERSATIONS_FILE, RLHF_COMPARISONS_FILE } from "../common/data.js";
import { checkHubInputs } from "../common/hub-inputs.js";
import { checkEvalLists } from "../common/inline-evals.js";
import {
  checkFileExists,
  checkRemote,
  resolveBackend,
  resolveModel,
  resolveRendererChoice,
} from "../common/resolve.js";
import { defineRecipe } from "../recipe.js";
import { RLHF_LOCAL_MODEL, RLHF_REMOTE_MODEL, rlhfSchema, stageDirs } from "./schema.js";

const COMPARISON_SETS = ["hhh", "helpsteer3", "ultrafeedback"] as const;

export const rlhf = defineRecipe({
  name: "rlhf",
  summary: "RLHF pipeline: SFT the policy, train a reward model on comparisons, RL against it",
  description:
    "Stage 1 SFT (NoRobots; bundled conversations locally). Stage 2 reward model: each comparison is rendered as " +
    "prompt, '==== Completion A ====', A, '==== Completion B ====', B, '==== Preference ====' and the model learns " +
    "to answer A or B (test/nll and test/pairwise_accuracy on held-out comparisons). Stage 3 RL from the SFT " +
    "checkpoint: rl_group_size answers per prompt judged pairwise by the reward model, reward = mean win-minus-loss " +
    "+ (stop-sequence ending - 1); test/win_rate against the held-out reference answers. Mirrors the cookbook's " +
    "preference/rlhf CLIConfig (HHH comparisons remotely; a bundled shorter-is-better set locally).",
  schema: rlhfSchema,
  async resolve(cfg) {
    await checkEvalLists(cfg);
    const backend = resolveBackend(cfg.backend);
    if (backend === "remote") checkRemote(cfg.base_url);
    const base_model = resolveModel(
      cfg.base_model ?? (backend === "local" ? RLHF_LOCAL_MODEL : RLHF_REMOTE_MODEL),
      backend,
      RLHF_REMOTE_MODEL,
      "base_model",
    );
    const { renderer_name, renderer_name_given } = await resolveRendererChoice(cfg.renderer_name, base_model);
    if (!cfg.run_sft && !cfg.run_rm && !cfg.run_rl)
      throw new ConfigError("run_sft, run_rm and run_rl are all false: nothing to run", "run_rl");
    const sft_dataset =
      cfg.sft_dataset ?? (backend === "local" ? bundledData(CONVERSATIONS_FILE) : "no_robots");
    if (sft_dataset.endsWith(".jsonl")) checkFileExists(sft_dataset, "sft_dataset");
    else if (sft_dataset !== "no_robots")
      throw new ConfigError(
        `sft_dataset=${sft_dataset}: expected no_robots or a path ending in .jsonl`,
        "sft_dataset",
      );
    const comparisons = cfg.comparisons ?? (backend === "local" ? bundledData(RLHF_COMPARISONS_FILE) : "hhh");
    if (comparisons.endsWith(".jsonl")) checkFileExists(comparisons, "comparisons");
    else if (!(COMPARISON_SETS as readonly string[]).includes(comparisons))
      throw new ConfigError(
        `comparisons=${comparisons}: expected ${COMPARISON_SETS.join(", ")} or a path ending in .jsonl`,
        "comparisons",
      );
    if (cfg.run_sft) await checkHubInputs(sft_dataset, base_model, backend);
    if (cfg.run_rm || cfg.run_rl) await checkHubInputs(comparisons, base_model, backend);
    const log_path = cfg.log_path ?? `/tmp/tinker-examples/rlhf-${cfg.short_name}`;
    // Stage 3 starts from stages 1 and 2: a stage that is skipped must have left its checkpoint behind.
    const dirs = stageDirs(log_path);
    if (cfg.run_rl && !cfg.run_sft && !existsSync(join(dirs.sft, "checkpoints.jsonl")))
      throw new ConfigError(
        `run_sft=false but no SFT checkpoint in ${dirs.sft}; run stage 1 first`,
        "run_sft",
      );
    if (cfg.run_rl && !cfg.run_rm && !existsSync(join(dirs.rm, "checkpoints.jsonl")))
      throw new ConfigError(
        `run_rm=false but no reward-model checkpoint in ${dirs.rm}; run stage 2 first`,
        "run_rm",
      );
    return {
      ...cfg,
      backend,
      base_model,
      renderer_name,
      renderer_name_given,
      sft_dataset,
      comparisons,
      batch_size: cfg.batch_size ?? (backend === "local" ? 8 : 256),
      log_path,
    };
  },
  async run(cfg, ctx) {
    const { runRlhf } = await import("./run.js");
    return runRlhf(cfg, ctx);
  },
});
