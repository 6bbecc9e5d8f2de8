// Errors a run reports to the user as one line (the CLI prints them without a stack).

/** The loss became NaN or infinite: the run stops, the last good checkpoint stays. */
export class TrainingDivergedError extends Error {
  constructor(
    readonly step: number,
    readonly loss: number,
    readonly lr: number,
    /** Newest checkpoint on disk (written before the bad step), or null. */
    readonly lastCheckpoint: string | null,
  ) {
    super(
      `the loss became ${loss} at step ${step} (learning rate ${lr.toPrecision(4)}); training stopped before updating the weights. ` +
        (lastCheckpoint ? `The last good checkpoint is ${lastCheckpoint}. ` : "No checkpoint was written yet. ") +
        "Try a lower learning rate or a longer warm-up (--set train.optimizer.lr=...), and check the data (adainfc data check).",
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
