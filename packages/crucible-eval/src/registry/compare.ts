// A models × benchmarks table of the registry's latest scores, as aligned text.
import type { ModelRegistry } from "./registry.js";

export function compareTable(reg: ModelRegistry, models: readonly string[], metric = "accuracy"): string {
  const scores = reg.latestScores(models, metric);
  const tasks = [...new Set([...scores.values()].flatMap((m) => [...m.keys()]))].sort();
  const header = ["model", ...tasks];
  const rows = models.map((m) => [m, ...tasks.map((t) => scores.get(m)?.get(t)?.toFixed(4) ?? "-")]);
  const widths = header.map((_, i) => Math.max(...[header, ...rows].map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}
