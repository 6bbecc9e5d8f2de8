// The run directory (a pipeline's output.dir) as a file format, in one place so the
// trainer, `run`, `eval`, the sweep summary and `report` agree on it. Plain Node: no
// tfjs, nothing of the runtime (report reads runs without loading the trainer).
//   <dir>/ir.json            the resolved IR the run was started with
//   <dir>/metrics.jsonl      one JSON object per optimisation step (StepMetrics)
//   <dir>/checkpoints/       step-<8 digits>.ckpt, newest `output.keep` kept
//   <dir>/run.lock           held while a run writes here (pid, host, start time)
//   <dir>/done.json          written last: the run finished; a RunSummary + `finished`
//   <dir>/eval.json          written by `adainfc eval <dir>` (a RunEvaluation + when, backend)
//   <dir>/diverged.json      the loss became NaN or infinite (formats/run-outcome.ts)
// A sweep's base directory holds one such directory per point and results.csv /
// results.md (formats/results.ts).
import fs from "node:fs";
import path from "node:path";
import type { PipelineIR } from "../ir/types.js";
import { upgradeIR } from "../ir/upgrade.js";
import { validateIR } from "../ir/validate.js";
import { writeFileAtomic, writeJsonAtomic } from "../util/atomic-write.js";

export interface RunPaths {
  dir: string;
  ir: string;
  metrics: string;
  checkpoints: string;
  lock: string;
  done: string;
  eval: string;
  diverged: string;
}

export function runPaths(dir: string): RunPaths {
  return {
    dir,
    ir: path.join(dir, "ir.json"),
    metrics: path.join(dir, "metrics.jsonl"),
    checkpoints: path.join(dir, "checkpoints"),
    lock: path.join(dir, "run.lock"),
    done: path.join(dir, "done.json"),
    eval: path.join(dir, "eval.json"),
    diverged: path.join(dir, "diverged.json"),
  };
}

/**
 * When `file` (absolute, symbolic links resolved) is one of a run directory's own
 * entries (ir.json, metrics.jsonl, run.lock, done.json, eval.json, diverged.json, checkpoints/ or
 * anything under it), that run directory and the entry (relative to it); else null.
 * A directory counts as a run's when it holds ir.json and one other of these, as
 * every run started by `adainfc run` does: a lone ir.json written by `compile -o`
 * does not make one.
 */
export function runDirEntryOf(file: string): { dir: string; entry: string } | null {
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    const p = runPaths(dir);
    const own = [p.ir, p.metrics, p.lock, p.done, p.eval, p.diverged];
    const mine = own.includes(file) || file === p.checkpoints || file.startsWith(p.checkpoints + path.sep);
    if (mine && fs.existsSync(p.ir) && [p.metrics, p.lock, p.done, p.eval, p.diverged, p.checkpoints].some((e) => fs.existsSync(e))) {
      return { dir, entry: path.relative(dir, file) };
    }
    if (path.dirname(dir) === dir) return null;
  }
}

/** The run directory of a pipeline, resolved against the project directory (the working directory). */
export function runDirOf(outputDir: string, projectDir: string): string {
  return path.resolve(projectDir, outputDir);
}

// ---------------------------------------------------------------- ir.json

/** The IR a run recorded, upgraded and checked against the IR's schema, or why it cannot be used. */
export function readRunIR(file: string): { ir: PipelineIR } | { problem: "json" | "schema"; detail: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    return { problem: "json", detail: (e as Error).message };
  }
  raw = upgradeIR(raw);
  const problems = validateIR(raw);
  if (problems.length) return { problem: "schema", detail: problems[0]! };
  return { ir: raw as PipelineIR };
}

// ---------------------------------------------------------------- metrics.jsonl

/**
 * One line of metrics.jsonl: step (0-based index of the step), epoch, loss, lr,
 * images_per_s and, on the steps where they were computed, evaluation metrics. On
 * resume the lines of steps after the checkpoint are dropped, so the file reads like
 * one uninterrupted run.
 */
export interface StepMetrics {
  step: number;
  epoch: number;
  loss: number;
  lr: number;
  images_per_s: number;
  /** Online linear classifier on this batch's labelled samples (top-1, %). */
  online_train_acc1?: number;
  online_train_loss?: number;
  /** Online linear classifier on the evaluation source (top-1, %). */
  val_acc1?: number;
  val_loss?: number;
  knn_acc1?: number;
  knn_acc5?: number;
  [key: string]: number | undefined;
}

/** Appends metrics.jsonl as training goes. */
export class MetricsLog {
  private fd: number | null = null;

  constructor(readonly file: string) {}

  /** Starts a fresh file (a new run). */
  reset(): void {
    fs.writeFileSync(this.file, "");
  }

  /** Keeps only the lines of steps < `step` (resuming at step index `step`). */
  truncateFrom(step: number): void {
    const kept = readMetrics(this.file).filter((m) => m.step < step);
    writeFileAtomic(this.file, kept.map((m) => `${JSON.stringify(m)}\n`).join(""));
  }

  append(m: StepMetrics): void {
    this.fd ??= fs.openSync(this.file, "a");
    fs.writeSync(this.fd, `${JSON.stringify(m)}\n`);
  }

  close(): void {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
  }
}

/** Every line of a metrics file; a torn last line (a crash mid-write) is ignored. */
export function readMetrics(file: string): StepMetrics[] {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    return [];
  }
  const out: StepMetrics[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    try {
      out.push(JSON.parse(line) as StepMetrics);
    } catch {
      // a torn line
    }
  }
  return out;
}

// ---------------------------------------------------------------- done.json, eval.json

/** kNN and linear-probe figures of an encoder (top-1 / top-5, %). */
export interface EncoderMetrics {
  knn_acc1?: number;
  knn_acc5?: number;
  probe_acc1?: number;
  probe_train_acc1?: number;
}

export interface FinalMetrics extends EncoderMetrics {
  /** Mean loss over the last (up to) 20 steps. */
  loss: number;
  val_acc1?: number;
  val_loss?: number;
}

/** done.json (with `finished`, the time it was written): what a finished run reports. */
export interface RunSummary {
  pipeline: string;
  dir: string;
  backend: string;
  steps: number;
  seconds: number;
  final: FinalMetrics;
  /** The same encoder before training (initial weights), when computed. */
  untrained: EncoderMetrics | null;
  sweep: PipelineIR["sweep"] | null;
  /** How training was fed (the steps this process trained; absent in older runs). */
  input?: InputSummary;
}

/**
 * done.json's `input`: augmentation's rate (views / time spent augmenting), training's
 * rate between waits (views / (step time - wait)), and the time it waited for input.
 */
export interface InputSummary {
  /** Augmentation threads (0: on the training thread). */
  threads: number;
  /** Steps measured (not a process's first two: start-up, src/runtime/train/run-pipeline.ts). */
  steps: number;
  augment_views_per_s: number;
  train_views_per_s: number;
  wait_seconds: number;
  /** wait_seconds / training time of those steps (0..1). */
  wait_fraction: number;
}

/** "augmentation made A views/s on T threads; training took B views/s": the run's line and the report say it so. */
export function feedingText(s: InputSummary): string {
  const n = (v: number): string => v.toLocaleString("en-US");
  const where = s.threads === 0 ? "on the training thread" : `on ${s.threads} thread${s.threads === 1 ? "" : "s"}`;
  return `augmentation made ${n(s.augment_views_per_s)} views/s ${where}; training took ${n(s.train_views_per_s)} views/s`;
}

/** Writes done.json, last of all: from then on the run counts as finished. */
export function writeRunSummary(dir: string, summary: RunSummary): void {
  writeJsonAtomic(runPaths(dir).done, { finished: new Date().toISOString(), ...summary });
}

/** The run's done.json, or null while it is unfinished (a damaged one reads as unfinished). */
export function readRunSummary(dir: string): RunSummary | null {
  try {
    const s = JSON.parse(fs.readFileSync(runPaths(dir).done, "utf8")) as RunSummary | null;
    return typeof s === "object" && s !== null && typeof s.final === "object" && s.final !== null ? s : null;
  } catch {
    return null;
  }
}

/** The done.json of finished runs (missing or unreadable ones are left out). */
export function readSummaries(dirs: readonly string[]): RunSummary[] {
  return dirs.map(readRunSummary).filter((s): s is RunSummary => s !== null);
}

/** eval.json without `evaluated` and `backend`: what `adainfc eval` measured. */
export interface RunEvaluation {
  pipeline: string;
  checkpoint: string;
  step: number;
  totalSteps: number;
  metrics: EncoderMetrics;
  /** Labelled images in the kNN bank / probe training set, and in the test set (the ones scored). */
  trainImages: number;
  testImages: number;
}
