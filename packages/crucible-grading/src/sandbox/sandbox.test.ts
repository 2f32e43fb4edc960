import { existsSync, readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { resolveLimits, SandboxConfigError } from "./limits.js";
import { runPythonTests } from "./python.js";
import { runSandboxed, SANDBOX_HOST_TMP } from "./sandbox.js";

// Tight limits keep the hostile programs cheap on a shared 2-core machine.
const limits = { cpuSeconds: 1, wallMs: 4000, memoryBytes: 256 * 1024 * 1024, processes: 16 };
// Only this process's directories: other runs on the machine share /tmp (a stale or concurrent run's dirs are theirs).
const leftovers = () =>
  readdirSync(SANDBOX_HOST_TMP).filter((f) => f.startsWith(`crucible-sandbox-${process.pid}-`));

describe("sandbox", () => {
  it("runs a good program and passes its tests", async () => {
    const r = await runPythonTests("def add(a, b):\n    return a + b", "assert add(2, 3) == 5\nprint('ok')", {
      limits,
    });
    expect(r.passed).toBe(true);
    expect(r.result.stdout).toBe("ok\n");
    const bad = await runPythonTests("def add(a, b):\n    return a - b", "assert add(2, 3) == 5", { limits });
    expect(bad).toMatchObject({ passed: false, status: "nonzero_exit" });
    expect(bad.detail).toContain("AssertionError");
  });

  it("ends hostile programs with a scored failure inside the limits, and the next run still works", async () => {
    const cases: [string, string, string[]][] = [
      ["infinite loop", "while True:\n    pass", ["cpu_timeout", "wall_timeout"]], // wall first on a loaded machine
      ["sleeping forever", "import time\ntime.sleep(60)", ["wall_timeout"]],
      [
        "fork bomb",
        "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass",
        ["cpu_timeout", "wall_timeout"],
      ],
      ["memory hog", "x = [bytearray(128 << 20) for _ in range(64)]", ["memory"]], // 8 GiB asked, 256 MiB allowed
      [
        "network connect",
        "import socket\nsocket.create_connection(('1.1.1.1', 80), timeout=2)",
        ["nonzero_exit"],
      ],
      ["write outside its temp dir", "open('/usr/pwned', 'w').write('x')", ["nonzero_exit"]],
      ["write to /sandbox", "open('/sandbox/main.py', 'w').write('x')", ["nonzero_exit"]],
      ["read host files", "print(open('/etc/passwd').read())", ["nonzero_exit"]],
      ["flood stdout", "while True:\n    print('x' * 1000)", ["output_limit"]],
      [
        "fill the disk",
        "open('/tmp/big', 'wb').write(b'x' * (64 << 20))",
        ["nonzero_exit", "signal", "memory"],
      ],
    ];
    // One at a time: on a shared, loaded machine parallel hostile runs starve each other into wall timeouts.
    const runs = [];
    for (const [, program] of cases)
      runs.push(await runPythonTests(program, "", { limits: { ...limits, outputBytes: 64 * 1024 } }));
    runs.forEach((r, i) => {
      const [name, , statuses] = cases[i]!;
      expect(r.passed, name).toBe(false);
      expect(statuses, `${name}: ${r.status} ${r.detail}`).toContain(r.status);
      expect(r.wallMs, name).toBeLessThan(limits.wallMs + 2000);
    });
    expect(runs[4]!.detail).toMatch(/Network is unreachable|OSError/);
    expect(runs[5]!.detail).toMatch(/Read-only file system|Permission denied|No such file/);
    expect(runs[7]!.detail).toMatch(/No such file/);
    expect(existsSync("/usr/pwned")).toBe(false);
    expect((await runPythonTests("print(sum(range(10)))", "", { limits })).result.stdout).toBe("45\n");
    expect(leftovers()).toEqual([]);
  });

  it("gives the program a private writable /tmp and its files read-only under /sandbox", async () => {
    const r = await runSandboxed({
      command: ["/usr/bin/python3", "/sandbox/main.py"],
      files: {
        "main.py":
          "import os\nopen('a.txt','w').write(input())\nprint(os.getcwd(), open('a.txt').read(), sorted(os.listdir('/')))",
        "data/x.txt": "1",
      },
      stdin: "hello\n",
      limits,
    });
    expect(r.status).toBe("ok");
    expect(r.stdout.trim()).toBe(
      "/tmp hello ['bin', 'dev', 'lib', 'lib64', 'proc', 'sandbox', 'tmp', 'usr']",
    );
  });

  it("rejects bad limits and file names with a typed error", async () => {
    expect(() => resolveLimits({ wallMs: -1 })).toThrow(SandboxConfigError);
    await expect(runSandboxed({ command: ["/usr/bin/true"], files: { "../x": "" } })).rejects.toThrow(
      /relative path/,
    );
  });
});
