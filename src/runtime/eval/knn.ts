// Weighted k-nearest-neighbour accuracy, as solo-learn's WeightedKNNClassifier (after
// InstDisc, Wu et al. 2018). For each test feature, the k most similar training features
// vote for their labels with weight
//   cosine:    exp(sim / T), sim = cosine similarity (features L2-normalised first)
//   euclidean: 1 / (distance + 1e-5)
// and the class with the largest summed weight is the prediction. Test rows go through
// in chunks of at most maxDistanceMatrixSize / trainCount rows, so a 10k x 10k problem
// never materialises one 10k x 10k matrix. Training rows labelled -1 are skipped.
import type { Tensor2D } from "@tensorflow/tfjs-core";
import type { Tf } from "../methods/tf.js";
import { checkFeatureSet, classCount, labelledOnly, type FeatureSet } from "./feature-set.js";

export interface KnnOptions {
  k: number;
  temperature: number;
  distance: "cosine" | "euclidean";
  /** Upper bound on the entries of one similarity chunk (solo-learn: 5e6). */
  maxDistanceMatrixSize?: number;
  /** Number of classes; defaults to max label + 1. */
  numClasses?: number;
}

export interface KnnResult {
  /** Top-1 and top-5 accuracy in percent. */
  acc1: number;
  acc5: number;
  /** Test rows evaluated (labelled ones). */
  evaluated: number;
}

export const KNN_EPSILON = 1e-5;

export async function weightedKnn(tf: Tf, train: FeatureSet, test: FeatureSet, opts: KnnOptions): Promise<KnnResult> {
  checkFeatureSet(train, "knn train set");
  checkFeatureSet(test, "knn test set");
  if (train.dim !== test.dim) throw new Error(`knn: train dim ${train.dim} != test dim ${test.dim}`);
  const bank = labelledOnly(train);
  const queries = labelledOnly(test);
  const nTrain = bank.labels.length;
  const nTest = queries.labels.length;
  if (nTrain === 0) throw new Error("knn: no labelled training features");
  if (nTest === 0) return { acc1: 0, acc5: 0, evaluated: 0 };
  const numClasses = opts.numClasses ?? classCount(bank, queries);
  const k = Math.min(opts.k, nTrain);
  const chunk = Math.max(1, Math.floor((opts.maxDistanceMatrixSize ?? 5e6) / nTrain));
  const d = bank.dim;
  const cosine = opts.distance === "cosine";

  const normalise = (x: Tensor2D): Tensor2D => tf.div(x, tf.maximum(tf.sqrt(tf.sum(tf.square(x), 1, true)), 1e-12)) as Tensor2D;
  // The bank is stored transposed, [dim, nTrain], once: wasm's matMul with transposeB
  // ran several times slower than with a pre-transposed operand.
  const bankT = tf.tidy(() => {
    const t = tf.tensor2d(bank.features, [nTrain, d]);
    return tf.transpose(cosine ? normalise(t) : t) as Tensor2D;
  });
  const trainSq = cosine ? null : tf.tidy(() => tf.sum(tf.square(bankT), 0));

  let top1 = 0;
  let top5 = 0;
  const votes = new Float64Array(numClasses);
  try {
    for (let start = 0; start < nTest; start += chunk) {
      const rows = Math.min(chunk, nTest - start);
      const [values, indices] = tf.tidy(() => {
        let q = tf.tensor2d(queries.features.subarray(start * d, (start + rows) * d), [rows, d]);
        if (cosine) q = normalise(q);
        const dot = tf.matMul(q, bankT);
        let sim = dot as Tensor2D;
        if (!cosine) {
          // |q - t|^2 = |q|^2 + |t|^2 - 2 q.t, clamped at 0 against rounding
          const dist2 = tf.relu(tf.add(tf.sub(tf.sum(tf.square(q), 1, true), tf.mul(dot, 2)), trainSq!));
          sim = tf.div(1, tf.add(tf.sqrt(dist2), KNN_EPSILON)) as Tensor2D;
        }
        const { values, indices } = tf.topk(sim, k, true);
        return [values, indices];
      });
      let v: Float32Array;
      let idx: Int32Array;
      try {
        [v, idx] = (await Promise.all([values.data(), indices.data()])) as [Float32Array, Int32Array];
      } finally {
        values.dispose();
        indices.dispose();
      }
      for (let r = 0; r < rows; r++) {
        votes.fill(0);
        for (let j = 0; j < k; j++) {
          const s = v[r * k + j]!;
          const w = cosine ? Math.exp(s / opts.temperature) : s;
          votes[bank.labels[idx[r * k + j]!]!]! += w;
        }
        const target = queries.labels[start + r]!;
        // rank of the true class: classes with more votes, ties to the lower index
        const t = votes[target] ?? 0;
        let rank = 0;
        for (let c = 0; c < numClasses; c++) {
          if (votes[c]! > t || (votes[c] === t && c < target)) rank++;
        }
        if (rank === 0) top1++;
        if (rank < Math.min(5, k)) top5++;
      }
    }
  } finally {
    bankT.dispose();
    trainSq?.dispose();
  }
  return { acc1: (100 * top1) / nTest, acc5: (100 * top5) / nTest, evaluated: nTest };
}
