import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { importCycles } from "./import-cycles.js";
import { readWorkspacePackages } from "./layers.js";

const root = fileURLToPath(new URL("../..", import.meta.url));

describe("module import cycles", () => {
  it("no package's source modules import each other in a circle", async () => {
    const found: string[] = [];
    for (const p of readWorkspacePackages(root)) {
      found.push(...importCycles(join(p.dir, "src")).map((c) => `${p.name}: ${c.join(" ↔ ")}`));
      // One package at a time, yielding between them: the whole scan is seconds of synchronous work under load.
      await new Promise((r) => setImmediate(r));
    }
    expect(found).toEqual([]);
  });

  it("finds a cycle made of a type-only import and a lazy import()", () => {
    const dir = mkdtempSync(join(tmpdir(), "crucible-cycles-"));
    try {
      mkdirSync(join(dir, "r"));
      writeFileSync(join(dir, "r/config.ts"), 'export const run = () => import("./run.js");\n');
      writeFileSync(join(dir, "r/run.ts"), 'import type { X } from "./config.js";\nexport type Y = X;\n');
      writeFileSync(join(dir, "r/other.ts"), 'import { run } from "./config.js";\nexport { run };\n');
      expect(importCycles(dir)).toEqual([["r/config.ts", "r/run.ts"]]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
