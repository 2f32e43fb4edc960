/**
 * Python-compatible JSON: `json.loads` keeps int/float distinction and key order, `json.dumps` uses Python's
 * default separators (", ", ": "), ensure_ascii escaping and float repr. Tool-call arguments are rendered with
 * these so tokens match what the Python cookbook (and the chat templates' `tojson`-free paths) produce.
 */

/** A number as Python holds it after json.loads: int (arbitrary precision, kept as digits) or float. */
export class PyNumber {
  constructor(
    readonly kind: "int" | "float",
    readonly value: number,
    /** Digits of an int (exact even beyond 2^53). */
    readonly intText?: string,
  ) {}
}

export type PyJson =
  | null
  | boolean
  | string
  | PyNumber
  | number
  | PyJson[]
  | Map<string, PyJson>
  | { [k: string]: PyJson };

export class PythonJsonError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PythonJsonError";
  }
}

/** Python `json.loads` (accepts NaN, Infinity, -Infinity like Python does). Objects become Maps (order kept). */
export function pyJsonLoads(text: string): PyJson {
  let i = 0;
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text[i] as string)) i++;
  };
  const fail = (what: string): never => {
    throw new PythonJsonError(`${what} at char ${i}`);
  };
  const value = (): PyJson => {
    ws();
    const c = text[i];
    if (c === "{") {
      i++;
      const m = new Map<string, PyJson>();
      ws();
      if (text[i] === "}") {
        i++;
        return m;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail("Expecting property name enclosed in double quotes");
        const k = str();
        ws();
        if (text[i] !== ":") fail("Expecting ':' delimiter");
        i++;
        m.set(k, value());
        ws();
        if (text[i] === ",") i++;
        else if (text[i] === "}") {
          i++;
          return m;
        } else fail("Expecting ',' delimiter");
      }
    }
    if (c === "[") {
      i++;
      const a: PyJson[] = [];
      ws();
      if (text[i] === "]") {
        i++;
        return a;
      }
      for (;;) {
        a.push(value());
        ws();
        if (text[i] === ",") i++;
        else if (text[i] === "]") {
          i++;
          return a;
        } else fail("Expecting ',' delimiter");
      }
    }
    if (c === '"') return str();
    for (const [lit, v] of [
      ["true", true],
      ["false", false],
      ["null", null],
      ["NaN", new PyNumber("float", Number.NaN)],
      ["Infinity", new PyNumber("float", Number.POSITIVE_INFINITY)],
      ["-Infinity", new PyNumber("float", Number.NEGATIVE_INFINITY)],
    ] as const) {
      if (text.startsWith(lit, i)) {
        i += lit.length;
        return v;
      }
    }
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (!m) return fail("Expecting value");
    i += m[0].length;
    if (m[2] === undefined && m[3] === undefined)
      return new PyNumber("int", Number(m[0]), BigInt(m[0]).toString());
    return new PyNumber("float", Number(m[0]));
  };
  const str = (): string => {
    const start = i;
    i++;
    let out = "";
    for (;;) {
      const c = text[i];
      if (c === undefined) return fail("Unterminated string starting");
      if (c === '"') {
        i++;
        return out;
      }
      if (c === "\\") {
        const e = text[i + 1];
        const simple: Record<string, string> = {
          '"': '"',
          "\\": "\\",
          "/": "/",
          b: "\b",
          f: "\f",
          n: "\n",
          r: "\r",
          t: "\t",
        };
        if (e !== undefined && e in simple) {
          out += simple[e];
          i += 2;
        } else if (e === "u" && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
          out += String.fromCharCode(Number.parseInt(text.slice(i + 2, i + 6), 16));
          i += 6;
        } else fail(`Invalid \\escape (string at ${start})`);
      } else if (c.charCodeAt(0) < 0x20) {
        fail("Invalid control character");
      } else {
        out += c;
        i++;
      }
    }
  };
  const v = value();
  ws();
  if (i !== text.length) fail("Extra data");
  return v;
}

/** Python `repr(float)`: shortest round-trip digits, scientific for exp < -4 or ≥ 16, always a `.0` or exponent. */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (x === Number.POSITIVE_INFINITY) return "Infinity";
  if (x === Number.NEGATIVE_INFINITY) return "-Infinity";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const sign = x < 0 ? "-" : "";
  const [mant, expStr] = Math.abs(x).toExponential().split("e") as [string, string];
  const digits = mant.replace(".", "");
  const exp = Number(expStr);
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  }
  if (exp < 0) return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
  const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, "0");
  const frac = digits.slice(exp + 1);
  return `${sign}${intPart}.${frac.length > 0 ? frac : "0"}`;
}

function pyString(s: string, ensureAscii = true): string {
  let out = '"';
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    const ch = s[k] as string;
    if (ch === '"') out += '\\"';
    else if (ch === "\\") out += "\\\\";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\b") out += "\\b";
    else if (ch === "\f") out += "\\f";
    else if (c < 0x20 || (ensureAscii && c > 0x7e)) out += `\\u${c.toString(16).padStart(4, "0")}`;
    else out += ch;
  }
  return `${out}"`;
}

/**
 * Python `json.dumps(value)` with default separators (`ensure_ascii` as given, default true). Plain JS numbers:
 * integers print as ints, others as floats.
 */
export function pyJsonDumps(v: PyJson | undefined, options: { ensureAscii?: boolean } = {}): string {
  const ascii = options.ensureAscii ?? true;
  if (v === null || v === undefined) return "null";
  if (v === true) return "true";
  if (v === false) return "false";
  if (typeof v === "string") return pyString(v, ascii);
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : pyFloatRepr(v);
  if (v instanceof PyNumber) return v.kind === "int" ? (v.intText ?? String(v.value)) : pyFloatRepr(v.value);
  if (Array.isArray(v)) return `[${v.map((x) => pyJsonDumps(x, options)).join(", ")}]`;
  const entries = v instanceof Map ? [...v.entries()] : Object.entries(v);
  return `{${entries.map(([k, x]) => `${pyString(k, ascii)}: ${pyJsonDumps(x, options)}`).join(", ")}}`;
}

/** Converts parsed Python JSON to plain JS values (for templates and callers that want objects). */
export function pyJsonToJs(v: PyJson): unknown {
  if (v instanceof PyNumber) return v.value;
  if (Array.isArray(v)) return v.map(pyJsonToJs);
  if (v instanceof Map) return Object.fromEntries([...v.entries()].map(([k, x]) => [k, pyJsonToJs(x)]));
  if (v !== null && typeof v === "object")
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, pyJsonToJs(x)]));
  return v;
}
