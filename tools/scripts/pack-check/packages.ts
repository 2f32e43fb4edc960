import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { sh } from "./shell.js";

export interface PublicPackage {
  name: string;
  version: string;
  dir: string;
  /** Runtime @crucible dependencies. */
  siblings: string[];
  /** Files the published tarball must hold besides package.json (relative to the package root). */
  required: string[];
  /** What `prepack` runs after its tsup build (the pack check builds first, then packs with scripts off). */
  prepackRest: string;
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
  scripts?: Record<string, string>;
}

/** The part of a prepack script after its `tsup` build; throws if prepack does not start with tsup. */
export function prepackRest(name: string, prepack: string | undefined): string {
  const m = /^tsup(?:\s*&&\s*(.+))?$/.exec(prepack ?? "");
  if (!m) throw new Error(`${name}: prepack ${JSON.stringify(prepack)} is not "tsup" or "tsup && …"`);
  return m[1] ?? "";
}

export const PREBUILT_FILES = [
  "prebuilds/linux-x64/crucible_engine.node",
  "prebuilds/linux-x64/prebuilt.json",
];

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
    // The engine addon ships prebuilt for linux-x64 (made by prepack from the workspace's build).
    if (m.name === "@crucible/tinker-local" && `${process.platform}-${process.arch}` === "linux-x64")
      required.push(...PREBUILT_FILES);
    const siblings = Object.keys(m.dependencies ?? {}).filter((d) => d.startsWith("@crucible/"));
    const rest = prepackRest(m.name, m.scripts?.prepack);
    out.push({ name: m.name, version: m.version, dir, required, siblings, prepackRest: rest });
  }
  return out;
}

/** What is wrong with a packed tarball: missing files, unresolved workspace: ranges. */
export async function tarballProblems(p: PublicPackage, tarball: string): Promise<string[]> {
  const files = new Set(
    (await sh("tar", ["tzf", tarball], "/"))
      .split("\n")
      .filter(Boolean)
      .map((f) => f.replace(/^package\//, "")),
  );
  const problems = p.required
    .filter((f) => !files.has(f))
    .map((f) => `${p.name}: ${f} missing from the tarball`);
  const manifest = await sh("tar", ["xzf", tarball, "-O", "package/package.json"], "/");
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
