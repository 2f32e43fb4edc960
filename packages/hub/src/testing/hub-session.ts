import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LocalHub, type LocalHubOptions } from "./local-hub.js";

/** Environment variables a session sets; their previous values come back on `close()`. */
const SESSION_VARS = ["HF_ENDPOINT", "HF_HUB_OFFLINE", "HF_HUB_CACHE"] as const;

export interface LocalHubSessionOptions extends LocalHubOptions {
  /** Also point `HF_HUB_CACHE` at the session's cache folder (for code that reads the cache from the environment). */
  setHubCache?: boolean;
}

/** A LocalHub this process's hub clients talk to, with its own empty cache folder. */
export interface LocalHubSession {
  hub: LocalHub;
  /** A fresh temp folder for the HF cache; removed by `close()`. */
  cacheDir: string;
  /** Runs `fn` with `HF_HUB_OFFLINE=1` (cache only), then turns offline mode off again. */
  offline<T>(fn: () => Promise<T>): Promise<T>;
  /** Restores the environment variables, removes the cache folder and stops the hub. */
  close(): Promise<void>;
}

/**
 * Starts a LocalHub for a test file and points the environment at it: `HF_ENDPOINT` is the hub's URL and offline
 * mode is off (the test suite runs offline by default). Call `close()` in the file's `afterAll`.
 */
export async function startLocalHubSession(options: LocalHubSessionOptions = {}): Promise<LocalHubSession> {
  const { setHubCache, ...hubOptions } = options;
  const saved = new Map(SESSION_VARS.map((k) => [k, process.env[k]]));
  const restore = (key: string, value: string | undefined) => {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  };
  const hub = await LocalHub.start(hubOptions);
  const cacheDir = mkdtempSync(join(tmpdir(), "crucible-hub-cache-"));
  process.env.HF_ENDPOINT = hub.url;
  process.env.HF_HUB_OFFLINE = "";
  if (setHubCache) process.env.HF_HUB_CACHE = cacheDir;
  return {
    hub,
    cacheDir,
    async offline(fn) {
      process.env.HF_HUB_OFFLINE = "1";
      try {
        return await fn();
      } finally {
        process.env.HF_HUB_OFFLINE = "";
      }
    },
    async close() {
      for (const [k, v] of saved) restore(k, v);
      rmSync(cacheDir, { recursive: true, force: true });
      await hub.close();
    },
  };
}
