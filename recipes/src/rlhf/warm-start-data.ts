// A supervised start for local rlhf runs on tiny-bytes whose answers the reward model can tell apart. The default
// 2-step SFT leaves random byte strings that never end (the "\n\nUser:" stop is never written), all of one length,
// so a reward model trained on short-vs-padded answers sees pairs that differ only in noise and often calls them a
// tie both ways: no signal for RL. After these conversations (every prompt of the bundled comparisons answered
// "Yes." or "Yes." + one of the comparisons' verbose tails, half each) the policy ends some answers and runs on in
// others, so answers differ in length and in tail, which is what the reward model was trained on.
import { readFileSync, writeFileSync } from "node:fs";
import type { Message } from "@crucible/renderers";
import { bundledData, RLHF_COMPARISONS_FILE } from "../common/data.js";

const TAIL = "I hope this helps you a lot!";

/** The distinct prompt conversations of the bundled comparisons, in file order. */
export function bundledComparisonPrompts(): Message[][] {
  const seen = new Map<string, Message[]>();
  for (const line of readFileSync(bundledData(RLHF_COMPARISONS_FILE), "utf8").split("\n")) {
    if (!line.trim()) continue;
    const prompt = (JSON.parse(line) as { prompt_conversation: Message[] }).prompt_conversation;
    seen.set(JSON.stringify(prompt), prompt);
  }
  return [...seen.values()];
}

/** `rows` conversations cycling over the prompts, alternating a short and a padded answer per pass. */
export function shortOrPaddedConversations(rows: number): { messages: Message[] }[] {
  const prompts = bundledComparisonPrompts();
  return Array.from({ length: rows }, (_, i) => {
    const padded = (i + Math.floor(i / prompts.length)) % 2 === 1;
    const answer: Message = { role: "assistant", content: padded ? `Yes. ${TAIL}` : "Yes." };
    return { messages: [...prompts[i % prompts.length]!, answer] };
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
