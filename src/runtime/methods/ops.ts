// Small tensor helpers shared by the losses and models: reductions whose gradients need
// nothing from the host, and the losses' common pieces.
import type { Scalar, Tensor, Tensor2D } from "@tensorflow/tfjs-core";
import type { Tf } from "./tf.js";

type SaveFunc = (tensors: Tensor[]) => void;

/** The axes `axis` names in a tensor of rank `rank` (all of them when null), as tfjs reads them. */
function reductionAxes(axis: number | number[] | null, rank: number): number[] {
  if (axis === null) return Array.from({ length: rank }, (_, i) => i);
  return (Array.isArray(axis) ? axis : [axis]).map((a) => (a < 0 ? a + rank : a));
}

/**
 * A reduction of x over `axis` (the op computes it) whose gradient is dy, scaled by
 * `scale` (when given), broadcast back to x's shape. tfjs's own Sum and Mean gradients
 * multiply dy by ones(x.shape): a tensor the size of x made in JS and uploaded at every
 * step (MoCo's logits at the paper's sizes: 8 M values per view), and they keep x for
 * the backward pass when only its shape is needed. Here the broadcast is a Tile of dy;
 * a multiplication by 1 is exact and the division the same, so the values are the same
 * bits. No tensor is saved for the backward pass.
 */
function reduceBroadcastGrad<T extends Tensor>(
  tf: Tf,
  x: Tensor,
  axis: number | number[] | null,
  keepDims: boolean,
  reduce: (x: Tensor) => Tensor,
  scale: number | null,
): T {
  const shape = x.shape;
  const axes = reductionAxes(axis, shape.length);
  const kept = shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const op = tf.customGrad((...args: Array<Tensor | SaveFunc>) => ({
    value: reduce(args[0] as Tensor),
    gradFunc: (dy: Tensor) => {
      const expanded = keepDims ? dy : tf.reshape(dy, kept);
      return tf.broadcastTo(scale === null ? expanded : tf.div(expanded, scale), shape);
    },
  }));
  return op(x) as T;
}

/** tf.sum(x, axis, keepDims), same values and gradient, without a host-made ones tensor for its gradient. */
export function sum<T extends Tensor>(tf: Tf, x: Tensor, axis: number | number[] | null = null, keepDims = false): T {
  return reduceBroadcastGrad(tf, x, axis, keepDims, (a) => tf.sum(a, axis ?? undefined, keepDims), null);
}

/** tf.mean(x, axis, keepDims), same values and gradient, without a host-made ones tensor for its gradient. */
export function mean<T extends Tensor>(tf: Tf, x: Tensor, axis: number | number[] | null = null, keepDims = false): T {
  const axes = reductionAxes(axis, x.rank);
  const size = axes.reduce((n, a) => n * (x.shape[a] as number), 1);
  return reduceBroadcastGrad(tf, x, axis, keepDims, (a) => tf.mean(a, axis ?? undefined, keepDims), size);
}

/**
 * tf.logSumExp(x, axis) op for op (max, x - max, exp, sum, log, + max), with `sum` above
 * for its sum: the same values and gradient.
 */
export function logSumExp(tf: Tf, x: Tensor2D, axis: number): Tensor {
  const xMax = tf.max(x, axis, true);
  const d = tf.log(sum(tf, tf.exp(tf.sub(x, xMax)), axis));
  return tf.add(tf.reshape(xMax, d.shape), d);
}

/**
 * tf.moments(x, axis) op for op (mean; mean of (x - mean)^2), with `mean` above, and
 * without tfjs's cast of x to float32: x is float32 here, so the cast is an identity.
 */
export function moments(tf: Tf, x: Tensor, axis: number | number[]): { mean: Tensor; variance: Tensor } {
  const axes = reductionAxes(axis, x.rank);
  const m = mean(tf, x, axis);
  const centred = tf.sub(
    x,
    tf.reshape(
      m,
      x.shape.map((d, i) => (axes.includes(i) ? 1 : d)),
    ),
  );
  return { mean: m, variance: mean(tf, tf.square(centred), axis) };
}

/** Row-wise x / max(||x||, eps), like torch.nn.functional.normalize(x, dim=-1). */
export function l2Normalize(tf: Tf, x: Tensor2D, eps = 1e-12): Tensor2D {
  return tf.tidy(() => {
    const norm = tf.sqrt(sum(tf, tf.square(x), 1, true));
    return tf.div(x, tf.maximum(norm, eps)) as Tensor2D;
  });
}

/** Cross-entropy against class 0 of every row, averaged: -mean(log softmax(logits)[:, 0]). */
export function crossEntropyFirstClass(tf: Tf, logits: Tensor2D): Scalar {
  return tf.tidy(() => {
    const lse = logSumExp(tf, logits, 1);
    const first = tf.reshape(tf.slice(logits, [0, 0], [-1, 1]), [-1]);
    return mean<Scalar>(tf, tf.sub(lse, first));
  });
}

export function requireViews(name: string, views: readonly Tensor2D[] | undefined, n: number, what: string): Tensor2D[] {
  if (views === undefined) throw new Error(`${name}: ${what} are required`);
  if (views.length !== n) throw new Error(`${name}: expected ${n} views of ${what}, got ${views.length}`);
  return [...views];
}

/**
 * x with no gradient flowing back through it (torch's .detach()). tfjs-core has no
 * stopGradient op, so this is an identity whose gradient is zero.
 */
export function detach<T extends Tensor>(tf: Tf, x: T): T {
  const f = tf.customGrad((...inputs) => {
    const a = inputs[0] as Tensor;
    return { value: a.clone(), gradFunc: (dy: Tensor) => tf.zerosLike(dy) };
  });
  return f(x) as T;
}
