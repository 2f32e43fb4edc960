// `key=value` command-line overrides (chz style, nested with dots), parsed by the type the recipe's zod
// schema declares for that key, then validated by the schema as a whole.
import { closest, distance } from "fastest-levenshtein";
import type { z } from "zod";
import { ConfigError } from "./errors.js";
import { allKeys, type FieldInfo, type FieldKind, kindLabel } from "./schema.js";

const NULL_WORDS = new Set(["None", "none", "null"]);
const TRUE_WORDS = new Set(["true", "True", "1", "yes"]);
const FALSE_WORDS = new Set(["false", "False", "0", "no"]);

/** "did you mean" hint: the closest candidate if it is plausibly a typo. */
export function didYouMean(input: string, candidates: readonly string[]): string | undefined {
  if (candidates.length === 0) return undefined;
  const best = closest(input, candidates as string[]);
  const leaf = (s: string) => s.split(".").pop() ?? s;
  const d = Math.min(distance(input, best), distance(leaf(input), leaf(best)));
  return d <= Math.max(2, Math.floor(input.length / 3)) ? best : undefined;
}

function tryParse(raw: string, kind: FieldKind): { ok: true; value: unknown } | { ok: false } {
  switch (kind.kind) {
    case "string":
      return { ok: true, value: raw };
    case "number": {
      if (raw.trim() === "") return { ok: false };
      const n = Number(raw);
      if (!Number.isFinite(n) || (kind.int && !Number.isInteger(n))) return { ok: false };
      return { ok: true, value: n };
    }
    case "boolean":
      if (TRUE_WORDS.has(raw)) return { ok: true, value: true };
      if (FALSE_WORDS.has(raw)) return { ok: true, value: false };
      return { ok: false };
    case "enum":
      return kind.values.includes(raw) ? { ok: true, value: raw } : { ok: false };
    case "literal":
      for (const v of kind.values) if (String(v) === raw) return { ok: true, value: v };
      return { ok: false };
    case "union":
      for (const o of kind.options) {
        const r = tryParse(raw, o);
        if (r.ok) return r;
      }
      return { ok: false };
    case "other":
      // Unknown leaf kinds (records, arrays) take JSON.
      try {
        return { ok: true, value: JSON.parse(raw) };
      } catch {
        return { ok: false };
      }
    default:
      return { ok: false };
  }
}

/** Parses one value string for a field; throws a ConfigError naming the key, the expected type and a fix. */
export function parseValue(field: FieldInfo, raw: string): unknown {
  if (NULL_WORDS.has(raw) && (field.nullable || field.optional)) return field.nullable ? null : undefined;
  const r = tryParse(raw, field.type);
  if (r.ok) return r.value;
  let hint = "";
  if (field.type.kind === "enum") {
    const m = didYouMean(raw, field.type.values);
    hint = m ? ` (did you mean '${m}'?)` : "";
  }
  if (field.type.kind === "object") {
    throw new ConfigError(
      `${field.path}=${raw}: ${field.path} is a group of settings; set its fields (${field.path}.<key>=…)` +
        (field.nullable ? " or None" : ""),
      field.path,
    );
  }
  throw new ConfigError(
    `${field.path}=${raw}: expected ${kindLabel(field.type)}${field.nullable ? " or None" : ""}${hint}`,
    field.path,
  );
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let obj = target;
  for (const part of path.slice(0, -1)) {
    const next = obj[part];
    if (typeof next !== "object" || next === null) obj[part] = {};
    obj = obj[part] as Record<string, unknown>;
  }
  obj[path[path.length - 1]!] = value;
}

/**
 * Turns `key=value` tokens into a nested partial config. Unknown keys are rejected with the list of
 * valid keys and a "did you mean"; values are typed by the schema. Later tokens win (like chz).
 */
export function parseOverrides(schema: z.ZodType, tokens: readonly string[]): Record<string, unknown> {
  const fields = allKeys(schema);
  const byPath = new Map(fields.map((f) => [f.path, f]));
  const out: Record<string, unknown> = {};
  for (const tok of tokens) {
    const eq = tok.indexOf("=");
    if (eq <= 0) {
      throw new ConfigError(`expected key=value, got '${tok}' (e.g. learning_rate=1e-4)`);
    }
    const key = tok.slice(0, eq);
    const raw = tok.slice(eq + 1);
    const field = byPath.get(key);
    if (!field) {
      const names = fields.filter((f) => f.type.kind !== "object" || f.nullable).map((f) => f.path);
      const m = didYouMean(key, names);
      throw new ConfigError(
        `unknown key '${key}'${m ? ` (did you mean '${m}'?)` : ""}; valid keys: ${names.join(", ")}`,
        key,
      );
    }
    setPath(out, key.split("."), parseValue(field, raw));
  }
  return out;
}

/** Validates a merged config with the schema; the first problem becomes a one-line ConfigError. */
export function validateConfig<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const path = issue.path.map(String).join(".");
  // A required nested key left out (e.g. only one field of stream_minibatch_config given).
  if (issue.code === "invalid_type" && issue.message.endsWith("received undefined") && path) {
    throw new ConfigError(`${path}: required (set ${path}=...)`, path);
  }
  throw new ConfigError(`${path ? `${path}: ` : ""}${issue.message}`, path || undefined);
}
