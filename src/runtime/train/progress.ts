// Shows a run's progress events: a cli-progress bar on stderr when it is a terminal
// (step, loss, images/s, ETA), otherwise plain lines about every 5% of the run or every
// 30 seconds, whichever comes first, so logs of long runs stay readable. One-time data
// work before training (inflating an npz, converting a folder) becomes phase events at
// most every few seconds (dataPhases).
import os from "node:os";
import type { InputStall } from "./input-meter.js";
import type { ProgressEvent } from "./types.js";

export interface ProgressView {
  handle(e: ProgressEvent): void;
  stop(): void;
}

const PLAIN_SECONDS = 30;

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "?";
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

interface Rate {
  startStep: number;
  startSeconds: number;
}

function eta(e: Extract<ProgressEvent, { kind: "step" }>, rate: Rate | null): number {
  if (rate === null) return NaN;
  const done = e.metrics.step + 1 - rate.startStep;
  const spent = e.elapsedSeconds - rate.startSeconds;
  return done > 0 ? (spent / done) * (e.totalSteps - e.metrics.step - 1) : NaN;
}

function evalText(m: Record<string, number | undefined>): string {
  const parts: string[] = [];
  if (m["val_acc1"] !== undefined) parts.push(`online linear ${m["val_acc1"].toFixed(1)}%`);
  if (m["knn_acc1"] !== undefined) parts.push(`kNN ${m["knn_acc1"].toFixed(1)}%`);
  return parts.join(", ");
}

/** The once-a-run warning that training waits for its batches. */
export function inputBoundText(e: InputStall): string {
  const n = (v: number): string => v.toLocaleString("en-US");
  const head =
    `warning: steps ${e.fromStep + 1}-${e.toStep + 1} waited for augmentation ${(e.waitFraction * 100).toFixed(0)}% of the time: ` +
    `it makes ${n(e.augmentViewsPerS)} views/s`;
  const cores = `${os.availableParallelism()} cores here`;
  return e.threads === 0
    ? `${head} on the training thread, training takes ${n(e.trainViewsPerS)}; worker threads would feed it (the start line says why augmentation is inline; --augment-threads, ${cores})`
    : `${head} (now ${e.threads} thread${e.threads === 1 ? "" : "s"}), training takes ${n(e.trainViewsPerS)}; more augmentation threads would feed it (--augment-threads, ${cores})`;
}

/** How often dataPhases reports where one-time data work is. */
export const DATA_PHASE_EVERY_SECONDS = 5;

/**
 * Progress of one-time data work (inflating a deflated npz, converting an image folder:
 * callbacks for every chunk or image) as phase events: the task when it starts, where it
 * is at most every `everySeconds`, and its count when it ends. One event per chunk was
 * one line per 16 KiB inflated in a log.
 */
export function dataPhases(
  report: (e: ProgressEvent) => void,
  now: () => number = () => Date.now() / 1000,
  everySeconds = DATA_PHASE_EVERY_SECONDS,
): (task: string, done: number, total: number) => void {
  let current: string | null = null;
  let last = 0;
  let ended = false;
  return (task, done, total) => {
    const t = now();
    if (task !== current) {
      current = task;
      last = t;
      ended = false;
      report({ kind: "phase", message: task });
    }
    if (ended) return;
    const end = done >= total;
    if (end || t - last >= everySeconds) {
      last = t;
      ended = end;
      report({ kind: "phase", message: `${task} ${done.toLocaleString("en-US")}/${total.toLocaleString("en-US")}` });
    }
  };
}

/** Plain lines through `write` (stderr that is not a terminal, tests, CI logs). */
export function plainProgress(write: (text: string) => void, now: () => number = () => Date.now() / 1000): ProgressView {
  let rate: Rate | null = null;
  let lastPrint = 0;
  let lastStep = -1;
  return {
    handle(e) {
      switch (e.kind) {
        case "start":
          write(
            `${e.pipeline}: ${e.startStep > 0 ? `resuming at step ${e.startStep} of ${e.totalSteps}` : `${e.totalSteps} steps`} (${e.stepsPerEpoch} per epoch), ${e.worker}\n`,
          );
          lastPrint = now();
          break;
        case "phase":
        case "note":
          write(`  ${e.message}\n`);
          break;
        case "input-bound":
          write(`  ${inputBoundText(e)}\n`);
          break;
        case "checkpoint":
          write(`  checkpoint at step ${e.step}: ${e.file}\n`);
          break;
        case "step": {
          // Rate from the end of the first step seen (it may include start-up costs).
          rate ??= { startStep: e.metrics.step + 1, startSeconds: e.elapsedSeconds };
          const every = Math.max(1, Math.round(e.totalSteps / 20));
          const evals = evalText(e.metrics);
          const last = e.metrics.step + 1 === e.totalSteps;
          const due = (e.metrics.step + 1) % every === 0 || now() - lastPrint >= PLAIN_SECONDS || last;
          if (!due && !evals) break;
          if (e.metrics.step === lastStep) break;
          lastStep = e.metrics.step;
          lastPrint = now();
          write(
            `  step ${e.metrics.step + 1}/${e.totalSteps}  loss ${e.metrics.loss.toFixed(4)}  lr ${e.metrics.lr.toPrecision(3)}  ` +
              `${e.metrics.images_per_s.toFixed(1)} img/s  ETA ${formatDuration(eta(e, rate))}${evals ? `  | ${evals}` : ""}\n`,
          );
          break;
        }
      }
    },
    stop() {},
  };
}

/** A cli-progress bar on stderr; phase, note and evaluation lines are printed above it. */
export async function barProgress(stream: NodeJS.WriteStream): Promise<ProgressView> {
  const { SingleBar, Presets } = (await import("cli-progress")).default;
  const bar = new SingleBar(
    {
      stream,
      format: " {bar} {value}/{total} steps | loss {loss} | {ips} img/s | ETA {etaText} {evals}",
      hideCursor: true,
      etaBuffer: 50,
    },
    Presets.shades_classic,
  );
  let started = false;
  let rate: Rate | null = null;
  let evals = "";
  return {
    handle(e) {
      switch (e.kind) {
        case "start":
          stream.write(`${e.pipeline}: ${e.startStep > 0 ? `resuming at step ${e.startStep}` : `${e.totalSteps} steps`}, ${e.worker}\n`);
          bar.start(e.totalSteps, e.startStep, { loss: "-", ips: "-", etaText: "?", evals: "" });
          started = true;
          break;
        case "phase":
        case "note":
          if (started) bar.update({ evals: `(${e.message})` });
          else stream.write(`  ${e.message}\n`);
          break;
        case "checkpoint":
          if (!started) stream.write(`  checkpoint at step ${e.step}\n`);
          break;
        case "input-bound":
          // Above the bar, which redraws itself on the next update.
          if (started) stream.write("\r\x1b[2K");
          stream.write(`  ${inputBoundText(e)}\n`);
          break;
        case "step": {
          rate ??= { startStep: e.metrics.step + 1, startSeconds: e.elapsedSeconds };
          const ev = evalText(e.metrics);
          if (ev) evals = `| ${ev}`;
          bar.update(e.metrics.step + 1, {
            loss: e.metrics.loss.toFixed(4),
            ips: e.metrics.images_per_s.toFixed(1),
            etaText: formatDuration(eta(e, rate)),
            evals,
          });
          break;
        }
      }
    },
    stop() {
      if (started) bar.stop();
      started = false;
    },
  };
}
