// Loads the dashboard in headless Debian Chromium (playwright-core) for a fixture run, checks the charts
// draw one point per metrics line and pick up appended lines, and saves a screenshot to test-output/.
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Dashboard, startDashboard } from "./server.js";

const CHROMIUM = process.env.CRUCIBLE_TEST_CHROMIUM ?? "/usr/bin/chromium";
const OUT = resolve(__dirname, "../../../test-output");

function line(step: number, nll: number, extra: Record<string, number> = {}) {
  const lr = 1e-4 * (1 - step / 20);
  return `${JSON.stringify({ step, train_mean_nll: nll, learning_rate: lr, "time/total": 0.5 + step, ...extra })}\n`;
}

type Hooks = {
  crucibleDashboard: {
    metrics(): string[];
    pointCounts(m: string): number[] | null;
    drawn(m: string): (number | null)[][] | null;
    isLog(m: string): boolean | null;
  };
};

const HAS_CHROMIUM = existsSync(CHROMIUM);

// Skipping is for developer machines without Chromium; under CI a missing browser is a failure, not a skip.
it.runIf(!HAS_CHROMIUM && Boolean(process.env.CI))("CI has Chromium for the dashboard browser test", () => {
  throw new Error(
    `${CHROMIUM} not found: install it (tools/scripts/bootstrap.sh installs the Debian chromium package)`,
  );
});

describe.skipIf(!HAS_CHROMIUM)("dashboard in a real browser", () => {
  let dash: Dashboard;
  let browser: BrowserContext;
  let page: Page;
  const runA = mkdtempSync(join(tmpdir(), "crucible-dash-a-"));
  const runB = mkdtempSync(join(tmpdir(), "crucible-dash-b-"));
  const profile = mkdtempSync(join(tmpdir(), "crucible-chromium-"));
  const pageErrors: string[] = [];

  beforeAll(async () => {
    writeFileSync(join(runA, "config.json"), JSON.stringify({ model_name: "crucible/tiny-qwen3" }));
    writeFileSync(join(runA, "metrics.jsonl"), [0, 1, 2, 3, 4].map((s) => line(s, 3 - 0.3 * s)).join(""));
    writeFileSync(
      join(runA, "checkpoints.jsonl"),
      `${JSON.stringify({ name: "000004", batch: 4, state_path: "tinker://run/weights/000004" })}\n`,
    );
    mkdirSync(join(runA, "iteration_000000"));
    writeFileSync(join(runA, "iteration_000000", "train.html"), "<!doctype html><title>t</title>");
    // Run B logs a test metric at fewer steps, a reward that goes negative, and NaNs written the Python way
    // (`only_nan` never has a finite value: it must get no chart panel).
    writeFileSync(
      join(runB, "metrics.jsonl"),
      [0, 1, 2]
        .map((s) =>
          line(s, 3.2 - 0.2 * s, {
            "env/all/reward/total": s - 1,
            ...(s % 2 === 0 ? { "test/nll": 3.1 - 0.1 * s } : {}),
          }),
        )
        .join("") + '{"step": 3, "train_mean_nll": NaN, "only_nan": NaN}\n',
    );
    dash = await startDashboard({ logDirs: [runA, runB] });
    // A fresh profile each run (playwright passes it as --user-data-dir).
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      viewport: { width: 1300, height: 900 },
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    page = browser.pages()[0] ?? (await browser.newPage());
    page.on("pageerror", (e) => pageErrors.push(String(e)));
  });

  afterAll(async () => {
    await browser?.close();
    await dash?.close();
    for (const d of [runA, runB, profile]) rmSync(d, { recursive: true, force: true });
  });

  const counts = (metric: string) =>
    page.evaluate((m) => (globalThis as unknown as Hooks).crucibleDashboard.pointCounts(m), metric);

  it("plots every metric with one point per logged step, per run", async () => {
    await page.goto(dash.url);
    await page.waitForFunction(
      () =>
        (
          globalThis as unknown as { document: { querySelectorAll(s: string): { length: number } } }
        ).document.querySelectorAll(".chart canvas").length >= 3,
    );
    const metrics = await page.evaluate(() => (globalThis as unknown as Hooks).crucibleDashboard.metrics());
    expect(metrics.sort()).toEqual([
      "env/all/reward/total",
      "learning_rate",
      "test/nll",
      "time/total",
      "train_mean_nll",
    ]);
    expect(await counts("train_mean_nll")).toEqual([5, 3]); // B's NaN is not drawn
    expect(await counts("test/nll")).toEqual([0, 2]);
    // The run cards link the report, config and checkpoints.
    const links = await page.$$eval(".run a", (as) =>
      as.map((a) => (a as unknown as { getAttribute(n: string): string | null }).getAttribute("href")),
    );
    expect(links).toContain("/files/0/iteration_000000/train.html");
    expect(links).toContain("/files/0/checkpoints.jsonl");
    const report = await page.request.get(`${dash.url}files/0/iteration_000000/train.html`);
    expect(report.status()).toBe(200);
    expect((await page.request.get(`${dash.url}files/0/..%2F..%2Fetc%2Fpasswd`)).status()).toBe(403);
  });

  it("shows the watched curves first, other groups collapsed, run files last and collapsed, no empty panels", async () => {
    const layout = await page.evaluate(() => {
      type Node = {
        id: string;
        open: boolean;
        className: string;
        style: { display: string };
        querySelectorAll(
          s: string,
        ): ArrayLike<{ dataset: { metric: string }; querySelector(s: string): unknown }>;
        compareDocumentPosition(o: unknown): number;
      };
      const doc = (
        globalThis as unknown as {
          document: { getElementById(id: string): Node; querySelectorAll(s: string): ArrayLike<Node> };
        }
      ).document;
      const groups = Array.from(doc.querySelectorAll("#charts > details.group"));
      const charts = Array.from(
        doc.querySelectorAll(".chart") as unknown as ArrayLike<{
          dataset: { metric: string };
          querySelector(s: string): unknown;
        }>,
      );
      return {
        chartsBeforeRuns:
          (doc.getElementById("charts").compareDocumentPosition(doc.getElementById("runs")) & 4) !== 0,
        groups: groups.map((g) => ({
          id: g.id,
          open: g.open,
          metrics: Array.from(g.querySelectorAll(".chart")).map((c) => c.dataset.metric),
        })),
        chartsWithoutCanvas: charts.filter((c) => !c.querySelector("canvas")).map((c) => c.dataset.metric),
        runFileLists: Array.from(doc.querySelectorAll(".run details")).map((d) => d.open),
      };
    });
    expect(layout.chartsBeforeRuns).toBe(true);
    expect(layout.groups[0]).toEqual({
      id: "group-key metrics",
      open: true,
      metrics: ["test/nll", "train_mean_nll", "env/all/reward/total"], // loss/NLL first, then reward
    });
    expect(layout.groups.slice(1)).toEqual([
      { id: "group-time", open: false, metrics: ["time/total"] },
      { id: "group-train", open: false, metrics: ["learning_rate"] },
    ]);
    expect(layout.chartsWithoutCanvas).toEqual([]);
    for (const m of layout.groups.flatMap((g) => g.metrics)) {
      expect(
        ((await counts(m)) ?? []).reduce((a, b) => a + b, 0),
        m,
      ).toBeGreaterThan(0);
    }
    // Run A: files/reports and checkpoints; run B: nothing to list. All collapsed.
    expect(layout.runFileLists).toEqual([false, false]);
  });

  it("smooths curves and switches to a log scale where every value is positive", async () => {
    const drawn = (m: string) =>
      page.evaluate((x) => (globalThis as unknown as Hooks).crucibleDashboard.drawn(x), m);
    const raw = (await drawn("train_mean_nll"))?.[0] as (number | null)[];
    await page.$eval("#smoothing", (e) => {
      const input = e as unknown as { value: string; dispatchEvent(ev: unknown): boolean };
      input.value = "0.9";
      input.dispatchEvent(
        new (globalThis as unknown as { Event: new (t: string) => unknown }).Event("input"),
      );
    });
    const smoothed = (await drawn("train_mean_nll"))?.[0] as (number | null)[];
    expect(smoothed[0]).toBeCloseTo(raw[0] as number, 6); // the debiased average starts at the first value
    expect(Math.abs((smoothed[4] as number) - (raw[4] as number))).toBeGreaterThan(0.1); // and lags a falling curve
    expect(await counts("train_mean_nll")).toEqual([5, 3]); // smoothing draws the same points
    await page.click("#log-scale");
    await page.waitForFunction(
      () => (globalThis as unknown as Hooks).crucibleDashboard.isLog("train_mean_nll") === true,
    );
    // The reward goes negative: that chart stays linear and says so.
    expect(
      await page.evaluate(() =>
        (globalThis as unknown as Hooks).crucibleDashboard.isLog("env/all/reward/total"),
      ),
    ).toBe(false);
    expect(await page.textContent('[data-metric="env/all/reward/total"] .title')).toContain("linear");
    mkdirSync(OUT, { recursive: true });
    await page.screenshot({ path: join(OUT, "dashboard-smoothed-log.png"), fullPage: true });
    expect(pageErrors).toEqual([]);
    await page.click("#log-scale");
    await page.$eval("#smoothing", (e) => {
      const input = e as unknown as { value: string; dispatchEvent(ev: unknown): boolean };
      input.value = "0";
      input.dispatchEvent(
        new (globalThis as unknown as { Event: new (t: string) => unknown }).Event("input"),
      );
    });
  });

  it("updates live when the run appends lines", async () => {
    appendFileSync(
      join(runA, "metrics.jsonl"),
      line(5, 1.4) + line(6, 1.3, { "test/nll": 1.5 }) + line(7, 1.2),
    );
    await page.waitForFunction(
      () =>
        (
          globalThis as unknown as { crucibleDashboard: { pointCounts(m: string): number[] | null } }
        ).crucibleDashboard.pointCounts("train_mean_nll")?.[0] === 8,
      undefined,
      { timeout: 10_000 },
    );
    expect(await counts("train_mean_nll")).toEqual([8, 3]);
    expect(await counts("test/nll")).toEqual([1, 2]);
    mkdirSync(OUT, { recursive: true });
    await page.screenshot({ path: join(OUT, "dashboard.png"), fullPage: true });
  });
});
