// Ctrl-C and SIGTERM for a command that stops gracefully (`adainfc run`): the first
// signal asks the work to stop (a checkpoint is saved); a second, of either kind, ends
// the process at once. One turn after the first, the handlers are removed, so a second
// signal takes the default action and ends the process even inside synchronous work (a
// wasm or cpu step computes for seconds without giving a handler a turn); one that came
// in the same turn as the first still reaches the handler, which exits.
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

/** Calls `first` on the first Ctrl-C or SIGTERM; a second one ends the process (see the header). */
export function stopSignals(first: (signal: NodeJS.Signals) => void): StopSignals {
  let stoppedBy: NodeJS.Signals | null = null;
  const dispose = (): void => {
    for (const s of SIGNALS) process.removeListener(s, on);
  };
  const on = (signal: NodeJS.Signals): void => {
    if (stoppedBy !== null) process.exit(exitCodeFor(signal));
    stoppedBy = signal;
    first(signal);
    setImmediate(dispose);
  };
  for (const s of SIGNALS) process.on(s, on);
  return {
    get stoppedBy() {
      return stoppedBy;
    },
    dispose,
  };
}
