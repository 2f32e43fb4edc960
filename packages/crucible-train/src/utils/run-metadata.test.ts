import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { gitRevision, runConfigFromMetadata, runMetadata } from "./run-metadata.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "run-meta-"));
  dirs.push(d);
  return d;
}

describe("runMetadata", () => {
  it("carries recipe, renderer and the repository's HEAD revision", () => {
    const repo = tempDir();
    const git = (...args: string[]) =>
      execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@t", ...args], { cwd: repo })
        .toString()
        .trim();
    git("init", "-q");
    writeFileSync(join(repo, "a.txt"), "a");
    git("add", "a.txt");
    git("commit", "-qm", "a");
    const head = git("rev-parse", "HEAD");
    expect(runMetadata({ recipeName: "recipe_sl", rendererName: "qwen3" }, repo)).toEqual({
      recipe_name: "recipe_sl",
      renderer_name: "qwen3",
      git_revision: head,
    });
  });

  it("omits what is unknown (no repository, no renderer)", () => {
    const dir = tempDir();
    expect(gitRevision(dir)).toBeUndefined();
    expect(runMetadata({ recipeName: "recipe_rl", rendererName: null }, dir)).toEqual({
      recipe_name: "recipe_rl",
    });
  });

  it("carries the config as one JSON string (metadata values are strings) that reads back equal", () => {
    const config = {
      model_name: "m",
      lora_rank: 8,
      learning_rate: 1e-4,
      evals: ["a", "b"],
      x: null,
      o: { k: 1 },
    };
    const meta = runMetadata({ recipeName: "r", config }, tempDir());
    expect(typeof meta.config).toBe("string");
    expect(Object.values(meta).every((v) => typeof v === "string")).toBe(true);
    expect(runConfigFromMetadata(meta)).toEqual(config);
    expect(runConfigFromMetadata({ recipe_name: "r" })).toBeUndefined();
    expect(runConfigFromMetadata({ config: "not json" })).toBeUndefined();
    expect(runConfigFromMetadata({ config: "[1]" })).toBeUndefined();
  });
});
