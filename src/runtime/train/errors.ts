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
