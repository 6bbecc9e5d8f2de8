// `--only axis=value`: which points of a sweep to run. Several --only flags on one axis
// are alternatives; flags on different axes must all hold. A number matches a value of
// the same number however either is written (`1.0` is `1`, `1e3` is `1_000`). Each IR
// given is checked first (checked-ir.ts: an InvalidIRError names what is wrong). Also the
// sweep's results table from its point folders: a row per setting (formats/setting-results.ts,
// as the report's), with lines for what is not in it (damaged done.json, diverged points),
// written by writeSweepResults, the one code `run` and the TypeScript target's programs
// write results.csv / results.md with.
import path from "node:path";
import type { PipelineIR } from "../../ir/types.js";
import { coordinatesOf } from "../../ir/training-differences.js";
import { readRunIR, readRunSummary, runPaths, type RunSummary } from "../../formats/run-dir.js";
import { writeResults } from "../../formats/results.js";
import { damagedDoneLine, divergedText, doneProblem, readDiverged } from "../../formats/run-outcome.js";
import { RUN_DIRS_COLUMN, runDirsCells, settingRows } from "../../formats/setting-results.js";
import { checkedIR } from "./checked-ir.js";
import { shownPath } from "../../util/shown-path.js";

export class OnlyFilterError extends Error {}

export function parseOnly(flags: readonly string[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const f of flags) {
    const eq = f.indexOf("=");
    if (eq <= 0 || eq === f.length - 1) throw new OnlyFilterError(`--only ${f}: expected axis=value (e.g. --only seed=0)`);
    const axis = f.slice(0, eq).trim();
    const set = out.get(axis) ?? new Set<string>();
    set.add(f.slice(eq + 1).trim());
    out.set(axis, set);
  }
  return out;
}

/** The IRs that match every --only; unknown axes or values are errors naming the known ones. */
export function selectPoints(irs: readonly PipelineIR[], flags: readonly string[]): PipelineIR[] {
  for (const ir of irs) checkedIR(ir);
  const only = parseOnly(flags);
  if (only.size === 0) return [...irs];
  for (const [axis, values] of only) {
    const known = new Set(irs.flatMap((ir) => (ir.sweep && axis in ir.sweep.point ? [ir.sweep.point[axis]!] : [])));
    if (known.size === 0) {
      const axes = [...new Set(irs.flatMap((ir) => Object.keys(ir.sweep?.point ?? {})))];
      throw new OnlyFilterError(`--only ${axis}=...: no sweep axis '${axis}'${axes.length ? ` (axes: ${axes.join(", ")})` : " (this file has no sweep)"}`);
    }
    for (const v of [...values]) {
      const match = known.has(v) ? v : [...known].find((k) => sameNumber(k, v));
      if (match === undefined) throw new OnlyFilterError(`--only ${axis}=${v}: '${v}' is not a value of '${axis}' (values: ${[...known].join(", ")})`);
      values.delete(v);
      values.add(match);
    }
  }
  return irs.filter((ir) => [...only].every(([axis, values]) => ir.sweep !== undefined && values.has(ir.sweep.point[axis] ?? "\0")));
}

/** Both are numbers as the language writes them (`1`, `1.0`, `-0.5`, `1e-4`, `100_000`) and equal. */
function sameNumber(a: string, b: string): boolean {
  const num = (s: string): number => (/^-?(\d[\d_]*(\.[\d_]*)?|\.\d[\d_]*)(e[+-]?\d+)?$/i.test(s) ? Number(s.replace(/_/g, "")) : Number.NaN);
  const x = num(a);
  return !Number.isNaN(x) && x === num(b);
}

/** Sweeps of the file, by base pipeline: base output dir and every point's run dir. */
export function sweepGroups(given: readonly PipelineIR[]): Map<string, { baseDir: string; pointDirs: string[] }> {
  const out = new Map<string, { baseDir: string; pointDirs: string[] }>();
  for (const ir of given.map(checkedIR)) {
    if (!ir.sweep) continue;
    const g = out.get(ir.sweep.base) ?? { baseDir: path.dirname(ir.output.dir), pointDirs: [] };
    g.pointDirs.push(ir.output.dir);
    out.set(ir.sweep.base, g);
  }
  return out;
}

/** `--only a=x --only b=y`: the flags that pick this point alone. */
export function onlyFlags(ir: PipelineIR): string {
  return Object.entries(ir.sweep?.point ?? {})
    .map(([axis, value]) => `--only ${axis}=${value}`)
    .join(" ");
}

/**
 * What results.csv and results.md hold for these point folders (absolute): one summary per
 * seed of every setting, its sweep point the row's coordinates (plus RUN_DIRS_COLUMN when
 * two rows would read alike); `finished` runs; `lines` for stderr, one per point that is
 * in no row although it has run (damaged done.json, diverged), and one when rows split.
 */
export function sweepTable(base: string, pointDirs: readonly string[], cwd: string): { summaries: RunSummary[]; finished: number; lines: string[] } {
  const runs: Array<{ dir: string; ir: PipelineIR; summary: RunSummary | null }> = [];
  const lines: string[] = [];
  for (const dir of pointDirs) {
    const read = readRunIR(runPaths(dir).ir);
    if (!("ir" in read)) continue;
    runs.push({ dir, ir: read.ir, summary: readRunSummary(dir) });
    const problem = doneProblem(dir);
    if (problem) lines.push(`error: ${damagedDoneLine(shownPath(cwd, runPaths(dir).done), problem, true)}`);
    const diverged = readDiverged(dir);
    if (diverged) lines.push(`${read.ir.name}: ${divergedText(diverged)}, not in the table`);
  }
  const rows = settingRows(runs);
  const keyOf = (i: number): string => JSON.stringify(coordinatesOf(runs[i]!.ir));
  const dirs = runDirsCells(
    rows,
    rows.map((r) => keyOf(r.members[0]!)),
    (m) => path.basename(runs[m]!.dir),
  );
  if (dirs.some((d) => d !== null))
    lines.push(
      `${base}: some points were trained with other settings than others of their row (another --set?): a row per setting, told apart by '${RUN_DIRS_COLUMN}'`,
    );
  const summaries = rows.flatMap((row, i) => {
    const first = runs[row.members[0]!]!.ir;
    const point = { ...coordinatesOf(first), ...(dirs[i] !== null ? { [RUN_DIRS_COLUMN]: dirs[i] } : {}) };
    return row.perSeed.map((s) => ({ ...s, sweep: { base, point } }));
  });
  return { summaries, finished: rows.reduce((n, r) => n + r.finished, 0), lines };
}

/**
 * Rewrites the sweep's results.csv and results.md in `baseDir` over its points' folders
 * (sweepTable; `base` the sweep's name, dirs relative to `cwd`, the project directory):
 * `lines` for stderr (points in no row, split rows), `text` for stdout (the table, what
 * was written), "" when no point has finished (nothing is written then).
 */
export function writeSweepResults(base: string, baseDir: string, pointDirs: readonly string[], cwd: string): { lines: string[]; text: string } {
  const table = sweepTable(
    base,
    pointDirs.map((d) => path.resolve(cwd, d)),
    cwd,
  );
  if (table.summaries.length === 0) return { lines: table.lines, text: "" };
  const written = writeResults(path.resolve(cwd, baseDir), `${base}: results`, table.summaries);
  const shown = (file: string): string => shownPath(cwd, file);
  return {
    lines: table.lines,
    text: `\n${base}: ${table.finished} of ${pointDirs.length} points finished\n${written.text}written: ${shown(written.csv)}, ${shown(written.md)}\n`,
  };
}
