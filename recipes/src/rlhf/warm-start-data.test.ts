import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  bundledComparisonPrompts,
  shortOrPaddedConversations,
  writeShortOrPaddedSft,
} from "./warm-start-data.js";

describe("rlhf warm-start data", () => {
  it("takes the 32 distinct prompts of the bundled comparisons", () => {
    const prompts = bundledComparisonPrompts();
    expect(prompts).toHaveLength(32);
    expect(new Set(prompts.map((p) => JSON.stringify(p))).size).toBe(32);
    expect(prompts[0]).toEqual([{ role: "user", content: "What is 2 + 2?" }]);
  });

  it("answers every prompt short and padded equally often, alternating per pass", () => {
    const rows = shortOrPaddedConversations(128);
    const answers = rows.map((r) => r.messages.at(-1)!.content);
    expect(answers.filter((a) => a === "Yes.")).toHaveLength(64);
    expect(answers.filter((a) => a === "Yes. I hope this helps you a lot!")).toHaveLength(64);
    // Prompt i's answer flips between passes, so each prompt is seen with both.
    expect(answers[0]).toBe("Yes.");
    expect(answers[32]).not.toBe(answers[0]);
    expect(rows[33]!.messages[0]).toEqual(rows[1]!.messages[0]);
  });

  it("writes one JSONL conversation per row", () => {
    const dir = mkdtempSync(join(tmpdir(), "crucible-rlhf-warm-"));
    try {
      writeShortOrPaddedSft(join(dir, "sft.jsonl"), 8);
      const lines = readFileSync(join(dir, "sft.jsonl"), "utf8").trim().split("\n");
      expect(lines.map((l) => JSON.parse(l))).toEqual(shortOrPaddedConversations(8));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
