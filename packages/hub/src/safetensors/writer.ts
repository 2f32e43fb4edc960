import { writeAll, writeFileAtomic } from "../atomic.js";
import { DTYPE_BYTES, numel, type SafetensorsDtype, SafetensorsError } from "./safetensors.js";

/** A tensor to write: F32 values, or raw little-endian bytes of `dtype`. */
export type SafetensorsInput =
  | { name: string; shape: number[]; data: Float32Array }
  | { name: string; shape: number[]; dtype: SafetensorsDtype; data: Uint8Array };

/** A tensor announced up front whose bytes are produced later (streaming writes, bounded memory). */
export interface SafetensorsSpec {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
}

function dtypeOf(t: SafetensorsInput): SafetensorsDtype {
  return "dtype" in t ? t.dtype : "F32";
}

function bytesOf(t: SafetensorsInput): Uint8Array {
  return new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
}

const byName = <T extends { name: string }>(a: T, b: T) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** The header bytes (length prefix + JSON padded to 8 bytes) for tensors in the given order. */
function encodeHeader(specs: readonly SafetensorsSpec[], metadata?: Record<string, string>) {
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  let off = 0;
  for (const t of specs) {
    const nbytes = numel(t.shape) * DTYPE_BYTES[t.dtype];
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [off, off + nbytes] };
    off += nbytes;
  }
  let json = JSON.stringify(header);
  json += " ".repeat((8 - ((Buffer.byteLength(json) + 8) % 8)) % 8); // align data to 8 bytes
  const hb = Buffer.from(json, "utf8");
  const out = Buffer.alloc(8 + hb.length);
  out.writeBigUInt64LE(BigInt(hb.length), 0);
  hb.copy(out, 8);
  return { header: out, dataBytes: off };
}

function checkSize(file: string, spec: SafetensorsSpec, data: Uint8Array): void {
  const want = numel(spec.shape) * DTYPE_BYTES[spec.dtype];
  if (data.byteLength !== want)
    throw new SafetensorsError(
      file,
      `tensor ${spec.name}: ${data.byteLength} bytes given, shape ${JSON.stringify(spec.shape)} ${spec.dtype} needs ${want}`,
    );
}

/** Serialises tensors (sorted by name, like the Python library) with optional string metadata. */
export function encodeSafetensors(
  tensors: readonly SafetensorsInput[],
  metadata?: Record<string, string>,
): Buffer {
  const sorted = [...tensors].sort(byName);
  const specs = sorted.map((t) => ({ name: t.name, dtype: dtypeOf(t), shape: t.shape }));
  const { header, dataBytes } = encodeHeader(specs, metadata);
  const out = Buffer.alloc(header.length + dataBytes);
  header.copy(out, 0);
  let p = header.length;
  sorted.forEach((t, i) => {
    const b = bytesOf(t);
    checkSize("(in memory)", specs[i] as SafetensorsSpec, b);
    out.set(b, p);
    p += b.byteLength;
  });
  return out;
}

/**
 * Writes a safetensors file atomically, asking `produce` for one tensor's bytes at a time (sorted by name), so a
 * shard larger than memory can be written while holding one tensor.
 */
export function writeSafetensorsFile(
  file: string,
  specs: readonly SafetensorsSpec[],
  produce: (spec: SafetensorsSpec) => Uint8Array,
  metadata?: Record<string, string>,
): void {
  const sorted = [...specs].sort(byName);
  const { header } = encodeHeader(sorted, metadata);
  writeFileAtomic(file, (fd) => {
    writeAll(fd, header);
    for (const s of sorted) {
      const data = produce(s);
      checkSize(file, s, data);
      writeAll(fd, data);
    }
  });
}

/** Converts F32 values to `dtype` bytes (round to nearest even for F16/BF16, like PyTorch's `.to()`). */
export function fromFloat32(values: Float32Array, dtype: SafetensorsDtype): Uint8Array {
  if (dtype === "F32") return new Uint8Array(values.slice().buffer);
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const u = bits[i] as number;
    out[i] = dtype === "BF16" ? floatBitsToBf16(u) : floatBitsToHalf(u);
  }
  return new Uint8Array(out.buffer);
}

function floatBitsToBf16(u: number): number {
  if ((u & 0x7fffffff) > 0x7f800000) return ((u >>> 16) | 0x40) & 0xffff; // quiet NaN
  return ((u + 0x7fff + ((u >>> 16) & 1)) >>> 16) & 0xffff;
}

function floatBitsToHalf(u: number): number {
  const sign = (u >>> 16) & 0x8000;
  const exp = (u >>> 23) & 0xff;
  let mant = u & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    let m = mant >>> shift;
    const rest = mant & ((1 << shift) - 1);
    if (rest > half || (rest === half && m & 1)) m++;
    return sign | m;
  }
  let m = mant >>> 13;
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && m & 1)) {
    m++;
    if (m === 0x400) {
      m = 0;
      e++;
      if (e >= 0x1f) return sign | 0x7c00;
    }
  }
  return sign | (e << 10) | m;
}
