// Crucible dashboard page: polls the server for new metrics.jsonl lines of every run and draws one uPlot
// chart per metric (x = step), one series per run so runs can be compared. The watched curves (loss/NLL,
// reward, accuracy, KL) are pinned at the top; the rest sit in collapsible groups; run files come last,
// collapsed. Plain browser JS, no build.
/* global uPlot, crucibleMetrics */

const { pinRank, groupOf, smooth } = crucibleMetrics;
const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"];
const POLL_MS = 1000;
const RUNS_POLL_MS = 5000;
const PINNED_GROUP = "key metrics";
const state = {
  runs: [],
  offsets: new Map(), // run id -> byte offset into metrics.jsonl
  byRun: new Map(), // run id -> Map(step -> row), last row per step wins (resumed runs rewrite steps)
  charts: new Map(), // metric -> { plot, el, nRuns, log }
  filter: "",
  smoothing: 0,
  logScale: false,
  lastUpdate: null,
};

const el = (tag, attrs = {}, ...children) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "style") e.style.cssText = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c);
  return e;
};

function renderRuns() {
  const box = document.getElementById("runs");
  box.replaceChildren(el("h2", {}, "Runs"));
  state.runs.forEach((run, i) => {
    const card = el("div", {
      class: "run",
      style: `--run-color: ${COLORS[i % COLORS.length]}`,
      "data-run": run.id,
    });
    card.append(el("h3", {}, run.name), el("div", { class: "path" }, run.path));
    const files = el("ul");
    if (run.hasConfig)
      files.append(el("li", {}, el("a", { href: `/files/${run.id}/config.json` }, "config.json")));
    if (run.checkpoints.length)
      files.append(
        el("li", {}, el("a", { href: `/files/${run.id}/checkpoints.jsonl` }, "checkpoints.jsonl")),
      );
    for (const r of run.reports) {
      files.append(
        el("li", {}, el("a", { href: `/files/${run.id}/${r}`, target: "_blank", class: "report" }, r)),
      );
    }
    const n = files.children.length;
    if (n) card.append(el("details", { class: "files" }, el("summary", {}, `${n} files and reports`), files));
    if (run.checkpoints.length) {
      const t = el(
        "table",
        { class: "checkpoints" },
        el("tr", {}, el("th", {}, "checkpoint"), el("th", {}, "path")),
      );
      for (const c of run.checkpoints) {
        const path = c.state_path ?? c.sampler_path ?? "";
        t.append(el("tr", {}, el("td", {}, String(c.name ?? "")), el("td", {}, String(path))));
      }
      card.append(
        el(
          "details",
          { class: "checkpoints" },
          el("summary", {}, `${run.checkpoints.length} checkpoints`),
          t,
        ),
      );
    }
    box.append(card);
  });
}

/** Metrics with at least one finite value in some run: a metric that has none gets no (empty) panel. */
function metricNames() {
  const names = new Set();
  for (const rows of state.byRun.values()) {
    for (const row of rows.values()) {
      for (const [k, v] of Object.entries(row)) {
        if (k !== "step" && typeof v === "number" && Number.isFinite(v)) names.add(k);
      }
    }
  }
  return [...names].sort();
}

/** Aligned uPlot data: union of steps on x, one y array per run with null where the run has no value. */
function rawData(metric) {
  const steps = new Set();
  for (const rows of state.byRun.values()) {
    for (const [step, row] of rows) if (typeof row[metric] === "number") steps.add(step);
  }
  const xs = [...steps].sort((a, b) => a - b);
  const ys = state.runs.map((run) => {
    const rows = state.byRun.get(run.id) ?? new Map();
    return xs.map((s) => {
      const v = rows.get(s)?.[metric];
      return typeof v === "number" && Number.isFinite(v) ? v : null;
    });
  });
  return [xs, ...ys];
}

function drawnData(raw) {
  return [raw[0], ...raw.slice(1).map((ys) => smooth(ys, state.smoothing))];
}

/** Log scale only where every value is positive; other charts stay linear and say so. */
function wantsLog(raw) {
  return state.logScale && raw.slice(1).every((ys) => ys.every((v) => v === null || v > 0));
}

function groupName(metric) {
  return pinRank(metric) >= 0 ? PINNED_GROUP : groupOf(metric);
}

function groupBox(group) {
  const id = `group-${group}`;
  let box = document.getElementById(id);
  if (!box) {
    const pinned = group === PINNED_GROUP;
    box = el(
      "details",
      { class: pinned ? "group pinned" : "group", id },
      el("summary", {}, group),
      el("div", { class: "grid" }),
    );
    // The pinned curves are open; the other groups start collapsed unless nothing is pinned.
    box.open = pinned || !document.getElementById(`group-${PINNED_GROUP}`);
    const main = document.getElementById("charts");
    const later = pinned
      ? main.firstElementChild
      : [...main.children].find((c) => !c.classList.contains("pinned") && c.id > id);
    main.insertBefore(box, later ?? null);
  }
  return box.querySelector(".grid");
}

/** Tick labels that stay readable for learning rates (1e-5) as well as losses (log axes pass null for skipped ticks). */
function fmtTick(v) {
  if (v === null || v === undefined) return "";
  if (v === 0) return "0";
  const a = Math.abs(v);
  return a < 1e-3 || a >= 1e6 ? v.toExponential(1) : String(Number(v.toPrecision(4)));
}

function sortKey(metric) {
  const r = pinRank(metric);
  return `${r < 0 ? 9 : r}:${metric}`;
}

function makeChart(metric, raw) {
  const log = wantsLog(raw);
  const note = state.logScale && !log ? " (linear: values ≤ 0)" : "";
  const holder = el(
    "div",
    { class: "chart", "data-metric": metric },
    el("div", { class: "title" }, metric + note),
  );
  const grid = groupBox(groupName(metric));
  const later = [...grid.children].find((c) => sortKey(c.dataset.metric) > sortKey(metric));
  grid.insertBefore(holder, later ?? null);
  const opts = {
    width: 420,
    height: 220,
    scales: { x: { time: false }, y: log ? { distr: 3 } : {} },
    axes: [{ label: "step" }, { size: 64, values: (_u, splits) => splits.map(fmtTick) }],
    series: [
      { label: "step" },
      ...state.runs.map((run, i) => ({
        label: run.name,
        stroke: COLORS[i % COLORS.length],
        width: 1.5,
        spanGaps: true,
        points: { show: state.smoothing === 0, size: 4 },
      })),
    ],
  };
  return { plot: new uPlot(opts, drawnData(raw), holder), el: holder, nRuns: state.runs.length, log, raw };
}

function applyFilter() {
  for (const [metric, c] of state.charts) {
    c.el.style.display = metric.includes(state.filter) ? "" : "none";
  }
  // A group whose charts are all filtered out is hidden too: no empty panels.
  for (const g of document.querySelectorAll("#charts > details.group")) {
    const shown = [...g.querySelectorAll(".chart")].some((c) => c.style.display !== "none");
    g.style.display = shown ? "" : "none";
  }
}

function redraw(rebuild = false) {
  for (const metric of metricNames()) {
    const raw = rawData(metric);
    const c = state.charts.get(metric);
    if (c && !rebuild && c.nRuns === state.runs.length && c.log === wantsLog(raw)) {
      c.raw = raw;
      c.plot.setData(drawnData(raw));
    } else {
      if (c) {
        c.plot.destroy();
        c.el.remove();
      }
      state.charts.set(metric, makeChart(metric, raw));
    }
  }
  applyFilter();
  if (state.charts.size === 0) {
    document
      .getElementById("charts")
      .replaceChildren(el("div", { class: "empty" }, "waiting for metrics.jsonl…"));
  } else document.querySelector("#charts > .empty")?.remove();
}

async function pollMetrics() {
  let changed = false;
  for (const run of state.runs) {
    try {
      const off = state.offsets.get(run.id) ?? 0;
      const res = await fetch(`/api/runs/${run.id}/metrics?offset=${off}`);
      const chunk = await res.json();
      if (chunk.offset < off) state.byRun.set(run.id, new Map()); // file was restarted
      state.offsets.set(run.id, chunk.offset);
      const rows = state.byRun.get(run.id) ?? new Map();
      state.byRun.set(run.id, rows);
      for (const row of chunk.rows) {
        if (typeof row.step !== "number") continue;
        rows.set(row.step, { ...(rows.get(row.step) ?? {}), ...row });
        changed = true;
      }
    } catch (e) {
      document.getElementById("status").textContent = `error: ${e}`;
    }
  }
  if (changed || state.lastUpdate === null) {
    redraw();
    state.lastUpdate = new Date();
    const total = [...state.byRun.values()].reduce((n, m) => n + m.size, 0);
    document.getElementById("status").textContent =
      `${state.runs.length} run(s), ${total} steps, ${state.charts.size} metrics — updated ${state.lastUpdate.toLocaleTimeString()}`;
  }
  setTimeout(pollMetrics, POLL_MS);
}

async function pollRuns() {
  try {
    const runs = await (await fetch("/api/runs")).json();
    const before = JSON.stringify(state.runs);
    state.runs = runs;
    if (JSON.stringify(runs) !== before) renderRuns();
  } catch {
    /* server gone: keep the last view */
  }
}

const count = (ys) => ys.filter((v) => v !== null && v !== undefined).length;

// Hooks for tests and curious users: what each chart currently draws.
window.crucibleDashboard = {
  metrics: () => [...state.charts.keys()],
  /** Points per run (raw, whatever the smoothing). */
  pointCounts: (metric) => state.charts.get(metric)?.raw.slice(1).map(count) ?? null,
  /** The y values drawn per run (smoothed when smoothing is on). */
  drawn: (metric) => state.charts.get(metric)?.plot.data.slice(1) ?? null,
  isLog: (metric) => state.charts.get(metric)?.log ?? null,
};

document.getElementById("filter").addEventListener("input", (e) => {
  state.filter = e.target.value.trim();
  applyFilter();
});
document.getElementById("smoothing").addEventListener("input", (e) => {
  state.smoothing = Number(e.target.value);
  document.getElementById("smoothing-value").textContent = e.target.value;
  redraw(true);
});
document.getElementById("log-scale").addEventListener("change", (e) => {
  state.logScale = e.target.checked;
  redraw(true);
});

pollRuns().then(() => {
  pollMetrics();
  setInterval(pollRuns, RUNS_POLL_MS);
});
