// Two rough numbers that say how far a generated set is from the real one. Neither is
// FID (which compares Inception-v3 features): do not compare them with the paper's FIDs.
//
// - Fréchet distance in PCA space: the Fréchet (2-Wasserstein) distance between two
//   Gaussians fitted to the real and the generated images' PCA coordinates,
//   |mu_r - mu_g|^2 + tr(S_r + S_g - 2 (S_r^1/2 S_g S_r^1/2)^1/2). Same formula as FID,
//   different features. Its noise floor is the same distance between two random halves of the
//   real data.
// - Nearest-real-neighbour distance: for a sample of generated images, the RMS pixel
//   difference (0..1 scale) to the closest real image. Near 0 means copies of training
//   images; the baseline is the same number for held-out real images.

import { multiplyABt } from "./kernels.js";
import { matmulSquare, sqrtPsd, traceSqrtPsd } from "./linalg.js";
import type { Matrix } from "./pca.js";

/** Streaming mean and covariance of points in R^dim (sums in float64; fine for the sizes here). */
export class GaussianStats {
  private n = 0;
  private readonly sum: Float64Array;
  private readonly outer: Float64Array;

  constructor(readonly dim: number) {
    this.sum = new Float64Array(dim);
    this.outer = new Float64Array(dim * dim);
  }

  get count(): number {
    return this.n;
  }

  add(x: Float64Array, off = 0): void {
    const d = this.dim;
    this.n++;
    for (let a = 0; a < d; a++) {
      const xa = x[off + a]!;
      this.sum[a]! += xa;
      const oa = a * d;
      for (let b = 0; b <= a; b++) this.outer[oa + b]! += xa * x[off + b]!;
    }
  }

  addRows(m: Matrix, rows?: ArrayLike<number>): void {
    if (m.cols !== this.dim) throw new RangeError(`GaussianStats: ${m.cols} columns, expected ${this.dim}`);
    if (rows) for (let i = 0; i < rows.length; i++) this.add(m.data, rows[i]! * m.cols);
    else for (let i = 0; i < m.rows; i++) this.add(m.data, i * m.cols);
  }

  /** Mean and covariance (n - 1 denominator). */
  result(): { mean: Float64Array; cov: Float64Array } {
    const d = this.dim;
    const n = this.n;
    if (n < 2) throw new RangeError("GaussianStats: need at least 2 points");
    const mean = this.sum.map((s) => s / n);
    const cov = new Float64Array(d * d);
    for (let a = 0; a < d; a++) {
      for (let b = 0; b <= a; b++) {
        const v = (this.outer[a * d + b]! - n * mean[a]! * mean[b]!) / (n - 1);
        cov[a * d + b] = v;
        cov[b * d + a] = v;
      }
    }
    return { mean, cov };
  }
}

/** Fréchet distance between N(mu1, s1) and N(mu2, s2). */
export function frechetDistance(mu1: Float64Array, s1: Float64Array, mu2: Float64Array, s2: Float64Array, dim: number): number {
  let meanTerm = 0;
  for (let a = 0; a < dim; a++) meanTerm += (mu1[a]! - mu2[a]!) ** 2;
  let trace = 0;
  for (let a = 0; a < dim; a++) trace += s1[a * dim + a]! + s2[a * dim + a]!;
  // tr (s1^1/2 s2 s1^1/2)^1/2 = tr (s1 s2)^1/2, computed on a symmetric matrix so a symmetric eigensolver applies.
  const r = sqrtPsd(s1, dim);
  const m = matmulSquare(matmulSquare(r, s2, dim), r, dim);
  for (let a = 0; a < dim; a++) for (let b = 0; b < a; b++) m[a * dim + b] = m[b * dim + a] = 0.5 * (m[a * dim + b]! + m[b * dim + a]!);
  return Math.max(0, meanTerm + trace - 2 * traceSqrtPsd(m, dim));
}

/**
 * Mean over the query rows of the Euclidean distance to the nearest reference row, from
 * |q - r|^2 = |q|^2 + |r|^2 - 2 q.r with the dot products done by the blocked kernel,
 * 256 references at a time. `skipSame[i]` (optional) is a reference row that query i
 * must not match (itself).
 */
export function meanNearestDistance(queries: Matrix, refs: Matrix, skipSame?: ArrayLike<number>): number {
  const d = queries.cols;
  if (refs.cols !== d) throw new RangeError("meanNearestDistance: column counts differ");
  if (queries.rows === 0) return 0;
  const sqNorms = (m: Matrix): Float64Array => {
    const out = new Float64Array(m.rows);
    for (let r = 0; r < m.rows; r++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += m.data[r * d + j]! ** 2;
      out[r] = s;
    }
    return out;
  };
  const qNorm = sqNorms(queries);
  const rNorm = sqNorms(refs);
  const best = new Float64Array(queries.rows).fill(Infinity);
  const BLOCK = 256;
  const dots = new Float64Array(queries.rows * BLOCK);
  for (let r0 = 0; r0 < refs.rows; r0 += BLOCK) {
    const m = Math.min(BLOCK, refs.rows - r0);
    multiplyABt(refs.data.subarray(r0 * d, (r0 + m) * d), m, d, queries.data, queries.rows, dots);
    // dots is m x queries.rows: row = reference, column = query.
    for (let r = 0; r < m; r++) {
      for (let q = 0; q < queries.rows; q++) {
        if (skipSame && skipSame[q] === r0 + r) continue;
        const dsq = qNorm[q]! + rNorm[r0 + r]! - 2 * dots[r * queries.rows + q]!;
        if (dsq < best[q]!) best[q] = dsq;
      }
    }
  }
  let total = 0;
  for (const b of best) total += Math.sqrt(Math.max(0, b));
  return total / queries.rows;
}
