import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { LONG_FILES, longFilesFirst } from "./vitest-sequencer.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const spec = (p: string) => ({ moduleId: join(root, p) });

describe("test file order", () => {
  it("puts the named long files first, in their order, and keeps the rest in vitest's order", () => {
    const files = ["b.test.ts", LONG_FILES[1] as string, "a.test.ts", LONG_FILES[0] as string].map(spec);
    expect(longFilesFirst(files).map((f) => f.moduleId.slice(root.length))).toEqual([
      LONG_FILES[0],
      LONG_FILES[1],
      "b.test.ts",
      "a.test.ts",
    ]);
  });

  it("matches whole path segments only", () => {
    const files = [spec("x.test.ts"), spec(`other-${LONG_FILES[0]}`)];
    expect(longFilesFirst(files)).toEqual(files);
  });

  it("names files that exist (a renamed file would silently lose its place)", () => {
    for (const f of LONG_FILES) expect(existsSync(join(root, f)), f).toBe(true);
  });
});
