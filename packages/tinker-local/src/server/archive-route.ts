import type { TransportResponse } from "@crucible/tinker-client";
import { archiveEntries, sha256Hex, tarEntries } from "../store/archive.js";
import { formatTinkerPath } from "../store/tinker-path.js";
import type { ServerContext } from "./context.js";
import { HttpError } from "./errors.js";

/**
 * `GET /api/v1/checkpoint_archive?path&expires&signature`: the signed URL the archive route hands out. No API key
 * (the signature is the credential, so a plain `urllib`/`curl` GET works); the body is the checkpoint as a tar in
 * the hosted layout, with its SHA-256 in `x-content-sha256` (hex) and `repr-digest` (RFC 9530).
 */
export async function serveArchive(ctx: ServerContext, query: URLSearchParams): Promise<TransportResponse> {
  const p = ctx.archives.verify(query);
  const { dir } = await ctx.store.require(p);
  const run = await ctx.store.getRun(p.runId);
  if (!run) throw new HttpError(404, `no training run ${p.runId} in this server's checkpoint store`);
  const tar = await tarEntries(await archiveEntries(dir, run.base_model));
  const hex = sha256Hex(tar);
  const file = formatTinkerPath(p).slice("tinker://".length).replace(/[/:]/g, "_");
  return {
    status: 200,
    headers: {
      "content-type": "application/x-tar",
      "content-disposition": `attachment; filename="${file}.tar"`,
      "x-content-sha256": hex,
      "repr-digest": `sha-256=:${Buffer.from(hex, "hex").toString("base64")}:`,
      "cache-control": "private, no-store",
    },
    body: tar,
  };
}
