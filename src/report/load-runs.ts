// Reads what `adainfc run` left on disk: a run directory (ir.json, metrics.jsonl,
// done.json, diverged.json), a sweep's base directory (one such directory per point, plus
// results.csv), or any folder of run directories and sweep folders (runs/: the run
// directories in it and one level further down, a sweep's points). For each sweep it
// says how many of its points finished, out of the grid its pipeline file declares
// (out of the values its folders show when that file is gone or changed), and a run
// whose run.lock names a live process is running. The report only reads; it never
// changes a run directory.
import fs from "node:fs";
import path from "node:path";
import { compileFileSync } from "../driver.js";
import { pointDir } from "../resolve/sweep.js";
import type { PipelineIR } from "../ir/types.js";
import { runLockOf, type LockInfo } from "../formats/run-lock-file.js";
import { readMetrics, readRunIR, readRunSummary, runPaths, type RunSummary, type StepMetrics } from "../formats/run-dir.js";
import { doneProblem, readDiverged, type DivergedRecord } from "../formats/run-outcome.js";

export class ReportInputError extends Error {}

export interface ReportPoint {
  /** `axis=value,...` for a sweep point, else the pipeline's name. */
  label: string;
  /** Absolute path of the run directory. */
  dir: string;
  ir: PipelineIR;
  /** Every metrics line, in step order. */
  metrics: StepMetrics[];
  /** done.json, or null while the run is unfinished (or its done.json is damaged). */
  summary: RunSummary | null;
  /** Why done.json is damaged (src/formats/run-outcome.ts), or null. */
  damaged: string | null;
  /** The loss became NaN or infinite (diverged.json), or null. */
  diverged: DivergedRecord | null;
  /** The directory the run was started from: its IR's relative data paths resolve here. */
  projectDir: string;
  /** Unfinished and its run.lock names a process: `alive` on this host, or `elsewhere` (another host's, not checkable). */
  running?: { holder: LockInfo; state: "alive" | "elsewhere" } | null;
}

/** One sweep among the points: how many of its points finished, of how many. */
export interface SweepProgress {
  base: string;
  /** Absolute path of the folder that holds its points. */
  dir: string;
  finished: number;
  /** The grid's size; `known`: from the pipeline file, else from the values the folders show (a lower bound). */
  total: number;
  known: boolean;
  /** Labels (`axis=value,...`) of the grid's points with no folder (never started). */
  missing: string[];
}

export interface ReportInput {
  /** Absolute path of the directory the report is about. */
  root: string;
  /** One run directory; the points of one sweep; or a folder of other runs (several pipelines, or runs of no sweep). */
  kind: "run" | "sweep" | "folder";
  /** The pipeline's name (a run), the sweep's base pipeline, or the pipelines of a folder. */
  title: string;
  points: ReportPoint[];
  /** Point directories that could not be read, with why (shown on the page). */
  unreadable: Array<{ dir: string; reason: string }>;
  /** Each sweep among the points. */
  sweeps: SweepProgress[];
}

/**
 * A run directory (it holds ir.json), a sweep directory (its sub-directories do), or a
 * folder of both (run directories, and sweep folders whose sub-directories are runs).
 * `cwd` is where relative data paths resolve when the run's own start directory
 * cannot be inferred from its output dir.
 */
export function loadReportInput(dir: string, cwd: string): ReportInput {
  const root = reportDir(dir, cwd);
  if (fs.existsSync(runPaths(root).ir)) {
    const point = readPoint(root, cwd);
    if (typeof point === "string") throw new ReportInputError(`${dir}: ${point}`);
    return { root, kind: "run", title: point.ir.name, points: [point], unreadable: [], sweeps: [] };
  }
  const runDirs = runDirsIn(root);
  if (runDirs.length === 0) {
    throw new ReportInputError(
      `${dir} is neither a run directory (no ir.json) nor a folder of runs (no sub-directory, or sub-directory of one, with an ir.json)`,
    );
  }
  const points: ReportPoint[] = [];
  const unreadable: ReportInput["unreadable"] = [];
  for (const name of runDirs) {
    const p = readPoint(path.join(root, name), cwd);
    if (typeof p === "string") unreadable.push({ dir: name, reason: p });
    else points.push(p);
  }
  if (points.length === 0) throw new ReportInputError(`${dir}: no run in it could be read (${unreadable[0]!.dir}: ${unreadable[0]!.reason})`);
  const bases = [...new Set(points.map((p) => p.ir.sweep?.base ?? p.ir.name))];
  const oneSweep = bases.length === 1 && points.every((p) => p.ir.sweep !== undefined && path.dirname(p.dir) === root);
  // Points of several folders read alike (seed=0): a folder names each by its pipeline too.
  if (!oneSweep) for (const p of points) p.label = p.ir.name;
  return { root, kind: oneSweep ? "sweep" : "folder", title: bases.join(", "), points, unreadable, sweeps: sweepProgress(points) };
}

/** The absolute path of the folder `report` was given; a ReportInputError when it is missing or not a folder. */
export function reportDir(dir: string, cwd: string): string {
  const root = path.resolve(cwd, dir);
  if (!fs.existsSync(root)) throw new ReportInputError(`${dir}: no such directory`);
  if (!fs.statSync(root).isDirectory()) {
    throw new ReportInputError(`${dir} is a file, not a run or sweep directory (give the folder a run wrote, e.g. runs/<pipeline>, or a folder of runs)`);
  }
  return root;
}

/** Run directories (they hold ir.json) in `root` and one level down, relative to it, in a stable order. */
function runDirsIn(root: string): string[] {
  const subdirs = (dir: string): string[] =>
    fs
      .readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
  const isRun = (dir: string): boolean => fs.existsSync(runPaths(dir).ir);
  return subdirs(root).flatMap((name) => {
    const dir = path.join(root, name);
    if (isRun(dir)) return [name];
    try {
      return subdirs(dir)
        .filter((sub) => isRun(path.join(dir, sub)))
        .map((sub) => path.join(name, sub));
    } catch {
      return []; // an unreadable folder holds nothing to report
    }
  });
}

/**
 * Per sweep (base pipeline and folder): finished points of the grid. The grid comes from
 * the pipeline file (ir.file, compiled again) when it still declares every point found;
 * otherwise it is the product of the values the point folders show, a lower bound.
 */
function sweepProgress(points: readonly ReportPoint[]): SweepProgress[] {
  const groups = new Map<string, ReportPoint[]>();
  for (const p of points) {
    if (!p.ir.sweep) continue;
    const key = JSON.stringify([p.ir.sweep.base, path.dirname(p.dir)]);
    groups.set(key, [...(groups.get(key) ?? []), p]);
  }
  const labelOf = (coords: Record<string, string>): string =>
    Object.entries(coords)
      .map(([k, v]) => `${k}=${v}`)
      .join(",");
  return [...groups.values()].map((members) => {
    const first = members[0]!;
    const found = new Set(members.map((p) => labelOf(p.ir.sweep!.point)));
    let grid = gridFromFile(first);
    const known = grid !== null && [...found].every((l) => grid!.includes(l));
    if (!known) {
      const axes = Object.keys(first.ir.sweep!.point);
      const values = axes.map((a) => [...new Set(members.map((p) => p.ir.sweep!.point[a] ?? ""))]);
      grid = values.reduce<Record<string, string>[]>((acc, vs, i) => acc.flatMap((c) => vs.map((v) => ({ ...c, [axes[i]!]: v }))), [{}]).map(labelOf);
    }
    return {
      base: first.ir.sweep!.base,
      dir: path.dirname(first.dir),
      finished: members.filter((p) => p.summary !== null).length,
      total: grid!.length,
      known,
      // a point whose folder is there but unreadable is listed as such, not as never started
      missing: grid!.filter((l) => !found.has(l) && !fs.existsSync(path.join(path.dirname(first.dir), pointDir(l)))),
    };
  });
}

/** The sweep's points (labels) as its pipeline file declares them now, or null when it is gone or does not compile. */
function gridFromFile(p: ReportPoint): string[] | null {
  try {
    if (!fs.existsSync(path.resolve(p.projectDir, p.ir.file))) return null;
    const out = compileFileSync(p.ir.file, { cwd: p.projectDir, pipeline: p.ir.sweep!.base });
    if (out.diagnostics.some((d) => d.severity === "error") || out.pipelines.length === 0) return null;
    return out.pipelines.map((c) =>
      Object.entries(c.ir.sweep?.point ?? {})
        .map(([k, v]) => `${k}=${v}`)
        .join(","),
    );
  } catch {
    return null;
  }
}

/** The point, or why it cannot be read. */
function readPoint(dir: string, cwd: string): ReportPoint | string {
  const paths = runPaths(dir);
  const read = readRunIR(paths.ir);
  if (!("ir" in read)) return read.problem === "json" ? `ir.json cannot be read (${read.detail})` : `ir.json is not a valid IR (${read.detail})`;
  const ir = read.ir;
  // A damaged done.json is neither finished nor unfinished: named (as `run` names it).
  const summary = readRunSummary(dir);
  const metrics = readMetrics(paths.metrics).sort((a, b) => a.step - b.step);
  const label = ir.sweep
    ? Object.entries(ir.sweep.point)
        .map(([k, v]) => `${k}=${v}`)
        .join(",")
    : ir.name;
  const lock = summary === null ? runLockOf(dir) : null;
  const running = lock && lock.state !== "dead" ? { holder: lock.holder, state: lock.state } : null;
  return {
    label,
    dir,
    ir,
    metrics,
    summary,
    damaged: doneProblem(dir),
    diverged: readDiverged(dir),
    projectDir: projectDirOf(dir, ir.output.dir) ?? cwd,
    running,
  };
}

/**
 * `run` writes to `<start dir>/<output.dir>`; when the run directory ends with its
 * relative output dir, what comes before is the start dir (so `report` finds the data
 * wherever it is run from). Null when it cannot tell.
 */
export function projectDirOf(runDir: string, outputDir: string): string | null {
  if (path.isAbsolute(outputDir)) return null;
  const want = path
    .normalize(outputDir)
    .split(path.sep)
    .filter((s) => s !== "" && s !== ".");
  const have = path.resolve(runDir).split(path.sep);
  if (want.length === 0 || want.includes("..") || want.length >= have.length) return null;
  const tail = have.slice(have.length - want.length);
  if (tail.some((s, i) => s !== want[i])) return null;
  return have.slice(0, have.length - want.length).join(path.sep) || path.sep;
}
