// A problem with what the user asked of the generator (too many dimensions for the
// images, a split on a format without splits...), on the runtime's RuntimeProblem:
// `usage` problems exit 2, the others 1.
import { type ProblemKind, RuntimeProblem } from "../errors.js";

export type GenerateErrorKind = ProblemKind;

export class GenerateError extends RuntimeProblem {
  override name = "GenerateError";
}
