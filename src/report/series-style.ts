// How runs are grouped and told apart. A group is the runs of one setting: the same
// pipeline (a sweep's base) and the same settings apart from the seed, as a sweep's
// seeds are (the rows of the results table); unrelated runs read from one folder get
// groups of their own. "The same settings" is what resuming compares
// (src/ir/training-differences.ts, which groups `run`'s results tables alike). Lines get one colour per
// group and one dash pattern per run within it, so the seeds of one setting read as one
// band, and settings as different colours.
import type { ReportPoint } from "./load-runs.js";
import { settingGroups } from "../ir/training-differences.js";

const PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#7f7f7f"];
const DASHES = ["", "7 3", "2 3", "10 3 2 3", "4 4"];

export interface SeriesStyle {
  color: string;
  dash: string;
  /** The point's group (settingGroups, ir/training-differences.ts). */
  group: number;
}

export function colorAt(i: number): string {
  if (i < PALETTE.length) return PALETTE[i]!;
  // golden-angle hues: distinct enough, and deterministic
  return `hsl(${Math.round((i * 137.508) % 360)}, 55%, 45%)`;
}

/** A style per point, in point order. */
export function seriesStyles(points: readonly ReportPoint[]): SeriesStyle[] {
  const groups = settingGroups(points.map((p) => p.ir));
  const seen = new Map<number, number>();
  return points.map((_, i) => {
    const group = groups[i]!;
    const k = seen.get(group) ?? 0;
    seen.set(group, k + 1);
    return { color: colorAt(group), dash: DASHES[k % DASHES.length]!, group };
  });
}
