import { closeSync, fstatSync, openSync, readFileSync, readSync } from "node:fs";

/** The safetensors format: u64 LE header length, a JSON header, then raw little-endian tensor bytes. */
export class SafetensorsError extends Error {
  /** The caller's input was wrong (servers report it as a `user` error). */
  readonly category = "user" as const;
  constructor(file: string, detail: string) {
    super(`safetensors ${file}: ${detail}`);
    this.name = "SafetensorsError";
  }
}

/** Floating dtypes the readers accept (what model weights and adapters use). */
export type SafetensorsDtype = "F32" | "F16" | "BF16";

/** Bytes per element of each supported dtype. */
export const DTYPE_BYTES: Readonly<Record<SafetensorsDtype, number>> = { F32: 4, F16: 2, BF16: 2 };

/** A tensor with its bytes in memory (adapters, fixtures). */
export interface SafetensorsTensor {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  data: Uint8Array;
}

export interface SafetensorsFile {
  tensors: SafetensorsTensor[];
  metadata: Record<string, string>;
}

/** Where one tensor's bytes lie in a file (so a consumer can read them itself, e.g. a native engine). */
export interface SafetensorsLocation {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  file: string;
  /** Absolute byte offset of the tensor's data in `file`. */
  offset: number;
  nbytes: number;
}

interface Entry {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  begin: number;
  end: number;
}

export function numel(shape: readonly number[]): number {
  return shape.reduce((x, y) => x * y, 1);
}

/** Validates a header against the data section size; returns its entries and metadata. */
function parseHeader(file: string, json: Buffer, dataBytes: number) {
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(json.toString("utf8"));
  } catch {
    throw new SafetensorsError(file, "header is not valid JSON");
  }
  const entries: Entry[] = [];
  let metadata: Record<string, string> = {};
  for (const [name, info] of Object.entries(header)) {
    if (name === "__metadata__") {
      metadata = info as Record<string, string>;
      continue;
    }
    const { dtype, shape, data_offsets } = info as {
      dtype: string;
      shape: number[];
      data_offsets: [number, number];
    };
    const size = DTYPE_BYTES[dtype as SafetensorsDtype];
    if (!size)
      throw new SafetensorsError(file, `tensor ${name} has dtype ${dtype}; supported: F32, F16, BF16`);
    const [begin, end] = data_offsets;
    if (end - begin !== numel(shape) * size) {
      throw new SafetensorsError(
        file,
        `tensor ${name}: data_offsets do not match shape ${JSON.stringify(shape)}`,
      );
    }
    if (end > dataBytes)
      throw new SafetensorsError(file, `tensor ${name} lies past the end of the file (truncated?)`);
    entries.push({ name, dtype: dtype as SafetensorsDtype, shape, begin, end });
  }
  return { entries, metadata };
}

/** Reads only the header: tensor locations, without reading (or copying) any tensor data. */
export function readSafetensorsHeader(file: string): {
  tensors: SafetensorsLocation[];
  metadata: Record<string, string>;
} {
  const fd = openSync(file, "r");
  try {
    const size = fstatSync(fd).size;
    const len = Buffer.alloc(8);
    if (size < 8 || readSync(fd, len, 0, 8, 0) < 8) throw new SafetensorsError(file, "file too short");
    const n = Number(len.readBigUInt64LE(0));
    if (n > size - 8) throw new SafetensorsError(file, "header length exceeds file size");
    const json = Buffer.alloc(n);
    readSync(fd, json, 0, n, 8);
    const { entries, metadata } = parseHeader(file, json, size - 8 - n);
    const tensors = entries.map((e) => ({
      name: e.name,
      dtype: e.dtype,
      shape: e.shape,
      file,
      offset: 8 + n + e.begin,
      nbytes: e.end - e.begin,
    }));
    return { tensors, metadata };
  } finally {
    closeSync(fd);
  }
}

/** Reads a whole file into memory (small files: adapters, optimizer state, fixtures). */
export function readSafetensors(file: string): SafetensorsFile {
  const buf = readFileSync(file);
  if (buf.length < 8) throw new SafetensorsError(file, "file too short");
  const n = Number(buf.readBigUInt64LE(0));
  if (n > buf.length - 8) throw new SafetensorsError(file, "header length exceeds file size");
  const base = 8 + n;
  const { entries, metadata } = parseHeader(file, buf.subarray(8, base), buf.length - base);
  const tensors = entries.map((e) => ({
    name: e.name,
    dtype: e.dtype,
    shape: e.shape,
    data: buf.subarray(base + e.begin, base + e.end),
  }));
  return { tensors, metadata };
}

/** Reads one located tensor's bytes (a shard-by-shard consumer reads tensors one at a time). */
export function readTensorBytes(loc: SafetensorsLocation): Uint8Array {
  const fd = openSync(loc.file, "r");
  try {
    const out = Buffer.alloc(loc.nbytes);
    let got = 0;
    while (got < loc.nbytes) {
      const n = readSync(fd, out, got, loc.nbytes - got, loc.offset + got);
      if (n === 0) throw new SafetensorsError(loc.file, `tensor ${loc.name} is truncated`);
      got += n;
    }
    return out;
  } finally {
    closeSync(fd);
  }
}

/** f32 view of a weight (copies; converts F16/BF16). For small tensors (adapters, tests). */
export function toFloat32(w: Pick<SafetensorsTensor, "dtype" | "shape" | "data">): Float32Array {
  const n = numel(w.shape);
  const out = new Float32Array(n);
  const dv = new DataView(w.data.buffer, w.data.byteOffset, w.data.byteLength);
  if (w.dtype === "F32") for (let i = 0; i < n; i++) out[i] = dv.getFloat32(i * 4, true);
  else if (w.dtype === "BF16") {
    const u = new Uint32Array(1);
    const f = new Float32Array(u.buffer);
    for (let i = 0; i < n; i++) {
      u[0] = dv.getUint16(i * 2, true) << 16;
      out[i] = f[0] as number;
    }
  } else for (let i = 0; i < n; i++) out[i] = halfToFloat(dv.getUint16(i * 2, true));
  return out;
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (m / 1024);
  if (e === 31) return m ? Number.NaN : s * Number.POSITIVE_INFINITY;
  return s * 2 ** (e - 15) * (1 + m / 1024);
}
