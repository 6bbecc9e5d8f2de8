// The backend layer's user errors, without exit codes: the public runtime API says what
// kind of problem it is and each caller (the CLI, an emitted program) maps the kind to
// its own exit code. "usage": what was asked for cannot be done as asked (a forced
// backend that is not installed, a bad ADAINF_TFJS_FLAGS); "error": nothing could run.
// Kept apart from select.ts so that mapping them loads no backend code.

export type BackendErrorKind = "usage" | "error";

/** A backend problem the user can fix: printed as one line, no stack. */
export class BackendError extends Error {
  constructor(
    message: string,
    readonly kind: BackendErrorKind = "error",
  ) {
    super(message);
    this.name = "BackendError";
  }
}
