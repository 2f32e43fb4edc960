import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ServiceClient } from "@crucible/tinker-client";
import { pack } from "tar-stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { downloadCheckpoint } from "./download.js";

// Protocol-level fault tests with a scripted server (the real local server is exercised end to end in
// recipes/src/cli/weights-command.test.ts): archive URL forms, checksum headers, truncation, hostile tars.

async function tarOf(
  entries: { name: string; data?: string; type?: "file" | "symlink"; linkname?: string }[],
) {
  const p = pack();
  const chunks: Buffer[] = [];
  p.on("data", (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((r) => p.on("end", () => r(Buffer.concat(chunks))));
  for (const e of entries) {
    if (e.type === "symlink")
      p.entry({ name: e.name, type: "symlink", linkname: e.linkname ?? "/etc/passwd" });
    else p.entry({ name: e.name }, e.data ?? "");
  }
  p.finalize();
  return done;
}

interface Script {
  archive: "redirect" | "json" | "relative" | "file-url";
  headers: (body: Buffer) => Record<string, string>;
  body: Buffer;
  /** Send only this many bytes, then drop the connection. */
  cutAt?: number;
}

describe("downloadCheckpoint", () => {
  let dir: string;
  let server: Server;
  let url: string;
  let script: Script;
  let downloadAuth: string | undefined;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "download-"));
    server = createServer((req, res) => {
      const path = req.url ?? "/";
      if (path === "/api/v1/client/config") {
        res
          .writeHead(200, { "content-type": "application/json" })
          .end(JSON.stringify({ pjwt_auth_enabled: false }));
        return;
      }
      if (path.endsWith("/archive")) {
        const target =
          script.archive === "file-url"
            ? "file:///srv/ckpt/"
            : script.archive === "relative"
              ? "/blob/x.tar"
              : `${url}/blob/x.tar`;
        if (script.archive === "json") {
          res
            .writeHead(200, { "content-type": "application/json" })
            .end(JSON.stringify({ url: target, expires: "2030-01-01T00:00:00Z" }));
        } else {
          res.writeHead(302, { location: target, expires: "Wed, 01 Jan 2030 00:00:00 GMT" }).end();
        }
        return;
      }
      if (path === "/blob/x.tar") {
        downloadAuth = req.headers["x-api-key"] as string | undefined;
        res.writeHead(200, {
          "content-length": String(script.body.byteLength),
          ...script.headers(script.body),
        });
        if (script.cutAt !== undefined) {
          res.write(script.body.subarray(0, script.cutAt));
          setTimeout(() => res.destroy(), 20);
        } else res.end(script.body);
        return;
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  });

  const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");
  const good = () =>
    tarOf([
      { name: "adapter_config.json", data: '{"r":2}' },
      { name: "adapter_model.safetensors", data: "x" },
    ]);
  async function run(out = join(dir, "ckpt"), progress: number[] = []) {
    const svc = new ServiceClient({ baseUrl: url, apiKey: "tml-k" });
    try {
      return await downloadCheckpoint({
        tinkerPath: "tinker://run:train:0/sampler_weights/final",
        outDir: out,
        rest: svc.createRestClient(),
        baseUrl: url,
        onProgress: (n) => progress.push(n),
      });
    } finally {
      await svc.close();
    }
  }

  it("follows the archive URL in each form servers use and verifies the announced checksum", async () => {
    const body = await good();
    const forms: [Script["archive"], Script["headers"], string][] = [
      ["redirect", (b) => ({ "x-content-sha256": sha(b) }), "x-content-sha256"],
      [
        "json",
        (b) => ({ "repr-digest": `sha-256=:${Buffer.from(sha(b), "hex").toString("base64")}:` }),
        "repr-digest",
      ],
      [
        "relative",
        (b) => ({ "x-goog-hash": `crc32c=AAAAAA==,md5=${createHash("md5").update(b).digest("base64")}` }),
        "x-goog-hash",
      ],
      ["redirect", () => ({}), "content-length only"],
    ];
    for (const [i, [archive, headers, verified]] of forms.entries()) {
      script = { archive, headers, body };
      const progress: number[] = [];
      const r = await run(join(dir, `ok-${i}`), progress);
      expect(r).toMatchObject({ bytes: body.byteLength, sha256: sha(body), verifiedWith: verified });
      expect(progress.at(-1)).toBe(body.byteLength);
      expect(readdirSync(join(dir, `ok-${i}`)).sort()).toEqual([
        "adapter_config.json",
        "adapter_model.safetensors",
        "crucible-download.json",
      ]);
      expect(JSON.parse(readFileSync(join(dir, `ok-${i}`, "crucible-download.json"), "utf8"))).toMatchObject({
        sha256: sha(body),
      });
      expect(downloadAuth).toBeUndefined(); // a signed URL: the API key is not sent to the storage host
    }
  });

  it("corrupt, truncated, hostile or unusable downloads fail clearly and leave nothing behind", async () => {
    const body = await good();
    const out = join(dir, "ckpt");
    script = { archive: "redirect", headers: () => ({ "x-content-sha256": "0".repeat(64) }), body };
    await expect(run(out)).rejects.toMatchObject({
      kind: "download",
      message: expect.stringMatching(/is corrupt: SHA-256 [0-9a-f]{64}, the server announced 0{64}/),
    });
    script = { archive: "redirect", headers: () => ({}), body, cutAt: 700 };
    await expect(run(out)).rejects.toThrow(/incomplete|terminated|closed|aborted/i);
    for (const hostile of [
      await tarOf([{ name: "../escape.txt", data: "x" }]),
      await tarOf([{ name: "link", type: "symlink" }]),
    ]) {
      script = { archive: "redirect", headers: (b) => ({ "x-content-sha256": sha(b) }), body: hostile };
      await expect(run(out)).rejects.toMatchObject({ kind: "archive" });
    }
    script = {
      archive: "redirect",
      headers: (b) => ({ "x-content-sha256": sha(b) }),
      body: Buffer.from("not a tar at all".repeat(64)),
    };
    await expect(run(out)).rejects.toMatchObject({ kind: "archive" });
    script = { archive: "file-url", headers: () => ({}), body };
    await expect(run(out)).rejects.toThrow(/scheme file: .*only http\(s\)/);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir)).toEqual([]); // no temp tar, no temp dir
  });
});
