import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startDashboard } from "../dashboard/server.js";
import { DEFAULT_DASHBOARD_PORT, parseDashboardArgs } from "./dashboard-command.js";
import { ConfigError } from "./errors.js";

describe("crucible dashboard arguments", () => {
  it("takes --port N with a space or with =, and defaults to 8080", () => {
    expect(parseDashboardArgs(["runs/a", "--port", "9001", "runs/b"])).toEqual({
      dirs: ["runs/a", "runs/b"],
      port: 9001,
      portGiven: true,
    });
    expect(parseDashboardArgs(["--port=0", "runs/a"])).toEqual({
      dirs: ["runs/a"],
      port: 0,
      portGiven: true,
    });
    expect(parseDashboardArgs(["runs/a"])).toEqual({
      dirs: ["runs/a"],
      port: DEFAULT_DASHBOARD_PORT,
      portGiven: false,
    });
  });

  it("rejects bad ports, unknown options and no log dir as user errors", () => {
    for (const argv of [
      ["a", "--port", "x"],
      ["a", "--port", "70000"],
      ["a", "--port=-1"],
      ["a", "--bogus"],
      [],
    ]) {
      expect(() => parseDashboardArgs(argv), argv.join(" ")).toThrow(ConfigError);
    }
    expect(() => parseDashboardArgs(["a", "--port"])).toThrow(/--port/);
  });
});

describe("dashboard port", () => {
  const dir = mkdtempSync(join(tmpdir(), "crucible-dash-port-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("serves on a free port when the default one is taken, and says which was taken", async () => {
    const blocker = createServer();
    await new Promise<void>((ok) => blocker.listen(0, "127.0.0.1", ok));
    const taken = (blocker.address() as { port: number }).port;
    try {
      const dash = await startDashboard({ logDirs: [dir], port: taken, fallbackToFreePort: true });
      expect(dash.portTaken).toBe(taken);
      expect(dash.port).not.toBe(taken);
      expect((await fetch(dash.url)).status).toBe(200);
      await dash.close();
      // A port the user named explicitly is not silently replaced.
      await expect(startDashboard({ logDirs: [dir], port: taken })).rejects.toMatchObject({
        code: "EADDRINUSE",
      });
    } finally {
      blocker.close();
    }
  });
});
