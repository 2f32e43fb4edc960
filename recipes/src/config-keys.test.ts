// "A config key that no code reads is a bug": every key of every recipe's schema must be read (`.key` or
// `["key"]`) by the code that runs that recipe, or appear in SHARED with the file that reads it for all recipes.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { RECIPES } from "./registry.js";

const SRC = dirname(fileURLToPath(import.meta.url));

/** Fields every recipe has, read by shared code (the CLI, the backend opener), with the file that reads them. */
const SHARED: Record<string, string> = {
  behavior_if_log_dir_exists: "cli/run-recipe.ts",
};

/** The code that runs each recipe: its own folder plus the shared runners it hands its config to. */
const RUN_CODE: Record<string, string[]> = {
  sl_basic: [
    "sl_basic",
    "common/run-supervised.ts",
    "common/run-loop.ts",
    "common/data.ts",
    "common/inline-evals.ts",
  ],
  chat_sl: [
    "chat_sl",
    "common/run-supervised.ts",
    "common/run-loop.ts",
    "common/data.ts",
    "common/inline-evals.ts",
  ],
  dpo: ["dpo", "common/run-loop.ts", "common/inline-evals.ts"],
  math_rl: ["math_rl", "common/inline-evals.ts"],
  distillation: [
    "distillation",
    "common/run-supervised.ts",
    "common/run-loop.ts",
    "common/data.ts",
    "common/inline-evals.ts",
  ],
  sl_loop: ["sl_loop"],
  rl_loop: ["rl_loop"],
  rl_basic: ["rl_basic", "math_rl", "common/inline-evals.ts"],
  code_rl: ["code_rl", "math_rl", "common/inline-evals.ts"],
  search_tool: ["search_tool", "common/inline-evals.ts"],
  prompt_distillation: [
    "prompt_distillation",
    "common/run-supervised.ts",
    "common/run-loop.ts",
    "common/data.ts",
    "common/inline-evals.ts",
  ],
  shorter: ["shorter", "common/preference-rl.ts", "common/inline-evals.ts"],
  rlhf: ["rlhf", "common/run-loop.ts", "common/inline-evals.ts"],
  guess_number: ["guess_number", "common/game-fields.ts", "common/run-game.ts", "common/inline-evals.ts"],
  twenty_questions: [
    "twenty_questions",
    "common/game-fields.ts",
    "common/run-game.ts",
    "common/inline-evals.ts",
  ],
};

function sources(rel: string): string {
  const path = join(SRC, rel);
  if (rel.endsWith(".ts")) return readFileSync(path, "utf8");
  return readdirSync(path)
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"))
    .map((f) => readFileSync(join(path, f), "utf8"))
    .join("\n");
}

/** Keys of `keys` that `code` never reads. */
export function unreadKeys(keys: readonly string[], code: string): string[] {
  return keys.filter((k) => !new RegExp(`\\.${k}\\b|\\["${k}"\\]`).test(code));
}

describe("recipe config keys", () => {
  it("the check fails on a key nothing reads", () => {
    expect(unreadKeys(["learning_rate", "never_read_key"], "lr = c.learning_rate;")).toEqual([
      "never_read_key",
    ]);
  });

  it("each shared field is read where SHARED says", () => {
    for (const [key, file] of Object.entries(SHARED))
      expect(unreadKeys([key], sources(file)), file).toEqual([]);
  });

  for (const recipe of RECIPES) {
    it(`${recipe.name}: every schema key is read by its run code`, () => {
      const dirs = RUN_CODE[recipe.name];
      expect(dirs, `add ${recipe.name} to RUN_CODE`).toBeDefined();
      const code = dirs!.map(sources).join("\n");
      const keys = Object.keys(recipe.schema.shape).filter((k) => !(k in SHARED));
      expect(unreadKeys(keys, code)).toEqual([]);
    });
  }

  // renderer_name_given (set by resolve, see the --dry-run test in cli.test.ts) is only half the read-back: the
  // runner must hand the config to runRenderer once the backend is open.
  for (const recipe of RECIPES) {
    if (!("renderer_name" in recipe.schema.shape)) continue;
    it(`${recipe.name}: its run code settles the renderer with runRenderer`, () => {
      const code = RUN_CODE[recipe.name]!.map(sources).join("\n");
      expect(code).toMatch(/\brunRenderer\(/);
    });
  }
});
