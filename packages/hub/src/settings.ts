import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

/** How the hub is reached and where files are cached, read from the same variables the Python tools use. */
export interface HubSettings {
  /** `HF_ENDPOINT` (default https://huggingface.co), without a trailing slash. */
  endpoint: string;
  /** `HF_TOKEN`, else the token file `huggingface-cli login` writes (`HF_TOKEN_PATH`, `$HF_HOME/token`). */
  token: string | undefined;
  /** `HF_HUB_OFFLINE=1`: never touch the network; use the cache or fail with the command that fetches. */
  offline: boolean;
  /** `HF_HUB_CACHE` (legacy `HUGGINGFACE_HUB_CACHE`), else `$HF_HOME/hub`. */
  cacheDir: string;
}

const TRUE = new Set(["1", "ON", "YES", "TRUE"]);

/** `HF_HOME`, else `$XDG_CACHE_HOME/huggingface`, else `~/.cache/huggingface` (as huggingface_hub resolves it). */
export function hfHome(env: NodeJS.ProcessEnv = process.env): string {
  if (env.HF_HOME) return env.HF_HOME;
  return join(env.XDG_CACHE_HOME || join(homedir(), ".cache"), "huggingface");
}

export function hubSettings(env: NodeJS.ProcessEnv = process.env): HubSettings {
  const home = hfHome(env);
  const tokenPath = env.HF_TOKEN_PATH || join(home, "token");
  let token = env.HF_TOKEN?.trim() || env.HUGGING_FACE_HUB_TOKEN?.trim() || undefined;
  if (!token && existsSync(tokenPath)) token = readFileSync(tokenPath, "utf8").trim() || undefined;
  return {
    endpoint: (env.HF_ENDPOINT || "https://huggingface.co").replace(/\/+$/, ""),
    token,
    offline: TRUE.has((env.HF_HUB_OFFLINE ?? "").toUpperCase()),
    cacheDir: env.HF_HUB_CACHE || env.HUGGINGFACE_HUB_CACHE || join(home, "hub"),
  };
}

/** Settings from the environment with explicit overrides (tests, library callers). */
export function withSettings(overrides: Partial<HubSettings> = {}): HubSettings {
  const base = hubSettings();
  return { ...base, ...Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) };
}
