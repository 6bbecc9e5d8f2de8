// The SVG line chart and its helpers: round ticks that cover the data, window means,
// one polyline per series, markers only on sparse series, escaped names; and where a
// run's data paths resolve (projectDirOf).
import path from "node:path";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { lineChartSvg, niceTicks, projectDirOf, escapeHtml } from "../../src/report/index.js";
import { metricPoints, windowMeans } from "../../src/report/charts.js";

describe("niceTicks", () => {
  test("known ranges", () => {
    expect(niceTicks(0, 800)).toEqual([0, 200, 400, 600, 800]);
    expect(niceTicks(2.61, 2.95)).toEqual([2.6, 2.7, 2.8, 2.9, 3]);
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    // a flat line still gets an axis around it
    expect(niceTicks(100, 100)).toEqual([90, 95, 100, 105, 110]);
  });

  test("cover the range with 1-2-5 steps, increasing, few of them", () => {
    fc.assert(
      fc.property(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.double({ min: 1e-3, max: 1e6, noNaN: true }), (lo, span) => {
        const hi = lo + span;
        const t = niceTicks(lo, hi);
        expect(t[0]!).toBeLessThanOrEqual(lo);
        expect(t[t.length - 1]!).toBeGreaterThanOrEqual(hi - span * 1e-9);
        expect(t.length).toBeGreaterThanOrEqual(2);
        expect(t.length).toBeLessThanOrEqual(12);
        const step = t[1]! - t[0]!;
        const mantissa = step / 10 ** Math.floor(Math.log10(step));
        expect([1, 2, 5, 10].some((m) => Math.abs(mantissa - m) < 1e-3)).toBe(true);
        for (let i = 1; i < t.length; i++) expect(t[i]!).toBeGreaterThan(t[i - 1]!);
      }),
      { numRuns: 300 },
    );
  });

  test("a span below the values' precision terminates", () => {
    const t = niceTicks(1e20, 1e20 + 1);
    expect(t.length).toBeGreaterThan(0);
    expect(t.length).toBeLessThanOrEqual(51);
  });
});

test("windowMeans averages consecutive points; metricPoints keeps finite values at step + 1", () => {
  expect(
    windowMeans(
      [
        [1, 1],
        [2, 3],
        [3, 5],
        [4, 7],
        [5, 9],
      ],
      2,
    ),
  ).toEqual([
    [1.5, 2],
    [3.5, 6],
    [5, 9],
  ]);
  expect(
    windowMeans(
      [
        [1, 1],
        [2, 2],
      ],
      1,
    ),
  ).toEqual([
    [1, 1],
    [2, 2],
  ]);
  const m = [
    { step: 0, epoch: 0, loss: 3, lr: 0.1, images_per_s: 1 },
    { step: 1, epoch: 0, loss: Number.NaN, lr: 0.1, images_per_s: 1, knn_acc1: 50 },
    { step: 2, epoch: 0, loss: 2, lr: 0.1, images_per_s: 1 },
  ];
  expect(metricPoints(m, "loss")).toEqual([
    [1, 3],
    [3, 2],
  ]);
  expect(metricPoints(m, "knn_acc1")).toEqual([[2, 50]]);
});

describe("lineChartSvg", () => {
  const dense: Array<[number, number]> = Array.from({ length: 100 }, (_, i) => [i + 1, 5 - i / 50]);
  const sparse: Array<[number, number]> = [
    [50, 10],
    [100, 30],
  ];
  const svg = lineChartSvg({
    title: "loss <b>",
    xLabel: "step",
    yLabel: "top-1 %",
    yBounds: [0, 100],
    series: [
      { id: 0, name: "a=<script>", color: "#123456", dash: "", points: dense },
      { id: 1, name: "b", color: "#654321", dash: "7 3", points: sparse },
      { id: 2, name: "c", color: "#000000", dash: "", points: [] },
    ],
  });

  test("one polyline per non-empty series, markers only on the sparse one", () => {
    expect(svg.match(/<polyline /g)).toHaveLength(2);
    expect(svg.match(/<circle /g)).toHaveLength(2);
    expect(svg).toContain('stroke-dasharray="7 3"');
    expect(svg).toContain('data-series="1"');
    expect(svg).not.toContain('data-series="2"');
  });

  test("points map into the plot area, x from 0 to the last step", () => {
    const pts = svg
      .match(/<polyline [^>]*points="([^"]+)"/)![1]!
      .split(" ")
      .map((p) => p.split(",").map(Number));
    expect(pts).toHaveLength(100);
    // x ticks 0..100 over [56, 606]: step 1 at 56 + 5.5, step 100 at 606
    expect(pts[0]![0]).toBeCloseTo(61.5, 1);
    expect(pts[99]![0]).toBeCloseTo(606, 1);
    // y decreases in value so grows in SVG coordinates
    expect(pts[99]![1]!).toBeGreaterThan(pts[0]![1]!);
  });

  test("names and titles are escaped", () => {
    expect(svg).toContain("<title>a=&lt;script&gt;</title>");
    expect(svg).toContain("loss &lt;b&gt;");
    expect(svg).not.toContain("<script>");
  });

  test("an empty chart says so", () => {
    expect(lineChartSvg({ title: "t", xLabel: "x", yLabel: "y", series: [] })).toContain(">no data</text>");
  });
});

test("escapeHtml escapes the five characters that matter", () => {
  expect(escapeHtml(`<a href="x" title='y'>&amp;</a>`)).toBe("&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;");
});

test("projectDirOf: the run's start directory from its relative output dir", () => {
  const root = path.resolve("/tmp/proj");
  expect(projectDirOf(path.join(root, "runs/story/seed=0"), "runs/story/seed=0")).toBe(root);
  expect(projectDirOf(path.join(root, "runs/story/seed=0"), "./runs/story/seed=0")).toBe(root);
  // moved or renamed: cannot tell
  expect(projectDirOf(path.join(root, "old/story/seed=0"), "runs/story/seed=0")).toBeNull();
  expect(projectDirOf(path.join(root, "runs/x"), "/abs/runs/x")).toBeNull();
  expect(projectDirOf(path.join(root, "runs/x"), "../runs/x")).toBeNull();
});
