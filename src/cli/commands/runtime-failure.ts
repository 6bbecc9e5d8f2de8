// How run and eval report what a user can cause while training or evaluating (bad data,
// a diverged run, a run directory that does not fit): one line and exit 1.
import { EXIT_ERRORS, type CliContext } from "../context.js";
import { DataError } from "../../formats/data-error.js";

type TrainModule = typeof import("../../runtime/train/index.js");

/**
 * The errors a user can cause while a run or an evaluation works (bad data, a diverged
 * run, a run directory that does not fit) as one line and exit 1; anything else is a
 * bug and is rethrown. `train` is passed in because the train module loads lazily.
 */
export function reportRuntimeFailure(ctx: CliContext, e: unknown, train: TrainModule): number {
  if (e instanceof train.TrainingDivergedError || e instanceof train.RunSetupError) {
    ctx.err(`error: ${e.message}\n`);
    return EXIT_ERRORS;
  }
  if (e instanceof DataError) {
    ctx.err(`error: ${e.path}: ${e.what}\n`);
    return EXIT_ERRORS;
  }
  throw e;
}
