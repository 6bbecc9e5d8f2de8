// The diagnostics of the solo-learn target, by area; codes, texts and docs are in the
// registry (src/check/registry.ts), the cases each covers in docs/solo-learn.md.
// Errors: the pipeline says something solo-learn cannot run; nothing is written.
// Warnings: solo-learn runs it, but not exactly as adainfc would; the files are written.
import { diag } from "../../check/registry.js";

export const SOLO_CODES = {
  /** The training mixture or a data source cannot be written as solo-learn data settings. */
  data: diag.E070.cannotExpress,
  /** An augmentation op, parameter, order or view count solo-learn lacks. */
  augment: diag.E071.cannotExpress,
  /** A backbone solo-learn's CIFAR setup does not build. */
  model: diag.E072.cannotExpress,
  /** Training or evaluation settings solo-learn cannot take. */
  train: diag.E073.cannotExpress,
  /** solo-learn reads the npz pixels as RGB; a file declared BGR is not swapped. */
  channels: diag.W070.bgrNotSwapped,
  /** Checkpoints: solo-learn counts epochs and keeps all or only the last. */
  checkpoint: diag.W071.checkpointsPerEpoch,
} as const;
