// Weighted k-nearest-neighbour accuracy, as solo-learn's WeightedKNNClassifier (after
// InstDisc, Wu et al. 2018). For each test feature, the k most similar training features
// vote for their labels with weight
//   cosine:    exp(sim / T), sim = cosine similarity (features L2-normalised first)
//   euclidean: 1 / (distance + 1e-5)
// and the class with the largest summed weight is the prediction. Training rows labelled
// -1 are skipped.
//
// The search runs in blocks (knnBlocks): the bank is cut into blocks of rows, each
// uploaded once, and the test rows go through in blocks too, so no tensor is larger than
// one GPU binding (a bank of any size works on webgpu) and no test x bank block holds
// more than maxDistanceMatrixSize entries (solo-learn's chunking, 5e6). Each block's
// top-k is merged into the running top-k of its test rows by (similarity descending,
// bank index ascending): tf.topk's own order on cpu and wasm, so the neighbours, their
// order among ties and the accuracy are those of one tf.topk over the whole matrix.
// An abort stops the search between test blocks (Interrupted).
import type { Tensor, Tensor1D, Tensor2D } from "@tensorflow/tfjs-core";
import { AbortPoint } from "../abort.js";
import { bindableBytes, type BufferLimits } from "../backend/limits.js";
import { RuntimeProblem } from "../errors.js";
import type { Tf } from "../methods/tf.js";
import { checkFeatureSet, classCount, labelledOnly, type FeatureSet } from "./feature-set.js";

export type KnnDistance = "cosine" | "euclidean";

export interface KnnOptions {
  k: number;
  temperature: number;
  distance: KnnDistance;
  /** Upper bound on the entries of one test x bank similarity block (solo-learn: 5e6). */
  maxDistanceMatrixSize?: number;
  /** Number of classes; defaults to max label + 1. */
  numClasses?: number;
  /** The GPU's buffer limits (deviceBufferLimits); null or absent: not a GPU. */
  limits?: BufferLimits | null;
  /** At most this many bank rows a block (tests force small blocks; default: what the limits allow). */
  bankBlock?: number;
  /** Stops the search between blocks of test rows (it throws Interrupted). */
  signal?: AbortSignal;
}

export interface KnnResult {
  /** Top-1 and top-5 accuracy in percent. */
  acc1: number;
  acc5: number;
  /** Test rows evaluated (labelled ones). */
  evaluated: number;
}

export const KNN_EPSILON = 1e-5;
/** solo-learn's max_distance_matrix_size. */
const MAX_DISTANCE_MATRIX_SIZE = 5e6;

export interface KnnBlocks {
  /** Bank rows a block (each block's transposed features are one tensor). */
  bankRows: number;
  /** Test rows a block (one block's similarities to one bank block are one tensor). */
  queryRows: number;
}

function nextPowerOfTwo(n: number): number {
  return 2 ** Math.ceil(Math.log2(Math.max(1, n)));
}

/**
 * The blocks of a search of `bankCount` features of width `dim`: at most `maxEntries`
 * similarities a block, and with a GPU's `limits` every tensor within one binding: a
 * bank block ([dim, rows]), a test block ([rows, dim]) and a similarity block, whose
 * top-k on webgpu sorts a copy as wide as the next power of two. `bankRows` caps the bank
 * block further. Throws a RuntimeProblem when not even one feature fits.
 */
export function knnBlocks(bankCount: number, dim: number, o: { maxEntries?: number; limits?: BufferLimits | null; bankRows?: number }): KnnBlocks {
  const maxEntries = Math.max(1, Math.floor(o.maxEntries ?? MAX_DISTANCE_MATRIX_SIZE));
  const floats = o.limits ? Math.floor(bindableBytes(o.limits) / 4) : Number.POSITIVE_INFINITY;
  if (floats < dim) {
    throw new RuntimeProblem(
      `kNN: one ${dim}-wide feature (${4 * dim} bytes) is over the ${bindableBytes(o.limits!)} bytes one shader can bind on this GPU; ` +
        "evaluate on another backend (adainfc eval --backend wasm)",
    );
  }
  const sortable = o.limits ? 2 ** Math.floor(Math.log2(floats)) : Number.POSITIVE_INFINITY;
  const bankRows = Math.max(1, Math.min(bankCount, o.bankRows ?? Number.POSITIVE_INFINITY, maxEntries, Math.floor(floats / dim), sortable));
  const topkWidth = o.limits ? nextPowerOfTwo(bankRows) : bankRows;
  const queryRows = Math.max(1, Math.min(Math.floor(maxEntries / bankRows), Math.floor(floats / topkWidth), Math.floor(floats / dim)));
  return { bankRows, queryRows };
}

/**
 * The k nearest bank rows of every query row (features row-major, `dim` wide), searched
 * in `blocks`: `visit(first, rows, values, indices)` gets each block of query rows in
 * order, min(k, bank rows) per row, sorted by value descending and bank index ascending
 * among equal values (values: the cosine similarity, or 1 / (distance + eps)). The
 * arrays are reused after `visit` returns.
 */
export async function nearestNeighbours(
  tf: Tf,
  bank: Float32Array,
  queries: Float32Array,
  dim: number,
  o: { k: number; distance: KnnDistance; blocks: KnnBlocks; signal?: AbortSignal },
  visit: (first: number, rows: number, values: Float32Array, indices: Int32Array) => void,
): Promise<void> {
  const nBank = bank.length / dim;
  const nQuery = queries.length / dim;
  const k = Math.min(o.k, nBank);
  const cosine = o.distance === "cosine";
  const { bankRows, queryRows } = o.blocks;
  const normalise = (x: Tensor2D): Tensor2D => tf.div(x, tf.maximum(tf.sqrt(tf.sum(tf.square(x), 1, true)), 1e-12)) as Tensor2D;
  // Each bank block is stored transposed, [dim, rows], once: wasm's matMul with
  // transposeB ran several times slower than with a pre-transposed operand.
  const blocks: Array<{ start: number; rows: number; bankT: Tensor2D; sq: Tensor1D | null }> = [];
  const held: Tensor[] = [];
  const stop = new AbortPoint(o.signal);
  try {
    for (let start = 0; start < nBank; start += bankRows) {
      const rows = Math.min(bankRows, nBank - start);
      const bankT = tf.tidy(() => {
        const t = tf.tensor2d(bank.subarray(start * dim, (start + rows) * dim), [rows, dim]);
        return tf.transpose(cosine ? normalise(t) : t) as Tensor2D;
      });
      blocks.push({ start, rows, bankT, sq: null });
      if (!cosine) blocks.at(-1)!.sq = tf.tidy(() => tf.sum(tf.square(bankT), 0) as Tensor1D);
    }
    const values = new Float32Array(queryRows * k);
    const indices = new Int32Array(queryRows * k);
    const mergedV = new Float32Array(k);
    const mergedI = new Int32Array(k);
    for (let first = 0; first < nQuery; first += queryRows) {
      await stop.check();
      const rows = Math.min(queryRows, nQuery - first);
      // Every bank block of these rows is dispatched before any is read back.
      const q = tf.tidy(() => {
        const t = tf.tensor2d(queries.subarray(first * dim, (first + rows) * dim), [rows, dim]) as Tensor2D;
        return cosine ? normalise(t) : t;
      });
      held.push(q);
      for (const b of blocks) {
        const [v, i] = tf.tidy(() => {
          const dot = tf.matMul(q, b.bankT);
          let sim = dot as Tensor2D;
          if (!cosine) {
            // |q - t|^2 = |q|^2 + |t|^2 - 2 q.t, clamped at 0 against rounding
            const dist2 = tf.relu(tf.add(tf.sub(tf.sum(tf.square(q), 1, true), tf.mul(dot, 2)), b.sq!));
            sim = tf.div(1, tf.add(tf.sqrt(dist2), KNN_EPSILON)) as Tensor2D;
          }
          const top = tf.topk(sim, Math.min(k, b.rows), true);
          return [top.values, top.indices];
        });
        held.push(v, i);
      }
      const read = (await Promise.all(held.slice(1).map((t) => t.data()))) as Array<Float32Array | Int32Array>;
      for (const t of held.splice(0)) t.dispose();
      // Merge block by block; the running list holds only lower bank indices, so it wins ties.
      let have = 0;
      blocks.forEach((b, n) => {
        const bv = read[2 * n] as Float32Array;
        const bi = read[2 * n + 1] as Int32Array;
        const kb = Math.min(k, b.rows);
        const keep = Math.min(k, have + kb);
        for (let r = 0; r < rows; r++) {
          const at = r * k;
          let x = 0;
          let y = 0;
          for (let j = 0; j < keep; j++) {
            if (y >= kb || (x < have && !(bv[r * kb + y]! > values[at + x]!))) {
              mergedV[j] = values[at + x]!;
              mergedI[j] = indices[at + x]!;
              x++;
            } else {
              mergedV[j] = bv[r * kb + y]!;
              mergedI[j] = b.start + bi[r * kb + y]!;
              y++;
            }
          }
          values.set(mergedV.subarray(0, keep), at);
          indices.set(mergedI.subarray(0, keep), at);
        }
        have = keep;
      });
      visit(first, rows, values.subarray(0, rows * k), indices.subarray(0, rows * k));
    }
  } finally {
    for (const t of held) t.dispose();
    for (const b of blocks) {
      b.bankT.dispose();
      b.sq?.dispose();
    }
  }
}

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
  const blocks = knnBlocks(nTrain, bank.dim, {
    ...(opts.maxDistanceMatrixSize !== undefined ? { maxEntries: opts.maxDistanceMatrixSize } : {}),
    limits: opts.limits ?? null,
    ...(opts.bankBlock !== undefined ? { bankRows: opts.bankBlock } : {}),
  });
  const cosine = opts.distance === "cosine";

  let top1 = 0;
  let top5 = 0;
  const votes = new Float64Array(numClasses);
  await nearestNeighbours(
    tf,
    bank.features,
    queries.features,
    bank.dim,
    { k, distance: opts.distance, blocks, ...(opts.signal ? { signal: opts.signal } : {}) },
    (first, rows, v, idx) => {
      for (let r = 0; r < rows; r++) {
        votes.fill(0);
        for (let j = 0; j < k; j++) {
          const s = v[r * k + j]!;
          const w = cosine ? Math.exp(s / opts.temperature) : s;
          votes[bank.labels[idx[r * k + j]!]!]! += w;
        }
        const target = queries.labels[first + r]!;
        // rank of the true class: classes with more votes, ties to the lower index
        const t = votes[target] ?? 0;
        let rank = 0;
        for (let c = 0; c < numClasses; c++) {
          if (votes[c]! > t || (votes[c] === t && c < target)) rank++;
        }
        if (rank === 0) top1++;
        if (rank < Math.min(5, k)) top5++;
      }
    },
  );
  return { acc1: (100 * top1) / nTest, acc5: (100 * top5) / nTest, evaluated: nTest };
}
