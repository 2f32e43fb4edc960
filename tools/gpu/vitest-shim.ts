// The slice of vitest's API the engine tests use (describe/it/each, hooks, expect matchers), so tools/gpu can bundle
// those test files into one script that runs where there is Node but no node_modules (the GPU machine).
// Tests run in file order, one at a time; `run()` prints each result and returns the number of failures.
import { isDeepStrictEqual } from "node:util";

type Fn = () => unknown;
interface Suite {
  name: string;
  tests: { name: string; fn: Fn }[];
  children: Suite[];
  beforeAll: Fn[];
  afterAll: Fn[];
}
const root: Suite = { name: "", tests: [], children: [], beforeAll: [], afterAll: [] };
let current = root;

function fmt(name: string, args: unknown[]): string {
  let i = 0;
  return name.replace(/%[sdio]/g, () => String(args[i++]));
}

export function describe(name: string, body: () => void): void {
  const s: Suite = { name, tests: [], children: [], beforeAll: [], afterAll: [] };
  current.children.push(s);
  const prev = current;
  current = s;
  try {
    body();
  } finally {
    current = prev;
  }
}
describe.each =
  (rows: unknown[]) =>
  (name: string, body: (...a: never[]) => void): void => {
    for (const r of rows) {
      const args = Array.isArray(r) ? r : [r];
      describe(fmt(name, args), () => body(...(args as never[])));
    }
  };
export function it(name: string, fn: Fn, _timeout?: number): void {
  current.tests.push({ name, fn });
}
it.each =
  (rows: unknown[]) =>
  (name: string, fn: (...a: never[]) => unknown): void => {
    for (const r of rows) {
      const args = Array.isArray(r) ? r : [r];
      it(fmt(name, args), () => fn(...(args as never[])));
    }
  };
it.skip = (_name: string, _fn: Fn) => {};
describe.skip = (_name: string, _fn: Fn) => {};
export const test = it;
export const beforeAll = (fn: Fn) => current.beforeAll.push(fn);
export const afterAll = (fn: Fn) => current.afterAll.push(fn);

function same(a: unknown, b: unknown): boolean {
  if (ArrayBuffer.isView(a) && ArrayBuffer.isView(b)) return isDeepStrictEqual(a, b);
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => same(x, b[i]));
  if (a && b && typeof a === "object" && typeof b === "object") {
    const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
    const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
    return (
      ka.length === kb.length &&
      ka.every((k) => same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
    );
  }
  return Object.is(a, b) || a === b;
}
function subset(a: unknown, b: unknown): boolean {
  if (b && typeof b === "object" && !Array.isArray(b) && !ArrayBuffer.isView(b)) {
    return (
      !!a &&
      typeof a === "object" &&
      Object.entries(b).every(([k, v]) => subset((a as Record<string, unknown>)[k], v))
    );
  }
  return same(a, b);
}
function throwsLike(e: unknown, want: unknown): boolean {
  const msg = e instanceof Error ? e.message : String(e);
  if (want === undefined) return true;
  if (typeof want === "string") return msg.includes(want);
  if (want instanceof RegExp) return want.test(msg);
  if (typeof want === "function") return e instanceof (want as new () => unknown);
  return false;
}
const show = (v: unknown) => {
  try {
    return JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? String(x) : x))?.slice(0, 300);
  } catch {
    return String(v);
  }
};

function matchers(actual: unknown, negate: boolean, label?: string) {
  const check = (ok: boolean, what: string) => {
    if (ok === negate)
      throw new Error(`${label ? `${label}: ` : ""}expected ${show(actual)} ${negate ? "not " : ""}${what}`);
  };
  const num = actual as number;
  return {
    toBe: (b: unknown) => check(Object.is(actual, b), `to be ${show(b)}`),
    toEqual: (b: unknown) => check(same(actual, b), `to equal ${show(b)}`),
    toStrictEqual: (b: unknown) => check(isDeepStrictEqual(actual, b), `to strictly equal ${show(b)}`),
    toMatchObject: (b: unknown) => check(subset(actual, b), `to match ${show(b)}`),
    toBeCloseTo: (b: number, digits = 2) =>
      check(Math.abs(num - b) < 10 ** -digits / 2, `to be close to ${b}`),
    toBeDefined: () => check(actual !== undefined, "to be defined"),
    toBeUndefined: () => check(actual === undefined, "to be undefined"),
    toBeNull: () => check(actual === null, "to be null"),
    toBeTruthy: () => check(!!actual, "to be truthy"),
    toBeFalsy: () => check(!actual, "to be falsy"),
    toBeGreaterThan: (b: number) => check(num > b, `to be > ${b}`),
    toBeGreaterThanOrEqual: (b: number) => check(num >= b, `to be >= ${b}`),
    toBeLessThan: (b: number) => check(num < b, `to be < ${b}`),
    toBeLessThanOrEqual: (b: number) => check(num <= b, `to be <= ${b}`),
    toBeInstanceOf: (c: new () => unknown) => check(actual instanceof c, `to be an instance of ${c.name}`),
    toContain: (b: unknown) =>
      check(
        typeof actual === "string"
          ? actual.includes(b as string)
          : (actual as unknown[]).some((x) => same(x, b)),
        `to contain ${show(b)}`,
      ),
    toHaveLength: (n: number) => check((actual as { length: number }).length === n, `to have length ${n}`),
    toHaveProperty: (k: string) =>
      check(!!actual && typeof actual === "object" && k in actual, `to have ${k}`),
    toMatch: (re: RegExp | string) =>
      check(typeof re === "string" ? String(actual).includes(re) : re.test(String(actual)), `to match ${re}`),
    toThrow: (want?: unknown) => {
      let thrown = false;
      let err: unknown;
      try {
        (actual as () => unknown)();
      } catch (e) {
        thrown = true;
        err = e;
      }
      if (negate) {
        if (thrown)
          throw new Error(`expected no throw, got ${err instanceof Error ? err.message : String(err)}`);
        return;
      }
      if (!thrown) throw new Error(`${label ? `${label}: ` : ""}expected a throw matching ${String(want)}`);
      if (!throwsLike(err, want))
        throw new Error(
          `expected a throw matching ${String(want)}, got: ${err instanceof Error ? err.message : String(err)}`,
        );
    },
  };
}

export function expect(actual: unknown, label?: string) {
  const m = matchers(actual, false, label);
  return Object.assign(m, {
    not: matchers(actual, true, label),
    rejects: {
      async toThrow(want?: unknown) {
        try {
          await actual;
        } catch (e) {
          if (!throwsLike(e, want))
            throw new Error(
              `expected a rejection matching ${String(want)}, got: ${e instanceof Error ? e.message : String(e)}`,
            );
          return;
        }
        throw new Error(`expected a rejection matching ${String(want)}`);
      },
    },
    resolves: {
      async toBe(b: unknown) {
        matchers(await actual, false, label).toBe(b);
      },
      async toEqual(b: unknown) {
        matchers(await actual, false, label).toEqual(b);
      },
    },
  });
}

export const vi = {};

/** Runs every registered test; returns the number of failures. */
export async function run(filter?: RegExp): Promise<{ passed: number; failed: number }> {
  let passed = 0;
  let failed = 0;
  async function walk(s: Suite, path: string[]) {
    const names = s.name ? [...path, s.name] : path;
    try {
      for (const f of s.beforeAll) await f();
    } catch (e) {
      failed += 1;
      console.log(`✗ ${names.join(" > ")} (beforeAll): ${(e as Error).message}`);
      return;
    }
    for (const t of s.tests) {
      const full = [...names, t.name].join(" > ");
      if (filter && !filter.test(full)) continue;
      const t0 = performance.now();
      try {
        await t.fn();
        passed += 1;
        console.log(`✓ ${full} (${Math.round(performance.now() - t0)} ms)`);
      } catch (e) {
        failed += 1;
        console.log(`✗ ${full}: ${(e as Error).message?.split("\n").slice(0, 3).join(" | ")}`);
      }
    }
    for (const c of s.children) await walk(c, names);
    for (const f of s.afterAll) await Promise.resolve(f()).catch(() => {});
  }
  await walk(root, []);
  return { passed, failed };
}
