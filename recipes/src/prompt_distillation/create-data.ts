// Stage 1 of prompt distillation (cookbook recipes/prompt_distillation/create_data.py): the teacher answers each
// prompt with the long system prompt in its context; each (prompt, answer) pair becomes a conversation *without*
// the system prompt, which is what the student is then fine-tuned on.
import { mkdirSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import { writeFileAtomic } from "@crucible/log";
import { getTextContent, type Message, type Renderer } from "@crucible/renderers";
import type { SamplingClient } from "@crucible/tinker-client";

export interface TeacherDataOptions {
  teacher: SamplingClient;
  renderer: Renderer;
  systemPrompt: string;
  prompts: readonly string[];
  temperature: number;
  maxTokens: number;
  /** The first capture group (else the whole match) is the answer; replies without a match are dropped. null = whole reply. */
  answerRegex: string | null;
  /** Per-prompt sampling seeds are seed + index (reproducible data on the local backend). */
  seed?: number;
}

export interface DistillationRow {
  messages: Message[];
}

/** What the teacher sees: the system prompt, then the prompt. */
export function teacherMessages(systemPrompt: string, prompt: string): Message[] {
  return [
    { role: "system", content: systemPrompt },
    { role: "user", content: prompt },
  ];
}

/** What the student sees: the prompt alone. */
export function studentMessages(prompt: string): Message[] {
  return [{ role: "user", content: prompt }];
}

/** The answer the student learns from a teacher reply, or null when the reply has none. */
export function extractAnswer(reply: string, answerRegex: string | null): string | null {
  if (answerRegex === null) return reply;
  const m = new RegExp(answerRegex).exec(reply);
  if (!m) return null;
  return m[1] ?? m[0];
}

/** Non-empty, trimmed lines of a prompts file (the cookbook reads example_data/multilingual.txt this way). */
export function readPrompts(file: string, maxPrompts: number | null): string[] {
  const lines = readFileSync(file, "utf8")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  return maxPrompts === null ? lines : lines.slice(0, maxPrompts);
}

/** Samples one teacher reply per prompt (all requests in flight at once) and keeps those with an answer. */
export async function generateTeacherData(
  o: TeacherDataOptions,
): Promise<{ rows: DistillationRow[]; dropped: number }> {
  const stop = o.renderer.getStopSequences();
  const replies = await Promise.all(
    o.prompts.map((p, i) =>
      o.teacher.sample({
        prompt: o.renderer.buildGenerationPrompt(teacherMessages(o.systemPrompt, p)),
        numSamples: 1,
        samplingParams: {
          maxTokens: o.maxTokens,
          temperature: o.temperature,
          stop,
          ...(o.seed !== undefined && { seed: o.seed + i }),
        },
      }),
    ),
  );
  const rows: DistillationRow[] = [];
  o.prompts.forEach((p, i) => {
    const tokens = replies[i]!.sequences[0]!.tokens;
    const reply = getTextContent(o.renderer.parseResponse(tokens).message);
    const answer = extractAnswer(reply, o.answerRegex);
    if (answer !== null)
      rows.push({ messages: [...studentMessages(p), { role: "assistant", content: answer }] });
  });
  return { rows, dropped: o.prompts.length - rows.length };
}

/** Writes the conversations as JSONL in one atomic step (a killed run never leaves half a file to train on). */
export function writeDistillationData(file: string, rows: readonly DistillationRow[]): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileAtomic(file, rows.map((r) => `${JSON.stringify(r)}\n`).join(""));
}
