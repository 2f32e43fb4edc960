import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** Layer order from ARCHITECTURE.md: a package may depend only on packages earlier in this list. */
export const LAYER_ORDER = [
  "@crucible/hub",
  "@crucible/tinker-client",
  "@crucible/weights",
  "@crucible/renderers",
  "@crucible/tinker-local",
  "@crucible/log",
  "@crucible/grading",
  "@crucible/env",
  "@crucible/eval",
  "@crucible/train",
  "@crucible/recipes",
] as const;

/** Explicit exceptions to "anything above": ARCHITECTURE.md says hub, log and grading stand alone. */
const STANDALONE = new Set(["@crucible/hub", "@crucible/log", "@crucible/grading"]);

export interface WorkspacePackage {
  name: string;
  dir: string;
  deps: string[];
}

export function readWorkspacePackages(root: string): WorkspacePackage[] {
  const dirs = [
    ...readdirSync(join(root, "packages")).map((d) => join(root, "packages", d)),
    join(root, "recipes"),
  ];
  const out: WorkspacePackage[] = [];
  for (const dir of dirs) {
    const file = join(dir, "package.json");
    if (!existsSync(file)) continue;
    const json = JSON.parse(readFileSync(file, "utf8")) as {
      name: string;
      dependencies?: Record<string, string>;
      devDependencies?: Record<string, string>;
      peerDependencies?: Record<string, string>;
      optionalDependencies?: Record<string, string>;
    };
    const deps = Object.keys({
      ...json.dependencies,
      ...json.devDependencies,
      ...json.peerDependencies,
      ...json.optionalDependencies,
    }).filter((d) => d.startsWith("@crucible/"));
    out.push({ name: json.name, dir, deps });
  }
  return out;
}

/** Returns one message per dependency that points up (or sideways) the layer order. */
export function layerViolations(pkgs: WorkspacePackage[]): string[] {
  const rank = new Map<string, number>(LAYER_ORDER.map((n, i) => [n, i]));
  const problems: string[] = [];
  for (const p of pkgs) {
    const own = rank.get(p.name);
    if (own === undefined) {
      problems.push(
        `${p.name} (${p.dir}) is not in the layer order; add it to LAYER_ORDER and ARCHITECTURE.md`,
      );
      continue;
    }
    for (const d of p.deps) {
      const theirs = rank.get(d);
      if (theirs === undefined) problems.push(`${p.name} depends on unknown package ${d}`);
      else if (theirs >= own)
        problems.push(`${p.name} depends on ${d}, which is not above it in the layer order`);
      else if (STANDALONE.has(p.name)) problems.push(`${p.name} must stand alone but depends on ${d}`);
    }
  }
  return problems;
}
