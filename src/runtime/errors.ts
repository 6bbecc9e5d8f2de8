// The runtime's user errors, without exit codes: each says what kind of problem it is
// and the caller (the CLI, an emitted program) maps the kind to its own exit code.
// "usage": what was asked for cannot be done as asked; "error": it could not be done.
// Problems with a data file itself are the data layer's DataError. StateMismatch is a
// saved state that does not fit the model it is loaded into: whoever loads a checkpoint
// turns it into a user error naming the file (a checkpoint of another model).

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

/** A saved state lacks a tensor of the model, or has one of another shape (thrown by setState/loadState). */
export class StateMismatch extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StateMismatch";
  }
}
