// Which points of a sweep a diagnostic holds on. `check` (src/driver.ts) and `lint`
// (src/lint/lint-files.ts) find problems point by point; a problem found identically on
// every point is reported once, as it is; one found on only some points is reported
// once with those points: named in the message ("[inflation=none,seed=0 and 2 more
// points] ...") and listed in `Diagnostic.points` for JSON and SARIF.
import type { Diagnostic } from "./diagnostic.js";

/** A sweep point's coordinates, axis -> value as written (`{ inflation: "none", seed: "0" }`). */
export type PointCoords = Record<string, string>;

/** `inflation=none,seed=0`: the point's name in IR names, run folders and messages. */
export function pointName(coords: PointCoords): string {
  return Object.entries(coords)
    .map(([axis, value]) => `${axis}=${value}`)
    .join(",");
}

/**
 * The label of the points a problem holds on. When they are exactly the points of the
 * sweep that share some axis values, those values: `[inflation=vanilla]` for every seed
 * and strength of vanilla inflation (needs `all`, the sweep's points). Otherwise the
 * first point and how many more: `[inflation=none,seed=0 and 2 more points]`.
 */
export function pointsLabel(points: readonly PointCoords[], all: readonly PointCoords[] = []): string {
  const first = points[0] ?? {};
  const shared = Object.fromEntries(Object.entries(first).filter(([axis, value]) => points.every((p) => p[axis] === value)));
  const axes = Object.keys(shared);
  if (axes.length > 0 && points.length < all.length) {
    const matching = all.filter((p) => axes.every((a) => p[a] === shared[a])).length;
    if (matching === points.length) return `[${pointName(shared)}]`;
  }
  const more = points.length - 1;
  return `[${pointName(first)}${more > 0 ? ` and ${more} more point${more > 1 ? "s" : ""}` : ""}]`;
}

/** Two diagnostics are the same problem when code, place and message agree. */
export function diagnosticKey(d: Diagnostic): string {
  return `${d.code}|${d.span?.file}|${d.span?.start}|${d.span?.end}|${d.message}`;
}

/**
 * The diagnostics of the runs of one pipeline declaration (one run per sweep point, or a
 * single run with `point: null` without a sweep), each problem once, in first-seen
 * order: as it is when every run has it, else labelled with its points.
 */
export function groupByPoint(runs: ReadonlyArray<{ point: PointCoords | null; diagnostics: readonly Diagnostic[] }>): Diagnostic[] {
  const byProblem = new Map<string, { d: Diagnostic; points: PointCoords[] }>();
  for (const run of runs) {
    const inRun = new Set<string>();
    for (const d of run.diagnostics) {
      const key = diagnosticKey(d);
      if (inRun.has(key)) continue;
      inRun.add(key);
      const seen = byProblem.get(key);
      if (seen) {
        if (run.point) seen.points.push(run.point);
      } else byProblem.set(key, { d, points: run.point ? [run.point] : [] });
    }
  }
  const all = runs.flatMap((r) => (r.point ? [r.point] : []));
  const out: Diagnostic[] = [];
  for (const { d, points } of byProblem.values()) {
    if (points.length === 0 || points.length === runs.length) out.push(d);
    else out.push({ ...d, message: `${pointsLabel(points, all)} ${d.message}`, points });
  }
  return out;
}
