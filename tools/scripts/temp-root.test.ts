import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { createTempRoot, TEMP_ROOT_PREFIX } from "./temp-root.js";

describe("test temp root", () => {
  it("is the temp dir of this test process and of the processes it starts", () => {
    const root = process.env.CRUCIBLE_TEST_TEMP_ROOT;
    expect(root, "the global setup in vitest.config.ts sets it").toBeTruthy();
    expect(basename(root as string).startsWith(TEMP_ROOT_PREFIX)).toBe(true);
    expect(tmpdir()).toBe(root);
    const child = execFileSync(process.execPath, ["-e", "process.stdout.write(require('node:os').tmpdir())"]);
    expect(child.toString()).toBe(root);
    const dir = mkdtempSync(join(tmpdir(), "crucible-probe-"));
    expect(dirname(dir)).toBe(root);
    rmSync(dir, { recursive: true });
  });

  it("leaves nothing in the outer temp dir when removed, whatever the tests left in it", () => {
    const outer = mkdtempSync(join(tmpdir(), "crucible-outer-"));
    try {
      const temp = createTempRoot(outer);
      mkdirSync(join(temp.root, "crucible-leaked-a", "deep"), { recursive: true });
      writeFileSync(join(temp.root, "crucible-leaked-a", "deep", "f"), "x");
      mkdirSync(join(temp.root, "crucible-leaked-b"));
      expect(temp.remove()).toEqual(["crucible-leaked-a", "crucible-leaked-b"]);
      expect(existsSync(temp.root)).toBe(false);
      expect(readdirSync(outer)).toEqual([]);
      expect(temp.remove()).toEqual([]); // idempotent
    } finally {
      rmSync(outer, { recursive: true, force: true });
    }
  });
});
