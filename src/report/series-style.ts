// How lines are told apart: one colour per group of points that differ only in their
// seed (the rows of the results table), one dash pattern per seed within the group.
// So the seeds of one setting read as one band, and settings as different colours.
import type { ReportPoint } from "./load-runs.js";
import { SEED_AXIS } from "../formats/results.js";

const PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#7f7f7f"];
const DASHES = ["", "7 3", "2 3", "10 3 2 3", "4 4"];

export interface SeriesStyle {
  color: string;
  dash: string;
  /** Key of the point's group: its coordinates without the seed. */
  group: string;
}

/** The point's coordinates without the seed axis, as a stable key. */
export function groupKey(p: ReportPoint): string {
  const point = p.ir.sweep?.point ?? {};
  return JSON.stringify(Object.entries(point).filter(([k]) => k !== SEED_AXIS));
}

export function colorAt(i: number): string {
  if (i < PALETTE.length) return PALETTE[i]!;
  // golden-angle hues: distinct enough, and deterministic
  return `hsl(${Math.round((i * 137.508) % 360)}, 55%, 45%)`;
}

/** A style per point, in point order. */
export function seriesStyles(points: readonly ReportPoint[]): SeriesStyle[] {
  const groups = new Map<string, number>();
  const seen = new Map<string, number>();
  return points.map((p) => {
    const group = groupKey(p);
    if (!groups.has(group)) groups.set(group, groups.size);
    const k = seen.get(group) ?? 0;
    seen.set(group, k + 1);
    return { color: colorAt(groups.get(group)!), dash: DASHES[k % DASHES.length]!, group };
  });
}
