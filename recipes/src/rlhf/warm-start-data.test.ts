import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  bundledComparisonPrompts,
  bundledPromptAnswers,
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

  it("pairs each prompt with its preferred answer and the four tails its comparisons pad it with", () => {
    const answers = bundledPromptAnswers();
    expect(answers[0]!.short).toBe("4.");
    expect(answers[0]!.tails).toHaveLength(4);
    expect(new Set(answers.flatMap((a) => a.tails))).toEqual(
      new Set([
        " I hope this helps you a lot!",
        " Let me know if you need more!",
        " Feel free to ask me anything!",
        " That is my full and final answer!",
      ]),
    );
  });

  it("answers every prompt short one pass in eight and padded otherwise", () => {
    const prompts = bundledPromptAnswers();
    const rows = shortOrPaddedConversations(256);
    rows.forEach((r, i) => {
      const p = prompts[i % 32]!;
      expect(r.messages.slice(0, -1)).toEqual(p.prompt);
      const answer = r.messages.at(-1)!.content as string;
      expect(answer === p.short || p.tails.some((t) => answer === p.short + t), answer).toBe(true);
    });
    for (let k = 0; k < 32; k++) {
      const shorts = [0, 1, 2, 3, 4, 5, 6, 7].filter(
        (pass) => rows[pass * 32 + k]!.messages.at(-1)!.content === prompts[k]!.short,
      );
      expect(shorts, `prompt ${k}`).toHaveLength(1);
    }
    expect(rows[0]!.messages.at(-1)!.content).toBe("4.");
    expect(rows[1]!.messages.at(-1)!.content).toBe("Paris. I hope this helps you a lot!");
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
