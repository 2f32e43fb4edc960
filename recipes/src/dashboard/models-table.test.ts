// The dashboard's models × benchmarks table from a model registry filled by real evaluate() runs on the local
// backend (crucible/tiny-bytes: its base model and a LoRA checkpoint trained one step here), served as
// /api/models with links to each cell's eval log and transcript, and drawn by the page in headless Chromium.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { evaluate, loadBenchmarkTask, ModelRegistry, registryPath, type Task } from "@crucible/eval";
import { getRenderer, getTokenizerSync } from "@crucible/renderers";
import { createDatum, ModelInput, ServiceClient } from "@crucible/tinker-client";
import { createLocalBackend } from "@crucible/tinker-local";
import { chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ModelsView } from "./models.js";
import { type Dashboard, startDashboard } from "./server.js";

const MODEL = "crucible/tiny-bytes";
const CHROMIUM = process.env.CRUCIBLE_TEST_CHROMIUM ?? "/usr/bin/chromium";
const dir = mkdtempSync(join(tmpdir(), "crucible-dash-models-"));
const registry = registryPath(dir);
/** model → task → the metrics evaluate() returned. */
const measured = new Map<string, Map<string, Record<string, number>>>();
let checkpoint: string;
let dash: Dashboard;

const short = (t: Task): Task => ({ ...t, config: { ...t.config, maxTokens: 6 } });

beforeAll(async () => {
  const backend = await createLocalBackend({ checkpointDir: join(dir, "store") });
  const service = new ServiceClient({ ...backend.clientOptions, apiKey: "tml-local" });
  const renderer = getRenderer("role_colon", getTokenizerSync(MODEL));
  const gsm8k = join(dir, "gsm8k.jsonl");
  writeFileSync(
    gsm8k,
    `${JSON.stringify({ question: "What is 2 + 3?", answer: "2 + 3 = 5\n#### 5" })}\n${JSON.stringify({ question: "What is 4 + 4?", answer: "#### 8" })}\n`,
  );
  const arithmetic = short(await loadBenchmarkTask("arithmetic", { limit: 3 }));
  const gsm = short(await loadBenchmarkTask("gsm8k", { dataFile: gsm8k }));
  const reg = ModelRegistry.open(registry);
  try {
    const tc = await service.createLoraTrainingClient({ baseModel: MODEL, rank: 4, seed: 1 });
    await tc.forwardBackward(
      [createDatum(ModelInput.fromInts([72, 105, 33]), { target_tokens: [105, 33, 10], weights: [1, 1, 1] })],
      "cross_entropy",
    );
    await tc.optimStep({ learningRate: 1e-3 });
    checkpoint = (await tc.saveWeightsForSampler("final")).path;
    reg.registerCheckpoint({ path: checkpoint, baseModel: MODEL, loraRank: 4, recipe: "test", step: 1 });
    const runs: [string, Task[]][] = [
      [MODEL, [arithmetic, gsm]],
      [checkpoint, [arithmetic]],
    ];
    for (const [model, tasks] of runs) {
      const samplingClient = await service.createSamplingClient(
        model === MODEL ? { baseModel: MODEL } : { modelPath: model },
      );
      for (const task of tasks) {
        const r = await evaluate(task, {
          samplingClient,
          renderer,
          modelName: model,
          logDir: join(dir, "evals", String(measured.size)),
          progress: false,
        });
        reg.recordEval({ model, task: task.name, metrics: r.metrics, logFile: r.logFile });
        const m = measured.get(model) ?? new Map();
        m.set(task.name, r.metrics);
        measured.set(model, m);
      }
    }
  } finally {
    reg.close();
    await service.close();
    await backend.close();
  }
  mkdirSync(join(dir, "run"));
  dash = await startDashboard({ logDirs: [join(dir, "run")], registryFile: registry });
}, 240_000);

afterAll(async () => {
  await dash?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("dashboard models × benchmarks table", () => {
  it("/api/models: one row per evaluated model, the latest score ± stderr per benchmark, links that open", async () => {
    const view = (await (await fetch(`${dash.url}api/models`)).json()) as ModelsView;
    expect(view.tasks).toEqual(["arithmetic", "gsm8k"]);
    expect(view.rows.map((r) => r.model)).toEqual([MODEL, checkpoint]);
    expect(view.rows[0]!.checkpoint).toBeNull();
    expect(view.rows[1]!.checkpoint).toMatchObject({
      baseModel: MODEL,
      loraRank: 4,
      step: 1,
      status: "candidate",
    });
    expect(view.rows[1]!.cells["gsm8k"]).toBeUndefined(); // never evaluated there
    for (const [i, row] of view.rows.entries()) {
      for (const [task, cell] of Object.entries(row.cells)) {
        const m = measured.get(row.model)!.get(task)!;
        expect(cell).toMatchObject({ metric: "accuracy", value: m["accuracy"], stderr: m["stderr"] });
        const links = view.links[i]![task]!;
        const log = await fetch(new URL(links.log!, dash.url));
        expect(log.status).toBe(200);
        expect(((await log.json()) as { eval: { task: string; model: string } }).eval).toMatchObject({
          task,
          model: row.model,
        });
        const transcript = await fetch(new URL(links.transcript!, dash.url));
        expect(transcript.status).toBe(200);
        expect(await transcript.text()).toContain("<details>");
      }
    }
    // Only files the registry names are served.
    const other = await fetch(`${dash.url}registry/file?path=${encodeURIComponent(registry)}`);
    expect(other.status).toBe(403);
  });

  it("no registry: an empty table", async () => {
    const bare = await startDashboard({
      logDirs: [join(dir, "run")],
      registryFile: join(dir, "none.sqlite"),
    });
    try {
      const view = (await (await fetch(`${bare.url}api/models`)).json()) as ModelsView;
      expect(view).toMatchObject({ registry: null, rows: [] });
    } finally {
      await bare.close();
    }
    expect(existsSync(join(dir, "none.sqlite"))).toBe(false);
  });

  it.runIf(existsSync(CHROMIUM))(
    "the page draws the table with one linked cell per evaluation",
    {
      timeout: 120_000,
    },
    async () => {
      const profile = mkdtempSync(join(tmpdir(), "crucible-chromium-"));
      const browser = await chromium.launchPersistentContext(profile, {
        executablePath: CHROMIUM,
        args: [
          "--headless",
          "--no-sandbox",
          "--disable-gpu",
          "--no-first-run",
          "--disable-background-networking",
        ],
      });
      try {
        const page = browser.pages()[0] ?? (await browser.newPage());
        await page.goto(dash.url);
        await page.waitForSelector("table.models td[data-task]");
        const cells = await page.$$eval("table.models tr[data-model]", (trs) =>
          trs.map((tr) => {
            const t = tr as unknown as {
              getAttribute(n: string): string | null;
              querySelectorAll(
                s: string,
              ): ArrayLike<{ getAttribute(n: string): string | null; textContent: string }>;
            };
            return {
              model: t.getAttribute("data-model"),
              cells: Array.from(t.querySelectorAll("td[data-task] a.score")).map((a) => a.textContent),
            };
          }),
        );
        const text = (model: string, task: string) => {
          const m = measured.get(model)!.get(task)!;
          return `${m["accuracy"]!.toFixed(4)} ± ${m["stderr"]!.toFixed(4)}`;
        };
        expect(cells).toEqual([
          { model: MODEL, cells: [text(MODEL, "arithmetic"), text(MODEL, "gsm8k")] },
          { model: checkpoint, cells: [text(checkpoint, "arithmetic")] },
        ]);
      } finally {
        await browser.close();
        rmSync(profile, { recursive: true, force: true });
      }
    },
  );
});
