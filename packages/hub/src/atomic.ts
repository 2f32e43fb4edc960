import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { dirname, join } from "node:path";

let counter = 0;

/** A unique temp path beside `file` (same directory, so the final rename is atomic). */
export function tempPathFor(file: string): string {
  return join(dirname(file), `.tmp-${process.pid}-${Date.now()}-${counter++}`);
}

/**
 * Writes a file so readers see the old content or the new, never a prefix: a temp file in the same directory,
 * fsynced, then renamed over the target. `write` may be called with the open descriptor to stream large content.
 */
export function writeFileAtomic(file: string, content: string | Uint8Array | ((fd: number) => void)): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = tempPathFor(file);
  const fd = openSync(tmp, "w");
  try {
    if (typeof content === "function") content(fd);
    else writeAll(fd, typeof content === "string" ? Buffer.from(content, "utf8") : content);
    fsyncSync(fd);
    closeSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  }
  renameSync(tmp, file);
}

/** write(2) until every byte is written. */
export function writeAll(fd: number, buf: Uint8Array, position?: number): void {
  let off = 0;
  while (off < buf.length) {
    off += writeSync(fd, buf, off, buf.length - off, position === undefined ? null : position + off);
  }
}
