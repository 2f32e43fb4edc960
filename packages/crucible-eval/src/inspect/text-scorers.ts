// Text scorers: match, includes, pattern, exact, f1 and choice. Each scores the model's final completion
// against every target and takes the best.
import { defaultMetrics, mean, stderr } from "./metrics.js";
import type { Score, Scorer, TaskState } from "./types.js";
import { CORRECT, INCORRECT } from "./types.js";

const stripPunct = (s: string) => s.replace(/^[\s"'`.,;:!?()[\]{}*]+|[\s"'`.,;:!?()[\]{}*]+$/g, "");

/** Numbers without thousands separators, trailing zeros or a leading plus ("1,000.50" → "1000.5"). */
export function normalizeNumber(s: string): string {
  const t = s.replace(/,/g, "").replace(/^\+/, "").replace(/^\$/, "");
  const n = Number(t);
  return t.trim() !== "" && Number.isFinite(n) ? String(n) : s;
}

export interface MatchOptions {
  /** Where the target must appear in the answer (default "end"). */
  location?: "begin" | "end" | "any" | "exact";
  ignoreCase?: boolean;
  /** Compare numbers by value ("1,000" matches "1000.0"): the first/last number of the answer. */
  numeric?: boolean;
}

export function match(o: MatchOptions = {}): Scorer {
  const location = o.location ?? "end";
  const ignoreCase = o.ignoreCase ?? true;
  const norm = (s: string) => (ignoreCase ? s.toLowerCase() : s).trim();
  return {
    name: "match",
    params: { location, ignore_case: ignoreCase, numeric: o.numeric ?? false },
    metrics: defaultMetrics(),
    async score(state, targets) {
      const text = state.output.completion;
      if (o.numeric) {
        const nums = text.match(/[-+]?\$?\d[\d,]*(?:\.\d+)?/g) ?? [];
        const pick = location === "begin" ? nums[0] : nums[nums.length - 1];
        const answer = pick !== undefined ? normalizeNumber(pick) : "";
        const ok = targets.some((t) => normalizeNumber(t.trim()) === answer);
        return { value: ok ? CORRECT : INCORRECT, answer };
      }
      const a = norm(stripPunct(text));
      const ok = targets.some((raw) => {
        const t = norm(stripPunct(raw));
        if (!t) return false;
        if (location === "exact") return a === t;
        if (location === "begin") return a.startsWith(t);
        if (location === "end") return a.endsWith(t);
        return a.includes(t);
      });
      return { value: ok ? CORRECT : INCORRECT, answer: text };
    },
  };
}

export function includes(o: { ignoreCase?: boolean } = {}): Scorer {
  const ignoreCase = o.ignoreCase ?? true;
  const f = (s: string) => (ignoreCase ? s.toLowerCase() : s);
  return {
    name: "includes",
    params: { ignore_case: ignoreCase },
    metrics: defaultMetrics(),
    async score(state, targets) {
      const a = f(state.output.completion);
      const ok = targets.some((t) => t !== "" && a.includes(f(t)));
      return { value: ok ? CORRECT : INCORRECT, answer: state.output.completion };
    },
  };
}

/** Extracts the answer with `regex` (its first group, else the whole match); the last match counts. */
export function pattern(regex: RegExp | string, o: { ignoreCase?: boolean } = {}): Scorer {
  const ignoreCase = o.ignoreCase ?? true;
  const re = new RegExp(typeof regex === "string" ? regex : regex.source, `g${ignoreCase ? "i" : ""}`);
  return {
    name: "pattern",
    params: { pattern: re.source, ignore_case: ignoreCase },
    metrics: defaultMetrics(),
    async score(state, targets) {
      const found = [...state.output.completion.matchAll(re)];
      const last = found[found.length - 1];
      if (!last) return { value: INCORRECT, explanation: "no match for the answer pattern" };
      const answer = (last[1] ?? last[0]).trim();
      const eq = (t: string) =>
        ignoreCase ? t.trim().toLowerCase() === answer.toLowerCase() : t.trim() === answer;
      return { value: targets.some(eq) ? CORRECT : INCORRECT, answer };
    },
  };
}

/** SQuAD-style text normalisation: lower case, no punctuation, no articles, single spaces. */
export function normalizeText(s: string): string {
  return s
    .toLowerCase()
    .replace(/[\p{P}\p{S}]/gu, " ")
    .replace(/\b(a|an|the)\b/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}

export function exact(): Scorer {
  return {
    name: "exact",
    metrics: [mean(), stderr()],
    async score(state, targets) {
      const a = normalizeText(state.output.completion);
      return {
        value: targets.some((t) => normalizeText(t) === a) ? CORRECT : INCORRECT,
        answer: state.output.completion,
      };
    },
  };
}

/** Token-overlap F1 between answer and target (best target). */
export function tokenF1(answer: string, target: string): number {
  const a = normalizeText(answer).split(" ").filter(Boolean);
  const t = normalizeText(target).split(" ").filter(Boolean);
  if (a.length === 0 || t.length === 0) return a.length === t.length ? 1 : 0;
  const counts = new Map<string, number>();
  for (const w of t) counts.set(w, (counts.get(w) ?? 0) + 1);
  let common = 0;
  for (const w of a) {
    const c = counts.get(w) ?? 0;
    if (c > 0) {
      common++;
      counts.set(w, c - 1);
    }
  }
  if (common === 0) return 0;
  const p = common / a.length;
  const r = common / t.length;
  return (2 * p * r) / (p + r);
}

export function f1(): Scorer {
  return {
    name: "f1",
    metrics: [mean(), stderr()],
    async score(state, targets) {
      const a = state.output.completion;
      return { value: Math.max(0, ...targets.map((t) => tokenF1(a, t))), answer: a };
    },
  };
}

/** Multiple choice: the letter `multipleChoice()` parsed must be one of the target letters. */
export function choice(): Scorer {
  return {
    name: "choice",
    metrics: defaultMetrics(),
    async score(state: TaskState, targets): Promise<Score> {
      const pick = state.store["choice"];
      if (typeof pick !== "string") return { value: INCORRECT, explanation: "no choice could be parsed" };
      const ok = targets.some((t) => t.trim().toUpperCase() === pick);
      return { value: ok ? CORRECT : INCORRECT, answer: pick };
    },
  };
}
