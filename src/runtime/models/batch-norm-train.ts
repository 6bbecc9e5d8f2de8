// Training-mode batch norm as one differentiable op with a hand-written gradient.
//
// Why not tf.moments + tf.batchNorm under autodiff: tfjs records every piece
// (Mean, Sub, Square, Mean, FusedBatchNorm) and keeps each one's inputs for the
// backward pass, so one layer held about four activation-sized tensors; its
// FusedBatchNorm gradient then tiles the per-channel statistics up to x's shape.
// Here the op keeps only x (and per-channel statistics), and the gradient is
//   dbeta = sum(dy), dgamma = sum(dy * xhat),
//   dx = gamma * invstd / M * (M dy - sum(dy) - xhat * sum(dy * xhat))
// over the M = N*H*W values of each channel. On a backend that has our fused
// kernels (wasm) each direction is two passes over memory; elsewhere the same
// formulas run as broadcasting tf ops.
import type { Tensor, Tensor1D, Tensor4D } from "@tensorflow/tfjs-core";
import { BATCH_NORM_TRAIN, BATCH_NORM_TRAIN_GRAD, refuseEmptyBatch, type BatchNormTrainAttrs } from "../backend/batch-norm-kernels.js";
import { hasKernels } from "../backend/fused-kernels.js";
import type { Tf } from "../methods/tf.js";

/** Receives the batch statistics (biased variance) while the op runs; they are disposed after. */
export type StatsCallback = (mean: Tensor1D, variance: Tensor1D) => void;

type SaveFunc = (tensors: Tensor[]) => void;

function hasFusedKernels(tf: Tf): boolean {
  return hasKernels(tf, BATCH_NORM_TRAIN, BATCH_NORM_TRAIN_GRAD);
}

function forward(tf: Tf, x: Tensor4D, gamma: Tensor, beta: Tensor, attrs: BatchNormTrainAttrs): [Tensor4D, Tensor1D, Tensor1D] {
  if (hasFusedKernels(tf)) {
    const out = tf.engine().runKernel(BATCH_NORM_TRAIN, { x, scale: gamma, offset: beta }, { ...attrs });
    return out as [Tensor4D, Tensor1D, Tensor1D];
  }
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  const bn = tf.batchNorm(x, mean, variance, beta, gamma, attrs.varianceEpsilon) as Tensor4D;
  return [attrs.relu ? tf.relu(bn) : bn, mean as Tensor1D, variance as Tensor1D];
}

function backward(
  tf: Tf,
  dyIn: Tensor4D,
  saved: { x: Tensor4D; mean: Tensor1D; variance: Tensor1D; gamma: Tensor; y: Tensor4D },
  attrs: BatchNormTrainAttrs,
): [Tensor4D, Tensor1D, Tensor1D] {
  const { x, mean, variance, gamma, y } = saved;
  const eps = attrs.varianceEpsilon;
  if (hasFusedKernels(tf)) {
    const out = tf.engine().runKernel(BATCH_NORM_TRAIN_GRAD, { dy: dyIn, x, mean, variance, scale: gamma, y }, { ...attrs });
    return out as [Tensor4D, Tensor1D, Tensor1D];
  }
  return tf.tidy(() => {
    // A fused ReLU passes the gradient only where its output is positive.
    const dy = attrs.relu ? tf.mul(dyIn, tf.step(y)) : dyIn;
    const axes = [0, 1, 2];
    const m = x.size / (x.shape[3] as number);
    const invstd = tf.rsqrt(tf.add(variance, eps));
    const xhat = tf.mul(tf.sub(x, mean), invstd);
    const sdy = tf.sum(dy, axes) as Tensor1D;
    const sdyx = tf.sum(tf.mul(dy, xhat), axes) as Tensor1D;
    const k = tf.div(tf.mul(gamma, invstd), m);
    const dx = tf.mul(k, tf.sub(tf.sub(tf.mul(dy, m), sdy), tf.mul(xhat, sdyx))) as Tensor4D;
    return [dx, sdyx, sdy];
  });
}

/**
 * y = gamma * (x - mean) / sqrt(variance + eps) + beta with the batch's own mean and
 * biased variance over N, H, W (x is NHWC), followed by max(0, y) when `relu`.
 * Differentiable in x, gamma and beta. `onStats` sees the statistics (to update
 * running averages) inside the op, so nothing about them lands on the gradient tape.
 * gamma is read again by the backward pass, not saved: it must stay alive and unchanged
 * until then (a model's variable: the optimiser changes it after the gradients).
 */
export function batchNormTrain(tf: Tf, x: Tensor4D, gamma: Tensor, beta: Tensor, eps: number, onStats: StatsCallback, relu = false): Tensor4D {
  refuseEmptyBatch(x.shape);
  const attrs: BatchNormTrainAttrs = { varianceEpsilon: eps, relu };
  const op = tf.customGrad((...args: Array<Tensor | SaveFunc>) => {
    const [xIn, gIn, bIn, save] = args as [Tensor4D, Tensor, Tensor, SaveFunc];
    const [y, mean, variance] = forward(tf, xIn, gIn, bIn, attrs);
    onStats(mean, variance);
    // Kept until the backward pass: x, two [C] statistics, and y only for the ReLU
    // mask (with a ReLU, y is what the next convolution keeps anyway). Saving shares
    // memory (our wasm Identity does not copy) but is one tfjs kernel call each.
    save(relu ? [xIn, mean, variance, y] : [xIn, mean, variance]);
    return {
      value: y,
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const [sx, sm, sv, sy] = saved as [Tensor4D, Tensor1D, Tensor1D, Tensor4D | undefined];
        // Without a ReLU the kernel does not read y; x stands in for it.
        return backward(tf, dy as Tensor4D, { x: sx, mean: sm, variance: sv, gamma: gIn, y: sy ?? sx }, attrs);
      },
    };
  });
  return op(x, gamma, beta) as Tensor4D;
}

/**
 * relu(a + b) as one op that keeps only its output for the gradient (a ResNet
 * block's tail). Composed from tfjs ops, the Add would keep both inputs and the
 * ReLU its input: three activation-sized tensors instead of one.
 */
export function addRelu(tf: Tf, a: Tensor4D, b: Tensor4D): Tensor4D {
  const op = tf.customGrad((...args: Array<Tensor | SaveFunc>) => {
    const [aIn, bIn, save] = args as [Tensor4D, Tensor4D, SaveFunc];
    const y = tf.relu(tf.add(aIn, bIn)) as Tensor4D;
    save([y]);
    return {
      value: y,
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const g = tf.tidy(() => tf.mul(dy, tf.step(saved[0] as Tensor)));
        // Two Tensor objects: tfjs disposes a gradient object when it accumulates
        // into it, which must not free the other input's gradient. (A clone
        // shares memory on wasm, cpu and webgl.)
        return [g, tf.clone(g)];
      },
    };
  });
  return op(a, b) as Tensor4D;
}
