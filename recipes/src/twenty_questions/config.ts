// twenty_questions: multi-turn, two-player RL (cookbook recipes/multiplayer_rl/twenty_questions). The policy asks
// yes/no questions; the answerer, who knows the secret word, is a second model sampled through the same backend.
import { z } from "zod";
import { posInt } from "../common/fields.js";
import { gameFields, gameLimits, gameRendererChoice, gameRendererName } from "../common/game-fields.js";
import { checkHubTokenizer } from "../common/hub-inputs.js";
import { checkEvalLists } from "../common/inline-evals.js";
import { modelSlug, pyFloatStr, runDate } from "../common/pyformat.js";
import { checkRemote, resolveBackend, resolveModel } from "../common/resolve.js";
import { defineRecipe } from "../recipe.js";

export const TWENTY_QUESTIONS_REMOTE_MODEL = "Qwen/Qwen3.5-4B";
export const TWENTY_QUESTIONS_REMOTE_ANSWERER = "Qwen/Qwen3.5-9B";

export const twentyQuestionsSchema = z
  .object({
    ...gameFields({
      remoteModel: TWENTY_QUESTIONS_REMOTE_MODEL,
      remoteBatchSize: 64,
      maxTokens: 20,
      maxTurns: 20,
      testGroupSize: 32,
    }),
    num_epochs: posInt().default(100).describe("Passes over the 137 training words"),
    answerer_base_model: z
      .string()
      .min(1)
      .nullable()
      .default(null)
      .describe(
        `Answerer model (sampled, not trained); None = ${TWENTY_QUESTIONS_REMOTE_ANSWERER} remotely, the policy's base model locally`,
      ),
    answerer_max_tokens: posInt().default(5).describe("Max sampled tokens per answer of the answerer"),
  })
  .strict();
export type TwentyQuestionsConfig = z.output<typeof twentyQuestionsSchema>;

export const twentyQuestions = defineRecipe({
  name: "twenty_questions",
  summary:
    "Multi-turn, two-player RL: find a secret word by yes/no questions to a model answerer (cookbook multiplayer_rl)",
  description:
    "Each episode is a game of 20 questions: the policy asks one-line questions and finally writes 'Guess: <word>'; " +
    "the answerer, a second model (answerer_base_model, sampled through the same backend, max answerer_max_tokens " +
    "tokens) that sees its secret word and the latest question only, replies yes or no. Reward 1 for a turn that " +
    "guesses the word (case-insensitive), else 0; the game ends on the right guess or after max_turns questions. " +
    "Words: the cookbook's 171 nouns shuffled by random.Random(0), 34 held out as test games.",
  schema: twentyQuestionsSchema,
  async resolve(cfg) {
    await checkEvalLists(cfg);
    const backend = resolveBackend(cfg.backend);
    if (backend === "remote") checkRemote(cfg.base_url);
    const model_name = resolveModel(cfg.model_name, backend, TWENTY_QUESTIONS_REMOTE_MODEL);
    const { renderer_name, renderer_name_given } = await gameRendererChoice(cfg.renderer_name, model_name);
    const answerer_base_model = resolveModel(
      cfg.answerer_base_model ?? (backend === "local" ? model_name : TWENTY_QUESTIONS_REMOTE_ANSWERER),
      backend,
      TWENTY_QUESTIONS_REMOTE_ANSWERER,
      "answerer_base_model",
    );
    await gameRendererName(null, answerer_base_model, "answerer_base_model");
    if (backend === "remote") {
      await checkHubTokenizer(model_name);
      await checkHubTokenizer(answerer_base_model, "answerer_base_model");
    }
    const batch_size = cfg.batch_size ?? (backend === "local" ? 2 : 64);
    const log_path =
      cfg.log_path ??
      `/tmp/tinker-examples/twenty-questions-rl/${modelSlug(model_name)}-${cfg.group_size}group-${batch_size}batch-${pyFloatStr(cfg.learning_rate)}lr-${runDate()}`;
    return {
      ...cfg,
      backend,
      model_name,
      renderer_name,
      renderer_name_given,
      answerer_base_model,
      batch_size,
      log_path,
    };
  },
  async run(cfg, ctx) {
    const env = await import("@crucible/env");
    const { runGame } = await import("../common/run-game.js");
    const { rendererFor } = await import("../math_rl/run.js");
    const answererModel = cfg.answerer_base_model!;
    return runGame(cfg, ctx, {
      recipeName: "recipe_multiplayer_twenty_questions",
      title: "twenty_questions run report",
      extraModels: [answererModel],
      dataset: async (renderer, service) => {
        const answerer = env.tinkerMessageCompleter({
          samplingClient: await service.createSamplingClient({ baseModel: answererModel }),
          renderer: await rendererFor(answererModel, await gameRendererName(null, answererModel)),
          maxTokens: cfg.answerer_max_tokens,
        });
        return env.twentyQuestionsDatasetBuilder({
          renderer,
          answerer,
          batchSize: cfg.batch_size!,
          groupSize: cfg.group_size,
          testGroupSize: cfg.test_group_size,
          numEpochs: cfg.num_epochs,
          limits: gameLimits(cfg),
        });
      },
    });
  },
});
