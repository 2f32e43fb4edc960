import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  commitSha,
  type FixtureCommit,
  type FixtureContent,
  type FixtureFile,
  type FixtureRepo,
  fixtureFile,
  pathInfo,
  type RepoType,
  treeEntries,
} from "./fixture-repo.js";

/** One request the local hub answered, for tests that count traffic (e.g. bytes fetched by range reads). */
export interface HubRequestRecord {
  method: string;
  url: string;
  range: string | undefined;
  status: number;
  /** Body bytes sent (after any injected cut). */
  bytes: number;
}

/** A test route added by another helper (uploads, jobs): return true when it handled the request. */
export type HubRoute = (
  req: IncomingMessage,
  res: ServerResponse,
  hub: LocalHub,
) => boolean | Promise<boolean>;

export interface LocalHubOptions {
  /** When set, private repos answer 401 unless `Authorization: Bearer <token>` is sent. */
  token?: string;
}

/**
 * A real HTTP server on loopback that serves fixture repositories over the Hugging Face hub's routes and headers:
 * `/{repo}/resolve/{rev}/{path}` (and `/datasets/…`) with `ETag`/`X-Repo-Commit`, LFS files as a 302 to a
 * CDN-like route with `X-Linked-Etag`/`X-Linked-Size`, byte ranges, the tree, paths-info and revision APIs, and the
 * hub's error codes. Point clients at it with `HF_ENDPOINT=hub.url`. For tests; never reaches the network.
 */
export class LocalHub {
  readonly repos = new Map<string, FixtureRepo>();
  readonly requests: HubRequestRecord[] = [];
  private readonly routes: HubRoute[] = [];
  private readonly privateRepos = new Set<string>();
  private cuts: { match: (url: string) => boolean; afterBytes: number; left: number }[] = [];

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly options: LocalHubOptions,
  ) {}

  static async start(options: LocalHubOptions = {}): Promise<LocalHub> {
    let hub: LocalHub | undefined;
    const server = createServer((req, res) => {
      (hub as LocalHub).handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: String(err) }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    hub = new LocalHub(server, `http://127.0.0.1:${port}`, options);
    return hub;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /**
   * Commits files to `branch` (default main) of a repo, creating it if needed; files of the parent commit are
   * kept unless `replace`. Returns the new commit sha. `tags` point at the new commit too.
   */
  commit(
    type: RepoType,
    name: string,
    files: Record<string, FixtureContent>,
    opts: { branch?: string; replace?: boolean; tags?: string[]; private?: boolean } = {},
  ): string {
    const key = `${type}:${name}`;
    let repo = this.repos.get(key);
    if (!repo) {
      repo = { type, name, commits: new Map(), refs: new Map() };
      this.repos.set(key, repo);
    }
    if (opts.private) this.privateRepos.add(key);
    const branch = opts.branch ?? "main";
    const parentSha = repo.refs.get(branch);
    const parent = parentSha ? repo.commits.get(parentSha) : undefined;
    const tree = new Map<string, FixtureFile>(opts.replace || !parent ? [] : parent.files);
    for (const [p, c] of Object.entries(files)) tree.set(p, fixtureFile(p, c));
    const sha = commitSha(name, parentSha, tree);
    repo.commits.set(sha, { sha, files: tree });
    repo.refs.set(branch, sha);
    for (const t of opts.tags ?? []) repo.refs.set(t, sha);
    return sha;
  }

  /**
   * The next `times` responses whose URL contains `urlPart` send only `afterBytes` body bytes, then drop the
   * connection (`times: Infinity` until `clearCuts`). Note that HTTP clients may retry a dropped request by
   * themselves, so count on "at least one cut", not on an exact number of attempts.
   */
  cutNext(urlPart: string, afterBytes: number, times = 1): void {
    this.cuts.push({ match: (u) => u.includes(urlPart), afterBytes, left: times });
  }

  clearCuts(): void {
    this.cuts = [];
  }

  /** Adds a route consulted before the built-in ones (other helpers' upload or job APIs). */
  addRoute(route: HubRoute): void {
    this.routes.push(route);
  }

  /** Body bytes served to requests whose URL contains `urlPart`. */
  bytesServed(urlPart = ""): number {
    return this.requests.filter((r) => r.url.includes(urlPart)).reduce((s, r) => s + r.bytes, 0);
  }

  resolveCommit(repo: FixtureRepo, revision: string): FixtureCommit | undefined {
    const sha = repo.refs.get(revision) ?? revision;
    return repo.commits.get(sha);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const record: HubRequestRecord = {
      method: req.method ?? "GET",
      url: req.url ?? "/",
      range: req.headers.range,
      status: 0,
      bytes: 0,
    };
    this.requests.push(record);
    res.on("finish", () => {
      record.status = res.statusCode;
    });
    for (const route of this.routes) if (await route(req, res, this)) return;
    const url = new URL(req.url ?? "/", this.url);
    const segs = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
    if (segs[0] === "lfs-cdn") return this.serveLfs(req, res, record, segs[1] ?? "");
    if (segs[0] === "api") return this.serveApi(req, res, url, segs.slice(1));
    const type: RepoType = segs[0] === "datasets" ? "dataset" : "model";
    const rest = type === "dataset" ? segs.slice(1) : segs;
    const at = rest.indexOf("resolve");
    if (at < 1) return this.error(res, 404, "RepoNotFound", "Not found");
    const repo = this.findRepo(req, res, type, rest.slice(0, at).join("/"));
    if (!repo) return;
    const revision = rest[at + 1] ?? "main";
    const commit = this.resolveCommit(repo, revision);
    if (!commit) return this.error(res, 404, "RevisionNotFound", `Invalid rev id: ${revision}`);
    const file = commit.files.get(rest.slice(at + 2).join("/"));
    if (!file) return this.error(res, 404, "EntryNotFound", `${rest.slice(at + 2).join("/")} does not exist`);
    const headers: Record<string, string> = {
      "x-repo-commit": commit.sha,
      "access-control-expose-headers": "*",
    };
    if (file.lfs) {
      const location = `${this.url}/lfs-cdn/${file.sha256}?filename=${encodeURIComponent(file.path)}`;
      res.writeHead(302, {
        ...headers,
        etag: `"${file.sha256}"`,
        "x-linked-etag": `"${file.sha256}"`,
        "x-linked-size": String(file.data.byteLength),
        location,
        "content-length": "0",
      });
      res.end();
      return;
    }
    this.sendBytes(req, res, record, file.data, { ...headers, etag: `"${file.oid}"` });
  }

  private findRepo(req: IncomingMessage, res: ServerResponse, type: RepoType, name: string) {
    const key = `${type}:${name}`;
    const repo = this.repos.get(key);
    const authorized =
      !this.privateRepos.has(key) || req.headers.authorization === `Bearer ${this.options.token ?? ""}`;
    if (!repo || !authorized) {
      this.error(res, 401, "RepoNotFound", "Repository not found");
      return undefined;
    }
    return repo;
  }

  private serveLfs(req: IncomingMessage, res: ServerResponse, record: HubRequestRecord, sha256: string) {
    for (const repo of this.repos.values())
      for (const c of repo.commits.values())
        for (const f of c.files.values())
          if (f.sha256 === sha256) return this.sendBytes(req, res, record, f.data, { etag: `"${sha256}"` });
    this.error(res, 404, "EntryNotFound", "no such object");
  }

  private sendBytes(
    req: IncomingMessage,
    res: ServerResponse,
    record: HubRequestRecord,
    data: Uint8Array,
    headers: Record<string, string>,
  ): void {
    let start = 0;
    let end = data.byteLength;
    let status = 200;
    const m = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? "");
    if (m) {
      if (m[1] === "") start = Math.max(0, end - Number(m[2]));
      else {
        start = Number(m[1]);
        if (m[2] !== "") end = Math.min(end, Number(m[2]) + 1);
      }
      if (start >= data.byteLength && data.byteLength > 0) {
        res.writeHead(416, { "content-range": `bytes */${data.byteLength}` });
        res.end();
        return;
      }
      status = 206;
      headers["content-range"] = `bytes ${start}-${end - 1}/${data.byteLength}`;
    }
    res.writeHead(status, {
      ...headers,
      "accept-ranges": "bytes",
      "content-type": "application/octet-stream",
      "content-length": String(end - start),
    });
    if (req.method === "HEAD") {
      res.end();
      return;
    }
    const body = data.subarray(start, end);
    const cut = this.cuts.find((c) => c.left > 0 && c.match(record.url));
    if (cut) {
      cut.left--;
      const part = body.subarray(0, cut.afterBytes);
      record.bytes = part.byteLength;
      res.write(part, () => res.destroy());
      return;
    }
    record.bytes = body.byteLength;
    res.end(body);
  }

  private async serveApi(req: IncomingMessage, res: ServerResponse, url: URL, segs: string[]) {
    const kind = segs[0];
    const type: RepoType | undefined =
      kind === "models" ? "model" : kind === "datasets" ? "dataset" : undefined;
    if (!type) return this.error(res, 404, undefined, `no API route ${url.pathname}`);
    const verbs = ["tree", "paths-info", "revision"];
    const at = segs.findIndex((s, i) => i > 1 && verbs.includes(s));
    const name = segs.slice(1, at < 0 ? undefined : at).join("/");
    const repo = this.findRepo(req, res, type, name);
    if (!repo) return;
    const verb = at < 0 ? "revision" : (segs[at] as string);
    const revision = at < 0 ? "main" : (segs[at + 1] ?? "main");
    const commit = this.resolveCommit(repo, revision === "HEAD" ? "main" : revision);
    if (!commit) return this.error(res, 404, "RevisionNotFound", `Invalid rev id: ${revision}`);
    if (verb === "tree") {
      const recursive = url.searchParams.get("recursive") === "true";
      return this.json(res, treeEntries(commit, segs.slice(at + 2).join("/"), recursive));
    }
    if (verb === "paths-info") {
      const body = JSON.parse((await readBody(req)) || "{}") as { paths?: string[] };
      const infos = (body.paths ?? []).flatMap((p) => {
        const f = commit.files.get(p);
        return f ? [pathInfo(f, commit.sha)] : [];
      });
      return this.json(res, infos);
    }
    return this.json(res, {
      _id: `fixture-${name}`,
      id: name,
      sha: commit.sha,
      private: this.privateRepos.has(`${type}:${name}`),
      lastModified: "2026-01-01T00:00:00.000Z",
      siblings: [...commit.files.keys()].sort().map((rfilename) => ({ rfilename })),
    });
  }

  private json(res: ServerResponse, value: unknown): void {
    const body = JSON.stringify(value);
    res.writeHead(200, {
      "content-type": "application/json",
      "content-length": String(Buffer.byteLength(body)),
    });
    res.end(body);
  }

  private error(res: ServerResponse, status: number, code: string | undefined, message: string): void {
    const body = JSON.stringify({ error: message });
    res.writeHead(status, { "content-type": "application/json", ...(code ? { "x-error-code": code } : {}) });
    res.end(body);
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}
