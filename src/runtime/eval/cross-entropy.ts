// Cross-entropy that ignores label -1, like torch's F.cross_entropy(..., ignore_index=-1):
// the mean over labelled rows only. With no labelled row at all the loss is 0 (torch
// would return NaN), so a batch of purely generated images leaves the classifier alone.
import type { Scalar, Tensor2D } from "@tensorflow/tfjs-core";
import type { Tf } from "../methods/tf.js";

export function maskedCrossEntropy(tf: Tf, logits: Tensor2D, labels: ArrayLike<number>): Scalar {
  const [n, c] = logits.shape;
  if (labels.length !== n) throw new Error(`cross-entropy: ${n} rows but ${labels.length} labels`);
  const target = new Float32Array(n * c);
  let count = 0;
  for (let i = 0; i < n; i++) {
    const l = labels[i]!;
    if (l < 0) continue;
    if (l >= c) throw new Error(`cross-entropy: label ${l} out of range for ${c} classes`);
    target[i * c + l] = 1;
    count++;
  }
  return tf.tidy(() => {
    if (count === 0) return tf.mul(tf.sum(logits), 0) as Scalar;
    const logProbs = tf.logSoftmax(logits);
    const picked = tf.sum(tf.mul(logProbs, tf.tensor2d(target, [n, c])));
    // -picked / count as picked / -count: a division's sign is apart from its rounding,
    // so the same bits (and gradient) with one Neg fewer each way.
    return tf.div(picked, -count) as Scalar;
  });
}

/** Top-k hits among labelled rows, computed in JS from logits already read back. */
export function topKHits(
  logits: Float32Array | Int32Array | Uint8Array,
  numClasses: number,
  labels: ArrayLike<number>,
  k: number,
): { hits: number; labelled: number } {
  let hits = 0;
  let labelled = 0;
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i]!;
    if (l < 0) continue;
    // Sources' labels are checked when they open (data/source.ts): one past the logits
    // would score another row's logits, so it is a bug here, never a figure.
    if (l >= numClasses) throw new Error(`top-k: label ${l} out of range for ${numClasses} classes`);
    labelled++;
    const target = logits[i * numClasses + l]!;
    // rank = how many classes score strictly higher, ties going to the lower index
    let rank = 0;
    for (let j = 0; j < numClasses; j++) {
      const v = logits[i * numClasses + j]!;
      if (v > target || (v === target && j < l)) rank++;
    }
    if (rank < k) hits++;
  }
  return { hits, labelled };
}
