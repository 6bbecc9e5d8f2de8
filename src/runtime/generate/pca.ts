// PCA of flattened images by randomized subspace iteration (Halko, Martinsson &
// Tropp 2011): start from a random Gaussian basis of l = k + oversampling directions,
// multiply by the covariance a few times (re-orthonormalising each time), then solve
// the small l x l eigenproblem in that subspace (Rayleigh-Ritz). The d x d covariance
// is never formed: each iteration is one streaming pass over the rows of X, which for
// 8,000 MNIST digits (d = 784, 42 directions) is two products of ~260M multiply-adds. Centring is implicit, so X is not copied.

import type { Rng } from "../rng.js";
import { accumulateAtB, combineRows, multiplyABt } from "./kernels.js";
import { dot, orthonormalizeRows, symmetricEigen } from "./linalg.js";

/** A row-major data matrix: `rows` samples of `cols` features. */
export interface Matrix {
  rows: number;
  cols: number;
  data: Float64Array;
}

export interface Pca {
  /** Feature means, length d. */
  mean: Float64Array;
  /** Principal directions as rows (k x d, orthonormal), largest variance first. */
  components: Float64Array;
  k: number;
  d: number;
  /** Variance along each component (eigenvalues of the sample covariance, n - 1 denominator). */
  variances: Float64Array;
  /** Total variance of the data (trace of the covariance). */
  totalVariance: number;
}

export interface PcaOptions {
  rng: Rng;
  /** Extra random directions beyond k: they make the top k converge faster. Default 10. */
  oversample?: number;
  /** Subspace iterations. Default 4: image spectra decay fast, and oversampling does the rest. */
  iterations?: number;
}

export interface PcaFit {
  pca: Pca;
  /** The fitted rows' coordinates in the PCA basis (n x k), a by-product of the last pass. */
  scores: Matrix;
}

export function fitPca(x: Matrix, k: number, options: PcaOptions): PcaFit {
  const { rows: n, cols: d, data } = x;
  if (!(k >= 1 && k <= Math.min(n, d))) throw new RangeError(`PCA: ${k} components asked of ${n} samples with ${d} features`);
  const l = Math.min(k + (options.oversample ?? 10), d, n);
  const iterations = options.iterations ?? 4;

  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j]! += data[i * d + j]!;
  for (let j = 0; j < d; j++) mean[j]! /= n;
  let totalSq = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      const c = data[i * d + j]! - mean[j]!;
      totalSq += c * c;
    }
  }

  // Basis V: l rows of length d. Y = Xc V^T (n x l) is recomputed each pass.
  let v = new Float64Array(l * d);
  for (let i = 0; i < v.length; i++) v[i] = options.rng.normal();
  orthonormalizeRows(v, l, d);
  const y = new Float64Array(n * l);
  const basisTimesMean = (): Float64Array => {
    const m = new Float64Array(l);
    for (let r = 0; r < l; r++) m[r] = dot(v, r * d, mean, 0, d);
    return m;
  };
  for (let it = 0; it < iterations; it++) {
    // V <- orth(Xc^T Xc V^T)^T: Y = Xc V^T, then Z = Y^T Xc = Y^T X - (1^T Y)^T mean.
    multiplyABt(data, n, d, v, l, y, basisTimesMean());
    const z = new Float64Array(l * d);
    accumulateAtB(y, n, l, data, d, z);
    for (let r = 0; r < l; r++) {
      let colSum = 0;
      for (let i = 0; i < n; i++) colSum += y[i * l + r]!;
      for (let j = 0; j < d; j++) z[r * d + j]! -= colSum * mean[j]!;
    }
    orthonormalizeRows(z, l, d);
    v = z;
  }

  // Rayleigh-Ritz: H = Y^T Y = V Xc^T Xc V^T (l x l); its eigenvectors rotate V into the principal directions.
  multiplyABt(data, n, d, v, l, y, basisTimesMean());
  const h = new Float64Array(l * l);
  for (let i = 0; i < n; i++) {
    const oi = i * l;
    for (let a = 0; a < l; a++) {
      const ya = y[oi + a]!;
      for (let b = a; b < l; b++) h[a * l + b]! += ya * y[oi + b]!;
    }
  }
  for (let a = 0; a < l; a++) for (let b = 0; b < a; b++) h[a * l + b] = h[b * l + a]!;
  const eig = symmetricEigen(h, l);
  const components = new Float64Array(k * d);
  const variances = new Float64Array(k);
  const rotation = new Float64Array(k * l);
  const denom = Math.max(1, n - 1);
  for (let c = 0; c < k; c++) {
    variances[c] = Math.max(0, eig.values[c]!) / denom;
    const oc = c * d;
    for (let a = 0; a < l; a++) {
      const u = eig.vectors[c * l + a]!;
      rotation[c * l + a] = u;
      if (u === 0) continue;
      for (let j = 0; j < d; j++) components[oc + j]! += u * v[a * d + j]!;
    }
    // A fixed sign (largest-magnitude coordinate positive) makes the basis reproducible.
    let big = 0;
    for (let j = 1; j < d; j++) if (Math.abs(components[oc + j]!) > Math.abs(components[oc + big]!)) big = j;
    if (components[oc + big]! < 0) {
      for (let j = 0; j < d; j++) components[oc + j] = -components[oc + j]!;
      for (let a = 0; a < l; a++) rotation[c * l + a] = -rotation[c * l + a]!;
    }
  }
  // Scores = Y U: the coordinates of every fitted row, without another pass over X.
  const scores = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++) scores[i * k + c] = dot(y, i * l, rotation, c * l, l);
  }
  return { pca: { mean, components, k, d, variances, totalVariance: totalSq / denom }, scores: { rows: n, cols: k, data: scores } };
}

/** Coordinates of each row of X in the PCA basis: (x - mean) C^T, an n x k matrix. */
export function project(pca: Pca, x: Matrix): Matrix {
  const { k, d } = pca;
  if (x.cols !== d) throw new RangeError(`PCA: data has ${x.cols} features, the model ${d}`);
  const out = new Float64Array(x.rows * k);
  const shift = new Float64Array(k);
  for (let c = 0; c < k; c++) shift[c] = dot(pca.components, c * d, pca.mean, 0, d);
  multiplyABt(x.data, x.rows, d, pca.components, k, out, shift);
  return { rows: x.rows, cols: k, data: out };
}

/** Rows back in feature space: mean + Z C, for an n x k matrix Z. */
export function reconstruct(pca: Pca, z: Matrix): Matrix {
  if (z.cols !== pca.k) throw new RangeError(`PCA: ${z.cols} coordinates, the model has ${pca.k}`);
  const out = new Float64Array(z.rows * pca.d);
  combineRows(z.data, z.rows, pca.k, pca.components, pca.d, pca.mean, out);
  return { rows: z.rows, cols: pca.d, data: out };
}

/** Fraction of the total variance the kept components explain. */
export function explainedVarianceRatio(pca: Pca): number {
  let s = 0;
  for (const v of pca.variances) s += v;
  return pca.totalVariance > 0 ? s / pca.totalVariance : 1;
}
