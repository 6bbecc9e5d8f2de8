// A step's time, and whether training is fed fast enough. StepClock times each step in
// a pipelined loop (below); InputMeter takes per step how long the device had nothing to
// do while the training thread worked on input, how long augmenting the batch took, and
// the step's time. From them: the views/s augmentation makes, the views/s training would
// take if never kept waiting, the share of training time spent waiting (done.json's
// `input`), and one warning when a stretch of steps waits more than STALL_FRACTION.
import { feedingText, type InputSummary } from "../../formats/run-dir.js";

/** A stretch of steps whose input waits reach this share of their time is input-bound. */
export const STALL_FRACTION = 0.1;
/** Steps in the stretch the warning looks at. */
export const STALL_WINDOW = 20;

export interface InputStall {
  /** First and last step (0-based) of the stretch. */
  fromStep: number;
  toStep: number;
  /** Share of the stretch's time spent waiting for input (0..1). */
  waitFraction: number;
  augmentViewsPerS: number;
  trainViewsPerS: number;
  threads: number;
}

interface StepTiming {
  step: number;
  views: number;
  waitMs: number;
  augmentMs: number;
  intervalMs: number;
}

const rate = (views: number, ms: number): number => (ms > 0 ? Math.round((views / ms) * 1000) : 0);

/**
 * The trainer's loop dispatches step s, then reads step s-1's result: on wasm a step
 * computes while it is dispatched, on a GPU while the loop reads the step before. A
 * step's time runs from when it could start (the later of its iteration's start and the
 * previous step's result) to its own result, noted when its promise settles: the times
 * tile the training, and time between steps (evaluation, checkpoints) is in none. Each
 * iteration opens with input work (waiting for the batch, preparing the next one on the
 * training thread); the part of it inside the step's time is time the device idled.
 */
export class StepClock {
  private lastSettled = Number.NEGATIVE_INFINITY;

  /** Steps in order: `started` (its iteration), `inputMs` (the input work opening it), `settled` (its result). */
  step(started: number, inputMs: number, settled: number): { ms: number; waitMs: number } {
    const from = Math.max(started, this.lastSettled);
    this.lastSettled = Math.max(settled, this.lastSettled);
    const ms = Math.max(settled - from, 0);
    return { ms, waitMs: Math.max(0, Math.min(started + inputMs, settled) - from) };
  }
}

export class InputMeter {
  private views = 0;
  private waitMs = 0;
  private augmentMs = 0;
  private intervalMs = 0;
  private steps = 0;
  private readonly window: StepTiming[] = [];
  private warned = false;

  /** `threads`: augmentation threads (0: on the training thread). */
  constructor(private readonly threads: number) {}

  /**
   * One trained step. The first step a process trains is left out by the caller: its
   * batch could not be prepared ahead, so its wait is start-up, not feeding.
   */
  record(t: StepTiming): void {
    this.steps++;
    this.views += t.views;
    this.waitMs += t.waitMs;
    this.augmentMs += t.augmentMs;
    this.intervalMs += t.intervalMs;
    this.window.push(t);
    if (this.window.length > STALL_WINDOW) this.window.shift();
  }

  /** The stretch of the last STALL_WINDOW steps, once per run, when it is input-bound. */
  stall(): InputStall | null {
    if (this.warned || this.window.length < STALL_WINDOW) return null;
    const sum = (k: "views" | "waitMs" | "augmentMs" | "intervalMs"): number => this.window.reduce((a, t) => a + t[k], 0);
    const interval = sum("intervalMs");
    const wait = sum("waitMs");
    if (interval <= 0 || wait / interval < STALL_FRACTION) return null;
    this.warned = true;
    return {
      fromStep: this.window[0]!.step,
      toStep: this.window[this.window.length - 1]!.step,
      waitFraction: wait / interval,
      augmentViewsPerS: rate(sum("views"), sum("augmentMs")),
      trainViewsPerS: rate(sum("views"), interval - wait),
      threads: this.threads,
    };
  }

  /** The whole run so far (the steps this process trained), or null before any. */
  summary(): InputSummary | null {
    if (this.steps === 0) return null;
    return {
      threads: this.threads,
      steps: this.steps,
      augment_views_per_s: rate(this.views, this.augmentMs),
      train_views_per_s: rate(this.views, this.intervalMs - this.waitMs),
      wait_seconds: Math.round(this.waitMs) / 1000,
      wait_fraction: this.intervalMs > 0 ? Math.round((this.waitMs / this.intervalMs) * 10000) / 10000 : 0,
    };
  }
}

/** One line for a person: what fed training and whether it kept up. */
export function inputText(s: InputSummary): string {
  return `input: ${feedingText(s)}; it waited for input ${(s.wait_fraction * 100).toFixed(1)}% of the time (${s.steps} steps)`;
}
