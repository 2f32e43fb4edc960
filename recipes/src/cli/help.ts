// `--help` text generated from a recipe's zod schema: every key with its type, default and description.
import type { Recipe } from "../recipe.js";
import { allKeys, type FieldInfo, kindLabel } from "./schema.js";

function showDefault(f: FieldInfo): string {
  if (!f.hasDefault) return f.optional || f.nullable ? "None" : "(required)";
  const v = f.defaultValue;
  if (v === null || v === undefined) return "None";
  if (typeof v === "string") return v === "" ? '""' : v;
  return JSON.stringify(v);
}

export function recipeHelp(recipe: Recipe): string {
  const keys = allKeys(recipe.schema);
  const rows = keys.map((f) => {
    const type = f.type.kind === "object" ? "group" : kindLabel(f.type) + (f.nullable ? "|None" : "");
    return {
      key: f.path,
      type,
      def: f.type.kind === "object" ? "" : showDefault(f),
      desc: f.description ?? "",
    };
  });
  const wKey = Math.max(...rows.map((r) => r.key.length));
  const wType = Math.min(28, Math.max(...rows.map((r) => r.type.length)));
  const lines = [
    `usage: crucible run ${recipe.name} [--dry-run] [--if-exists=delete|resume|ask|raise] [key=value ...]`,
    "",
    recipe.description,
    "",
    "Nested keys use dots (group.key=value); None/null clears an optional key.",
    "",
    "config keys:",
  ];
  for (const r of rows) {
    const def = r.def ? ` [default: ${r.def}]` : "";
    lines.push(`  ${r.key.padEnd(wKey)}  ${r.type.padEnd(wType)}  ${r.desc}${def}`);
  }
  return lines.join("\n");
}

export function topHelp(recipes: readonly Recipe[]): string {
  return [
    "usage: crucible <command> [options]",
    "",
    "commands:",
    "  run <recipe> [key=value ...]   train with a recipe (--dry-run prints the resolved config, --help lists keys)",
    "  list                           list the recipes",
    "  eval <benchmark...> [key=value ...]  run benchmarks (gsm8k, math500, mmlu, ifeval, humaneval, …) on a model or checkpoint",
    "  eval-offline <file.jsonl> [key=value ...]  score {input, output, target} rows (grader=exact|regex|math|model)",
    "  registry list|show|compare|promote|archive  checkpoints and their eval scores (SQLite under the log root)",
    "  dashboard <log_dir...>         serve live training curves on http://127.0.0.1 (--port N)",
    "  demo                           SFT + RL on arithmetic with a built-in tiny model, before/after accuracy",
    "  weights <verb> ...             download | adapter | merge | publish a trained model (crucible weights --help)",
    "  download <kind> <name>...      pre-fetch a dataset, model or tokenizer into the HF cache (crucible download --help)",
    "",
    "log dir policy: --if-exists=delete|resume|ask|raise (default ask; non-interactive runs must choose)",
    "backend: local (embedded) unless TINKER_API_KEY or TINKER_BASE_URL is set; override with backend=local|remote",
    "",
    `recipes: ${recipes.map((r) => r.name).join(", ")}`,
  ].join("\n");
}
