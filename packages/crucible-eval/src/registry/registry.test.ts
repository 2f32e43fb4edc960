import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { compareTable } from "./compare.js";
import { ModelRegistry, RegistryError, registryPath } from "./registry.js";

const dir = mkdtempSync(join(tmpdir(), "crucible-registry-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const WRITER = fileURLToPath(new URL("./registry-writer.fixture.ts", import.meta.url));
const PKG = fileURLToPath(new URL("../..", import.meta.url));

function writer(file: string, tag: string, count: number) {
  const child = spawn(process.execPath, ["--import", "tsx", WRITER, file, tag, String(count)], {
    cwd: PKG,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let committed = -1;
  let err = "";
  child.stdout.on("data", (b: Buffer) => {
    const m = [...b.toString().matchAll(/committed (\d+)/g)].at(-1);
    if (m) committed = Number(m[1]);
  });
  child.stderr.on("data", (b: Buffer) => (err += b.toString()));
  const done = new Promise<number | null>((res) => child.on("close", (code) => res(code)));
  return { child, done, committed: () => committed, err: () => err };
}

describe("model registry", () => {
  it("records checkpoints and evals, promotes, compares", () => {
    const reg = ModelRegistry.open(registryPath(join(dir, "a")));
    try {
      reg.registerCheckpoint({
        path: "tinker://r1/sampler_weights/final",
        baseModel: "crucible/tiny-bytes",
        loraRank: 32,
        recipe: "chat_sl",
        data: "sft.jsonl",
        step: 400,
      });
      reg.registerCheckpoint({
        path: "tinker://r2/sampler_weights/final",
        baseModel: "crucible/tiny-bytes",
        loraRank: 32,
        recipe: "math_rl",
        step: 80,
      });
      reg.recordEval({
        model: "crucible/tiny-bytes",
        task: "arithmetic",
        metrics: { accuracy: 0, stderr: 0 },
      });
      reg.recordEval({
        model: "tinker://r1/sampler_weights/final",
        task: "arithmetic",
        metrics: { accuracy: 0.3, stderr: 0.08 },
      });
      reg.recordEval({
        model: "tinker://r1/sampler_weights/final",
        task: "gsm8k",
        metrics: { accuracy: 0.1 },
      });
      reg.recordEval({
        model: "tinker://r1/sampler_weights/final",
        task: "arithmetic",
        metrics: { accuracy: 0.4 },
      });
      expect(reg.list().map((c) => [c.recipe, c.status])).toEqual([
        ["chat_sl", "candidate"],
        ["math_rl", "candidate"],
      ]);
      reg.setStatus("tinker://r1/sampler_weights/final", "promoted");
      reg.setStatus("tinker://r2/sampler_weights/final", "archived");
      expect(reg.list({ status: "promoted" }).map((c) => c.step)).toEqual([400]);
      // Re-registering updates facts but keeps the status.
      reg.registerCheckpoint({
        path: "tinker://r1/sampler_weights/final",
        baseModel: "crucible/tiny-bytes",
        step: 401,
      });
      expect(reg.get("tinker://r1/sampler_weights/final")).toMatchObject({ status: "promoted", step: 401 });
      expect(() => reg.setStatus("tinker://nope", "promoted")).toThrow(RegistryError);
      const table = compareTable(reg, reg.evaluatedModels());
      expect(table.split("\n")).toEqual([
        "model                              arithmetic   gsm8k",
        "---------------------------------  ----------  ------",
        "crucible/tiny-bytes                    0.0000       -",
        "tinker://r1/sampler_weights/final      0.4000  0.1000", // the latest arithmetic result
      ]);
    } finally {
      reg.close();
    }
  });

  it("two processes writing at once lose nothing", { timeout: 120_000 }, async () => {
    const file = registryPath(join(dir, "concurrent"));
    ModelRegistry.open(file).close();
    const [a, b] = [writer(file, "a", 150), writer(file, "b", 150)];
    expect(await a.done, a.err()).toBe(0);
    expect(await b.done, b.err()).toBe(0);
    const reg = ModelRegistry.open(file);
    try {
      expect(reg.list()).toHaveLength(300);
      expect(reg.evaluatedModels()).toHaveLength(300);
      expect(reg.integrity()).toBe("ok");
    } finally {
      reg.close();
    }
  });

  it("kill -9 mid-write keeps every committed write and a sound database", { timeout: 120_000 }, async () => {
    const file = registryPath(join(dir, "killed"));
    const w = writer(file, "k", 100_000);
    await new Promise<void>((res) => {
      const t = setInterval(() => {
        if (w.committed() >= 50) {
          clearInterval(t);
          res();
        }
      }, 5);
    });
    w.child.kill("SIGKILL");
    await w.done;
    const seen = w.committed();
    const reg = ModelRegistry.open(file);
    try {
      expect(reg.integrity()).toBe("ok");
      const n = reg.list().length;
      // Everything reported committed is there; at most the one write in flight may also have landed.
      expect(n).toBeGreaterThanOrEqual(seen + 1);
      expect(n).toBeLessThanOrEqual(seen + 2);
      // Even writes add checkpoint and eval rows separately: each eval belongs to a registered checkpoint.
      for (const m of reg.evaluatedModels()) expect(reg.get(m)).toBeDefined();
      // Odd writes (recordCheckpointEval, the inline-eval path) are one transaction: a checkpoint with its eval.
      const odd = reg.list().filter((c) => (c.step ?? 0) % 2 === 1);
      expect(odd.length).toBeGreaterThan(20);
      for (const c of odd) expect(reg.evals(c.path).map((e) => e.metric)).toEqual(["accuracy", "stderr"]);
      reg.registerCheckpoint({ path: "tinker://after", baseModel: "m" }); // still writable
    } finally {
      reg.close();
    }
  });
});
