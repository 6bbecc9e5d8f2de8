// The report in a real browser: headless Chromium (Debian's `chromium`, driven by
// playwright-core; its own browser download cannot work here). A real tiny sweep is
// trained (cpu backend, ~10 s), reported, and opened from file://: the results table
// and the SVG charts must render, the legend's script must run under the page's CSP,
// nothing may be fetched from outside the file, and a page full of hostile names must
// run no script of theirs. Skipped, saying why, when /usr/bin/chromium is absent
// (.ci/install-browser installs it).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Browser, Page } from "playwright-core";
import { cli, ROOT } from "../helpers.js";
import { fakeSweep, storyProject } from "./fixtures.js";

const CHROMIUM = process.env["ADAINF_CHROMIUM"] ?? "/usr/bin/chromium";
const HAVE_CHROMIUM = fs.existsSync(CHROMIUM);
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

if (!HAVE_CHROMIUM) {
  console.warn(`report browser test SKIPPED: ${CHROMIUM} not found; install Debian's chromium (.ci/install-browser) or set ADAINF_CHROMIUM`);
}

interface Visit {
  page: Page;
  requests: string[];
  dialogs: string[];
  errors: string[];
}

describe.skipIf(!HAVE_CHROMIUM)(`report in headless Chromium (${CHROMIUM})`, () => {
  let browser: Browser;
  let dir: string;
  let shots: string;

  async function visit(file: string): Promise<Visit> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const v: Visit = { page, requests: [], dialogs: [], errors: [] };
    page.on("request", (r) => v.requests.push(r.url()));
    page.on("dialog", (d) => {
      v.dialogs.push(d.message());
      void d.dismiss();
    });
    page.on("console", (m) => {
      if (m.type() === "error") v.errors.push(m.text());
    });
    page.on("pageerror", (e) => v.errors.push(e.message));
    await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
    return v;
  }

  beforeAll(async () => {
    dir = storyProject(8);
    const run = await cli(["run", "story.adainf", "--backend", "cpu", "--no-worker"], dir);
    if (run.code !== 0) throw new Error(`the fixture sweep did not run:\n${run.err}`);
    const rep = await cli(["report", "runs/story", "-o", "report.html"], dir);
    if (rep.code !== 0) throw new Error(`report failed:\n${rep.err}`);
    shots = fs.mkdtempSync(path.join(os.tmpdir(), "adainf-report-shots-"));
    const { chromium } = await import("playwright-core");
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
  });

  test("the results table, the charts and the preview render; nothing is fetched", async () => {
    const v = await visit(path.join(dir, "report.html"));
    const { page } = v;
    await expect(page.title()).resolves.toBe("adainf report: story");

    // results: one row per inflation setting, two finished seeds each, numbers from results.csv
    const rows = page.locator("table.results tbody tr");
    await expect(rows.count()).resolves.toBe(3);
    const firstCells = await rows.locator("td:first-child").allInnerTexts();
    expect(firstCells.map((s) => s.trim())).toEqual(["adainf", "none", "vanilla"]);
    const csv = fs
      .readFileSync(path.join(dir, "runs/story/results.csv"), "utf8")
      .trim()
      .split("\n")
      .slice(1)
      .map((l) => l.split(","));
    for (const line of csv) {
      const row = rows.filter({ has: page.locator("td:first-child", { hasText: new RegExp(`^${line[0]}$`) }) });
      const cells = (await row.locator("td").allInnerTexts()).map((s) => s.replace(/\s+/g, " ").trim());
      expect(cells[1]).toBe("2/2");
      expect(cells[2]).toBe(`${Number(line[2]).toFixed(2)} ± ${Number(line[3]).toFixed(2)}`);
    }
    // the vanilla setting's lint findings are in its row
    const vanilla = rows.filter({ has: page.locator("td:first-child", { hasText: /^vanilla$/ }) });
    await expect(vanilla.locator(".finding code").allInnerTexts()).resolves.toContain("vanilla-inflation");

    // charts: four metrics, one polyline per run; the per-step loss lines span the plot
    const charts = page.locator("svg.chart");
    await expect(charts.count()).resolves.toBe(4);
    await expect(page.locator("svg.chart polyline").count()).resolves.toBe(4 * 6);
    const loss = page.locator('figure[data-metric="loss"] polyline');
    for (const box of await Promise.all((await loss.all()).map((l) => l.boundingBox()))) {
      expect(box).not.toBeNull();
      expect(box!.width).toBeGreaterThan(300);
      expect(box!.height).toBeGreaterThan(1);
    }
    // kNN runs only at the end here: one marker per run
    await expect(page.locator('figure[data-metric="knn_acc1"] circle').count()).resolves.toBe(6);
    await expect(page.locator(".legend li").count()).resolves.toBe(6);

    // the preview images decoded (symmetric and symmetric_adainf)
    const widths = await page.locator("figure.preview img").evaluateAll((imgs) => imgs.map((i) => (i as unknown as { naturalWidth: number }).naturalWidth));
    expect(widths).toHaveLength(2);
    for (const w of widths) expect(w).toBeGreaterThan(50);

    // the legend's script ran (allowed by the CSP's hash): one run picked, the rest dimmed
    await page.locator('.legend li[data-series="2"]').click();
    await expect(page.locator("svg.chart .series.dim").count()).resolves.toBe(4 * 5);
    await page.locator('.legend li[data-series="2"]').click();
    await expect(page.locator("svg.chart .series.dim").count()).resolves.toBe(0);

    expect(v.errors).toEqual([]);
    expect(v.dialogs).toEqual([]);
    expect(v.requests.length).toBeGreaterThan(0);
    for (const url of v.requests) expect(url).toMatch(/^(file|data):/);

    const shot = path.join(shots, "report.png");
    process.stdout.write(`screenshot: ${shot}\n`);
    await page.screenshot({ path: shot, fullPage: true });
    expect(fs.statSync(shot).size).toBeGreaterThan(10_000);
    if (process.env["UPDATE_SCREENSHOT"] === "1") fs.copyFileSync(shot, path.join(ROOT, "docs/report-screenshot.png"));
    await page.close();
  });

  test("hostile names show as text and run nothing", async () => {
    const hostileDir = storyProject();
    fakeSweep(hostileDir, { hostile: true });
    const rep = await cli(["report", "runs/story", "-o", "hostile.html"], hostileDir);
    expect(rep.code).toBe(0);
    const v = await visit(path.join(hostileDir, "hostile.html"));
    await expect(v.page.locator("h1").innerText()).resolves.toBe('adainf report: <script>alert("name")</script>');
    await expect(v.page.locator("table.results tbody tr").first().locator("td").first().innerText()).resolves.toContain('<img src=x onerror=alert("value")>');
    // only the page's own script element, and no element the names tried to inject
    await expect(v.page.locator("script").count()).resolves.toBe(1);
    await expect(v.page.locator("body img:not(figure.preview img)").count()).resolves.toBe(0);
    expect(v.dialogs).toEqual([]);
    for (const url of v.requests) expect(url).toMatch(/^(file|data):/);
    await v.page.close();
  });
});
