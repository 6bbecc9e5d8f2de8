// The backend layer's user errors (a forced backend that is not installed, a bad
// ADAINF_TFJS_FLAGS: "usage"; nothing could run: "error"), on the runtime's
// RuntimeProblem. Kept apart from select.ts so that mapping them loads no backend code.
import { type ProblemKind, RuntimeProblem } from "../errors.js";

export type BackendErrorKind = ProblemKind;

export class BackendError extends RuntimeProblem {
  override name = "BackendError";
}
