// Pure helpers of the dashboard page (no DOM): which metrics are pinned, how groups are named, smoothing.
// Loaded as a plain script before app.js; also exported for Node when required.
(() => {
  // The curves a user watches, pinned at the top in this order: loss/NLL, reward, accuracy, KL.
  const PINNED = [/loss|nll/i, /reward/i, /acc|correct/i, /(^|[^a-z])kl/i];

  /** Rank of a pinned metric (0 = first), or -1 when the metric is not pinned. Timings never are. */
  function pinRank(metric) {
    if (metric.startsWith("time/")) return -1;
    return PINNED.findIndex((re) => re.test(metric));
  }

  /** Group of an unpinned metric: its prefix before the first "/", or "train". */
  function groupOf(metric) {
    const i = metric.indexOf("/");
    return i < 0 ? "train" : metric.slice(0, i);
  }

  /** TensorBoard's debiased exponential moving average; nulls stay null and do not move the average. */
  function smooth(ys, weight) {
    if (!(weight > 0)) return ys;
    let last = 0;
    let n = 0;
    return ys.map((v) => {
      if (v === null || v === undefined) return v;
      last = last * weight + (1 - weight) * v;
      n += 1;
      return last / (1 - weight ** n);
    });
  }

  const api = { pinRank, groupOf, smooth };
  if (typeof module === "object" && module.exports) module.exports = api;
  else globalThis.crucibleMetrics = api;
})();
