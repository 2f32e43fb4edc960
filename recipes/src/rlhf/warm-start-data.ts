// A supervised start for local rlhf runs on tiny-bytes whose answers the reward model was trained to judge. Every
// bundled comparison pits a prompt's short answer against the same answer padded with a verbose tail. The default
// 2-step SFT leaves random byte strings that never end, all of one length, which a reward model trained on such pairs
// often calls a tie both ways: no signal for RL. After these conversations (each prompt answered with its own short
// answer, or, seven times in eight, that answer plus one of its comparisons' tails) the policy writes answers like the
// comparisons', mostly padded, so RL against the reward model has a tail to drop.
import { readFileSync, writeFileSync } from "node:fs";
import type { Message } from "@crucible/renderers";
import { bundledData, RLHF_COMPARISONS_FILE } from "../common/data.js";

interface ComparisonRow {
  prompt_conversation: Message[];
  completion_A: Message[];
  completion_B: Message[];
  label: "A" | "B";
}

/** A prompt of the bundled comparisons, its preferred (short) answer, and the tails its padded answers add. */
export interface PromptAnswers {
  prompt: Message[];
  short: string;
  tails: string[];
}

/** The distinct prompts of the bundled comparisons in file order, each with its short answer and tails. */
export function bundledPromptAnswers(): PromptAnswers[] {
  const byPrompt = new Map<string, PromptAnswers>();
  for (const line of readFileSync(bundledData(RLHF_COMPARISONS_FILE), "utf8").split("\n")) {
    if (!line.trim()) continue;
    const row = JSON.parse(line) as ComparisonRow;
    const [winner, loser] =
      row.label === "A" ? [row.completion_A, row.completion_B] : [row.completion_B, row.completion_A];
    const short = winner[0]!.content as string;
    const padded = loser[0]!.content as string;
    if (!padded.startsWith(short))
      throw new Error(`rlhf comparisons: "${padded}" does not extend "${short}"`);
    const key = JSON.stringify(row.prompt_conversation);
    const entry = byPrompt.get(key) ?? { prompt: row.prompt_conversation, short, tails: [] };
    entry.tails.push(padded.slice(short.length));
    byPrompt.set(key, entry);
  }
  return [...byPrompt.values()];
}

/** The distinct prompt conversations of the bundled comparisons, in file order. */
export function bundledComparisonPrompts(): Message[][] {
  return bundledPromptAnswers().map((p) => p.prompt);
}

/** Of every PADDED_PERIOD answers to a prompt, all but one are padded. */
const PADDED_PERIOD = 8;

/** `rows` conversations cycling over the prompts. Within a pass every eighth prompt gets its short answer and the
 * rest a padded one; the pattern shifts by one each pass, so each prompt is answered short one pass in eight. A
 * prompt's padded answers cycle over its tails, two passes per tail. */
export function shortOrPaddedConversations(rows: number): { messages: Message[] }[] {
  const prompts = bundledPromptAnswers();
  return Array.from({ length: rows }, (_, i) => {
    const p = prompts[i % prompts.length]!;
    const pass = Math.floor(i / prompts.length);
    const padded = (i + pass) % PADDED_PERIOD !== 0;
    const tail = p.tails[Math.floor(pass / 2) % p.tails.length]!;
    const answer: Message = { role: "assistant", content: padded ? p.short + tail : p.short };
    return { messages: [...p.prompt, answer] };
  });
}

/** Writes shortOrPaddedConversations as an `sft_dataset=` JSONL file. */
export function writeShortOrPaddedSft(path: string, rows: number): void {
  writeFileSync(
    path,
    shortOrPaddedConversations(rows)
      .map((c) => `${JSON.stringify(c)}\n`)
      .join(""),
  );
}
