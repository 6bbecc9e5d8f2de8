// Labelled, un-augmented batches of a source for evaluation and feature extraction:
// ToTensor + Normalize with the training views' mean/std, nothing else (the
// reference's validation transform at CIFAR size). Images are used at their own size;
// the backbones end in global average pooling, so a crop size that differs from the
// image size still gives features of the same width.
import type { Tensor4D } from "@tensorflow/tfjs-core";
import type { AugmentIR } from "../../ir/types.js";
import { normalization, writeNormalized } from "../augment/normalize.js";
import type { Tf } from "../methods/tf.js";
import type { ImageSource } from "../data/index.js";
import type { LabelledBatch } from "../eval/index.js";

/** The mean/std of the first view's normalize op (every view shares the data's). */
export function normalizationOf(augment: AugmentIR): { mean: number[]; std: number[] } | null {
  for (const op of augment.views[0]?.ops ?? []) if (op.op === "normalize") return { mean: op.mean, std: op.std };
  return null;
}

export function* labelledBatches(tf: Tf, source: ImageSource, augment: AugmentIR, batchSize: number): Generator<LabelledBatch> {
  const [h, w, c] = source.shape;
  const norm = normalizationOf(augment);
  const table = norm ? normalization(c, norm.mean, norm.std) : normalization(c);
  const per = h * w * c;
  for (let start = 0; start < source.count; start += batchSize) {
    const n = Math.min(batchSize, source.count - start);
    const indices = Uint32Array.from({ length: n }, (_, i) => start + i);
    const { images, labels } = source.readBatch(indices);
    const out = new Float32Array(n * per);
    for (let s = 0; s < n; s++) writeNormalized(images.subarray(s * per, (s + 1) * per), h, w, c, table, false, out, s * per);
    yield { images: tf.tensor4d(out, [n, h, w, c]) as Tensor4D, labels };
  }
}
