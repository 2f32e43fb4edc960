// Resolution steps shared by the recipes: which backend, which model, which renderer. All checks happen
// here, before anything is written, so a bad config fails with one ConfigError line.
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { ConfigError } from "../cli/errors.js";
import type { BackendChoice } from "./fields.js";

export type BackendKind = "local" | "remote";

/** Built-in tiny models of the embedded backend (random init; real tokenizers, or bytes for tiny-bytes). */
export const TINY_MODELS = [
  "crucible/tiny-qwen3",
  "crucible/tiny-bytes",
  "crucible/tiny-qwen3-large",
  "crucible/tiny-llama3",
  "crucible/tiny-qwen3_5",
] as const;
export const DEFAULT_LOCAL_MODEL = "crucible/tiny-qwen3";

/** Renderers for the tiny models: they are untrained base models, so like the cookbook's *-Base models. */
const TINY_RENDERERS: Record<string, string> = {
  "crucible/tiny-qwen3": "role_colon",
  "crucible/tiny-bytes": "role_colon",
  "crucible/tiny-qwen3-large": "role_colon",
  "crucible/tiny-llama3": "role_colon",
  "crucible/tiny-qwen3_5": "role_colon",
};

export function resolveBackend(choice: BackendChoice, env: NodeJS.ProcessEnv = process.env): BackendKind {
  if (choice === "local") return "local";
  const remoteConfigured = Boolean(env["TINKER_API_KEY"] || env["TINKER_BASE_URL"]);
  if (choice === "remote") return "remote";
  return remoteConfigured ? "remote" : "local";
}

/** backend=remote needs somewhere to send requests. */
export function checkRemote(baseUrl: string | null, env: NodeJS.ProcessEnv = process.env): void {
  if (!baseUrl && !env["TINKER_BASE_URL"] && !env["TINKER_API_KEY"]) {
    throw new ConfigError(
      "backend=remote needs base_url=…, TINKER_BASE_URL or TINKER_API_KEY (or use backend=local)",
      "backend",
    );
  }
}

function isLocalModelDir(p: string): boolean {
  return existsSync(p) && statSync(p).isDirectory() && existsSync(join(p, "config.json"));
}

/**
 * Picks the model for the backend and checks it is one the backend can serve: locally a built-in tiny
 * model or a local HF directory; remotely any `org/name` (the service decides), but the renderer must
 * still be resolvable, which `resolveRenderer` checks.
 */
export function resolveModel(
  model: string | null,
  backend: BackendKind,
  remoteDefault: string,
  field = "model_name",
): string {
  const name = model ?? (backend === "local" ? DEFAULT_LOCAL_MODEL : remoteDefault);
  if (backend === "local" && !(TINY_MODELS as readonly string[]).includes(name) && !isLocalModelDir(name)) {
    throw new ConfigError(
      `${field}=${name}: unknown model for the local backend; use ${TINY_MODELS.join(" or ")} or a local Hugging Face directory (config.json, *.safetensors, tokenizer.json)`,
      field,
    );
  }
  return name;
}

/** explicit > recommended for the model; unknown renderer or model → ConfigError. */
export async function resolveRenderer(
  rendererName: string | null,
  model: string,
  field = "renderer_name",
): Promise<string> {
  const r = await import("@crucible/renderers");
  if (rendererName !== null) {
    const known = r.getRendererNames();
    if (!known.includes(rendererName)) {
      const { didYouMean } = await import("../cli/overrides.js");
      const m = didYouMean(rendererName, known);
      throw new ConfigError(
        `${field}=${rendererName}: unknown renderer${m ? ` (did you mean '${m}'?)` : ""}; known: ${known.join(", ")}`,
        field,
      );
    }
    return rendererName;
  }
  const tiny = TINY_RENDERERS[model];
  if (tiny) return tiny;
  if (isLocalModelDir(model)) return "role_colon";
  try {
    return r.getRecommendedRendererName(model);
  } catch (e) {
    throw new ConfigError(`model_name=${model}: ${e instanceof Error ? e.message : String(e)}`, "model_name");
  }
}

/**
 * `renderer_name` (the user's, else `fallback`, else the model's default) and whether the user gave it, to spread
 * into a resolved config: a run from a checkpoint replaces a default renderer with the checkpoint's at run time.
 */
export async function resolveRendererChoice(
  given: string | null,
  model: string,
  fallback: string | null = null,
): Promise<{ renderer_name: string; renderer_name_given: boolean }> {
  return {
    renderer_name: await resolveRenderer(given ?? fallback, model),
    renderer_name_given: given !== null,
  };
}

/** Files named in a config must exist before the run starts. */
export function checkFileExists(path: string, field: string): void {
  if (!existsSync(path)) throw new ConfigError(`${field}=${path}: file not found`, field);
  if (!statSync(path).isFile()) throw new ConfigError(`${field}=${path}: not a file`, field);
}

/** The tokenizer a model uses: tiny models ship real Qwen3 / Llama-3 tokenizers; local dirs have their own. */
export function tokenizerNameFor(model: string): string {
  if (model.startsWith("crucible/tiny-qwen3")) return "Qwen/Qwen3-8B"; // tiny-qwen3_5 too (Qwen3 tokenizer)
  if (model.startsWith("crucible/tiny-llama3")) return "meta-llama/Llama-3.1-8B-Instruct";
  return model;
}
