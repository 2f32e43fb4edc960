// The 25 IFEval instruction checkers (google-research instruction_following_eval/instructions.py): each takes the
// response and the instruction's kwargs and says whether the instruction was followed.
import { compare, countSentences, countWords, detectLanguage, isLower, isUpper } from "./text.js";

export type Kwargs = Record<string, unknown>;
export type Checker = (response: string, kw: Kwargs) => boolean;

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const num = (kw: Kwargs, k: string) => Number(kw[k]);
const s = (kw: Kwargs, k: string) => String(kw[k] ?? "");
const count = (text: string, re: RegExp) => (text.match(re) ?? []).length;

function paragraphsByStars(r: string): boolean | number {
  const parts = r.split(/\s?\*\*\*\s?/);
  let n = parts.length;
  for (let i = 0; i < parts.length; i++) {
    if (parts[i]!.trim() === "") {
      if (i === 0 || i === parts.length - 1) n--;
      else return false;
    }
  }
  return n;
}

export const CHECKERS: Record<string, Checker> = {
  "keywords:existence": (r, kw) =>
    ((kw["keywords"] as string[] | undefined) ?? []).every((k) => new RegExp(esc(k), "i").test(r)),
  "keywords:frequency": (r, kw) =>
    compare(count(r, new RegExp(esc(s(kw, "keyword")), "gi")), kw["relation"], num(kw, "frequency")),
  "keywords:forbidden_words": (r, kw) =>
    !((kw["forbidden_words"] as string[] | undefined) ?? []).some((w) =>
      new RegExp(`\\b${esc(w)}\\b`, "i").test(r),
    ),
  "keywords:letter_frequency": (r, kw) =>
    compare(
      [...r.toLowerCase()].filter((c) => c === s(kw, "letter").toLowerCase()).length,
      kw["let_relation"],
      num(kw, "let_frequency"),
    ),
  "language:response_language": (r, kw) => {
    const lang = detectLanguage(r);
    return lang === undefined || lang === s(kw, "language");
  },
  "length_constraints:number_sentences": (r, kw) =>
    compare(countSentences(r), kw["relation"], num(kw, "num_sentences")),
  "length_constraints:number_paragraphs": (r, kw) => paragraphsByStars(r) === num(kw, "num_paragraphs"),
  "length_constraints:number_words": (r, kw) => compare(countWords(r), kw["relation"], num(kw, "num_words")),
  "length_constraints:nth_paragraph_first_word": (r, kw) => {
    const paragraphs = r.split(/\n\n/);
    const n = paragraphs.filter((p) => p.trim() !== "").length;
    const nth = num(kw, "nth_paragraph");
    if (nth > n) return false;
    const p = paragraphs[nth - 1]!.trim();
    if (!p) return false;
    const word = (p.split(/\s+/)[0] ?? "").trim().replace(/^'+/, "").replace(/^"+/, "");
    let first = "";
    for (const ch of word) {
      if (".,?!'\"".includes(ch)) break;
      first += ch.toLowerCase();
    }
    return n === num(kw, "num_paragraphs") && first === s(kw, "first_word").toLowerCase();
  },
  "detectable_content:number_placeholders": (r, kw) => count(r, /\[.*?\]/g) >= num(kw, "num_placeholders"),
  "detectable_content:postscript": (r, kw) => {
    const marker = s(kw, "postscript_marker");
    const re =
      marker === "P.P.S"
        ? /\s*p\.\s?p\.\s?s.*$/m
        : marker === "P.S."
          ? /\s*p\.\s?s\..*$/m
          : new RegExp(`\\s*${esc(marker.toLowerCase())}.*$`, "m");
    return re.test(r.toLowerCase());
  },
  "detectable_format:number_bullet_lists": (r, kw) =>
    count(r, /^\s*\*[^*].*$/gm) + count(r, /^\s*-.*$/gm) === num(kw, "num_bullets"),
  "detectable_format:constrained_response": (r) =>
    ["My answer is yes.", "My answer is no.", "My answer is maybe."].some((o) => r.trim().includes(o)),
  "detectable_format:number_highlighted_sections": (r, kw) => {
    const ok = (h: string) => h.replace(/^\*+|\*+$/g, "").trim() !== "";
    const single = (r.match(/\*[^\n*]*\*/g) ?? []).filter(ok).length;
    const double = (r.match(/\*\*[^\n*]*\*\*/g) ?? []).filter(ok).length;
    return single + double >= num(kw, "num_highlights");
  },
  "detectable_format:multiple_sections": (r, kw) =>
    r.split(new RegExp(`\\s?${esc(s(kw, "section_spliter"))}\\s?\\d+\\s?`)).length - 1 >=
    num(kw, "num_sections"),
  "detectable_format:json_format": (r) => {
    let v = r.trim();
    for (const p of ["```json", "```Json", "```JSON", "```"]) if (v.startsWith(p)) v = v.slice(p.length);
    if (v.endsWith("```")) v = v.slice(0, -3);
    try {
      JSON.parse(v.trim());
      return true;
    } catch {
      return false;
    }
  },
  "detectable_format:title": (r) =>
    (r.match(/<<[^\n]+>>/g) ?? []).some((t) => t.replace(/^<+/, "").replace(/>+$/, "").trim() !== ""),
  "combination:two_responses": (r) => {
    const parts = r.split("******");
    const valid: string[] = [];
    for (let i = 0; i < parts.length; i++) {
      if (parts[i]!.trim() === "") {
        if (i !== 0 && i !== parts.length - 1) return false;
      } else valid.push(parts[i]!);
    }
    return valid.length === 2 && valid[0]!.trim() !== valid[1]!.trim();
  },
  "combination:repeat_prompt": (r, kw) =>
    r.trim().toLowerCase().startsWith(s(kw, "prompt_to_repeat").trim().toLowerCase()),
  "startend:end_checker": (r, kw) =>
    r
      .trim()
      .replace(/^"+|"+$/g, "")
      .toLowerCase()
      .endsWith(s(kw, "end_phrase").trim().toLowerCase()),
  "change_case:capital_word_frequency": (r, kw) =>
    compare(
      (r.match(/[\p{L}\p{N}_']+/gu) ?? []).filter(isUpper).length,
      kw["capital_relation"],
      num(kw, "capital_frequency"),
    ),
  "change_case:english_capital": (r) => {
    const lang = detectLanguage(r.toLowerCase());
    return isUpper(r) && (lang === undefined || lang === "en");
  },
  "change_case:english_lowercase": (r) => {
    const lang = detectLanguage(r);
    return isLower(r) && (lang === undefined || lang === "en");
  },
  "punctuation:no_comma": (r) => !r.includes(","),
  "startend:quotation": (r) => {
    const v = r.trim();
    return v.length > 1 && v.startsWith('"') && v.endsWith('"');
  },
};

export const INSTRUCTION_IDS = Object.keys(CHECKERS);

/** The loose variants of a response: without its first and/or last line, and with "*" removed. */
export function looseVariants(r: string): string[] {
  const lines = r.split("\n");
  const base = [
    r,
    lines.slice(1).join("\n").trim(),
    lines.slice(0, -1).join("\n").trim(),
    lines.slice(1, -1).join("\n").trim(),
  ];
  return [...base, ...base.map((v) => v.replace(/\*/g, ""))];
}

export class IfevalInstructionError extends Error {
  override readonly name = "IfevalInstructionError";
}

/** Whether each instruction is followed (strict: the response as is; loose: any non-empty variant). */
export function checkInstructions(
  response: string,
  ids: readonly string[],
  kwargs: readonly Kwargs[],
  prompt: string,
  loose = false,
): boolean[] {
  return ids.map((id, i) => {
    const check = CHECKERS[id];
    if (!check) throw new IfevalInstructionError(`IFEval: unknown instruction '${id}'`);
    const kw: Kwargs = Object.fromEntries(
      Object.entries(kwargs[i] ?? {}).filter(([, v]) => v !== null && v !== undefined),
    );
    if (id === "combination:repeat_prompt" && kw["prompt_to_repeat"] === undefined)
      kw["prompt_to_repeat"] = prompt;
    const variants = loose ? looseVariants(response) : [response];
    return variants.some((v) => v.trim() !== "" && check(v, kw));
  });
}
