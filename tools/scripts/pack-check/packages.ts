import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export interface PublicPackage {
  name: string;
  version: string;
  dir: string;
  /** Runtime @crucible dependencies. */
  siblings: string[];
  /** Files the published tarball must hold besides package.json (relative to the package root). */
  required: string[];
}

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  main?: string;
  module?: string;
  types?: string;
  bin?: Record<string, string>;
  dependencies?: Record<string, string>;
}

/** Every workspace package that is published (not private), packages/* and recipes. */
export function publicPackages(root: string): PublicPackage[] {
  const dirs = [
    ...readdirSync(join(root, "packages")).map((d) => join(root, "packages", d)),
    join(root, "recipes"),
  ];
  const out: PublicPackage[] = [];
  for (const dir of dirs) {
    let m: Manifest;
    try {
      m = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as Manifest;
    } catch {
      continue;
    }
    if (m.private) continue;
    const entry = [m.main, m.module, m.types, ...Object.values(m.bin ?? {})].filter((f): f is string => !!f);
    const required = ["LICENSE", "README.md", ...entry.map((f) => f.replace(/^\.\//, ""))];
    if (m.name === "@crucible/recipes")
      required.push("dist/static/index.html", "dist/static/app.js", "dist/static/metrics.js");
    const siblings = Object.keys(m.dependencies ?? {}).filter((d) => d.startsWith("@crucible/"));
    out.push({ name: m.name, version: m.version, dir, required, siblings });
  }
  return out;
}

/** What is wrong with a packed tarball: missing files, unresolved workspace: ranges. */
export function tarballProblems(p: PublicPackage, tarball: string): string[] {
  const files = new Set(
    execFileSync("tar", ["tzf", tarball], { encoding: "utf8" })
      .split("\n")
      .filter(Boolean)
      .map((f) => f.replace(/^package\//, "")),
  );
  const problems = p.required
    .filter((f) => !files.has(f))
    .map((f) => `${p.name}: ${f} missing from the tarball`);
  const manifest = execFileSync("tar", ["xzf", tarball, "-O", "package/package.json"], { encoding: "utf8" });
  if (manifest.includes("workspace:")) problems.push(`${p.name}: package.json keeps a workspace: range`);
  return problems;
}

/** `names` plus every @crucible package they need at runtime, transitively. */
export function withSiblingDeps(pkgs: readonly PublicPackage[], names: readonly string[]): string[] {
  const byName = new Map(pkgs.map((p) => [p.name, p]));
  const out = new Set<string>();
  const visit = (n: string) => {
    if (out.has(n)) return;
    out.add(n);
    for (const d of byName.get(n)?.siblings ?? []) visit(d);
  };
  for (const n of names) visit(n);
  return [...out];
}
