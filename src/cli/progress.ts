// Progress of long commands on stderr (generate, data, the stand-in set that run makes):
// a bar when stderr is a terminal; otherwise plain lines, each phase when it starts and
// where it is at most every few seconds, so logs and pipes are never silent.
import type { CliContext } from "./context.js";

export interface Progress {
  /** `total` null: not known yet (a download without a length). */
  update(task: string, done: number, total: number | null): void;
  stop(): void;
}

/** What each phase is called and counted in, for the plain lines (bars show the task name). */
export interface ProgressWords {
  words?: Record<string, string>;
  units?: Record<string, string>;
}

/** How often plainProgress prints a line while a phase goes on. */
export const PLAIN_PROGRESS_EVERY_MS = 5000;

const fmt = (n: number): string => n.toLocaleString("en-US");

/**
 * Progress as lines (for logs and pipes, not a terminal): each phase when it starts, then
 * where it is at most every `everyMs` while it goes on, and its last count when it ends.
 */
export function plainProgress(write: (text: string) => void, opts: ProgressWords & { everyMs?: number; now?: () => number } = {}): Progress {
  const every = opts.everyMs ?? PLAIN_PROGRESS_EVERY_MS;
  const now = opts.now ?? (() => performance.now());
  let current: string | null = null;
  let last = 0;
  let ended = false;
  return {
    update(task, done, total) {
      const t = now();
      if (task !== current) {
        current = task;
        last = t;
        ended = false;
        write(`  ${opts.words?.[task] ?? task}\n`);
      }
      if ((total !== null && total <= 1) || ended) return; // a one-step phase (PCA) has nothing to count
      const end = total !== null && done >= total;
      if (end || t - last >= every) {
        last = t;
        ended = end;
        write(`    ${fmt(done)}${total !== null ? ` / ${fmt(total)}` : ""}${opts.units?.[task] ?? ""}\n`);
      }
    },
    stop: () => undefined,
  };
}

/** A cli-progress bar on stderr (only meaningful on a terminal). */
export async function progressBar(): Promise<Progress> {
  const { SingleBar, Presets } = (await import("cli-progress")).default;
  const bar = new SingleBar(
    { stream: process.stderr, format: " {task} [{bar}] {percentage}% {value}/{total}", hideCursor: true, clearOnComplete: true },
    Presets.shades_classic,
  );
  let current: string | null = null;
  return {
    update(task, done, total) {
      if (task !== current) {
        if (current !== null) bar.stop();
        bar.start(total ?? 0, done, { task });
        current = task;
      }
      if (total !== null) bar.setTotal(total);
      bar.update(done, { task });
    },
    stop() {
      if (current !== null) bar.stop();
      current = null;
    },
  };
}

/** A bar when stderr is a terminal, else plain lines every few seconds (never silent). */
export async function progressFor(ctx: CliContext, words: ProgressWords = {}): Promise<Progress> {
  return process.stderr.isTTY ? await progressBar() : plainProgress((t) => ctx.err(t), words);
}
