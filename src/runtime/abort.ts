// Stopping long work (an evaluation: feature extraction, kNN, the linear probe) at its
// next safe point when the caller aborts (Ctrl-C, SIGTERM). Signal handlers run only
// between event-loop turns, and reads on cpu/wasm resolve as microtasks, so a loop that
// only awaits reads would never see the abort: AbortPoint yields a turn now and then.

/** The work was stopped by its AbortSignal; whoever asked for the abort handles it. */
export class Interrupted extends Error {
  constructor() {
    super("interrupted");
    this.name = "Interrupted";
  }
}

/** Yields to the event loop at most every this many milliseconds of work. */
const YIELD_EVERY_MS = 50;

/** A loop's check for an abort, called between pieces of its work. */
export class AbortPoint {
  private last = performance.now();

  constructor(private readonly signal: AbortSignal | undefined) {}

  /** Throws Interrupted once the signal has aborted; lets handlers run every YIELD_EVERY_MS. */
  async check(): Promise<void> {
    if (this.signal === undefined) return;
    if (!this.signal.aborted && performance.now() - this.last >= YIELD_EVERY_MS) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      this.last = performance.now();
    }
    if (this.signal.aborted) throw new Interrupted();
  }
}
