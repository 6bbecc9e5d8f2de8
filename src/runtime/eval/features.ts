// Runs an encoder in eval mode (batch norm on running statistics) over a labelled source
// in batches and gathers the features in plain memory for kNN and the linear probe.
// An abort stops it between batches (Interrupted).
import type { Tensor2D, Tensor4D } from "@tensorflow/tfjs-core";
import { AbortPoint } from "../abort.js";
import type { FeatureSet } from "./feature-set.js";

export interface LabelledBatch {
  /** [B, H, W, C], already normalised like the training views. */
  images: Tensor4D;
  /** B labels; -1 = unlabelled. */
  labels: ArrayLike<number>;
}

/** An encoder forward; called with training = false. */
export type EncoderForward = (images: Tensor4D, opts: { training: boolean }) => Tensor2D;

export interface ExtractOptions {
  /** Dispose each batch's images after use (default true: the extractor owns the batches). */
  disposeImages?: boolean;
  /** Stops the extraction between batches (it throws Interrupted). */
  signal?: AbortSignal;
}

export async function extractFeatures(
  forward: EncoderForward,
  batches: Iterable<LabelledBatch> | AsyncIterable<LabelledBatch>,
  opts: ExtractOptions = {},
): Promise<FeatureSet> {
  const disposeImages = opts.disposeImages ?? true;
  let features = new Float32Array(0);
  let labels = new Int32Array(0);
  let count = 0;
  let dim = -1;
  const stop = new AbortPoint(opts.signal);
  for await (const batch of batches) {
    try {
      await stop.check();
    } catch (e) {
      if (disposeImages) batch.images.dispose();
      throw e;
    }
    const b = batch.images.shape[0];
    if (batch.labels.length !== b) {
      throw new Error(`feature extraction: batch of ${b} images has ${batch.labels.length} labels`);
    }
    const out = forward(batch.images, { training: false });
    try {
      if (out.rank !== 2 || out.shape[0] !== b) {
        throw new Error(`feature extraction: forward returned shape [${out.shape.join(", ")}] for ${b} images`);
      }
      if (dim < 0) dim = out.shape[1];
      else if (out.shape[1] !== dim) throw new Error(`feature extraction: feature size changed ${dim} -> ${out.shape[1]}`);
      const data = await out.data();
      if ((count + b) * dim > features.length) {
        const cap = Math.max(2 * features.length, (count + b) * dim);
        const grown = new Float32Array(cap);
        grown.set(features.subarray(0, count * dim));
        features = grown;
        const grownLabels = new Int32Array(Math.ceil(cap / dim));
        grownLabels.set(labels.subarray(0, count));
        labels = grownLabels;
      }
      features.set(data as Float32Array, count * dim);
      for (let i = 0; i < b; i++) labels[count + i] = batch.labels[i]!;
      count += b;
    } finally {
      out.dispose();
      if (disposeImages) batch.images.dispose();
    }
  }
  if (dim < 0) return { features: new Float32Array(0), labels: new Int32Array(0), dim: 0 };
  return { features: features.slice(0, count * dim), labels: labels.slice(0, count), dim };
}
