// Diagnostic codes of the solo-learn target (docs/solo-learn.md lists them).
// Errors: the pipeline says something solo-learn cannot run; nothing is written.
// Warnings: solo-learn runs it, but not exactly as adainfc would; the files are written.

export const SOLO_CODES = {
  /** The training mixture or a data source cannot be written as solo-learn data settings. */
  data: "E070",
  /** An augmentation op, parameter, order or view count solo-learn lacks. */
  augment: "E071",
  /** A backbone solo-learn's CIFAR setup does not build. */
  model: "E072",
  /** Training or evaluation settings solo-learn cannot take. */
  train: "E073",
  /** solo-learn reads the npz pixels as RGB; a file declared BGR is not swapped. */
  channels: "W070",
  /** Checkpoints: solo-learn counts epochs and keeps all or only the last. */
  checkpoint: "W071",
} as const;
