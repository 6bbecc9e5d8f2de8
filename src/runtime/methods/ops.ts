// Small tensor helpers shared by the losses.
import type { Scalar, Tensor, Tensor2D } from "@tensorflow/tfjs-core";
import type { Tf } from "./tf.js";

/** Row-wise x / max(||x||, eps), like torch.nn.functional.normalize(x, dim=-1). */
export function l2Normalize(tf: Tf, x: Tensor2D, eps = 1e-12): Tensor2D {
  return tf.tidy(() => {
    const norm = tf.sqrt(tf.sum(tf.square(x), 1, true));
    return tf.div(x, tf.maximum(norm, eps)) as Tensor2D;
  });
}

/** Cross-entropy against class 0 of every row, averaged: -mean(log softmax(logits)[:, 0]). */
export function crossEntropyFirstClass(tf: Tf, logits: Tensor2D): Scalar {
  return tf.tidy(() => {
    const lse = tf.logSumExp(logits, 1);
    const first = tf.reshape(tf.slice(logits, [0, 0], [-1, 1]), [-1]);
    return tf.mean(tf.sub(lse, first)) as Scalar;
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
