// What every command gets: where to print, whether to use colour, and the
// working directory. Commands never touch process.stdout directly, so tests can
// run them in-process and read what they printed.

export interface CliContext {
  cwd: string;
  color: boolean;
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

export function processContext(color: boolean): CliContext {
  return {
    cwd: process.cwd(),
    color,
    out: closablePrinter(process.stdout),
    err: closablePrinter(process.stderr),
  };
}

/**
 * Writes to a stream whose reader may stop early (`adainfc compile x.adainf | head -1`):
 * once the pipe is closed (EPIPE), later text is dropped and the command goes on to its
 * own exit code, instead of dying on an unhandled 'error' event with a stack trace.
 */
function closablePrinter(stream: NodeJS.WriteStream): (text: string) => void {
  let closed = false;
  stream.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code !== "EPIPE" && !closed) throw e;
    closed = true;
  });
  return (text) => {
    if (!closed) stream.write(text);
  };
}
