// Final accuracy against a numeric sweep axis (an augmentation strength, say): one line
// per setting of the other axes (and per pipeline, when a folder holds several sweeps), each point the mean over its finished seeds, plus the
// untrained encoder's mean as a grey reference line; a table beside gives every cell's
// mean and 95 % interval (Student's t over the seeds). This is the paper's picture:
// accuracy against strength, one line per inflation.
import type { EncoderMetrics } from "../formats/run-dir.js";
import { escapeHtml, fmtNumber } from "./escape.js";
import { lineChartSvg, type ChartSeries } from "./line-chart.js";
import type { ReportPoint } from "./load-runs.js";
import { pipelineOf } from "../ir/training-differences.js";
import { colorAt } from "./series-style.js";
import { SEED_AXIS } from "../formats/results.js";

/** The metrics drawn against the axis (final metrics of done.json). */
export const AXIS_METRICS: ReadonlyArray<{ key: "knn_acc1" | "probe_acc1"; title: string }> = [
  { key: "knn_acc1", title: "kNN top-1 %" },
  { key: "probe_acc1", title: "linear probe top-1 %" },
];

/** Series ids of these charts start here: the curves' ids are point indices, which the page's highlighting must not confuse with these. */
const SERIES_ID_BASE = 100_000;

/** Two-sided 97.5 % quantiles of Student's t for 1..30 degrees of freedom. */
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069,
  2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

export interface Interval {
  n: number;
  mean: number;
  /** Half-width of the 95 % interval of the mean (t over n - 1 degrees of freedom); null for one value. */
  half: number | null;
}

export function meanInterval(xs: readonly number[]): Interval | null {
  if (xs.length === 0) return null;
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  if (n === 1) return { n, mean, half: null };
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
  const t = T975[n - 2] ?? 1.96;
  return { n, mean, half: (t * sd) / Math.sqrt(n) };
}

/** The first axis (not the seed) whose values are all numbers, with at least two of them. */
export function numericAxis(points: readonly ReportPoint[]): string | null {
  const axes = [...new Set(points.flatMap((p) => Object.keys(p.ir.sweep?.point ?? {})))].filter((a) => a !== SEED_AXIS);
  for (const a of axes) {
    const values = points.map((p) => p.ir.sweep?.point[a]);
    if (values.some((v) => v === undefined || v.trim() === "" || !Number.isFinite(Number(v)))) continue;
    if (new Set(values.map(Number)).size >= 2) return a;
  }
  return null;
}

export interface AxisCell {
  /** The other axes' values (without the seed). */
  series: Record<string, string>;
  x: number;
  metrics: Record<string, Interval | null>;
}

/** Cells of the chart: per setting of the other axes and per axis value, over finished seeds. */
export function axisCells(points: readonly ReportPoint[], axis: string): AxisCell[] {
  const cells = new Map<string, { series: Record<string, string>; x: number; values: Record<string, number[]> }>();
  // Points of several sweeps in one folder: one line per pipeline too, never one mean over them.
  const several = new Set(points.map((p) => pipelineOf(p.ir))).size > 1;
  for (const p of points) {
    if (!p.summary) continue;
    const coords = p.ir.sweep?.point ?? {};
    const series: Record<string, string> = {
      ...(several ? { pipeline: pipelineOf(p.ir) } : {}),
      ...Object.fromEntries(Object.entries(coords).filter(([k]) => k !== SEED_AXIS && k !== axis)),
    };
    const x = Number(coords[axis]);
    const key = JSON.stringify([series, x]);
    const cell = cells.get(key) ?? { series, x, values: {} };
    for (const { key: m } of AXIS_METRICS) {
      const v = p.summary.final[m];
      if (typeof v === "number" && Number.isFinite(v)) (cell.values[m] ??= []).push(v);
    }
    cells.set(key, cell);
  }
  return [...cells.values()].map((c) => ({
    series: c.series,
    x: c.x,
    metrics: Object.fromEntries(AXIS_METRICS.map(({ key }) => [key, meanInterval(c.values[key] ?? [])])),
  }));
}

function seriesName(series: Record<string, string>): string {
  const parts = Object.entries(series).map(([k, v]) => `${k}=${v}`);
  return parts.length ? parts.join(", ") : "all";
}

function untrainedMean(points: readonly ReportPoint[], key: keyof EncoderMetrics): number | null {
  const xs = points.flatMap((p) => {
    const v = p.summary?.untrained?.[key];
    return typeof v === "number" && Number.isFinite(v) ? [v] : [];
  });
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null;
}

function fmtInterval(i: Interval | null): string {
  if (!i) return "–";
  return i.half === null ? fmtNumber(i.mean) : `${fmtNumber(i.mean)} <span class="spread">± ${fmtNumber(i.half)}</span>`;
}

export interface AxisChartsHtml {
  html: string;
  /** The axis drawn, or null when the sweep has no numeric axis. */
  axis: string | null;
}

export function axisChartsHtml(points: readonly ReportPoint[]): AxisChartsHtml {
  const axis = numericAxis(points);
  if (axis === null) return { html: "", axis: null };
  const cells = axisCells(points, axis);
  const names = [...new Set(cells.map((c) => seriesName(c.series)))];
  const xs = [...new Set(cells.map((c) => c.x))].sort((a, b) => a - b);
  const charts = AXIS_METRICS.map(({ key, title }) => {
    const series: ChartSeries[] = names.map((name, id) => ({
      id: SERIES_ID_BASE + id,
      name,
      color: colorAt(id),
      dash: "",
      points: cells
        .filter((c) => seriesName(c.series) === name && c.metrics[key])
        .sort((a, b) => a.x - b.x)
        .map((c): [number, number] => [c.x, c.metrics[key]!.mean]),
    }));
    const base = untrainedMean(points, key);
    if (base !== null && xs.length) {
      series.push({
        id: SERIES_ID_BASE + names.length,
        name: "untrained (initial weights, same kNN bank)",
        color: "#9a9a9a",
        dash: "4 4",
        points: xs.map((x): [number, number] => [x, base]),
      });
    }
    return lineChartSvg({ title: `${title} against ${axis}`, xLabel: axis, yLabel: title, series, yBounds: [0, 100] });
  });
  const metricHeads = AXIS_METRICS.map((m) => `<th>${escapeHtml(m.title)}</th>`).join("");
  const rows = names.flatMap((name) =>
    cells
      .filter((c) => seriesName(c.series) === name)
      .sort((a, b) => a.x - b.x)
      .map((c) => {
        const n = Math.max(...AXIS_METRICS.map(({ key }) => c.metrics[key]?.n ?? 0));
        return `<tr><td>${escapeHtml(name)}</td><td class="num">${escapeHtml(String(c.x))}</td><td class="num">${n}</td>${AXIS_METRICS.map(({ key }) => `<td class="num">${fmtInterval(c.metrics[key] ?? null)}</td>`).join("")}</tr>`;
      }),
  );
  const legendItems = [
    ...names.map((name, i) => [name, colorAt(i), ""] as const),
    ["untrained (initial weights, same kNN bank)", "#9a9a9a", "4 4"] as const,
  ].map(
    ([name, color, dash]) =>
      `<li><svg width="30" height="10" aria-hidden="true"><line x1="1" y1="5" x2="29" y2="5" stroke="${escapeHtml(color)}" stroke-width="2.2"${dash ? ` stroke-dasharray="${dash}"` : ""}/></svg>${escapeHtml(name)}</li>`,
  );
  const legend = `<ul class="legend">${legendItems.join("")}</ul>`;
  const table = `<table class="results"><thead><tr><th>setting</th><th>${escapeHtml(axis)}</th><th>runs</th>${metricHeads}</tr></thead><tbody>${rows.join("")}</tbody></table>`;
  const note =
    `<p class="note">Final accuracy against <code>${escapeHtml(axis)}</code>, one line per setting of the other axes: each point is the mean over its finished seeds; ` +
    `the table gives the mean <span class="spread">± half-width of its 95 % interval</span> (Student's t over the seeds). The grey dashed line is the untrained encoder, evaluated on the same kNN bank and probe set.</p>`;
  return { html: note + legend + `<div class="charts">${charts.join("")}</div>` + table, axis };
}
