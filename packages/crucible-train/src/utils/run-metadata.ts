// The user metadata a training run carries (cookbook: recipe and renderer names, the code revision), so a
// checkpoint says what produced it and which renderer its weights were trained with.
import { execFileSync } from "node:child_process";

/** `git rev-parse HEAD` in `cwd`, or undefined outside a repository (or without git). */
export function gitRevision(cwd: string = process.cwd()): string | undefined {
  try {
    const out = execFileSync("git", ["rev-parse", "HEAD"], {
      cwd,
      stdio: ["ignore", "pipe", "ignore"],
      timeout: 5000,
    });
    const rev = out.toString().trim();
    return /^[0-9a-f]{40,64}$/.test(rev) ? rev : undefined;
  } catch {
    return undefined;
  }
}

/** The user-metadata key holding the run's config, as one compact JSON string. */
export const RUN_CONFIG_METADATA_KEY = "config";

/**
 * `recipe_name`, `renderer_name`, `git_revision` and `config`, each only when known. Tinker's user metadata is a
 * flat string → string map (the SDK's `dict[str, str]`; no documented size limit), so the config travels as one
 * compact JSON string under `config` rather than as one key per field (nested values would not fit).
 */
export function runMetadata(
  opts: {
    recipeName?: string | null | undefined;
    rendererName?: string | null | undefined;
    config?: Record<string, unknown> | null | undefined;
  },
  cwd: string = process.cwd(),
): Record<string, string> {
  const meta: Record<string, string> = {};
  if (opts.recipeName) meta.recipe_name = opts.recipeName;
  if (opts.rendererName) meta.renderer_name = opts.rendererName;
  const rev = gitRevision(cwd);
  if (rev) meta.git_revision = rev;
  if (opts.config) meta[RUN_CONFIG_METADATA_KEY] = JSON.stringify(opts.config);
  return meta;
}

/** The config a run recorded with `runMetadata`, or undefined when it recorded none (or not valid JSON). */
export function runConfigFromMetadata(
  meta: Record<string, string> | undefined,
): Record<string, unknown> | undefined {
  const raw = meta?.[RUN_CONFIG_METADATA_KEY];
  if (!raw) return undefined;
  try {
    const v: unknown = JSON.parse(raw);
    return v !== null && typeof v === "object" && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
