import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { type LocalHubSession, startLocalHubSession } from "@crucible/hub";
import { getRenderer, getTokenizerSync } from "@crucible/renderers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HelpSteer3ComparisonBuilder } from "../preference/comparison-builders.js";
import { NoRobotsBuilder } from "../supervised/builders.js";
import { resolveSplitFiles } from "./files.js";

const FIXTURE = join(import.meta.dirname, "../../test/fixtures/conversations.jsonl");
let session: LocalHubSession;
let cacheDir: string;

beforeAll(async () => {
  session = await startLocalHubSession();
  const { hub } = session;
  const lines = readFileSync(FIXTURE, "utf8").trim().split("\n");
  hub.commit("dataset", "HuggingFaceH4/no_robots", {
    "data/train-00000-of-00002.jsonl": `${lines.slice(0, 10).join("\n")}\n`,
    "data/train-00001-of-00002.jsonl": `${lines.slice(10, 20).join("\n")}\n`,
    "data/test-00000-of-00001.jsonl": `${lines.slice(20, 26).join("\n")}\n`,
  });
  const pref = (i: number, p: number) =>
    JSON.stringify({
      context: [{ role: "user", content: `q${i}` }],
      response1: `a${i}`,
      response2: `b${i}`,
      overall_preference: p,
    });
  hub.commit("dataset", "nvidia/HelpSteer3", {
    "preference/train.jsonl.gz": gzipSync([pref(0, -2), pref(1, 0), pref(2, 1), pref(3, -1)].join("\n")),
    "preference/validation.jsonl.gz": gzipSync(pref(4, 2)),
  });
  cacheDir = session.cacheDir;
});
afterAll(() => session.close());

describe("named datasets come from the hub into the HF cache", () => {
  it("NoRobotsBuilder downloads both train shards and the test split, then reads them offline", async () => {
    const renderer = getRenderer("qwen3", getTokenizerSync("Qwen/Qwen3-8B"));
    const common = {
      modelNameForTokenizer: "Qwen/Qwen3-8B",
      rendererName: "qwen3",
      maxLength: 128,
      batchSize: 2,
    };
    const { train, test } = await new NoRobotsBuilder(common, { cacheDir }, renderer).build();
    expect([train.length, test?.length]).toEqual([10, 3]);
    const files = await resolveSplitFiles({ repo: "HuggingFaceH4/no_robots", cacheDir }, "train");
    expect(files.map((f) => f.split("/").slice(-2).join("/"))).toEqual([
      "data/train-00000-of-00002.jsonl",
      "data/train-00001-of-00002.jsonl",
    ]);
    await session.offline(async () => {
      const n = session.hub.requests.length;
      const again = await new NoRobotsBuilder(common, { cacheDir }, renderer).build();
      expect(again.train.length).toBe(10);
      expect(session.hub.requests.length).toBe(n);
      await expect(resolveSplitFiles({ repo: "nvidia/HelpSteer3", cacheDir }, "train")).rejects.toThrow(
        /fetch it with: crucible download dataset nvidia\/HelpSteer3/,
      );
    });
  });

  it("HelpSteer3 (config preference, .jsonl.gz) skips ties and labels by overall_preference", async () => {
    const b = new HelpSteer3ComparisonBuilder({ cacheDir });
    const { train, test } = await b.getTrainAndTestDatasets();
    expect([train.length, test?.length]).toEqual([4, 1]);
    const labels = train
      .toArray()
      .map((r) => b.exampleToLabeledComparison(r)?.label ?? "tie")
      .sort();
    expect(labels).toEqual(["A", "A", "B", "tie"]);
  });
});
