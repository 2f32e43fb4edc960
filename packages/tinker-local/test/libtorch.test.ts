import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

// scripts/libtorch.cjs: how the build finds libtorch (LIBTORCH, an installed PyTorch, the system package).
const script = join(__dirname, "..", "scripts", "libtorch.cjs");
const { find } = createRequire(import.meta.url)(script) as {
  find(): {
    how: string;
    version: string;
    cuda: boolean;
    include: string[];
    defines: string[];
    cflags: string[];
    ldflags: string[];
  };
};
const tmp = mkdtempSync(join(os.tmpdir(), "crucible-libtorch-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A libtorch-shaped folder: include/ATen/ATen.h, the version header, lib/libc10.so (with or without C++11-ABI names). */
function fakeLibtorch(
  name: string,
  opts: { major: number; minor: number; cxx11: boolean; cuda?: boolean; headeronly?: boolean },
) {
  const dir = join(tmp, name);
  mkdirSync(join(dir, "include", "ATen"), { recursive: true });
  writeFileSync(join(dir, "include", "ATen", "ATen.h"), "");
  const v = opts.headeronly ? ["torch", "headeronly"] : ["torch", "csrc", "api", "include", "torch"];
  mkdirSync(join(dir, "include", ...v), { recursive: true });
  writeFileSync(
    join(dir, "include", ...v, "version.h"),
    `#define TORCH_VERSION_MAJOR ${opts.major}\n#define TORCH_VERSION_MINOR ${opts.minor}\n`,
  );
  mkdirSync(join(dir, "lib"));
  writeFileSync(join(dir, "lib", "libc10.so"), opts.cxx11 ? "_ZNSt7__cxx1112basic_string" : "_ZNSs4_Rep");
  if (opts.cuda) writeFileSync(join(dir, "lib", "libtorch_cuda.so"), "");
  return dir;
}

function withEnv<T>(env: Record<string, string>, fn: () => T): T {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    return fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

describe("finding libtorch (scripts/libtorch.cjs)", () => {
  it("takes LIBTORCH: include and lib folders, rpath, its C++ ABI and version", () => {
    const dir = fakeLibtorch("pre-abi", { major: 2, minor: 4, cxx11: false });
    const t = withEnv({ LIBTORCH: dir }, find);
    expect(t.how).toBe(`LIBTORCH=${dir}`);
    expect(t.include).toEqual([
      join(dir, "include"),
      join(dir, "include", "torch", "csrc", "api", "include"),
    ]);
    expect(t.defines).toContain("_GLIBCXX_USE_CXX11_ABI=0");
    expect(t.ldflags).toEqual([`-L${join(dir, "lib")}`, `-Wl,-rpath,${join(dir, "lib")}`]);
    expect(t.version).toBe("2.4");
    expect(t.cflags).toEqual(["-std=c++17"]);
    expect(t.cuda).toBe(false);
  });

  it("links libtorch_cuda (kept with --no-as-needed) and reads the version from the headeronly header (2.12: C++20)", () => {
    const dir = fakeLibtorch("cuda", { major: 2, minor: 12, cxx11: true, cuda: true, headeronly: true });
    const t = withEnv({ LIBTORCH: dir, CUDA_HOME: join(tmp, "no-cuda-here") }, find);
    expect(t.cuda).toBe(true);
    expect(t.defines).toContain("_GLIBCXX_USE_CXX11_ABI=1");
    expect(t.ldflags.join(" ")).toContain("-Wl,--no-as-needed -ltorch_cuda -Wl,--as-needed");
    expect(t.version).toBe("2.12");
    expect(t.cflags).toEqual(["-std=c++20"]);
  });

  it("names the fixes when LIBTORCH points at something else", () => {
    expect(() => withEnv({ LIBTORCH: tmp }, find)).toThrow(
      /no include\/ATen\/ATen.h.*apt-get install libtorch-dev.*LIBTORCH/,
    );
    let out = "";
    try {
      execFileSync(process.execPath, [script, "--check"], {
        env: { ...process.env, LIBTORCH: tmp },
        stdio: "pipe",
      });
    } catch (e) {
      out = String((e as { stderr: Buffer }).stderr);
    }
    expect(out).toMatch(/^libtorch: LIBTORCH=.* has no include\/ATen\/ATen.h/);
  });
});
