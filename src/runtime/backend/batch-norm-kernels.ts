// Names and contracts of the two fused batch-norm training kernels. This module has
// no tfjs import, so models can ask "does this backend have them?" without loading
// a backend's kernels. The wasm implementations are in wasm-kernels/batch-norm.ts;
// backends without them fall back to composite tf ops (models/batch-norm-train.ts).
// Every training-mode batch norm refuses an empty batch (refuseEmptyBatch).
import { RuntimeProblem } from "../errors.js";

/**
 * Forward in training mode over the last axis (channels) of x, any rank:
 * inputs { x, scale, offset }, attrs { varianceEpsilon, relu } ->
 * [y, mean, variance], with the biased batch variance over all but the last axis.
 * With relu, y = max(0, batchnorm(x)) (fused, so the pre-ReLU values never exist).
 */
export const BATCH_NORM_TRAIN = "AdainfBatchNormTrain";

/**
 * Its gradient: inputs { dy, x, mean, variance, scale, y }, attrs { varianceEpsilon, relu } ->
 * [dx, dscale, doffset], computed from per-channel sums of dy and dy * xhat (no
 * statistics are tiled up to x's shape). With relu, dy is first masked by y > 0
 * (y is the forward output); without, y is not read.
 */
export const BATCH_NORM_TRAIN_GRAD = "AdainfBatchNormTrainGrad";

export interface BatchNormTrainAttrs {
  varianceEpsilon: number;
  relu: boolean;
}

/**
 * Batch statistics over no value are 0 / 0: NaN means and variances that would poison
 * the running statistics. The run refuses an empty batch long before (a batch larger
 * than the data, an empty source); this is the last guard, for x of any rank with
 * channels last.
 */
export function refuseEmptyBatch(shape: readonly number[]): void {
  if (shape.reduce((a, b) => a * b, 1) > 0) return;
  throw new RuntimeProblem(
    `batch norm over an empty batch (x of shape [${shape.join(", ")}]): its mean and variance would be NaN; a training batch needs at least one image`,
  );
}
