// The models × benchmarks table: the model registry's latest score ± stderr per model (checkpoint or base model)
// and benchmark, each cell linking its eval log and per-sample transcript. Polled with the runs; plain browser JS.
(() => {
  const POLL_MS = 5000;
  let last = "";

  const el = (tag, attrs = {}, ...children) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    for (const c of children) e.append(c);
    return e;
  };
  const fmt = (v) => (typeof v === "number" ? v.toFixed(4) : "-");

  function label(row) {
    const c = row.checkpoint;
    if (!c) return el("span", { title: "base model" }, row.model);
    const facts = [c.recipe, c.step !== null ? `step ${c.step}` : null, c.status].filter(Boolean).join(" · ");
    return el(
      "span",
      { title: `${c.baseModel}${c.loraRank ? `, LoRA rank ${c.loraRank}` : ""}` },
      row.model,
      el("small", {}, ` ${facts}`),
    );
  }

  function render(view) {
    const box = document.getElementById("models");
    if (view.rows.length === 0) {
      box.replaceChildren();
      return;
    }
    const head = el("tr", {}, el("th", {}, "model"), ...view.tasks.map((t) => el("th", {}, t)));
    const body = view.rows.map((row, i) =>
      el(
        "tr",
        { "data-model": row.model },
        el("td", { class: "model" }, label(row)),
        ...view.tasks.map((t) => {
          const c = row.cells[t];
          if (!c) return el("td", { class: "empty" }, "-");
          const links = view.links[i][t] ?? {};
          const score = `${fmt(c.value)} ± ${fmt(c.stderr)}`;
          const cell = el("td", { "data-task": t, title: `${c.metric}, ${c.createdAt}` });
          cell.append(
            links.log ? el("a", { href: links.log, class: "score", target: "_blank" }, score) : score,
          );
          if (links.transcript)
            cell.append(
              " ",
              el("a", { href: links.transcript, class: "transcript", target: "_blank" }, "samples"),
            );
          return cell;
        }),
      ),
    );
    box.replaceChildren(
      el("h2", {}, "Models × benchmarks"),
      el("div", { class: "path" }, `registry ${view.registry}: latest score ± stderr`),
      el("table", { class: "models" }, el("thead", {}, head), el("tbody", {}, ...body)),
    );
  }

  async function poll() {
    try {
      const text = await (await fetch("/api/models")).text();
      if (text !== last) {
        last = text;
        render(JSON.parse(text));
      }
    } catch {
      /* server gone: keep the last view */
    }
    setTimeout(poll, POLL_MS);
  }
  poll();
})();
