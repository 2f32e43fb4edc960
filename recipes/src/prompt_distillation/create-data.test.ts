// The parts of stage 1 that need no backend: answer extraction (the cookbook's "Final Answer: (\w+)"), the prompt
// file reader, the message layouts, and the atomic JSONL write.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import {
  extractAnswer,
  readPrompts,
  studentMessages,
  teacherMessages,
  writeDistillationData,
} from "./create-data.js";
import { FINAL_ANSWER_REGEX } from "./prompt.js";

const dir = mkdtempSync(join(tmpdir(), "crucible-pd-data-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("prompt distillation data", () => {
  it("keeps the label the cookbook's regex captures and drops replies without one", () => {
    expect(extractAnswer("Script is Cyrillic.\nFinal Answer: ru", FINAL_ANSWER_REGEX)).toBe("ru");
    expect(extractAnswer("I think it is French.", FINAL_ANSWER_REGEX)).toBeNull();
    expect(extractAnswer("label=de;", "label=[a-z]+")).toBe("label=de"); // no group: the whole match
  });

  it("answer_regex None keeps every reply unchanged", () => {
    fc.assert(fc.property(fc.string(), (reply) => extractAnswer(reply, null) === reply));
  });

  it("reads non-empty trimmed lines, the first max_prompts of them", () => {
    const f = join(dir, "prompts.txt");
    writeFileSync(f, "  Bonjour à tous  \n\n Hola\r\n\nGuten Tag\n");
    expect(readPrompts(f, null)).toEqual(["Bonjour à tous", "Hola", "Guten Tag"]);
    expect(readPrompts(f, 2)).toEqual(["Bonjour à tous", "Hola"]);
  });

  it("the teacher sees the system prompt, the student only the prompt", () => {
    expect(teacherMessages("RULES", "Hola").map((m) => m.role)).toEqual(["system", "user"]);
    expect(studentMessages("Hola")).toEqual([{ role: "user", content: "Hola" }]);
  });

  it("writes one conversation per line, creating the folder, with no temp file left", () => {
    const f = join(dir, "nested", "data.jsonl");
    const rows = [{ messages: [...studentMessages("Hola"), { role: "assistant" as const, content: "es" }] }];
    writeDistillationData(f, rows);
    expect(readFileSync(f, "utf8")).toBe(`${JSON.stringify(rows[0])}\n`);
    expect(readdirSync(join(dir, "nested"))).toEqual(["data.jsonl"]);
  });
});
