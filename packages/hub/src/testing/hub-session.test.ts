import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { hubSettings } from "../settings.js";
import { startLocalHubSession } from "./hub-session.js";

describe("startLocalHubSession", () => {
  it("points the hub settings at the LocalHub while open and restores the environment on close", async () => {
    const before = { ...process.env };
    process.env.HF_HUB_OFFLINE = "1";
    delete process.env.HF_HUB_CACHE;
    try {
      const s = await startLocalHubSession({ setHubCache: true });
      const open = hubSettings();
      expect([open.endpoint, open.offline, open.cacheDir]).toEqual([s.hub.url, false, s.cacheDir]);
      expect(existsSync(s.cacheDir)).toBe(true);
      expect(await s.offline(async () => hubSettings().offline)).toBe(true);
      expect(hubSettings().offline).toBe(false);
      await s.close();
      expect(process.env.HF_HUB_OFFLINE).toBe("1");
      expect("HF_HUB_CACHE" in process.env).toBe(false);
      expect(process.env.HF_ENDPOINT).toBe(before.HF_ENDPOINT);
      expect(existsSync(s.cacheDir)).toBe(false);
      await expect(fetch(s.hub.url)).rejects.toThrow();
    } finally {
      process.env = before;
    }
  });
});
