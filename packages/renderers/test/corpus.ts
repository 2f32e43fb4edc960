import type { ContentPart, Message, ToolCall } from "@crucible/renderers";
import { pyJsonDumps } from "@crucible/renderers";

/** Small seeded PRNG (mulberry32): test data only, no numpy parity needed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = [
  "the",
  "answer",
  "is",
  "42",
  "photosynthesis",
  "function",
  "x = y + 1;",
  "3.14159",
  "Paris",
  "hello,",
  "world!",
  "don't",
  "it's",
  "(see above)",
  "e.g.",
  "#include",
  "{json}",
  "a\tb",
  "line\nbreak",
  "two\n\nlines",
  "  spaced",
];
const UNICODE = [
  "café",
  "naïve",
  "日本語のテキスト",
  "emoji 🎉🚀",
  "Ω≈ç√∫",
  "Привет мир",
  "ﬁ ligature",
  "👩‍💻",
  "½ ¾",
  "مرحبا",
];

export interface CorpusFeatures {
  thinking: boolean;
  /** Thinking may appear in the final reply too (default true). */
  thinkingInLast?: boolean;
  tools: boolean;
  /** Tool calls per assistant tool turn: 1 to this many, each answered by its own tool message (default 1). */
  maxToolCalls?: number;
  /** Special-token strings that may appear inside user text. */
  specialStrings: readonly string[];
}

export interface CorpusConversation {
  messages: Message[];
  /** User text contains a special-token string. */
  specialInUser: boolean;
}

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)] as T;
}

/** Text without leading/trailing whitespace (chat templates differ on stripping; that is tested separately). */
function text(r: () => number, words: number, special: readonly string[] = []): string {
  const out: string[] = [];
  for (let i = 0; i < words; i++) {
    const u = r();
    if (u < 0.15) out.push(pick(r, UNICODE));
    else if (u < 0.2 && special.length > 0) out.push(pick(r, special));
    else out.push(pick(r, WORDS));
  }
  return out.join(r() < 0.2 ? "\n" : " ").trim() || "ok";
}

function toolCall(r: () => number): ToolCall {
  const args = new Map<string, unknown>([
    ["city", pick(r, ["SF", "Zürich", "東京", 'New "York"'])],
    ["days", Math.floor(r() * 10)],
  ]);
  if (r() < 0.5) args.set("units", pick(r, [["c", "f"], { metric: true }, 2.5, null]));
  return {
    type: "function",
    function: {
      name: pick(r, ["get_weather", "search", "lookup_city"]),
      arguments: pyJsonDumps(args as never),
    },
  };
}

/**
 * Random conversations ending with an assistant message: optional system, 1–4 user turns, optional tool
 * rounds (assistant with text + 1..maxToolCalls tool calls, one tool result per call, final assistant), optional thinking on assistant
 * turns that the chat templates also keep or drop (the last reply, and replies before the last user message).
 */
export function generateCorpus(seed: number, count: number, f: CorpusFeatures): CorpusConversation[] {
  const r = rng(seed);
  const out: CorpusConversation[] = [];
  for (let c = 0; c < count; c++) {
    const messages: Message[] = [];
    let specialInUser = false;
    if (r() < 0.5) messages.push({ role: "system", content: text(r, 3 + Math.floor(r() * 8)) });
    const turns = 1 + Math.floor(r() * 4);
    for (let t = 0; t < turns; t++) {
      const useSpecial = f.specialStrings.length > 0 && r() < 0.25;
      specialInUser ||= useSpecial;
      messages.push({
        role: "user",
        content: text(r, 2 + Math.floor(r() * 12), useSpecial ? f.specialStrings : []),
      });
      const last = t === turns - 1;
      if (f.tools && r() < 0.3) {
        const calls = (f.maxToolCalls ?? 1) > 1 ? 1 + Math.floor(r() * (f.maxToolCalls as number)) : 1;
        const toolCalls = Array.from({ length: calls }, () => toolCall(r));
        messages.push({ role: "assistant", content: text(r, 2 + Math.floor(r() * 4)), toolCalls });
        for (const call of toolCalls) {
          messages.push({
            role: "tool",
            content: text(r, 2 + Math.floor(r() * 6)),
            name: call.function.name,
          });
        }
        messages.push({ role: "assistant", content: text(r, 2 + Math.floor(r() * 10)) });
        continue;
      }
      const answer = text(r, 1 + Math.floor(r() * 15));
      if (f.thinking && (!last || f.thinkingInLast !== false) && r() < 0.5) {
        const parts: ContentPart[] = [
          { type: "thinking", thinking: text(r, 2 + Math.floor(r() * 10)) },
          { type: "text", text: answer },
        ];
        messages.push({ role: "assistant", content: parts });
      } else {
        messages.push({ role: "assistant", content: answer });
      }
    }
    out.push({ messages, specialInUser });
  }
  return out;
}
