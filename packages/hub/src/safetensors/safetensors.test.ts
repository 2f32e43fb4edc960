import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import {
  readSafetensors,
  readSafetensorsHeader,
  readTensorBytes,
  SafetensorsError,
  toFloat32,
} from "./safetensors.js";
import { encodeSafetensors } from "./writer.js";

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(os.tmpdir(), "st-"));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("safetensors", () => {
  it("round-trips F32 tensors of any shape", () => {
    const dir = tempDir();
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 5 })), {
          minLength: 1,
          maxLength: 4,
        }),
        (shapes) => {
          const ts = shapes.map(([a, b], i) => ({
            name: `t${i}.weight`,
            shape: [a, b],
            data: Float32Array.from({ length: a * b }, (_, j) => Math.fround(j * 0.5 - i)),
          }));
          const f = join(dir, "x.safetensors");
          writeFileSync(f, encodeSafetensors(ts, { format: "pt" }));
          const back = readSafetensors(f);
          expect(back.metadata).toEqual({ format: "pt" });
          for (const t of ts) {
            const r = back.tensors.find((x) => x.name === t.name);
            expect(r?.shape).toEqual(t.shape);
            expect(toFloat32(r as NonNullable<typeof r>)).toEqual(t.data);
          }
        },
      ),
      { numRuns: 30 },
    );
  });

  it("converts BF16 and F16", () => {
    const bf = {
      name: "b",
      dtype: "BF16" as const,
      shape: [2],
      data: Uint8Array.from([0x80, 0x3f, 0x00, 0xc0]),
    };
    expect(Array.from(toFloat32(bf))).toEqual([1, -2]);
    const h = {
      name: "h",
      dtype: "F16" as const,
      shape: [2],
      data: Uint8Array.from([0x00, 0x3c, 0x00, 0x38]),
    };
    expect(Array.from(toFloat32(h))).toEqual([1, 0.5]);
  });

  it("header-only reading locates each tensor's bytes and detects truncation", () => {
    const f = join(tempDir(), "h.safetensors");
    const data = Float32Array.from([1, 2, 3, 4, 5, 6]);
    const bytes = encodeSafetensors([{ name: "w", shape: [2, 3], data }]);
    writeFileSync(f, bytes);
    const [w] = readSafetensorsHeader(f).tensors;
    expect(w).toMatchObject({ name: "w", dtype: "F32", shape: [2, 3], nbytes: 24, file: f });
    const at = w?.offset as number;
    expect(new Float32Array(bytes.buffer.slice(bytes.byteOffset + at, bytes.byteOffset + at + 24))).toEqual(
      data,
    );
    expect(new Float32Array(new Uint8Array(readTensorBytes(w as NonNullable<typeof w>)).buffer)).toEqual(
      data,
    );
    writeFileSync(f, bytes.subarray(0, bytes.length - 4));
    expect(() => readSafetensorsHeader(f)).toThrow(/truncated/);
  });

  it("rejects corrupt files with a clear error", () => {
    const f = join(tempDir(), "bad.safetensors");
    writeFileSync(f, Buffer.from([1, 2, 3]));
    expect(() => readSafetensors(f)).toThrow(SafetensorsError);
  });
});
