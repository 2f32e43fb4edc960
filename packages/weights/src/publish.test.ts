import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LocalHub, uploadRoutes } from "@crucible/hub";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mergeAdapter } from "./merge.js";
import { exportPeftAdapter } from "./peft.js";
import { publishToHub } from "./publish.js";
import { writeAdapter, writeBaseModel } from "./test-fixtures.js";

describe("publishToHub (against the loopback hub-compatible server)", () => {
  let dir: string;
  let hub: LocalHub;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "publish-"));
    hub = await LocalHub.start();
  });
  afterEach(async () => {
    await hub.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("uploads a merged model in one commit (safetensors via LFS) with a model card from the run's logs", async () => {
    const { route, log } = uploadRoutes({ token: "hf_write" });
    hub.addRoute(route);
    writeBaseModel(join(dir, "base"), { tied: true });
    writeAdapter(join(dir, "ckpt"));
    writeFileSync(
      join(dir, "ckpt", "crucible-download.json"),
      JSON.stringify({ tinker_path: "tinker://run:train:0/sampler_weights/final" }),
    );
    await mergeAdapter({
      checkpointDir: join(dir, "ckpt"),
      baseDir: join(dir, "base"),
      baseModel: "test/tiny",
      outDir: join(dir, "merged"),
    });
    const logDir = join(dir, "logs");
    mkdirSync(logDir);
    writeFileSync(
      join(logDir, "config.json"),
      JSON.stringify({
        model_name: "test/tiny",
        dataset: "arithmetic",
        learning_rate: 0.0002,
        lora_rank: 2,
        log_path: "/tmp/x",
        behavior_if_log_dir_exists: "ask",
      }),
    );
    writeFileSync(
      join(logDir, "metrics.jsonl"),
      `${JSON.stringify({ step: 0, train_mean_nll: 2.5, lr: 0.0002 })}\n${JSON.stringify({ step: 1, train_mean_nll: 1.25 })}\n${JSON.stringify({ step: 2, test_accuracy: 0.5 })}\n`,
    );
    const settings = { endpoint: hub.url, token: "hf_write", offline: false };
    const r = await publishToHub({
      dir: join(dir, "merged"),
      repoId: "me/tiny-merged",
      logDir,
      recipe: "sl_basic",
      settings,
    });
    expect(r.url).toBe(`${hub.url}/me/tiny-merged`);
    expect(log.created).toEqual(["me/tiny-merged"]);
    expect(log.commits).toHaveLength(1);
    expect(log.commits[0]?.authorization).toBe("Bearer hf_write");
    expect(log.commits[0]?.lfsFiles).toEqual(["model-00001-of-00001.safetensors"]);
    const repo = hub.repos.get("model:me/tiny-merged");
    const files = repo ? hub.resolveCommit(repo, "main")?.files : undefined;
    expect([...(files?.keys() ?? [])].sort()).toEqual([
      "README.md",
      "config.json",
      "generation_config.json",
      "model-00001-of-00001.safetensors",
      "model.safetensors.index.json",
      "tokenizer.json",
      "tokenizer_config.json",
    ]);
    const shard = files?.get("model-00001-of-00001.safetensors")?.data;
    expect(
      Buffer.from(shard ?? []).equals(readFileSync(join(dir, "merged", "model-00001-of-00001.safetensors"))),
    ).toBe(true);
    const card = new TextDecoder().decode(files?.get("README.md")?.data);
    expect(card).toMatch(/^---\nbase_model: test\/tiny\nlibrary_name: transformers\n/);
    expect(card).toContain("`lm_head` is stored apart from the input embedding");
    expect(card).toContain("checkpoint `tinker://run:train:0/sampler_weights/final`");
    expect(card).toContain("- Recipe: sl_basic");
    expect(card).toContain("- Data: `dataset=arithmetic`");
    expect(card).toContain("## Final metrics (step 2)");
    expect(card).toContain("| train_mean_nll | 1.25 |");
    expect(card).toContain("| test_accuracy | 0.5 |");
    expect(card).toContain(
      "crucible run sl_basic model_name=test/tiny dataset=arithmetic learning_rate=0.0002 lora_rank=2\n",
    );

    // A PEFT adapter goes up the same way; a second publish to the same repo adds a commit.
    await exportPeftAdapter({ checkpointDir: join(dir, "ckpt"), outDir: join(dir, "peft") });
    await publishToHub({ dir: join(dir, "peft"), repoId: "me/tiny-merged", settings });
    expect(log.commits).toHaveLength(2);
    const peftCard = new TextDecoder().decode(
      hub.resolveCommit(hub.repos.get("model:me/tiny-merged") as never, "main")?.files.get("README.md")?.data,
    );
    expect(peftCard).toMatch(/library_name: peft/);
    expect(peftCard).toContain("- Recipe: (not recorded)");
  });

  it("refuses what it cannot publish, before uploading anything", async () => {
    const { route, log } = uploadRoutes({ token: "hf_write" });
    hub.addRoute(route);
    writeBaseModel(join(dir, "base"), { tied: false });
    const settings = { endpoint: hub.url, token: "hf_write", offline: false };
    await expect(publishToHub({ dir: join(dir, "base"), repoId: "me/x", settings })).rejects.toMatchObject({
      kind: "publish",
      message: expect.stringMatching(/has no crucible-provenance.json/),
    });
    await expect(publishToHub({ dir: join(dir, "base"), repoId: "not a repo", settings })).rejects.toThrow(
      /<namespace>\/<name>/,
    );
    writeAdapter(join(dir, "ckpt"));
    await exportPeftAdapter({ checkpointDir: join(dir, "ckpt"), outDir: join(dir, "peft") });
    await expect(
      publishToHub({
        dir: join(dir, "peft"),
        repoId: "me/x",
        settings: { ...settings, token: undefined as unknown as string },
      }),
    ).rejects.toThrow(/needs a token/);
    await expect(
      publishToHub({ dir: join(dir, "peft"), repoId: "me/x", settings: { ...settings, token: "hf_wrong" } }),
    ).rejects.toThrow(/401|credentials/i);
    expect(log.commits).toEqual([]);
  });
});
