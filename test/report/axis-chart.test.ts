// The report's accuracy-against-a-numeric-axis section: which axis it picks, the cells'
// means and 95 % intervals over seeds, one line per setting of the other axes, and the
// untrained reference line.
import { describe, expect, it } from "vitest";
import type { PipelineIR } from "../../src/ir/types.js";
import type { RunSummary } from "../../src/formats/run-dir.js";
import { axisCells, axisChartsHtml, meanInterval, numericAxis } from "../../src/report/axis-chart.js";
import type { ReportPoint } from "../../src/report/load-runs.js";

function point(coords: Record<string, string>, knn: number | null, untrained = 40): ReportPoint {
  const ir = { name: "story", sweep: { base: "story", point: coords } } as unknown as PipelineIR;
  const summary =
    knn === null
      ? null
      : ({ final: { loss: 3, knn_acc1: knn, probe_acc1: knn + 5 }, untrained: { knn_acc1: untrained, probe_acc1: untrained + 5 } } as unknown as RunSummary);
  return {
    label: Object.entries(coords)
      .map(([k, v]) => `${k}=${v}`)
      .join(","),
    dir: "/x",
    ir,
    metrics: [],
    damaged: null,
    diverged: null,
    summary,
    projectDir: "/x",
  };
}

/** inflation x strength x seed, knn = a known function of the coordinates. */
function grid(): { points: ReportPoint[]; knn: (inf: string, s: number, seed: number) => number } {
  const knn = (inf: string, s: number, seed: number): number => 50 + (inf === "none" ? 0 : 5) + 10 * s + seed;
  const points: ReportPoint[] = [];
  for (const inf of ["none", "adainf"]) {
    for (const s of [0.5, 1, 1.5]) {
      for (const seed of [0, 1, 2]) points.push(point({ inflation: inf, "augment.strength": String(s), seed: String(seed) }, knn(inf, s, seed)));
    }
  }
  return { points, knn };
}

describe("meanInterval", () => {
  it("is the mean with Student's t half-width over n - 1 degrees of freedom", () => {
    const xs = [1, 2, 3, 6];
    const r = meanInterval(xs)!;
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1));
    expect(r.mean).toBeCloseTo(mean, 12);
    expect(r.n).toBe(4);
    // t(0.975, 3) = 3.182
    expect(r.half).toBeCloseTo((3.182 * sd) / 2, 9);
    // Wider with fewer values of the same spread.
    expect(meanInterval([1, 3])!.half!).toBeGreaterThan(meanInterval([1, 3, 1, 3, 1, 3])!.half!);
    expect(meanInterval([5])).toEqual({ n: 1, mean: 5, half: null });
    expect(meanInterval([])).toBeNull();
  });
});

describe("accuracy against a numeric sweep axis", () => {
  it("picks the first non-seed axis whose values are all numbers", () => {
    expect(numericAxis(grid().points)).toBe("augment.strength");
    expect(numericAxis([point({ augment: "symmetric", seed: "0" }, 50), point({ augment: "digits", seed: "1" }, 50)])).toBeNull();
    // The seed alone is never the axis.
    expect(numericAxis([point({ seed: "0" }, 50), point({ seed: "1" }, 51)])).toBeNull();
  });

  it("one cell per setting and axis value, over its finished seeds", () => {
    const { points, knn } = grid();
    points.push(point({ inflation: "none", "augment.strength": "1", seed: "3" }, null)); // unfinished: left out
    const cells = axisCells(points, "augment.strength");
    expect(cells).toHaveLength(6);
    for (const c of cells) {
      const values = [0, 1, 2].map((seed) => knn(c.series["inflation"]!, c.x, seed));
      expect(c.metrics["knn_acc1"]!.n).toBe(3);
      expect(c.metrics["knn_acc1"]!.mean).toBeCloseTo(values.reduce((a, b) => a + b, 0) / 3, 9);
      expect(c.metrics["probe_acc1"]!.mean).toBeCloseTo(values.reduce((a, b) => a + b, 0) / 3 + 5, 9);
    }
  });

  it("draws one line per inflation plus the untrained line, and a table of intervals", () => {
    const { points } = grid();
    const r = axisChartsHtml(points);
    expect(r.axis).toBe("augment.strength");
    // Two metrics x (two settings + untrained) polylines.
    expect(r.html.match(/<polyline/g)).toHaveLength(2 * 3);
    expect(r.html).toContain("inflation=none");
    expect(r.html).toContain("inflation=adainf");
    expect(r.html).toContain("untrained (initial weights, same kNN bank)");
    // 6 cells in the table
    expect(r.html.match(/<tr><td>/g)).toHaveLength(6);
    expect(axisChartsHtml([point({ augment: "symmetric", seed: "0" }, 50)])).toEqual({ html: "", axis: null });
  });
});
