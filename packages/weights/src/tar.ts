import { createReadStream } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, isAbsolute, join, normalize, sep } from "node:path";
import { pipeline } from "node:stream/promises";
import { extract } from "tar-stream";
import { WeightsError } from "./errors.js";

/**
 * Extracts a tar into `dir`, refusing anything but regular files and directories and any path that would land
 * outside `dir` (absolute, `..`), like the Python cookbook's safe extraction. Returns the extracted file names.
 */
export async function extractTarSafely(tarFile: string, dir: string): Promise<string[]> {
  const names: string[] = [];
  let refused: WeightsError | undefined;
  const ex = extract();
  ex.on("entry", (header, stream, next) => {
    // A refused entry stops all writing; the rest of the tar is drained and the whole extraction fails.
    const fail = (why: string) => {
      refused ??= new WeightsError(`archive entry ${JSON.stringify(header.name)}: ${why}`, "archive");
      stream.on("end", () => next());
      stream.resume();
    };
    if (refused) return fail("after a refused entry");
    const rel = normalize(header.name);
    if (isAbsolute(header.name) || rel === ".." || rel.startsWith(`..${sep}`)) {
      return fail("path leaves the output directory");
    }
    if (header.type === "directory") {
      mkdir(join(dir, rel), { recursive: true }).then(
        () => {
          stream.resume();
          next();
        },
        (e: unknown) => ex.destroy(e as Error),
      );
      return;
    }
    if (header.type !== "file") return fail(`entries of type ${header.type} are not allowed`);
    const chunks: Buffer[] = [];
    stream.on("data", (c: Buffer) => chunks.push(c));
    stream.on("end", () => {
      const target = join(dir, rel);
      mkdir(dirname(target), { recursive: true })
        .then(() => writeFile(target, Buffer.concat(chunks)))
        .then(
          () => {
            names.push(rel);
            next();
          },
          (e: unknown) => ex.destroy(e as Error),
        );
    });
  });
  try {
    await pipeline(createReadStream(tarFile), ex);
    if (refused) throw refused;
  } catch (err) {
    if (err instanceof WeightsError) throw err;
    if ((err as NodeJS.ErrnoException).code !== undefined) throw err;
    throw new WeightsError(
      `the downloaded file is not a valid tar archive (${(err as Error).message})`,
      "archive",
    );
  }
  return names.sort();
}
