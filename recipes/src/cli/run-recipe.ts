// `crucible run <recipe> …`: parse, validate and resolve the config before touching the file system,
// then apply the log-dir policy and launch. Any config problem is a ConfigError (exit 2, nothing written).
import type { Recipe, RecipeResult } from "../recipe.js";
import { ConfigError } from "./errors.js";
import { recipeHelp } from "./help.js";
import { type CheckLogDirOptions, checkLogDir, LogDirBehavior } from "./log-dir.js";
import { parseOverrides, validateConfig } from "./overrides.js";

export interface RunFlags {
  dryRun: boolean;
  help: boolean;
  ifExists?: LogDirBehavior;
  tokens: string[];
}

/** Splits `--flags` from `key=value` tokens. */
export function parseRunFlags(argv: readonly string[]): RunFlags {
  const flags: RunFlags = { dryRun: false, help: false, tokens: [] };
  for (const a of argv) {
    if (a === "--dry-run") flags.dryRun = true;
    else if (a === "--help" || a === "-h") flags.help = true;
    else if (a.startsWith("--if-exists=")) {
      const v = a.slice("--if-exists=".length);
      const r = LogDirBehavior.safeParse(v);
      if (!r.success) throw new ConfigError(`--if-exists=${v}: expected one of delete, resume, ask, raise`);
      flags.ifExists = r.data;
    } else if (a.startsWith("--")) {
      throw new ConfigError(
        `unknown option '${a}' (options: --dry-run, --help, --if-exists=delete|resume|ask|raise)`,
      );
    } else flags.tokens.push(a);
  }
  return flags;
}

/** Parses and resolves a recipe config from CLI tokens without side effects. */
export async function resolveRecipeConfig(
  recipe: Recipe,
  tokens: readonly string[],
  ifExists?: LogDirBehavior,
): Promise<Record<string, unknown>> {
  const overrides = parseOverrides(recipe.schema, tokens);
  if (ifExists) overrides["behavior_if_log_dir_exists"] = ifExists;
  const cfg = validateConfig(recipe.schema, overrides);
  return (await recipe.resolve(cfg)) as Record<string, unknown>;
}

export interface RunIO {
  print: (line: string) => void;
  warn?: (line: string) => void;
  logDir?: CheckLogDirOptions;
}

export type RunOutcome =
  | { kind: "help" | "dry-run" | "exit" }
  | { kind: "ran"; result: RecipeResult; config: Record<string, unknown> };

export async function runRecipeCommand(
  recipe: Recipe,
  argv: readonly string[],
  io: RunIO,
): Promise<RunOutcome> {
  const flags = parseRunFlags(argv);
  if (flags.help) {
    io.print(recipeHelp(recipe));
    return { kind: "help" };
  }
  const cfg = await resolveRecipeConfig(recipe, flags.tokens, flags.ifExists);
  if (flags.dryRun) {
    io.print(JSON.stringify(cfg, null, 2));
    return { kind: "dry-run" };
  }
  const logPath = cfg["log_path"];
  const behavior = cfg["behavior_if_log_dir_exists"];
  if (typeof logPath !== "string" || !LogDirBehavior.safeParse(behavior).success) {
    throw new TypeError(`recipe ${recipe.name} resolved without log_path/behavior_if_log_dir_exists`);
  }
  const outcome = await checkLogDir(logPath, behavior as LogDirBehavior, io.logDir);
  if (outcome === "exit") return { kind: "exit" };
  const result = await recipe.run(cfg, { print: io.print, ...(io.warn && { warn: io.warn }) });
  const { registerRunCheckpoints, runFacts } = await import("../common/registry-hook.js");
  const n = await registerRunCheckpoints(logPath, { ...runFacts(cfg, recipe.name), recipe: recipe.name });
  if (n > 0) io.print(`registry: ${n} checkpoint(s) of this run recorded (crucible registry list)`);
  return { kind: "ran", result, config: cfg };
}
