import type { Message, Renderer, Tokenizer } from "@crucible/renderers";
import { ModelInput } from "@crucible/tinker-client";
import { expect } from "vitest";
import { type ArgsStyle, renderTemplate, toHfMessages } from "./templates.js";

export interface ParityCase {
  renderer: Renderer;
  tokenizer: Tokenizer;
  template: string;
  /** Extra template variables (bos_token, enable_thinking, …). */
  context: Record<string, unknown>;
  args?: ArgsStyle;
  /** The template ends a finished conversation with a newline the renderer leaves to the next header (Qwen). */
  dropTrailingNewline?: boolean;
  /** A documented, intended difference applied to the template's text before comparing (see each use). */
  adjustExpected?: (text: string) => string;
}

export function templateString(
  c: ParityCase,
  messages: readonly Message[],
  addGenerationPrompt: boolean,
): string {
  return renderTemplate(c.template, {
    ...c.context,
    messages: toHfMessages(messages, c.args),
    add_generation_prompt: addGenerationPrompt,
  });
}

export interface Comparison {
  rendered: number[];
  expected: number[];
  expectedText: string;
}

/** Generation prompt of messages[:-1] and supervised example of messages, against the template tokenised whole. */
export function compare(
  c: ParityCase,
  messages: readonly Message[],
): { prompt: Comparison; sft: Comparison } {
  const adjust = c.adjustExpected ?? ((t: string) => t);
  const promptText = adjust(templateString(c, messages.slice(0, -1), true));
  let sftText = adjust(templateString(c, messages, false));
  if (c.dropTrailingNewline) {
    expect(sftText.endsWith("\n")).toBe(true);
    sftText = sftText.slice(0, -1);
  }
  return {
    prompt: {
      rendered: ModelInput.toInts(c.renderer.buildGenerationPrompt(messages.slice(0, -1))),
      expected: c.tokenizer.encode(promptText),
      expectedText: promptText,
    },
    sft: {
      rendered: ModelInput.toInts(c.renderer.buildSupervisedExample(messages).modelInput),
      expected: c.tokenizer.encode(sftText),
      expectedText: sftText,
    },
  };
}

export function count(xs: readonly number[], id: number): number {
  return xs.filter((x) => x === id).length;
}

export function occurrences(s: string, sub: string): number {
  return s.split(sub).length - 1;
}
