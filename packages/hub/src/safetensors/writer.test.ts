import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { readSafetensors, readSafetensorsHeader, SafetensorsError, toFloat32 } from "./safetensors.js";
import { encodeSafetensors, fromFloat32, writeSafetensorsFile } from "./writer.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tempDir = () => {
  const d = mkdtempSync(join(os.tmpdir(), "stw-"));
  dirs.push(d);
  return d;
};

// Printed by tools/reference/float_cast_reference.py (PyTorch float32 -> bfloat16 / float16 casts).
const VALUES = [
  0.0,
  -0.0,
  1.0,
  -2.5,
  Math.PI,
  1e-8,
  6.1e-5,
  65504.0,
  65520.0,
  1e5,
  -1e-40,
  0.33333334,
  1.00390625,
  1.01171875,
  2 ** -24,
  2 ** -25 * 1.5,
  Number.POSITIVE_INFINITY,
];
const TORCH_BF16 = [
  0, 32768, 16256, 49184, 16457, 12844, 14464, 18304, 18304, 18371, 32769, 16043, 16256, 16258, 13184, 13120,
  32640,
];
const TORCH_F16 = [
  0, 32768, 15360, 49408, 16968, 0, 1023, 31743, 31744, 31744, 32768, 13653, 15364, 15372, 1, 1, 31744,
];

describe("safetensors writer", () => {
  it("casts F32 to BF16 and F16 bit-exactly like PyTorch (round to nearest even, subnormals, overflow)", () => {
    const x = Float32Array.from(VALUES);
    const bits = (b: Uint8Array) => Array.from(new Uint16Array(b.buffer, b.byteOffset, b.byteLength / 2));
    expect(bits(fromFloat32(x, "BF16"))).toEqual(TORCH_BF16);
    expect(bits(fromFloat32(x, "F16"))).toEqual(TORCH_F16);
  });

  it("BF16/F16 round trips lose at most half a unit in the last place", () => {
    fc.assert(
      fc.property(fc.float({ min: -60000, max: 60000, noNaN: true, noDefaultInfinity: true }), (v) => {
        const x = Float32Array.of(v);
        for (const [dtype, bits] of [
          ["BF16", 8],
          ["F16", 11],
        ] as const) {
          const back = toFloat32({ dtype, shape: [1], data: fromFloat32(x, dtype) })[0] as number;
          const ulp = 2 ** (Math.floor(Math.log2(Math.max(Math.abs(v), 2 ** -14))) - bits + 1);
          expect(Math.abs(back - (x[0] as number))).toBeLessThanOrEqual(ulp / 2 + 2 ** -24);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("writes raw-dtype tensors one at a time, sorted by name, atomically", () => {
    const dir = tempDir();
    const f = join(dir, "shard.safetensors");
    const specs = [
      { name: "b.weight", dtype: "BF16" as const, shape: [2, 2] },
      { name: "a.weight", dtype: "F32" as const, shape: [3] },
    ];
    const produced: string[] = [];
    writeSafetensorsFile(
      f,
      specs,
      (s) => {
        produced.push(s.name);
        const values = Float32Array.from({ length: s.shape.reduce((x, y) => x * y, 1) }, (_, i) => i + 1);
        return fromFloat32(values, s.dtype);
      },
      { format: "pt" },
    );
    expect(produced).toEqual(["a.weight", "b.weight"]);
    expect(readdirSync(dir)).toEqual(["shard.safetensors"]);
    const back = readSafetensors(f);
    expect(back.metadata).toEqual({ format: "pt" });
    expect(back.tensors.map((t) => [t.name, t.dtype, Array.from(toFloat32(t))])).toEqual([
      ["a.weight", "F32", [1, 2, 3]],
      ["b.weight", "BF16", [1, 2, 3, 4]],
    ]);
    // data starts 8-byte aligned, as the Python library writes it
    expect((readSafetensorsHeader(f).tensors[0]?.offset ?? 1) % 8).toBe(0);
  });

  it("a producer returning the wrong size fails and leaves no file behind", () => {
    const dir = tempDir();
    const f = join(dir, "bad.safetensors");
    expect(() =>
      writeSafetensorsFile(f, [{ name: "w", dtype: "F16", shape: [4] }], () => new Uint8Array(6)),
    ).toThrow(SafetensorsError);
    expect(readdirSync(dir)).toEqual([]);
    expect(() =>
      encodeSafetensors([{ name: "w", dtype: "F16", shape: [4], data: new Uint8Array(6) }]),
    ).toThrow(/needs 8/);
  });
});
