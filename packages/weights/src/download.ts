import { createHash } from "node:crypto";
import { createWriteStream, existsSync } from "node:fs";
import { rm, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import type { RestClient, Transport } from "@crucible/tinker-client";
import { WeightsError } from "./errors.js";
import { outputError, writeDirAtomic } from "./output-dir.js";
import { extractTarSafely } from "./tar.js";

export interface DownloadOptions {
  /** `tinker://<run>/<weights|sampler_weights>/<name>`. */
  tinkerPath: string;
  outDir: string;
  /** Asks the server for the archive URL (`ServiceClient.createRestClient()`); any Tinker-compatible server. */
  rest: RestClient;
  /** Base for a relative archive URL (a server that answers with a path); usually the client's base URL. */
  baseUrl?: string;
  /**
   * For an in-process backend (no URL to fetch): a relative archive URL is requested through this transport, the
   * same one the ServiceClient uses.
   */
  transport?: Transport;
  fetch?: typeof fetch;
  onProgress?: (received: number, total: number | undefined) => void;
  overwrite?: boolean;
}

export interface DownloadResult {
  outDir: string;
  files: string[];
  bytes: number;
  sha256: string;
  /** Which server-sent checksum the download was verified against (Content-Length is always checked). */
  verifiedWith: "x-content-sha256" | "repr-digest" | "x-goog-hash" | "content-length only";
}

/** The record `download` leaves beside the checkpoint files (publish reads the tinker path from it). */
export const DOWNLOAD_RECORD = "crucible-download.json";

interface Expected {
  sha256Hex?: string;
  md5Base64?: string;
  source: DownloadResult["verifiedWith"];
}

/** Checksums the server announced: ours (x-content-sha256, repr-digest) or a cloud store's (x-goog-hash md5). */
function expectedDigests(h: Headers): Expected {
  const hex = h.get("x-content-sha256");
  if (hex && /^[0-9a-f]{64}$/i.test(hex)) return { sha256Hex: hex.toLowerCase(), source: "x-content-sha256" };
  const repr = /sha-256=:([A-Za-z0-9+/=]+):/.exec(h.get("repr-digest") ?? "");
  if (repr)
    return { sha256Hex: Buffer.from(repr[1] as string, "base64").toString("hex"), source: "repr-digest" };
  const goog = /md5=([A-Za-z0-9+/=]+)/.exec(h.get("x-goog-hash") ?? "");
  if (goog) return { md5Base64: goog[1] as string, source: "x-goog-hash" };
  return { source: "content-length only" };
}

/** GETs the archive: an absolute http(s) URL with fetch (no API key: it is signed), a relative one via the base URL
 * or, in-process, through the transport. */
async function fetchArchive(raw: string, options: DownloadOptions, doFetch: typeof fetch): Promise<Response> {
  if (raw.startsWith("/") && options.transport && !options.baseUrl) {
    const r = await options.transport.request({ method: "GET", path: raw, headers: {} });
    return new Response(r.body, {
      status: r.status,
      headers: { ...r.headers, "content-length": String(r.body.byteLength) },
    });
  }
  let url: URL;
  try {
    url = new URL(raw, options.baseUrl);
  } catch {
    throw new WeightsError(
      `the server answered a relative archive URL (${raw}) and no base URL or transport is known to fetch it`,
      "download",
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new WeightsError(
      `the server answered an archive URL of scheme ${url.protocol} (${url.href}); only http(s) can be downloaded (an old crucible-local? update it)`,
      "download",
    );
  }
  return doFetch(url); // signed URL: no API key (it may be a cloud store that rejects one)
}

/**
 * Downloads a checkpoint: asks the server for its signed archive URL, streams the tar to a temp file while
 * hashing it, verifies size and checksum, and extracts it safely into `outDir` atomically (temp dir + rename).
 * A failed or corrupt download leaves nothing behind.
 */
export async function downloadCheckpoint(options: DownloadOptions): Promise<DownloadResult> {
  const doFetch = options.fetch ?? fetch;
  if (existsSync(options.outDir) && !options.overwrite) {
    throw new WeightsError(
      `output ${options.outDir} already exists; choose a new path (or pass --overwrite)`,
      "output",
    );
  }
  const { url: raw } = await options.rest.getCheckpointArchiveUrlFromTinkerPath(options.tinkerPath);
  const res = await fetchArchive(raw, options, doFetch);
  if (!res.ok || !res.body) {
    throw new WeightsError(
      `downloading ${options.tinkerPath} failed: HTTP ${res.status} from ${raw.split("?")[0]}`,
      "download",
    );
  }
  const lengthHeader = res.headers.get("content-length");
  const total = lengthHeader !== null ? Number(lengthHeader) : undefined;
  const expected = expectedDigests(res.headers);
  const target = resolve(options.outDir);
  const tarFile = join(dirname(target), `.${Date.now()}-${process.pid}.crucible-download.tar`);
  const sha = createHash("sha256");
  const md5 = createHash("md5");
  let received = 0;
  try {
    const file = createWriteStream(tarFile, { flags: "wx" });
    const closed = new Promise<void>((ok, fail) => {
      file.on("close", ok);
      file.on("error", fail);
    });
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        sha.update(chunk);
        md5.update(chunk);
        received += chunk.byteLength;
        if (!file.write(chunk)) await new Promise<void>((r) => file.once("drain", () => r()));
        options.onProgress?.(received, total);
      }
    } finally {
      file.end();
      await closed;
    }
    const sha256 = sha.digest("hex");
    if (total !== undefined && received !== total) {
      throw new WeightsError(
        `download of ${options.tinkerPath} is incomplete: ${received} of ${total} bytes; retry`,
        "download",
      );
    }
    if (expected.sha256Hex && expected.sha256Hex !== sha256) {
      throw new WeightsError(
        `download of ${options.tinkerPath} is corrupt: SHA-256 ${sha256}, the server announced ${expected.sha256Hex}; retry`,
        "download",
      );
    }
    if (expected.md5Base64 && expected.md5Base64 !== md5.digest("base64")) {
      throw new WeightsError(
        `download of ${options.tinkerPath} is corrupt: MD5 differs from x-goog-hash; retry`,
        "download",
      );
    }
    const files = await writeDirAtomic(
      options.outDir,
      async (tmp) => {
        const names = await extractTarSafely(tarFile, tmp);
        const record = {
          tinker_path: options.tinkerPath,
          sha256,
          bytes: received,
          verified_with: expected.source,
          downloaded_at: new Date().toISOString(),
        };
        await writeFile(join(tmp, DOWNLOAD_RECORD), `${JSON.stringify(record, null, 2)}\n`);
        return names;
      },
      { overwrite: options.overwrite ?? false },
    );
    return { outDir: options.outDir, files, bytes: received, sha256, verifiedWith: expected.source };
  } catch (err) {
    throw outputError(options.outDir, err);
  } finally {
    await rm(tarFile, { force: true });
  }
}
