import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { main, parseServeArgs } from "./main.js";

describe("crucible-local argument parsing", () => {
  it("parses serve options", () => {
    const a = parseServeArgs(
      [
        "serve",
        "--port",
        "9000",
        "--models",
        "crucible/tiny-qwen3, crucible/tiny-llama3",
        "--checkpoint-dir",
        "/tmp/c",
        "--api-key",
        "k1",
        "--api-key",
        "k2",
      ],
      {},
    );
    expect(a).toEqual({
      port: 9000,
      host: "127.0.0.1",
      models: ["crucible/tiny-qwen3", "crucible/tiny-llama3"],
      checkpointDir: "/tmp/c",
      apiKeys: ["k1", "k2"],
      sharedKeys: false,
      maxBodyBytes: 64 * 1024 * 1024,
    });
    expect(parseServeArgs(["--help"])).toBe("help");
  });

  it("reads API keys from a file and from $CRUCIBLE_LOCAL_API_KEYS, so they stay out of ps", () => {
    const dir = mkdtempSync(join(tmpdir(), "cli-keys-"));
    try {
      const file = join(dir, "keys");
      writeFileSync(file, "# team keys\nalice-key\n\nbob-key\n");
      const a = parseServeArgs(["serve", "--api-key-file", file, "--shared-keys"], {
        CRUCIBLE_LOCAL_API_KEYS: "carol-key, alice-key",
      });
      expect(a).toMatchObject({ apiKeys: ["alice-key", "bob-key", "carol-key"], sharedKeys: true });
      expect(() => parseServeArgs(["serve", "--api-key-file", join(dir, "missing")], {})).toThrow(
        /--api-key-file .*missing.*ENOENT/,
      );
      writeFileSync(file, "# nothing\n");
      expect(() => parseServeArgs(["serve", "--api-key-file", file], {})).toThrow(/holds no keys/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("names the bad flag", () => {
    expect(() => parseServeArgs(["serve", "--port", "http"])).toThrow(/--port/);
    expect(() => parseServeArgs(["run"])).toThrow(/serve/);
    expect(() => parseServeArgs(["serve", "--bogus"])).toThrow(/bogus/);
    expect(() => parseServeArgs(["serve", "--device", "gpu"])).toThrow(
      /--device: expected cpu, cuda or cuda:N/,
    );
  });

  it("takes --device cpu|cuda|cuda:N", () => {
    for (const d of ["cpu", "cuda", "cuda:1"])
      expect(parseServeArgs(["serve", "--device", d])).toMatchObject({ device: d });
    expect(parseServeArgs(["serve"])).not.toHaveProperty("device");
  });

  it("exits 2 with the fix when the device cannot be used", async () => {
    const err = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      const { loadAddon } = await import("../engine/native.js");
      const info = loadAddon().deviceInfo();
      const missing = info.cudaBuild ? `cuda:${info.cudaDevices}` : "cuda";
      expect(await main(["serve", "--port", "0", "--device", missing])).toBe(2);
      expect(String(err.mock.calls.at(-1)?.[0])).toMatch(/device: cuda/);
    } finally {
      err.mockRestore();
    }
  });
});

describe("crucible-local serve (a real process)", () => {
  it("serves the Tinker API until SIGTERM, then exits cleanly", async () => {
    const { spawn } = await import("node:child_process");
    const { mkdtemp, rm } = await import("node:fs/promises");
    const { dirname } = await import("node:path");
    const { fileURLToPath } = await import("node:url");
    const pkgDir = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
    const dir = await mkdtemp(join(tmpdir(), "cli-serve-"));
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        "src/cli/main.ts",
        "serve",
        "--port",
        "0",
        "--models",
        "crucible/tiny-qwen3",
        "--checkpoint-dir",
        dir,
        "--api-key",
        "k",
      ],
      { cwd: pkgDir, stdio: ["ignore", "pipe", "pipe"] },
    );
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = "";
        child.stdout.on("data", (d: Buffer) => {
          out += d.toString();
          const m = /serving the Tinker API at (http:\/\/\S+)/.exec(out);
          if (m) resolve(m[1] as string);
        });
        child.stderr.on("data", (d: Buffer) => (out += d.toString()));
        child.on("exit", (code) => reject(new Error(`exited ${code}: ${out}`)));
      });
      expect((await fetch(`${url}/api/v1/healthz`)).status).toBe(200);
      expect((await fetch(`${url}/api/v1/get_server_capabilities`)).status).toBe(401);
      const caps = await fetch(`${url}/api/v1/get_server_capabilities`, { headers: { "x-api-key": "k" } });
      expect(await caps.json()).toEqual({
        supported_models: [{ model_name: "crucible/tiny-qwen3", max_context_length: 4096 }],
      });
      const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("crucible-local startup checks", () => {
  it("fails fast, with the reason, when a served model cannot be loaded", async () => {
    const written: string[] = [];
    const spy = vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    try {
      const code = await main([
        "serve",
        "--port",
        "0",
        "--models",
        "/nonexistent/model-dir",
        "--checkpoint-dir",
        join(tmpdir(), "crucible-cli-fail"),
      ]);
      expect(code).toBe(2); // the user named a model that cannot be loaded: a usage error
    } finally {
      spy.mockRestore();
    }
    expect(written.join("")).toMatch(/cannot load the served models.*\/nonexistent\/model-dir/s);
  });

  it("refuses an unsupported model_type or rope_type with one line naming the key, exit 2", async () => {
    const { mkdtempSync, writeFileSync, rmSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const dir = mkdtempSync(join(tmpdir(), "cli-badmodel-"));
    const base = {
      model_type: "llama",
      hidden_size: 32,
      intermediate_size: 64,
      num_hidden_layers: 1,
      num_attention_heads: 4,
      vocab_size: 50,
    };
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ ...base, model_type: "gpt2" }, /model_type: "gpt2" is not supported/],
      [
        { ...base, rope_parameters: { rope_type: "longrope", rope_theta: 1e4 } },
        /rope_parameters\.rope_type: "longrope"/,
      ],
    ];
    try {
      for (const [config, message] of cases) {
        writeFileSync(join(dir, "config.json"), JSON.stringify(config));
        const written: string[] = [];
        const spy = vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
          written.push(String(chunk));
          return true;
        });
        let code: number;
        try {
          code = await main(["serve", "--port", "0", "--models", dir, "--checkpoint-dir", join(dir, "ckpt")]);
        } finally {
          spy.mockRestore();
        }
        expect(code).toBe(2);
        const text = written.join("");
        expect(text).toMatch(message);
        expect(text).not.toMatch(/internal error/);
        expect(text.trim().split("\n")).toHaveLength(1);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
