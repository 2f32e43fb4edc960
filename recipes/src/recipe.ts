// The contract every recipe implements: a zod config, a side-effect-free resolve step (derived defaults
// and checks zod cannot express), and the launcher itself.
import type { z } from "zod";

export interface RecipeContext {
  /** Progress/status lines for the user (stdout by default). */
  print: (line: string) => void;
  /** Warnings for the user (stderr in the CLI); `print` when absent. */
  warn?: (line: string) => void;
  signal?: AbortSignal;
}

/** What `resolve` adds beside the schema's fields. */
export interface ResolvedExtras {
  /**
   * Whether the user set `renderer_name`. When false, `renderer_name` holds the model's (or recipe's) default, and
   * a run that starts from a checkpoint uses the renderer that checkpoint was trained with instead.
   */
  renderer_name_given?: boolean;
}

export interface RecipeResult {
  logPath: string;
  /** Final values of the run's headline metrics, as logged (never invented). */
  finalMetrics: Record<string, number>;
}

// biome-ignore lint/suspicious/noExplicitAny: the registry holds recipes of any config shape
export type AnyObjectSchema = z.ZodObject<any>;

export interface Recipe<S extends AnyObjectSchema = AnyObjectSchema> {
  name: string;
  /** One line for `crucible list`. */
  summary: string;
  /** A paragraph for `--help`. */
  description: string;
  schema: S;
  /**
   * Fills derived values (generated log_path, renderer from the model, backend) and checks what the
   * schema cannot (files exist, model and renderer are known). Throws ConfigError. Writes nothing.
   */
  resolve(cfg: z.output<S>): Promise<z.output<S> & ResolvedExtras>;
  /** Runs the recipe; the log dir policy has already been applied. */
  run(cfg: z.output<S> & ResolvedExtras, ctx: RecipeContext): Promise<RecipeResult>;
}

/** Identity helper that keeps the schema type for `resolve`/`run`. */
export function defineRecipe<S extends AnyObjectSchema>(r: Recipe<S>): Recipe<S> {
  return r;
}
