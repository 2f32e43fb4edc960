import { join } from "node:path";
import { type LocalHubSession, startLocalHubSession } from "@crucible/hub";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findHfCachedFiles, loadRows, locateHfFiles } from "./rows.js";

let session: LocalHubSession;
let cacheDir: string;

beforeAll(async () => {
  session = await startLocalHubSession();
  session.hub.commit("dataset", "openai/gsm8k", {
    "main/train-00000-of-00001.jsonl": '{"question":"1+1?","answer":"#### 2"}\n',
    "main/test-00000-of-00001.jsonl": '{"question":"2+2?","answer":"#### 4"}\n',
    "socratic/train-00000-of-00001.jsonl": '{"question":"no","answer":"#### 0"}\n',
  });
  cacheDir = session.cacheDir;
});
afterAll(() => session.close());

describe("HF dataset rows through @crucible/hub", () => {
  it("not cached: a dry lookup lists on the hub without downloading; loadRows downloads into the cache", async () => {
    const q = { repoId: "openai/gsm8k", config: "main", split: "train", cacheDir };
    expect(await locateHfFiles(q, { download: false })).toEqual(["main/train-00000-of-00001.jsonl"]);
    expect(() => findHfCachedFiles(q)).toThrow(/crucible download dataset openai\/gsm8k/);
    const rows = await loadRows({ hf: "openai/gsm8k", config: "main", split: "train", cacheDir });
    expect(rows).toEqual([{ question: "1+1?", answer: "#### 2" }]);
    expect(findHfCachedFiles(q)[0]).toMatch(/datasets--openai--gsm8k\/snapshots\/[0-9a-f]{40}\/main\/train-/);
  });

  it("offline and not cached: one line naming the dataset, the cache folder and the fetch command", async () => {
    const err = await session.offline(() =>
      locateHfFiles(
        { repoId: "openai/gsm8k", config: "main", split: "test", cacheDir: join(cacheDir, "x") },
        { download: true },
      ).catch((e: unknown) => e as Error),
    );
    expect(String(err)).toMatch(
      /dataset openai\/gsm8k: .* not in the Hugging Face cache \(looked in .*datasets--openai--gsm8k\)/,
    );
    expect(String(err)).toContain("crucible download dataset openai/gsm8k");
  });
});
