// Ctrl-C and SIGTERM for a process that stops gracefully (`adainfc run`, `eval`, `data`,
// `generate`, and the programs of `compile --target ts`, through the public API): the
// first signal asks the work to stop (a checkpoint is saved; a run says so: stopLine); a
// second, of either kind, ends the process as soon as a handler can run, after `quit` has
// said what is lost and how to go on (quitLine, for a run; the run's lock goes with the
// process: src/runtime/train/run-lock.ts). A repeat of the first signal within REPEAT_MS
// of it is the same request, not a second: GNU `timeout` signals the process and then its
// process group, so one timeout can deliver the signal twice, microseconds apart (seen: a
// run quit without saving). The
// price: two presses of Ctrl-C while a step computes synchronously reach the handlers
// together and count as one (a third quits).
// During synchronous work (a cpu or wasm step computes for seconds) no handler runs, so
// the second takes effect when that work ends. Handing the signals back to their default
// action after the first (which would end the process inside such work) was tried and
// dropped: Node closes the signal's watcher, and a signal libuv had caught but not yet
// delivered is lost (seen: SIGTERM right after Ctrl-C then only stopped gracefully, exit
// 130 instead of 143).
import os from "node:os";
import path from "node:path";
import { runPaths } from "../formats/run-dir.js";
import { listCheckpoints } from "./train/checkpoint-store.js";
import type { ProgressEvent } from "./train/types.js";
import { shownPath } from "../util/shown-path.js";

export const EXIT_INTERRUPTED = 130;

/** How close a repeat of the first signal must follow it to be taken as the same one. */
export const REPEAT_MS = 50;

const SIGNALS = ["SIGINT", "SIGTERM"] as const;

/** A process stopped by a signal exits as shells report it: 128 + its number (130 SIGINT, 143 SIGTERM). */
export function exitCodeFor(signal: NodeJS.Signals): number {
  return signal === "SIGINT" ? EXIT_INTERRUPTED : 128 + (os.constants.signals[signal] ?? 15);
}

export interface StopSignals {
  /** The first signal, once one came. */
  readonly stoppedBy: NodeJS.Signals | null;
  /** Removes the handlers (the default action applies again). */
  dispose(): void;
}

/**
 * Calls `first` on the first Ctrl-C or SIGTERM; a second one calls `quit` (which says
 * what is lost; it must not wait) and exits 130 or 143 (see the header).
 */
export function stopSignals(first: (signal: NodeJS.Signals) => void, quit?: (signal: NodeJS.Signals) => void): StopSignals {
  let stoppedBy: NodeJS.Signals | null = null;
  let firstAt = 0;
  const dispose = (): void => {
    for (const s of SIGNALS) process.removeListener(s, on);
  };
  const on = (signal: NodeJS.Signals): void => {
    if (stoppedBy !== null) {
      if (signal === stoppedBy && performance.now() - firstAt < REPEAT_MS) return;
      quit?.(signal);
      process.exit(exitCodeFor(signal));
    }
    stoppedBy = signal;
    firstAt = performance.now();
    first(signal);
  };
  for (const s of SIGNALS) process.on(s, on);
  return {
    get stoppedBy() {
      return stoppedBy;
    },
    dispose,
  };
}

/**
 * What a second signal leaves to say before the process ends: that nothing more was
 * saved, the run's newest checkpoint (what a resumed run starts from) and `again`, the
 * command that goes on; `run` null when no run was under way. `dir` (the run directory)
 * and the paths shown as shownPath shows them (relative to `cwd` under it).
 */
export function quitLine(signal: NodeJS.Signals, run: { dir: string; again: string } | null, cwd: string): string {
  const what = `${signal === "SIGINT" ? "Ctrl-C" : signal} (a second stop signal)`;
  if (run === null) return `\n${what}: quit\n`;
  const dir = path.resolve(cwd, run.dir);
  const newest = listCheckpoints(runPaths(dir).checkpoints).at(-1);
  const rel = (p: string): string => shownPath(cwd, p);
  return newest
    ? `\n${what}: quit without saving; the steps after step ${newest.step} are lost. Resume from ${rel(newest.path)} with: ${run.again}\n`
    : `\n${what}: quit without saving; ${rel(dir)} holds no checkpoint yet. Start it again with: ${run.again}\n`;
}

/**
 * What a run says on the first signal: a checkpoint is saved at the end of this step, or,
 * with `evaluating` (evaluatingAfter), once the evaluation under way is stopped.
 */
export function stopLine(signal: NodeJS.Signals, evaluating: boolean): string {
  const what = signal === "SIGINT" ? "interrupt" : signal;
  const again = `${signal === "SIGINT" ? "Ctrl-C" : signal} again`;
  return evaluating
    ? `\n${what}: stopping the evaluation and saving a checkpoint; --resume evaluates again (${again} to quit without saving)\n`
    : `\n${what}: saving a checkpoint at the end of this step (${again} to quit without saving)\n`;
}

/** Whether an evaluation is under way after the run's progress event `e` (`was`: before it). */
export function evaluatingAfter(e: ProgressEvent, was: boolean): boolean {
  if (e.kind === "phase") return e.evaluation === true;
  return e.kind === "step" || e.kind === "checkpoint" || e.kind === "start" ? false : was;
}
