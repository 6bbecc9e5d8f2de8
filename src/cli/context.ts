// What every command gets: where to print, whether to use colour, and the
// working directory. Colour is decided per stream (stderr's for err(), stdout's
// for out()). Commands never touch process.stdout directly, so tests can
// run them in-process and read what they printed.
import { fsCauseOrMessage } from "../util/fs-errors.js";

export interface CliContext {
  cwd: string;
  /** Colour for text written with err() (diagnostics go to stderr). */
  color: boolean;
  /** Colour for text written with out(); absent: as `color`. */
  outColor?: boolean;
  out(text: string): void;
  err(text: string): void;
}

/** Exit codes shared by every command. */
export const EXIT_OK = 0;
/** Errors in the input (a compile error, a missing file, bad data). */
export const EXIT_ERRORS = 1;
/** A bad command line (unknown flag or value, a backend that is not installed). */
export const EXIT_USAGE = 2;
/** A bug in adainfc (sysexits' EX_SOFTWARE). */
export const EXIT_INTERNAL = 70;

/** An error the user caused (bad flag, missing file): printed as one line, no stack. */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT_ERRORS,
  ) {
    super(message);
    this.name = "UserError";
  }
}

/** The process's own context, and what became of its two streams once the command is done. */
export interface ProcessIo {
  ctx: CliContext;
  /**
   * Waits for what was written to stdout and stderr, then gives the exit code: the
   * command's, or at least EXIT_ERRORS when a stream could not be written (not a reader
   * that stopped early, EPIPE, which keeps the command's code). A failed stdout is one
   * line on stderr (`error: stdout: no space left on the device`); a failed stderr says
   * nothing (there is nowhere to say it).
   */
  finish(code: number): Promise<number>;
}

/** `color`: for text on stderr (diagnostics, notes); `outColor`: for text on stdout. */
export function processIo(color: { err: boolean; out: boolean }): ProcessIo {
  const out = streamPrinter(process.stdout);
  const err = streamPrinter(process.stderr);
  return {
    ctx: { cwd: process.cwd(), color: color.err, outColor: color.out, out: out.write, err: err.write },
    async finish(code) {
      const outFailure = await out.settled();
      let exit = code;
      if (outFailure) {
        err.write(`error: stdout: ${fsCauseOrMessage(outFailure)}\n`);
        exit = Math.max(exit, EXIT_ERRORS);
      }
      if (await err.settled()) exit = Math.max(exit, EXIT_ERRORS);
      return exit;
    },
  };
}

interface StreamPrinter {
  write(text: string): void;
  /** After every write so far has completed: the error that stopped the stream (EPIPE aside), or null. */
  settled(): Promise<NodeJS.ErrnoException | null>;
}

/**
 * Writes to a stream that may fail. A reader that stops early (`adainfc compile x.adainf |
 * head -1`) closes the pipe (EPIPE): later text is dropped and the command goes on to its
 * own exit code. Any other failure (a full disk, `> /dev/full`, an I/O error) is kept for
 * finish() to report, and later text is dropped too. Either way the stream's 'error' event
 * is handled here (also for text written to it around the context, by a library), so it
 * never ends the process with an uncaught exception and a stack trace.
 */
function streamPrinter(stream: NodeJS.WriteStream): StreamPrinter {
  let stopped = false;
  let failure: NodeJS.ErrnoException | null = null;
  let last: Promise<void> = Promise.resolve();
  const stop = (e: NodeJS.ErrnoException | null | undefined) => {
    if (!e) return;
    if (!stopped && e.code !== "EPIPE") failure = e;
    stopped = true;
  };
  stream.on("error", stop);
  return {
    write(text) {
      if (stopped) return;
      last = new Promise((resolve) => {
        try {
          stream.write(text, (e) => {
            stop(e);
            resolve();
          });
        } catch (e) {
          stop(e as NodeJS.ErrnoException);
          resolve();
        }
      });
    },
    async settled() {
      await last;
      return failure;
    },
  };
}
