import { ConfigurationError, RendererError } from "./errors.js";
import { getRecommendedRendererName, getRecommendedRendererNames } from "./model-info.js";
import type { Renderer } from "./renderer.js";
import { builtinRenderers } from "./renderers/builtin.js";
import type { Tokenizer } from "./tokenizer/tokenizer.js";
import type { RendererOptions } from "./types.js";
import { warn } from "./warnings.js";

export type RendererFactory = (tokenizer: Tokenizer, options: RendererOptions) => Renderer;

const custom = new Map<string, RendererFactory>();

/** Adds (or replaces) a renderer under `name`; custom renderers take precedence over built-ins. */
export function registerRenderer(name: string, factory: RendererFactory): void {
  custom.set(name, factory);
}
export function unregisterRenderer(name: string): boolean {
  return custom.delete(name);
}
export function isRendererRegistered(name: string): boolean {
  return custom.has(name);
}
export function getRegisteredRendererNames(): string[] {
  return [...custom.keys()];
}
/** Every name getRenderer accepts: custom ones first, then the built-ins. */
export function getRendererNames(): string[] {
  return [...new Set([...custom.keys(), ...Object.keys(builtinRenderers)])];
}

export function getRenderer(name: string, tokenizer: Tokenizer, options: RendererOptions = {}): Renderer {
  const factory = custom.get(name) ?? builtinRenderers[name];
  if (!factory) {
    throw new RendererError(`unknown renderer "${name}"; known renderers: ${getRendererNames().join(", ")}`);
  }
  // Like the cookbook's callers: passing the model name checks the choice against the model table.
  if (options.modelName) warnIfRendererNotRecommended(options.modelName, name);
  return factory(tokenizer, options);
}

/** Logs a warning when `rendererName` is not among the model's recommended renderers (silent for unknown models). */
export function warnIfRendererNotRecommended(
  modelName: string,
  rendererName: string | null | undefined,
): void {
  if (!rendererName) return;
  let names: string[];
  try {
    names = getRecommendedRendererNames(modelName);
  } catch (e) {
    if (e instanceof ConfigurationError || e instanceof RendererError) return;
    throw e;
  }
  if (!names.includes(rendererName)) {
    warn(
      `Renderer "${rendererName}" is not recommended for model ${modelName}; recommended: ${names.join(", ")}. ` +
        `Using a non-recommended renderer can train/sample in a format the model was not trained on.`,
    );
  }
}

/** explicit name > renderer recorded with the checkpoint > the model's recommended renderer. */
export function resolveRendererName(
  modelName: string,
  explicit?: string | null,
  checkpointRendererName?: string | null,
): string {
  return explicit ?? checkpointRendererName ?? getRecommendedRendererName(modelName);
}
