// The runtime's user errors, without exit codes: each says what kind of problem it is
// and the caller (the CLI, an emitted program) maps the kind to its own exit code.
// "usage": what was asked for cannot be done as asked; "error": it could not be done.
// Problems with a data file itself are the data layer's DataError.

export type ProblemKind = "usage" | "error";

/** A problem the user can fix: printed as one line, no stack. */
export class RuntimeProblem extends Error {
  constructor(
    message: string,
    readonly kind: ProblemKind = "error",
  ) {
    super(message);
    this.name = "RuntimeProblem";
  }
}
