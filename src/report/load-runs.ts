// Reads what `adainfc run` left on disk: a run directory (ir.json, metrics.jsonl,
// done.json, diverged.json), a sweep's base directory (one such directory per point, plus
// results.csv), or any folder of run directories. The report only reads; it never
// changes a run directory.
import fs from "node:fs";
import path from "node:path";
import type { PipelineIR } from "../ir/types.js";
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
}

/**
 * A run directory (it holds ir.json) or a sweep directory (its sub-directories do).
 * `cwd` is where relative data paths resolve when the run's own start directory
 * cannot be inferred from its output dir.
 */
export function loadReportInput(dir: string, cwd: string): ReportInput {
  const root = path.resolve(cwd, dir);
  if (!fs.existsSync(root)) throw new ReportInputError(`${dir}: no such directory`);
  if (!fs.statSync(root).isDirectory()) throw new ReportInputError(`${dir}: not a directory (give a run or sweep directory)`);
  if (fs.existsSync(runPaths(root).ir)) {
    const point = readPoint(root, cwd);
    if (typeof point === "string") throw new ReportInputError(`${dir}: ${point}`);
    return { root, kind: "run", title: point.ir.name, points: [point], unreadable: [] };
  }
  const subdirs = fs
    .readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory() && fs.existsSync(runPaths(path.join(root, e.name)).ir))
    .map((e) => e.name)
    .sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
  if (subdirs.length === 0) {
    throw new ReportInputError(`${dir} is neither a run directory (no ir.json) nor a sweep directory (no sub-directory with an ir.json)`);
  }
  const points: ReportPoint[] = [];
  const unreadable: ReportInput["unreadable"] = [];
  for (const name of subdirs) {
    const p = readPoint(path.join(root, name), cwd);
    if (typeof p === "string") unreadable.push({ dir: name, reason: p });
    else points.push(p);
  }
  if (points.length === 0) throw new ReportInputError(`${dir}: no point of the sweep could be read (${unreadable[0]!.dir}: ${unreadable[0]!.reason})`);
  const bases = [...new Set(points.map((p) => p.ir.sweep?.base ?? p.ir.name))];
  const oneSweep = bases.length === 1 && points.every((p) => p.ir.sweep !== undefined);
  return { root, kind: oneSweep ? "sweep" : "folder", title: bases.join(", "), points, unreadable };
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
  return { label, dir, ir, metrics, summary, damaged: doneProblem(dir), diverged: readDiverged(dir), projectDir: projectDirOf(dir, ir.output.dir) ?? cwd };
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
