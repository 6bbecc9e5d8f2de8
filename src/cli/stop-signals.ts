// Ctrl-C and SIGTERM for a command that stops gracefully (`adainfc run`): the first
// signal asks the work to stop (a checkpoint is saved); a second, of either kind, ends
// the process as soon as a handler can run. During synchronous work (a cpu or wasm step
// computes for seconds) no handler runs, so the second takes effect when that work ends.
// Handing the signals back to their default action after the first (which would end the
// process inside such work) was tried and dropped: Node closes the signal's watcher, and
// a signal libuv had caught but not yet delivered is lost (seen: SIGTERM right after
// Ctrl-C then only stopped gracefully, exit 130 instead of 143).
import os from "node:os";

export const EXIT_INTERRUPTED = 130;

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

/** Calls `first` on the first Ctrl-C or SIGTERM; a second one exits 130 or 143 (see the header). */
export function stopSignals(first: (signal: NodeJS.Signals) => void): StopSignals {
  let stoppedBy: NodeJS.Signals | null = null;
  const dispose = (): void => {
    for (const s of SIGNALS) process.removeListener(s, on);
  };
  const on = (signal: NodeJS.Signals): void => {
    if (stoppedBy !== null) process.exit(exitCodeFor(signal));
    stoppedBy = signal;
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
