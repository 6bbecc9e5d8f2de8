// The page built from a made-up sweep (known numbers): results equal results.csv's,
// lint findings beside each setting, one line per run in each chart, nothing from
// outside the file, and every string from the files escaped.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { buildReport } from "../../src/report/index.js";
import { resultsCsv, summarize } from "../../src/formats/results.js";
import { lintPipeline } from "../../src/lint/engine.js";
import type { PipelineIR } from "../../src/ir/types.js";
import { cli } from "../helpers.js";
import { fakeRuns, fakeSweep, HOSTILE_NAME, HOSTILE_SOURCE, HOSTILE_VALUE, storyProject } from "./fixtures.js";

/** Text of every <tr> of the table with this class, cells split, tags stripped. */
function tableRows(html: string, cls: string): string[][] {
  const table = html.match(new RegExp(`<table class="${cls}">([\\s\\S]*?)</table>`))?.[1] ?? "";
  const body = table.match(/<tbody>([\s\S]*?)<\/tbody>/)?.[1] ?? "";
  return [...body.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].map((r) =>
    [...r[1]!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((c) =>
      c[1]!
        .replace(/<[^>]+>/g, "")
        .replace(/\s+/g, " ")
        .trim(),
    ),
  );
}

describe("a finished sweep of six points", () => {
  const dir = storyProject();
  const { irs, summaries } = fakeSweep(dir);

  test("results table: one row per setting with the mean ± spread of results.csv", async () => {
    const r = await buildReport("runs/story", { cwd: dir, preview: false });
    expect(r.input.kind).toBe("sweep");
    expect(r.input.points).toHaveLength(6);
    const rows = tableRows(r.html, "results");
    expect(rows.map((c) => c[0])).toEqual(["adainf", "none", "vanilla"]);
    const { axes, rows: stats } = summarize(summaries);
    expect(axes).toEqual(["inflation"]);
    const csv = resultsCsv(axes, stats)
      .trim()
      .split("\n")
      .slice(1)
      .map((l) => l.split(","));
    for (const line of csv) {
      const row = rows.find((c) => c[0] === line[0])!;
      expect(row[1]).toBe("2/2");
      // kNN mean ± std, probe, online, loss: the csv's numbers at 2 decimals
      expect(row[2]).toBe(`${Number(line[2]).toFixed(2)} ± ${Number(line[3]).toFixed(2)}`);
      expect(row[3]).toBe(`${Number(line[4]).toFixed(2)} ± ${Number(line[5]).toFixed(2)}`);
      expect(row[5]).toBe(`${Number(line[8]).toFixed(2)} ± ${Number(line[9]).toFixed(2)}`);
    }
  });

  test("each setting's g, f, a and lint findings sit in its row", async () => {
    const r = await buildReport("runs/story", { cwd: dir, preview: false });
    const rows = tableRows(r.html, "results");
    const vanilla = rows.find((c) => c[0] === "vanilla")!;
    const adainf = rows.find((c) => c[0] === "adainf")!;
    // 240 generated, 48 real: g = 240/288, f = 288/48; AdaInf: 240/720, 720/48
    expect(vanilla.slice(6, 9)).toEqual(["0.833", "6", "1.00"]);
    expect(adainf.slice(6, 9)).toEqual(["0.333", "15", "0.55"]);
    const vIR = irs.find((ir) => ir.sweep?.point["inflation"] === "vanilla")!;
    const lint = await lintPipeline({ ir: vIR, spans: {} });
    expect(lint.diagnostics.length).toBeGreaterThan(0);
    for (const d of lint.diagnostics) expect(vanilla[9]).toContain(d.code);
    expect(vanilla[9]).toContain("vanilla-inflation");
    const none = rows.find((c) => c[0] === "none")!;
    expect(none[9]).not.toContain("vanilla-inflation");
  });

  test("one chart per logged metric, one line per run, a legend entry per run", async () => {
    const r = await buildReport("runs/story", { cwd: dir, preview: false });
    expect(r.charts).toEqual(["loss", "val_acc1", "knn_acc1", "online_train_acc1"]);
    expect(r.html.match(/<svg class="chart"/g)).toHaveLength(4);
    expect(r.html.match(/<polyline /g)).toHaveLength(4 * 6);
    expect(r.html.match(/<ul class="legend"[\s\S]*?<\/ul>/)![0].match(/<li /g)).toHaveLength(6);
    // evaluations (6 per run) get markers, dense per-step lines (60) do not
    const knn = r.html.match(/<figure class="chart-box" data-metric="knn_acc1">[\s\S]*?<\/figure>/)![0];
    expect(knn.match(/<circle /g)).toHaveLength(6 * 6);
    const loss = r.html.match(/<figure class="chart-box" data-metric="loss">[\s\S]*?<\/figure>/)![0];
    expect(loss).not.toContain("<circle");
  });

  test("the runs table lists every run with its status and directory", async () => {
    const r = await buildReport("runs/story", { cwd: dir, preview: false });
    const rows = tableRows(r.html, "runs");
    expect(rows).toHaveLength(6);
    expect(rows[0]![0]).toBe("inflation=adainf,seed=0");
    expect(rows.every((c) => c[1] === "finished" && c[2] === "cpu")).toBe(true);
    expect(rows[0]![10]).toBe("inflation=adainf,seed=0");
    // the effective batch and rates of the run's own ir.json
    const ir = JSON.parse(fs.readFileSync(path.join(dir, "runs/story/inflation=adainf,seed=0/ir.json"), "utf8")) as PipelineIR;
    // (the fixture inherits the simclr recipe's 2 devices)
    expect(ir.train.devices).toBe(2);
    expect(rows[0]![11]).toBe(
      `batch ${ir.train.batchSize} (2 devices x ${ir.train.batchSize / 2}), lr ${ir.train.optimizer.lr}, classifier lr ${ir.evaluate.onlineLinear!.lr}`,
    );
  });

  test("self-contained: no URL other than data: images, a CSP that allows nothing else", async () => {
    const r = await buildReport("runs/story", { cwd: dir });
    expect(r.previews).toBe(2); // symmetric and symmetric_adainf
    const refs = [...r.html.matchAll(/\b(?:src|href|xlink:href)\s*=\s*"([^"]*)"/g)].map((m) => m[1]!);
    expect(refs.length).toBe(2);
    for (const ref of refs) expect(ref.startsWith("data:image/png;base64,")).toBe(true);
    expect(r.html).not.toMatch(/url\(|@import|<link|<iframe|<object/i);
    expect(r.html).toContain(`content="default-src 'none'; img-src data:;`);
    // no http(s) anywhere except the SVG namespace name, which is not fetched
    expect(r.html.replace(/xmlns="http:\/\/www\.w3\.org\/2000\/svg"/g, "")).not.toMatch(/https?:\/\//);
  });

  test("adainfc report writes the page and says what is in it", async () => {
    const c = await cli(["report", "runs/story", "-o", "out/report.html", "--no-preview"], dir);
    expect(c.code).toBe(0);
    expect(c.out).toMatch(/^wrote out\/report\.html: 6 runs \(6 finished\), 3 result rows, 4 charts, 0 preview images, \d+ KiB\n$/);
    expect(fs.readFileSync(path.join(dir, "out/report.html"), "utf8")).toContain('<table class="results">');
    const d = await cli(["report", "runs/story/inflation=none,seed=1"], dir);
    expect(d.code).toBe(0);
    expect(fs.existsSync(path.join(dir, "runs/story/inflation=none,seed=1/report.html"))).toBe(true);
  });
});

test("runs table: the share of time each run waited for input, the rates on hover; '–' for a run that predates it", async () => {
  const dir = storyProject();
  fakeSweep(dir);
  const r = await buildReport("runs/story", { cwd: dir, preview: false });
  const rows = tableRows(r.html, "runs");
  // columns: run, status, backend, time, waited for input %, ...; fakeSweep's point i waited 0.4 i %
  expect(rows.map((c) => c[4]).sort()).toEqual(["0.4", "0.8", "1.2", "1.6", "2.0", "–"]);
  expect(r.html).toMatch(/title="augmentation made 20,000 views\/s on 1 thread; training took 901 views\/s \(\d+ steps\)"/);
});

test("a folder of unrelated runs: one row per pipeline and setting (seeds apart), never a mean across them", async () => {
  const dir = storyProject();
  const irs = fakeRuns(dir);
  const r = await buildReport("runs/mixed", { cwd: dir, preview: false });
  expect(r.input.kind).toBe("folder");
  expect(r.html).toContain("runs in <code>");
  const rows = tableRows(r.html, "results");
  // the label names the pipeline; rows of one pipeline that read alike name their
  // directories in a 'run dirs' column, as results.csv does (formats/setting-results.ts)
  expect(rows.map((c) => c.slice(0, 4))).toEqual([
    ["tiny", "a b e", "2/3", "52.00 ± 2.83"],
    ["tiny", "c", "1/1", "70.00"],
    ["other", "", "1/1", "90.00"],
  ]);
  expect(r.html).toMatch(/<thead><tr><th>pipeline<\/th><th>run dirs<\/th><th title="finished runs \/ runs">runs<\/th>/);
  // each row's g, f from its own IR: tiny 240 / (2 x 48 + 240), other 240 / (10 x 48 + 240)
  expect(rows.map((c) => c.slice(7, 9))).toEqual([
    ["0.714", "7"],
    ["0.714", "7"],
    ["0.333", "15"],
  ]);
  // one colour per setting: the runs of a row share it, other rows differ
  const colours = [...r.html.matchAll(/<tr data-series="\d+"><td><span class="swatch" style="background:([^"]+)"/g)].map((m) => m[1]);
  expect(colours).toHaveLength(5);
  expect(new Set([colours[0], colours[1], colours[4]]).size).toBe(1);
  expect(new Set([colours[0], colours[2], colours[3]]).size).toBe(3);
  expect(Object.keys(irs)).toEqual(["a", "b", "c", "d", "e"]);
  const c = await cli(["report", "runs/mixed", "-o", "mixed.html", "--no-preview"], dir);
  expect(c.code).toBe(0);
  expect(c.out).toMatch(/^wrote mixed\.html: 5 runs \(4 finished\), 3 result rows, /);
});

test("unfinished points: counted in runs, left out of the means, status says where they stopped", async () => {
  const dir = storyProject();
  fakeSweep(dir, { unfinished: ["inflation=adainf,seed=1"], steps: 40 });
  const r = await buildReport("runs/story", { cwd: dir, preview: false });
  const rows = tableRows(r.html, "results");
  expect(rows.find((c) => c[0] === "adainf")![1]).toBe("1/2");
  // one finished seed: its value, without a spread
  const done = JSON.parse(fs.readFileSync(path.join(dir, "runs/story/inflation=adainf,seed=0/done.json"), "utf8")) as { final: { knn_acc1: number } };
  expect(rows.find((c) => c[0] === "adainf")![2]).toBe(done.final.knn_acc1.toFixed(2));
  expect(tableRows(r.html, "runs")[1]![1]).toBe("stopped after step 20 of 40");
});

test("every string from the files is escaped", async () => {
  const dir = storyProject();
  fakeSweep(dir, { hostile: true });
  const r = await buildReport("runs/story", { cwd: dir, preview: false });
  for (const s of [HOSTILE_NAME, HOSTILE_VALUE, HOSTILE_SOURCE, "<img src=x", "<svg onload", "<script>alert"]) expect(r.html).not.toContain(s);
  expect(r.html).toContain("&lt;script&gt;alert(&quot;name&quot;)&lt;/script&gt;");
  expect(r.html).toContain("&lt;img src=x onerror=alert(&quot;value&quot;)&gt;");
  // the only <script> element is the page's own
  expect(r.html.match(/<script/g)).toHaveLength(1);
  // lint messages that quote the source name are escaped too
  expect(r.html).toContain("gen&quot;&gt;&lt;svg onload=alert(1)&gt;");
});

test("a single run directory, and the errors for what is not one", async () => {
  const dir = storyProject();
  fakeSweep(dir);
  const r = await buildReport("runs/story/inflation=vanilla,seed=0", { cwd: dir, preview: false });
  expect(r.input.kind).toBe("run");
  expect(tableRows(r.html, "results")).toHaveLength(1);
  expect(r.html.match(/<polyline /g)).toHaveLength(4);

  const missing = await cli(["report", "runs/nothing"], dir);
  expect(missing.code).toBe(1);
  expect(missing.err).toBe("error: runs/nothing: no such directory\n");
  fs.mkdirSync(path.join(dir, "empty"));
  const empty = await cli(["report", "empty"], dir);
  expect(empty.code).toBe(1);
  expect(empty.err).toContain("is neither a run directory (no ir.json) nor a folder of runs");
  const seed = await cli(["report", "runs/story", "--seed", "-1"], dir);
  expect(seed.code).toBe(2);
});

test("a damaged ir.json is listed on the page, the other points still reported", async () => {
  const dir = storyProject();
  fakeSweep(dir);
  fs.writeFileSync(path.join(dir, "runs/story/inflation=none,seed=0/ir.json"), "{ torn");
  fs.writeFileSync(path.join(dir, "runs/story/inflation=none,seed=1/ir.json"), JSON.stringify({ version: 1, name: "<b>x</b>" }));
  const r = await buildReport("runs/story", { cwd: dir, preview: false });
  expect(r.input.points).toHaveLength(4);
  expect(r.input.unreadable.map((u) => u.dir)).toEqual(["inflation=none,seed=0", "inflation=none,seed=1"]);
  expect(r.html).toContain("Unreadable run directories");
  expect(r.html).toMatch(/inflation=none,seed=0<\/code>: ir\.json cannot be read/);
  expect(r.html).toMatch(/inflation=none,seed=1<\/code>: ir\.json is not a valid IR/);
  expect(r.notes).toHaveLength(2);
});

test("the preview: one grid per augmentation; unreadable data is said on the page, not fatal", async () => {
  const dir = storyProject();
  fakeSweep(dir);
  const ok = await buildReport("runs/story", { cwd: dir });
  expect(ok.previews).toBe(2);
  expect(ok.html).toMatch(/<figcaption><b>symmetric_adainf<\/b> — used by inflation=adainf,seed=0; inflation=adainf,seed=1<\/figcaption>/);
  // the run's data are found from its own start dir, whatever the report's cwd
  const elsewhere = await buildReport(path.join(dir, "runs/story"), { cwd: "/" });
  expect(elsewhere.previews).toBe(2);
  expect(elsewhere.notes).toEqual([]);

  fs.rmSync(path.join(dir, "gen.npz"));
  const partly = await buildReport("runs/story", { cwd: dir });
  expect(partly.previews).toBe(2); // drawn from the real images alone
  expect(partly.notes).toHaveLength(1);
  expect(partly.notes[0]).toMatch(/^source 'generated' cannot be read from /);
  expect(partly.html).toContain("source &#39;generated&#39; cannot be read from");

  fs.rmSync(path.join(dir, "real.npz"));
  const none = await buildReport("runs/story", { cwd: dir });
  expect(none.previews).toBe(0);
  expect(none.html).toContain("No augmentation preview: the training data could not be read.");
  // the rest of the page is intact
  expect(tableRows(none.html, "results")).toHaveLength(3);
  const c = await cli(["report", "runs/story", "-o", "r.html"], dir);
  expect(c.code).toBe(0);
  expect(c.err).toMatch(/^note: source 'real' cannot be read from /m);
});

test("a seed run twice counts once in '± over seeds': its runs are averaged, the row says how many seeds", async () => {
  const dir = storyProject();
  fakeRuns(dir);
  // e: a second run of a's seed 0, finished this time (kNN 58).
  const a = JSON.parse(fs.readFileSync(path.join(dir, "runs/mixed/a/done.json"), "utf8")) as { final: Record<string, number> };
  a.final.knn_acc1 = 58;
  fs.writeFileSync(path.join(dir, "runs/mixed/e/done.json"), JSON.stringify(a));
  const r = await buildReport("runs/mixed", { cwd: dir, preview: false });
  const rows = tableRows(r.html, "results");
  // seed 0: (50 + 58) / 2 = 54, seed 1: 54; over two seeds, not three runs (54 ± 4)
  expect(rows[0]!.slice(0, 4)).toEqual(["tiny", "a b e", "3/3 (2 seeds)", "54.00 ± 0.00"]);
});
