import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { WeightsError } from "./errors.js";

/** The Hugging Face hub cache (`HF_HUB_CACHE`, `$HF_HOME/hub`, or `~/.cache/huggingface/hub`), shared with Python. */
export function hfHubCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env["HF_HUB_CACHE"]) return env["HF_HUB_CACHE"];
  if (env["HF_HOME"]) return join(env["HF_HOME"], "hub");
  return join(homedir(), ".cache", "huggingface", "hub");
}

/**
 * A base model as a local directory: an existing directory, a name `builtin` knows (e.g. crucible/tiny-qwen3), or a
 * hub id already in the Hugging Face cache (`models--org--name/snapshots/<refs/main>`). Never downloads.
 */
export function resolveBaseModelDir(
  nameOrDir: string,
  options: { builtin?: (name: string) => string | undefined; env?: NodeJS.ProcessEnv } = {},
): string {
  if (existsSync(join(nameOrDir, "config.json"))) return nameOrDir;
  const builtin = options.builtin?.(nameOrDir);
  if (builtin) return builtin;
  const repo = join(hfHubCacheDir(options.env), `models--${nameOrDir.replace(/\//g, "--")}`);
  const ref = join(repo, "refs", "main");
  if (existsSync(ref)) {
    const snap = join(repo, "snapshots", readFileSync(ref, "utf8").trim());
    if (existsSync(join(snap, "config.json"))) return snap;
  }
  throw new WeightsError(
    `base model ${JSON.stringify(nameOrDir)} is neither a local model directory nor in the Hugging Face cache (${repo}); download it first (e.g. \`huggingface-cli download ${nameOrDir}\`) or pass --base <dir>`,
    "base_model",
  );
}
