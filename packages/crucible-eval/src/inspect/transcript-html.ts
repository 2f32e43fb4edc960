// A self-contained HTML page of an eval log's per-sample transcripts (messages, output, scores), for run reports.
import type { InspectEvalLog } from "./log-types.js";

const esc = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

export function transcriptHtml(log: InspectEvalLog): string {
  const metrics = (log.results?.scores ?? [])
    .map(
      (s) =>
        `${esc(s.name)}: ${Object.values(s.metrics)
          .map((m) => `${esc(m.name)} ${m.value.toFixed(4)}`)
          .join(", ")}`,
    )
    .join("<br>");
  const samples = (log.samples ?? [])
    .map((s) => {
      const msgs = s.messages
        .map((m) => `<div class="msg ${m.role}"><b>${m.role}</b><pre>${esc(m.content)}</pre></div>`)
        .join("");
      const scores = Object.entries(s.scores ?? {})
        .map(
          ([k, v]) =>
            `<li>${esc(k)}: <b>${esc(String(v.value))}</b>${v.answer != null ? ` (answer: ${esc(String(v.answer))})` : ""}${v.explanation ? `<pre>${esc(v.explanation)}</pre>` : ""}</li>`,
        )
        .join("");
      const target = Array.isArray(s.target) ? s.target.join(" | ") : s.target;
      return `<details><summary>${esc(String(s.id))} (epoch ${s.epoch}) — target ${esc(target)}${s.error ? " — ERROR" : ""}</summary>${msgs}<ul>${scores}</ul>${s.error ? `<pre class="err">${esc(s.error.message)}</pre>` : ""}</details>`;
    })
    .join("\n");
  return `<!doctype html><meta charset="utf-8"><title>${esc(log.eval.task)} — ${esc(log.eval.model)}</title>
<style>body{font:14px system-ui;margin:2em}pre{white-space:pre-wrap;margin:.2em 0 .6em}.msg{border-left:3px solid #ccc;padding-left:.6em}.assistant{border-color:#36c}.system{border-color:#999}.err{color:#b00}summary{cursor:pointer}</style>
<h1>${esc(log.eval.task)}</h1><p>model ${esc(log.eval.model)} · ${log.results?.completed_samples ?? 0}/${log.results?.total_samples ?? 0} samples · status ${log.status}</p><p>${metrics}</p>
${samples}
`;
}
