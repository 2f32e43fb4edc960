import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LocalHub } from "@crucible/hub";
import { getRenderer, getTokenizerSync } from "@crucible/renderers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OpenThoughts3Builder } from "./openthoughts3.js";

let hub: LocalHub;
let cacheDir: string;
const row = (i: number) =>
  JSON.stringify({
    conversations: [
      { from: "human", value: `question ${i}` },
      { from: "gpt", value: `answer ${i}` },
    ],
  });

beforeAll(async () => {
  hub = await LocalHub.start();
  hub.commit("dataset", "open-thoughts/OpenThoughts3-1.2M", {
    "data/train-00000-of-00002.jsonl": `${[0, 1, 2, 3, 4].map(row).join("\n")}\n`,
    "data/train-00001-of-00002.jsonl": `${[5, 6, 7, 8, 9].map(row).join("\n")}\n`,
  });
  cacheDir = mkdtempSync(join(tmpdir(), "ot3-"));
});
afterAll(async () => {
  rmSync(cacheDir, { recursive: true, force: true });
  await hub.close();
});

describe("OpenThoughts3Builder (streamed from the hub)", () => {
  it("max_prompts rows per epoch through a shuffle buffer, conversations → datums, nothing cached", async () => {
    const renderer = getRenderer("role_colon", getTokenizerSync("Qwen/Qwen3-8B"));
    const common = {
      modelNameForTokenizer: "Qwen/Qwen3-8B",
      rendererName: "role_colon",
      maxLength: 64,
      batchSize: 2,
    };
    const settings = { endpoint: hub.url, cacheDir, offline: false };
    const b = new OpenThoughts3Builder(common, 4, 6, renderer, { settings });
    const { train, test } = await b.build();
    expect(test).toBeUndefined();
    expect(train.length).toBe(3);
    train.setEpoch(0);
    const texts: string[] = [];
    for (let i = 0; i < 3; i++) {
      const batch = await train.getBatch(i);
      expect(batch).toHaveLength(2);
      for (const d of batch)
        texts.push(
          renderer.tokenizer.decode(d.modelInput.chunks.flatMap((c) => ("tokens" in c ? c.tokens : []))),
        );
    }
    const ids = texts.map((t) => Number(/question (\d+)/.exec(t)?.[1]));
    expect(new Set(ids).size).toBe(6); // six distinct rows
    expect(ids).not.toEqual([0, 1, 2, 3, 4, 5]); // shuffled by the buffer
    expect(ids.every((i) => i >= 0 && i <= 9)).toBe(true);
    // streamed, not downloaded: nothing in the cache but refs
    const gets = hub.requests.filter((r) => r.method === "GET" && r.url.includes("/resolve/"));
    expect(gets.length).toBeGreaterThan(0);
    await expect(
      new OpenThoughts3Builder(common, 4, 6, renderer, { settings: { ...settings, offline: true } })
        .build()
        .then((d) => d.train.getBatch(0)),
    ).rejects.toThrow(/crucible download dataset open-thoughts\/OpenThoughts3-1.2M/);
  });
});
