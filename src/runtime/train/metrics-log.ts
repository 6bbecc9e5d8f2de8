// metrics.jsonl: one JSON object per optimisation step, appended as training goes.
// Each line has step (0-based index of the step), epoch, loss, lr, images_per_s and,
// on the steps where they were computed, evaluation metrics. On resume the lines of
// steps after the checkpoint are dropped, so the file reads like one uninterrupted run.
import fs from "node:fs";

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
    const tmp = `${this.file}.tmp-${process.pid}`;
    fs.writeFileSync(tmp, kept.map((m) => `${JSON.stringify(m)}\n`).join(""));
    fs.renameSync(tmp, this.file);
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
