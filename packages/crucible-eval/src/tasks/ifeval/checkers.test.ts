// One case per IFEval instruction type: a response that follows it and one that does not.
import { describe, expect, it } from "vitest";
import { CHECKERS, checkInstructions, type Kwargs } from "./checkers.js";
import { countSentences, countWords } from "./text.js";

const words = (n: number) => Array.from({ length: n }, (_, i) => `w${i}`).join(" ");

const CASES: [id: string, kwargs: Kwargs, follows: string, violates: string][] = [
  ["keywords:existence", { keywords: ["tokyo", "sushi"] }, "Eat Sushi in Tokyo.", "Eat ramen in Tokyo."],
  ["keywords:frequency", { keyword: "cat", frequency: 3, relation: "at least" }, "cat Cat CAT", "cat cat"],
  ["keywords:forbidden_words", { forbidden_words: ["very"] }, "Everyone is happy.", "It is Very good."],
  [
    "keywords:letter_frequency",
    { letter: "z", let_frequency: 2, let_relation: "less than" },
    "zebra",
    "zig zag",
  ],
  [
    "language:response_language",
    { language: "de" },
    "Ich habe heute einen langen Spaziergang im Park gemacht und viele Vögel gesehen.",
    "I took a long walk in the park today and saw many birds.",
  ],
  [
    "length_constraints:number_sentences",
    { num_sentences: 3, relation: "less than" },
    "One. Two.",
    "One. Two. Three!",
  ],
  [
    "length_constraints:number_paragraphs",
    { num_paragraphs: 2 },
    "First part.\n***\nSecond part.",
    "Only one part.",
  ],
  ["length_constraints:number_words", { num_words: 10, relation: "at least" }, words(10), words(9)],
  [
    "length_constraints:nth_paragraph_first_word",
    { num_paragraphs: 2, nth_paragraph: 2, first_word: "then" },
    "First.\n\nThen, second.",
    "First.\n\nAfter that.",
  ],
  [
    "detectable_content:number_placeholders",
    { num_placeholders: 2 },
    "Dear [name], at [address].",
    "Dear [name].",
  ],
  [
    "detectable_content:postscript",
    { postscript_marker: "P.S." },
    "Hello.\nP.S. See you.",
    "Hello. See you.",
  ],
  ["detectable_format:number_bullet_lists", { num_bullets: 2 }, "* one\n* two", "* one\n* two\n- three"],
  ["detectable_format:constrained_response", {}, "My answer is yes.", "Yes."],
  ["detectable_format:number_highlighted_sections", { num_highlights: 2 }, "*one* and **two**", "*one* only"],
  [
    "detectable_format:multiple_sections",
    { section_spliter: "Section", num_sections: 2 },
    "Section 1\nA\nSection 2\nB",
    "Section 1\nA",
  ],
  ["detectable_format:json_format", {}, '```json\n{"a": 1}\n```', "{a: 1}"],
  ["detectable_format:title", {}, "<<My Poem>>\nRoses are red.", "My Poem\nRoses are red."],
  ["combination:two_responses", {}, "Answer one.\n******\nAnswer two.", "Answer one.\n******\nAnswer one."],
  ["combination:repeat_prompt", { prompt_to_repeat: "Say hi." }, "Say hi. Hi!", "Hi! Say hi."],
  [
    "startend:end_checker",
    { end_phrase: "Any other questions?" },
    'Done. "Any other questions?"',
    "Any other questions? Done.",
  ],
  [
    "change_case:capital_word_frequency",
    { capital_frequency: 2, capital_relation: "at least" },
    "THE CAT sat",
    "The CAT sat",
  ],
  [
    "change_case:english_capital",
    {},
    "THIS IS A SHORT ENGLISH SENTENCE ABOUT THE WEATHER TODAY.",
    "This is a short English sentence about the weather today.",
  ],
  [
    "change_case:english_lowercase",
    {},
    "this is a short english sentence about the weather today.",
    "this is a Short english sentence about the weather today.",
  ],
  ["punctuation:no_comma", {}, "No commas here.", "One, two."],
  ["startend:quotation", {}, '"Wrapped in quotes."', "Not wrapped."],
];

describe("IFEval instruction checkers", () => {
  it("covers all 25 instruction types", () => {
    expect(CASES.map((c) => c[0]).sort()).toEqual(Object.keys(CHECKERS).sort());
    expect(CASES).toHaveLength(25);
  });

  for (const [id, kwargs, follows, violates] of CASES) {
    it(id, () => {
      expect(checkInstructions(follows, [id], [kwargs], "")).toEqual([true]);
      expect(checkInstructions(violates, [id], [kwargs], "")).toEqual([false]);
    });
  }

  it("loose mode forgives a first/last line and markdown asterisks", () => {
    const r = "Sure, here it is:\nthe answer in lower case";
    expect(checkInstructions(r, ["change_case:english_lowercase"], [{}], "")).toEqual([false]);
    expect(checkInstructions(r, ["change_case:english_lowercase"], [{}], "", true)).toEqual([true]);
    expect(
      checkInstructions("**Done** is near", ["startend:end_checker"], [{ end_phrase: "near" }], "", true),
    ).toEqual([true]);
  });

  it("text helpers: words are \\w+ runs; abbreviations and decimals do not end sentences", () => {
    expect(countWords("It's 3.5 km-long, isn't it?")).toBe(9); // It s 3 5 km long isn t it
    expect(countSentences("Dr. Smith paid $3.50 for it. Then he left! Did he?")).toBe(3);
    expect(countSentences("Visit example.com for more. Thanks.")).toBe(2);
  });

  it("an unknown instruction is a typed error", () => {
    expect(() => checkInstructions("x", ["nope:nothing"], [{}], "")).toThrow(
      /unknown instruction 'nope:nothing'/,
    );
  });
});
