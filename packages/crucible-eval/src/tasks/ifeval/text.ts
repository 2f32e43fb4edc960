// Text helpers of the IFEval checkers (google-research instruction_following_eval/instructions_util.py): words are
// \w+ runs, sentences come from a rule-based splitter that keeps abbreviations, initials, decimals and
// websites together, and Python's str.isupper/islower semantics.
import { detect } from "tinyld";

export function countWords(text: string): number {
  return (text.match(/[\p{L}\p{N}_]+/gu) ?? []).length;
}

const PREFIXES = /\b(Mr|St|Mrs|Ms|Dr|Prof|Capt|Cpt|Lt|Mt|Jr|Sr|Inc|Ltd|Co|Corp|vs|etc|e\.g|i\.e)[.]/g;
const WEBSITES = /[.](com|net|org|io|gov|edu|me)\b/g;
const DIGIT_DOT_DIGIT = /(\d)[.](\d)/g;
const ACRONYM = /\b([A-Z])[.](?=[A-Z][.])/g;

/** Sentences of `text` (the reference's split_into_sentences, with the same protected patterns). */
export function splitSentences(text: string): string[] {
  let t = ` ${text}  `.replace(/\n/g, " ");
  t = t.replace(PREFIXES, "$1<prd>").replace(WEBSITES, "<prd>$1").replace(DIGIT_DOT_DIGIT, "$1<prd>$2");
  t = t.replace(/\.\.\./g, "<prd><prd><prd>").replace(ACRONYM, "$1<prd>");
  t = t.replace(/\s([A-Z])[.] /g, " $1<prd> ");
  t = t.replace(/([.!?])(["”])/g, "$2$1");
  t = t.replace(/([.!?])/g, "$1<stop>").replace(/<prd>/g, ".");
  return t
    .split("<stop>")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

export function countSentences(text: string): number {
  return splitSentences(text).length;
}

const hasCased = (s: string) => s.toUpperCase() !== s.toLowerCase();

/** Python's str.isupper: some cased character, none lower case. */
export function isUpper(s: string): boolean {
  return hasCased(s) && s === s.toUpperCase();
}

export function isLower(s: string): boolean {
  return hasCased(s) && s === s.toLowerCase();
}

/** ISO 639-1 code of the text's language; undefined when undecidable (the reference then passes the check). */
export function detectLanguage(text: string): string | undefined {
  const code = detect(text);
  return code ? code : undefined;
}

export type Relation = "less than" | "at least";

export function compare(count: number, relation: unknown, n: number): boolean {
  if (relation === "less than") return count < n;
  if (relation === "at least") return count >= n;
  throw new Error(`IFEval: relation must be "less than" or "at least", got ${String(relation)}`);
}
