import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { FixtureContent } from "./fixture-repo.js";
import type { HubRoute, LocalHub } from "./local-hub.js";

/** What the upload routes saw, for tests. */
export interface UploadLog {
  created: string[];
  commits: { repo: string; title: string; files: string[]; lfsFiles: string[]; authorization?: string }[];
}

const LFS_SUFFIXES = [".safetensors", ".bin", ".pt", ".gguf", ".parquet"];

async function body(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function send(res: ServerResponse, status: number, value: unknown): true {
  const text = JSON.stringify(value);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": String(Buffer.byteLength(text)),
  });
  res.end(text);
  return true;
}

/**
 * The hub's write API as `@huggingface/hub`'s `createRepo` / `uploadFiles` drive it, for the LocalHub:
 * `POST /api/repos/create`, `POST /api/models/{repo}/preupload/{rev}`, the git-LFS batch endpoint
 * (`/{repo}.git/info/lfs/objects/batch`, answered with the basic transfer), `PUT` of LFS objects, and the NDJSON
 * `POST /api/models/{repo}/commit/{rev}`, which commits into the LocalHub so the files can be downloaded back.
 * `token`: when set, writes without `Authorization: Bearer <token>` get 401.
 */
export function uploadRoutes(options: { token?: string } = {}): { route: HubRoute; log: UploadLog } {
  const log: UploadLog = { created: [], commits: [] };
  const objects = new Map<string, Buffer>();
  const route: HubRoute = async (req, res, hub: LocalHub) => {
    const url = new URL(req.url ?? "/", hub.url);
    const p = url.pathname;
    const method = req.method ?? "GET";
    const isWrite =
      (method === "POST" &&
        (p === "/api/repos/create" ||
          /^\/api\/models\/.+\/(preupload|commit)\//.test(p) ||
          p.endsWith(".git/info/lfs/objects/batch"))) ||
      (method === "PUT" && p.startsWith("/lfs-upload/"));
    if (!isWrite) return false;
    // LFS PUTs go to a presigned storage URL (no Authorization), like the hub's S3 links.
    if (options.token && method !== "PUT" && req.headers.authorization !== `Bearer ${options.token}`) {
      return send(res, 401, { error: "Invalid credentials in Authorization header" });
    }
    if (p === "/api/repos/create") {
      const b = JSON.parse((await body(req)).toString("utf8")) as { name: string; organization?: string };
      const name = b.organization ? `${b.organization}/${b.name}` : b.name;
      if (hub.repos.has(`model:${name}`))
        return send(res, 409, { error: "You already created this model repo" });
      hub.commit("model", name, {});
      log.created.push(name);
      return send(res, 200, { url: `${hub.url}/${name}`, name });
    }
    const pre = /^\/api\/models\/(.+)\/preupload\/[^/]+$/.exec(p);
    if (pre) {
      const b = JSON.parse((await body(req)).toString("utf8")) as { files: { path: string; size: number }[] };
      return send(res, 200, {
        files: b.files.map((f) => ({
          path: f.path,
          uploadMode: LFS_SUFFIXES.some((s) => f.path.endsWith(s)) || f.size > 10_000_000 ? "lfs" : "regular",
          shouldIgnore: false,
        })),
      });
    }
    if (p.endsWith(".git/info/lfs/objects/batch")) {
      const b = JSON.parse((await body(req)).toString("utf8")) as {
        objects: { oid: string; size: number }[];
      };
      return send(res, 200, {
        transfer: "basic",
        objects: b.objects.map((o) => ({
          oid: o.oid,
          size: o.size,
          ...(objects.has(o.oid) ? {} : { actions: { upload: { href: `${hub.url}/lfs-upload/${o.oid}` } } }),
        })),
      });
    }
    if (method === "PUT") {
      const oid = p.slice("/lfs-upload/".length);
      const data = await body(req);
      if (createHash("sha256").update(data).digest("hex") !== oid) {
        return send(res, 400, { error: "uploaded bytes do not match the LFS oid" });
      }
      objects.set(oid, data);
      res.writeHead(200).end();
      return true;
    }
    const commit = /^\/api\/models\/(.+)\/commit\/([^/]+)$/.exec(p);
    if (commit) {
      const repo = commit[1] as string;
      if (!hub.repos.has(`model:${repo}`)) return send(res, 404, { error: "Repository not found" });
      const lines = (await body(req)).toString("utf8").split("\n").filter(Boolean);
      const files: Record<string, FixtureContent> = {};
      const entry = {
        repo,
        title: "",
        files: [] as string[],
        lfsFiles: [] as string[],
        ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
      };
      for (const line of lines) {
        const { key, value } = JSON.parse(line) as { key: string; value: Record<string, string> };
        if (key === "header") entry.title = value["summary"] ?? "";
        else if (key === "file") {
          files[value["path"] as string] = {
            data: Buffer.from(value["content"] as string, "base64"),
            lfs: false,
          };
          entry.files.push(value["path"] as string);
        } else if (key === "lfsFile") {
          const data = objects.get(value["oid"] as string);
          if (!data) return send(res, 400, { error: `LFS object ${value["oid"]} was never uploaded` });
          files[value["path"] as string] = { data, lfs: true };
          entry.lfsFiles.push(value["path"] as string);
        }
      }
      const sha = hub.commit("model", repo, files, { branch: decodeURIComponent(commit[2] as string) });
      log.commits.push(entry);
      return send(res, 200, { commitOid: sha, commitUrl: `${hub.url}/${repo}/commit/${sha}` });
    }
    return false;
  };
  return { route, log };
}
