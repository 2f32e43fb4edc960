// Published package.json fields that must agree across the workspace (a user reads them on the npm page).
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { readWorkspacePackages } from "./layers.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const manifest = (dir: string) =>
  JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as {
    repository?: { type?: string; url?: string; directory?: string };
    license?: string;
  };

describe("package.json fields", () => {
  it("every package names the root's repository, with its own folder as directory, and the root's license", () => {
    const top = manifest(root);
    expect(top.repository?.url).toMatch(/^git\+https:\/\/github\.com\/[\w.-]+\/[\w.-]+\.git$/);
    const wrong = readWorkspacePackages(root).flatMap((p) => {
      const m = manifest(p.dir);
      const want = { type: "git", url: top.repository?.url, directory: relative(root, p.dir) };
      const problems: string[] = [];
      if (JSON.stringify(m.repository) !== JSON.stringify(want))
        problems.push(
          `${p.name}: repository ${JSON.stringify(m.repository)}, expected ${JSON.stringify(want)}`,
        );
      if (m.license !== top.license)
        problems.push(`${p.name}: license ${m.license}, expected ${top.license}`);
      return problems;
    });
    expect(wrong).toEqual([]);
  });
});
