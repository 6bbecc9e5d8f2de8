// A small SVG line chart: axes with round ticks, one <polyline> per series, markers
// when a series has few points (evaluations every few hundred steps), a <title> on
// each line for a hover tooltip. No chart library: the page must work offline and
// the whole chart is a few dozen lines of markup.
import { escapeHtml } from "./escape.js";

export interface ChartSeries {
  /** Index shared with the legend and the other charts (the page's JS dims by it). */
  id: number;
  name: string;
  color: string;
  /** SVG stroke-dasharray, "" for a solid line. */
  dash: string;
  /** [x, y] pairs, x increasing; non-finite values are left out by the caller. */
  points: Array<[number, number]>;
}

export interface ChartSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  series: ChartSeries[];
  /** Bounds the y axis may not pass (percentages: [0, 100]). */
  yBounds?: [number, number];
  width?: number;
  height?: number;
}

const MARGIN = { left: 56, right: 14, top: 26, bottom: 40 };
/** Series with at most this many points get a marker on each. */
const MARKER_MAX = 40;

/** Round tick values covering [lo, hi] (1, 2 or 5 times a power of ten apart). */
export function niceTicks(lo: number, hi: number, target = 5): number[] {
  if (!(hi > lo)) {
    const pad = Math.abs(lo) > 0 ? Math.abs(lo) * 0.1 : 1;
    return niceTicks(lo - pad, lo + pad, target);
  }
  const raw = (hi - lo) / target;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= raw) ?? 10 * pow;
  let first = Math.floor(lo / step) * step;
  if (first > lo) first -= step; // lo / step underflowed to -0 (a denormal lo)
  // Rounded at the step's own decimals, so 0.1 + 0.2 shows as 0.3 and ticks stay distinct.
  const digits = Math.min(20, Math.max(0, 1 - Math.floor(Math.log10(step))));
  const at = (i: number): number => Number((first + i * step).toFixed(digits));
  const ticks: number[] = [];
  // Bounded: with a span far below the values' precision the loop could stall.
  for (let i = 0; at(i) <= hi + step * 1e-9 && i < 50; i++) ticks.push(at(i));
  if (ticks.length === 0 || ticks[ticks.length - 1]! < hi) ticks.push(at(ticks.length));
  return ticks;
}

function tickLabel(t: number): string {
  const a = Math.abs(t);
  if (a !== 0 && (a >= 1e5 || a < 1e-3)) return t.toExponential(0);
  return String(Number(t.toPrecision(6)));
}

/** Drops ticks outside the bounds (a top-1 of 100% needs no 110% tick), keeping two. */
function boundTicks(ticks: number[], bounds: [number, number] | undefined): number[] {
  if (!bounds) return ticks;
  const kept = ticks.filter((t) => t >= bounds[0] && t <= bounds[1]);
  return kept.length >= 2 ? kept : ticks;
}

// Loops, not Math.min(...xs): a long series would overflow the argument list.
function minOf(xs: number[], empty: number): number {
  return xs.length ? xs.reduce((a, b) => (b < a ? b : a), Infinity) : empty;
}
function maxOf(xs: number[], empty: number): number {
  return xs.length ? xs.reduce((a, b) => (b > a ? b : a), -Infinity) : empty;
}

export function lineChartSvg(spec: ChartSpec): string {
  const width = spec.width ?? 620;
  const height = spec.height ?? 300;
  const plotW = width - MARGIN.left - MARGIN.right;
  const plotH = height - MARGIN.top - MARGIN.bottom;
  const all = spec.series.flatMap((s) => s.points);
  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => p[1]);
  const xTicks = niceTicks(Math.min(0, minOf(xs, 0)), maxOf(xs, 1));
  const yTicks = boundTicks(niceTicks(minOf(ys, 0), maxOf(ys, 1)), spec.yBounds);
  const [x0, x1] = [xTicks[0]!, xTicks[xTicks.length - 1]!];
  const [y0, y1] = [yTicks[0]!, yTicks[yTicks.length - 1]!];
  const sx = (x: number): number => MARGIN.left + ((x - x0) / (x1 - x0)) * plotW;
  const sy = (y: number): number => MARGIN.top + plotH - ((y - y0) / (y1 - y0)) * plotH;
  const r = (v: number): string => v.toFixed(1);

  const parts: string[] = [];
  parts.push(
    `<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(spec.title)}">`,
  );
  parts.push(`<text class="chart-title" x="${MARGIN.left}" y="16">${escapeHtml(spec.title)}</text>`);
  // grid and tick labels
  for (const t of yTicks) {
    const y = r(sy(t));
    parts.push(`<line class="grid" x1="${MARGIN.left}" x2="${width - MARGIN.right}" y1="${y}" y2="${y}"/>`);
    parts.push(`<text class="tick" x="${MARGIN.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${tickLabel(t)}</text>`);
  }
  for (const t of xTicks) {
    const x = r(sx(t));
    parts.push(`<line class="grid" x1="${x}" x2="${x}" y1="${MARGIN.top}" y2="${MARGIN.top + plotH}"/>`);
    parts.push(`<text class="tick" x="${x}" y="${MARGIN.top + plotH + 14}" text-anchor="middle">${tickLabel(t)}</text>`);
  }
  parts.push(`<rect class="frame" x="${MARGIN.left}" y="${MARGIN.top}" width="${plotW}" height="${plotH}"/>`);
  parts.push(`<text class="axis-label" x="${MARGIN.left + plotW / 2}" y="${height - 6}" text-anchor="middle">${escapeHtml(spec.xLabel)}</text>`);
  parts.push(`<text class="axis-label" transform="translate(14 ${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escapeHtml(spec.yLabel)}</text>`);
  if (all.length === 0) {
    parts.push(`<text class="empty" x="${MARGIN.left + plotW / 2}" y="${MARGIN.top + plotH / 2}" text-anchor="middle">no data</text>`);
  }
  for (const s of spec.series) {
    if (s.points.length === 0) continue;
    const dash = s.dash ? ` stroke-dasharray="${escapeHtml(s.dash)}"` : "";
    parts.push(`<g class="series" data-series="${s.id}">`);
    parts.push(`<title>${escapeHtml(s.name)}</title>`);
    const pts = s.points.map(([x, y]) => `${r(sx(x))},${r(sy(y))}`).join(" ");
    parts.push(`<polyline fill="none" stroke="${escapeHtml(s.color)}" stroke-width="1.6"${dash} points="${pts}"/>`);
    if (s.points.length <= MARKER_MAX) {
      for (const [x, y] of s.points) parts.push(`<circle cx="${r(sx(x))}" cy="${r(sy(y))}" r="2.4" fill="${escapeHtml(s.color)}"/>`);
    }
    parts.push(`</g>`);
  }
  parts.push(`</svg>`);
  return parts.join("");
}
