// A problem with what the user asked of the generator (too many dimensions for the
// images, a split on a format without splits...). The CLI prints it as one line:
// `usage` problems exit 2, the others 1. Problems with the data file itself are the
// data layer's DataError.

export type GenerateErrorKind = "usage" | "error";

export class GenerateError extends Error {
  constructor(
    message: string,
    readonly kind: GenerateErrorKind = "error",
  ) {
    super(message);
    this.name = "GenerateError";
  }
}
