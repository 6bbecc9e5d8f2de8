// The curves: one chart per metric that any run logged, one line per run (sweep
// point). Dense per-step metrics are averaged over windows so a long run stays a
// light page and its noise does not hide the trend; the caption says by how much.
import { escapeHtml } from "./escape.js";
import { lineChartSvg, type ChartSeries } from "./line-chart.js";
import type { ReportPoint } from "./load-runs.js";
import { seriesStyles } from "./series-style.js";
import type { StepMetrics } from "../formats/run-dir.js";

export interface MetricChart {
  key: string;
  title: string;
  yLabel: string;
  /** Percentages stay within [0, 100] on the axis. */
  percent: boolean;
}

/** The metrics.jsonl fields the report draws, in page order (docs/run.md). */
export const CHART_METRICS: readonly MetricChart[] = [
  { key: "loss", title: "training loss", yLabel: "loss", percent: false },
  { key: "val_acc1", title: "online linear top-1 % (evaluation set)", yLabel: "top-1 %", percent: true },
  { key: "knn_acc1", title: "kNN top-1 % (evaluation set)", yLabel: "top-1 %", percent: true },
  { key: "online_train_acc1", title: "online linear top-1 % (training batches)", yLabel: "top-1 %", percent: true },
];

/** Lines longer than this are averaged over windows of consecutive logged steps. */
export const MAX_LINE_POINTS = 300;

/** [step + 1, value] of every finite value of `key`; x counts steps done (1-based). */
export function metricPoints(metrics: readonly StepMetrics[], key: string): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const m of metrics) {
    const v = m[key];
    if (typeof v === "number" && Number.isFinite(v) && Number.isFinite(m.step)) out.push([m.step + 1, v]);
  }
  return out;
}

/** Means of consecutive windows of `window` points (x and y alike). */
export function windowMeans(points: ReadonlyArray<[number, number]>, window: number): Array<[number, number]> {
  if (window <= 1) return [...points];
  const out: Array<[number, number]> = [];
  for (let i = 0; i < points.length; i += window) {
    const chunk = points.slice(i, i + window);
    out.push([chunk.reduce((a, p) => a + p[0], 0) / chunk.length, chunk.reduce((a, p) => a + p[1], 0) / chunk.length]);
  }
  return out;
}

export interface ChartsHtml {
  html: string;
  /** Keys of the metrics drawn (for the command's summary line and tests). */
  drawn: string[];
}

export function chartsHtml(points: readonly ReportPoint[]): ChartsHtml {
  const styles = seriesStyles(points);
  const sections: string[] = [];
  const drawn: string[] = [];
  for (const metric of CHART_METRICS) {
    const raw = points.map((p) => metricPoints(p.metrics, metric.key));
    if (raw.every((r) => r.length === 0)) continue;
    const longest = Math.max(...raw.map((r) => r.length));
    const window = Math.ceil(longest / MAX_LINE_POINTS);
    const series: ChartSeries[] = points.map((p, i) => ({
      id: i,
      name: p.label,
      color: styles[i]!.color,
      dash: styles[i]!.dash,
      points: windowMeans(raw[i]!, window),
    }));
    const note = window > 1 ? `<figcaption>each point is the mean of ${window} consecutive logged steps</figcaption>` : "";
    sections.push(
      `<figure class="chart-box" data-metric="${escapeHtml(metric.key)}">${lineChartSvg({ title: metric.title, xLabel: "step", yLabel: metric.yLabel, series, ...(metric.percent ? { yBounds: [0, 100] as [number, number] } : {}) })}${note}</figure>`,
    );
    drawn.push(metric.key);
  }
  if (sections.length === 0) return { html: `<p class="note">No run has logged any metrics yet (metrics.jsonl is empty or missing).</p>`, drawn };
  return { html: `${legendHtml(points)}<div class="charts">${sections.join("")}</div>`, drawn };
}

/** One legend for every chart (the same line style means the same run everywhere). */
export function legendHtml(points: readonly ReportPoint[]): string {
  const styles = seriesStyles(points);
  const items = points.map((p, i) => {
    const s = styles[i]!;
    const dash = s.dash ? ` stroke-dasharray="${escapeHtml(s.dash)}"` : "";
    return `<li data-series="${i}" tabindex="0"><svg width="30" height="10" aria-hidden="true"><line x1="1" y1="5" x2="29" y2="5" stroke="${escapeHtml(s.color)}" stroke-width="2.2"${dash}/></svg>${escapeHtml(p.label)}</li>`;
  });
  return `<ul class="legend" title="click a run to highlight it in every chart">${items.join("")}</ul>`;
}
