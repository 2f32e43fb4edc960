// The recipes `crucible run` knows, in the order `crucible list` shows them.
import { chatSl } from "./chat_sl/config.js";
import { codeRl } from "./code_rl/config.js";
import { distillation } from "./distillation/config.js";
import { dpo } from "./dpo/config.js";
import { guessNumber } from "./guess_number/config.js";
import { mathRl } from "./math_rl/config.js";
import { promptDistillation } from "./prompt_distillation/config.js";
import type { Recipe } from "./recipe.js";
import { rlBasic } from "./rl_basic/config.js";
import { rlLoop } from "./rl_loop/config.js";
import { rlhf } from "./rlhf/config.js";
import { searchTool } from "./search_tool/config.js";
import { shorter } from "./shorter/config.js";
import { slBasic } from "./sl_basic/config.js";
import { slLoop } from "./sl_loop/config.js";
import { twentyQuestions } from "./twenty_questions/config.js";

export const RECIPES: readonly Recipe[] = [
  slBasic,
  chatSl,
  dpo,
  mathRl,
  distillation,
  slLoop,
  rlLoop,
  rlBasic,
  codeRl,
  searchTool,
  promptDistillation,
  shorter,
  rlhf,
  guessNumber,
  twentyQuestions,
] as unknown as readonly Recipe[];
