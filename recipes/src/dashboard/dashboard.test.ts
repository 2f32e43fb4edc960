// Loads the dashboard in headless Debian Chromium (playwright-core) for a fixture run, checks the charts
// draw one point per metrics line and pick up appended lines, and saves a screenshot to test-output/.
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Dashboard, startDashboard } from "./server.js";

const CHROMIUM = process.env.CRUCIBLE_TEST_CHROMIUM ?? "/usr/bin/chromium";
const OUT = resolve(__dirname, "../../../test-output");

function line(step: number, nll: number, extra: Record<string, number> = {}) {
  return `${JSON.stringify({ step, train_mean_nll: nll, learning_rate: 1e-4 * (1 - step / 20), ...extra })}\n`;
}

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

  beforeAll(async () => {
    writeFileSync(join(runA, "config.json"), JSON.stringify({ model_name: "crucible/tiny-qwen3" }));
    writeFileSync(join(runA, "metrics.jsonl"), [0, 1, 2, 3, 4].map((s) => line(s, 3 - 0.3 * s)).join(""));
    writeFileSync(
      join(runA, "checkpoints.jsonl"),
      `${JSON.stringify({ name: "000004", batch: 4, state_path: "tinker://run/weights/000004" })}\n`,
    );
    mkdirSync(join(runA, "iteration_000000"));
    writeFileSync(join(runA, "iteration_000000", "train.html"), "<!doctype html><title>t</title>");
    // Run B logs a test metric at fewer steps and a NaN written the Python way.
    writeFileSync(
      join(runB, "metrics.jsonl"),
      [0, 1, 2]
        .map((s) => line(s, 3.2 - 0.2 * s, s % 2 === 0 ? { "test/nll": 3.1 - 0.1 * s } : {}))
        .join("") + '{"step": 3, "train_mean_nll": NaN}\n',
    );
    dash = await startDashboard({ logDirs: [runA, runB] });
    // A fresh profile each run (playwright passes it as --user-data-dir).
    browser = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), "crucible-chromium-")), {
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
  });

  afterAll(async () => {
    await browser?.close();
    await dash?.close();
  });

  const counts = (metric: string) =>
    page.evaluate(
      (m) =>
        (
          globalThis as unknown as { crucibleDashboard: { pointCounts(m: string): number[] | null } }
        ).crucibleDashboard.pointCounts(m),
      metric,
    );

  it("plots every metric with one point per logged step, per run", async () => {
    await page.goto(dash.url);
    await page.waitForFunction(
      () =>
        (
          globalThis as unknown as { document: { querySelectorAll(s: string): { length: number } } }
        ).document.querySelectorAll(".chart canvas").length >= 3,
    );
    const metrics = await page.evaluate(() =>
      (globalThis as unknown as { crucibleDashboard: { metrics(): string[] } }).crucibleDashboard.metrics(),
    );
    expect(metrics.sort()).toEqual(["learning_rate", "test/nll", "train_mean_nll"]);
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
