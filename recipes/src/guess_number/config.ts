// guess_number: multi-turn RL on the cookbook's number-guessing game (recipes/multiplayer_rl/guess_number). The env
// answers "Too low" / "Too high" / "Correct"; reward 1 for the right number, 0 for a wrong one, −1 when unparsable.
import { z } from "zod";
import { gameFields, gameLimits, gameRendererChoice } from "../common/game-fields.js";
import { checkHubTokenizer } from "../common/hub-inputs.js";
import { checkEvalLists } from "../common/inline-evals.js";
import { modelSlug, pyFloatStr, runDate } from "../common/pyformat.js";
import { checkRemote, resolveBackend, resolveModel } from "../common/resolve.js";
import { defineRecipe } from "../recipe.js";

export const GUESS_NUMBER_REMOTE_MODEL = "Qwen/Qwen3.5-4B";

export const guessNumberSchema = z
  .object({
    ...gameFields({
      remoteModel: GUESS_NUMBER_REMOTE_MODEL,
      remoteBatchSize: 32,
      maxTokens: 64,
      maxTurns: 10,
      testGroupSize: 4,
    }),
    train_fraction: z
      .number()
      .gt(0)
      .lt(1)
      .default(0.9)
      .describe("Share of the 1024 targets used for training; the rest are the test games"),
  })
  .strict();
export type GuessNumberConfig = z.output<typeof guessNumberSchema>;

export const guessNumber = defineRecipe({
  name: "guess_number",
  summary:
    "Multi-turn RL: guess an integer in [0, 1024) from too-high/too-low answers (cookbook multiplayer_rl)",
  description:
    "Each episode is a game: the policy writes 'Guess: <n>', the env answers Too low / Too high / Correct, for up to " +
    "max_turns turns. Reward per turn: 1 for the target, 0 for a wrong number, -1 for an unparsable reply (the " +
    "cookbook's). Targets: random.Random(0).sample(range(1024)), 90% train, the rest played every eval_every steps. " +
    "max_trajectory_tokens and max_sampled_tokens cap an episode's tokens.",
  schema: guessNumberSchema,
  async resolve(cfg) {
    await checkEvalLists(cfg);
    const backend = resolveBackend(cfg.backend);
    if (backend === "remote") checkRemote(cfg.base_url);
    const model_name = resolveModel(cfg.model_name, backend, GUESS_NUMBER_REMOTE_MODEL);
    const { renderer_name, renderer_name_given } = await gameRendererChoice(cfg.renderer_name, model_name);
    if (backend === "remote") await checkHubTokenizer(model_name);
    const batch_size = cfg.batch_size ?? (backend === "local" ? 2 : 32);
    const log_path =
      cfg.log_path ??
      `/tmp/tinker-examples/guess-number/${modelSlug(model_name)}-${cfg.group_size}group-${batch_size}batch-${pyFloatStr(cfg.learning_rate)}lr-${runDate()}`;
    return { ...cfg, backend, model_name, renderer_name, renderer_name_given, batch_size, log_path };
  },
  async run(cfg, ctx) {
    const { guessNumberDatasetBuilder } = await import("@crucible/env");
    const { runGame } = await import("../common/run-game.js");
    return runGame(cfg, ctx, {
      recipeName: "recipe_multiplayer_guess_number",
      title: "guess_number run report",
      dataset: async (renderer) =>
        guessNumberDatasetBuilder({
          renderer,
          batchSize: cfg.batch_size!,
          groupSize: cfg.group_size,
          testGroupSize: cfg.test_group_size,
          trainFraction: cfg.train_fraction,
          limits: gameLimits(cfg),
        }),
    });
  },
});
