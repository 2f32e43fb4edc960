// Shared by the cookbook-path tests: a supervised example is checked piece by piece, each piece's text encoded on its
// own (as the cookbook's renderers encode each segment separately) and carrying one weight.
import type { Message, Renderer, TrainOnWhat } from "@crucible/renderers";
import { ModelInput } from "@crucible/tinker-client";
import { expect } from "vitest";

export type Piece = [text: string, weight: number];

export function expectSupervisedPieces(
  renderer: Renderer,
  messages: Message[],
  pieces: Piece[],
  ids: (text: string) => number[],
  mode: TrainOnWhat,
): void {
  const { modelInput, weights } = renderer.buildSupervisedExample(messages, mode);
  expect(ModelInput.toInts(modelInput)).toEqual(pieces.flatMap(([s]) => ids(s)));
  expect(Array.from(weights)).toEqual(pieces.flatMap(([s, w]) => ids(s).map(() => w)));
}

/** Two user turns, each answered with a thinking part and text: the history-thinking cases of several families. */
export const THINKING_HISTORY: Message[] = [
  { role: "user", content: "q1" },
  {
    role: "assistant",
    content: [
      { type: "thinking", thinking: "old" },
      { type: "text", text: "x" },
    ],
  },
  { role: "user", content: "q2" },
  {
    role: "assistant",
    content: [
      { type: "thinking", thinking: "t" },
      { type: "text", text: "y" },
    ],
  },
];
