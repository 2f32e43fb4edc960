// A format-only warm start for guess_number on a random tiny model: a few SFT steps on the game's first turn
// (the cookbook's system prompt → "Guess: <n>") so that some replies parse. A random tiny-bytes model never writes
// "Guess: " by itself, so every reply scores −1 and RL has no signal; after this, groups mix parsed (0 or 1) and
// unparsed (−1) replies and RL can raise the parse rate. The guesses are spread over the range, so the warm start
// teaches the format, not where the targets are.
import { GUESS_NUMBER_SYSTEM_PROMPT, GUESS_NUMBER_UPPER_BOUND } from "@crucible/env";
import type { Renderer } from "@crucible/renderers";
import type { Datum } from "@crucible/tinker-client";
import { conversationToDatum } from "@crucible/train";

/** One datum per guess: the opening turn of a game, answered with `Guess: <n>`, loss on the reply only. */
export function guessFormatDatums(renderer: Renderer, count: number): Datum[] {
  return Array.from({ length: count }, (_, i) => {
    const guess = Math.floor(((i + 0.5) * GUESS_NUMBER_UPPER_BOUND) / count);
    return conversationToDatum(
      [
        { role: "system", content: GUESS_NUMBER_SYSTEM_PROMPT },
        { role: "assistant", content: `Guess: ${guess}` },
      ],
      renderer,
      null,
      "last_assistant_message",
    );
  });
}
