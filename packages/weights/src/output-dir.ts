import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { errnoCode, WeightsError } from "./errors.js";

const WRITE_ERRORS: Record<string, string> = {
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EROFS: "the file system is read-only",
  ENOSPC: "no space left on the device",
  EDQUOT: "disk quota exceeded",
  ENOTDIR: "a parent path is not a directory",
};

/** An fs error while writing output, as a user error that names the directory (disk full, read-only, …). */
export function outputError(out: string, err: unknown): unknown {
  const code = errnoCode(err);
  if (code && code in WRITE_ERRORS) {
    return new WeightsError(
      `cannot write ${out}: ${WRITE_ERRORS[code]} (${code}); choose another output directory or free space`,
      "output",
    );
  }
  return err;
}

/**
 * Builds a directory atomically: `build` fills a hidden sibling temp dir, which is renamed to `out` only when
 * everything succeeded. On any failure the temp dir is removed, so no partial output directory is ever left.
 */
export async function writeDirAtomic<T>(
  out: string,
  build: (tmp: string) => Promise<T>,
  options: { overwrite?: boolean } = {},
): Promise<T> {
  const target = resolve(out);
  if (existsSync(target) && !options.overwrite) {
    throw new WeightsError(`output ${out} already exists; choose a new path (or pass --overwrite)`, "output");
  }
  const tmp = join(
    dirname(target),
    `.${basename(target)}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`,
  );
  try {
    await mkdir(dirname(target), { recursive: true });
    await mkdir(tmp);
    const result = await build(tmp);
    if (existsSync(target)) {
      const old = `${tmp}.old`;
      await rename(target, old);
      await rename(tmp, target);
      await rm(old, { recursive: true, force: true });
    } else {
      await rename(tmp, target);
    }
    return result;
  } catch (err) {
    await rm(tmp, { recursive: true, force: true }).catch(() => {});
    throw outputError(out, err);
  }
}
