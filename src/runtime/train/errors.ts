// Errors a run reports to the user as one line (the CLI prints them without a stack).
import { Interrupted } from "../abort.js";
import { deviceLoss } from "../backend/webgpu.js";
import { RuntimeProblem } from "../errors.js";

/** The loss became NaN or infinite: the run stops, the last good checkpoint stays. */
export class TrainingDivergedError extends Error {
  constructor(
    readonly step: number,
    readonly loss: number,
    readonly lr: number,
    /** Newest checkpoint on disk (written before the bad step), or null. */
    readonly lastCheckpoint: string | null,
    /** A sweep's point: a --set of a swept setting is refused, so the hint points at the file. */
    inSweep = false,
  ) {
    super(
      `the loss became ${loss} at step ${step} (learning rate ${lr.toPrecision(4)}); training stopped before updating the weights. ` +
        (lastCheckpoint ? `The last good checkpoint is ${lastCheckpoint}. ` : "No checkpoint was written yet. ") +
        (inSweep
          ? "Try a lower learning rate or a longer warm-up for this point in the file's sweep, then train it again with --overwrite --only <axis=value>; and check the data (adainfc data check)."
          : "Try a lower learning rate or a longer warm-up, starting over: --overwrite --set train.optimizer.lr=... (--resume continues only with unchanged settings, and so diverges again); and check the data (adainfc data check)."),
    );
    this.name = "TrainingDivergedError";
  }
}

/** Something about the pipeline makes it impossible to run (missing data, no classes). */
export class RunSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RunSetupError";
  }
}

/**
 * The IR handed to runPipeline, runStart, missingData, selectPoints or sweepGroups is not
 * one this runtime can run (another IR version, a value the schema refuses, a source that
 * is not declared): `problem` says where, what was expected and what was found.
 */
export class InvalidIRError extends RunSetupError {
  constructor(
    readonly problem: string,
    what: string,
  ) {
    super(`${what} is not a valid pipeline IR: ${problem}`);
    this.name = "InvalidIRError";
  }
}

/**
 * RunOptions (or runStart's flags) that cannot be honoured as given: resume with
 * overwrite, a thread count out of range. A usage problem, like a bad flag.
 */
export class RunOptionsError extends RuntimeProblem {
  constructor(message: string) {
    super(message, "usage");
    this.name = "RunOptionsError";
  }
}

/**
 * The GPU stopped working (its WebGPU device was lost: a driver reset, the GPU gone,
 * the device destroyed) while the run or an evaluation worked. `stage` says when
 * ("during step 4"), `next` what the user can do (resume from the newest checkpoint).
 */
export class DeviceLostError extends RunSetupError {
  constructor(
    readonly loss: string,
    readonly stage: string,
    next: string,
  ) {
    super(`the GPU stopped working ${stage} (its WebGPU device was lost: ${loss}); ${next}`);
    this.name = "DeviceLostError";
  }
}

/**
 * `e` as a DeviceLostError when the GPU's device was lost meanwhile (whatever failed then
 * failed because of it: every read on a lost device is an empty DOMException), else `e`.
 * `next` says what the user can do.
 */
export async function asDeviceLoss(tf: { getBackend(): string; backend(): unknown }, e: unknown, stage: string, next: () => string): Promise<unknown> {
  if (e instanceof Interrupted || e instanceof DeviceLostError) return e;
  const loss = await deviceLoss(tf);
  return loss === null ? e : new DeviceLostError(loss, stage, next());
}
