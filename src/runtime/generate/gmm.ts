// A Gaussian mixture fitted by EM (Dempster, Laird & Rubin 1977), started from
// k-means++ / Lloyd clusters. Covariances are full or diagonal; a small ridge `reg` is
// added to every covariance's diagonal (as scikit-learn's reg_covar does) so a
// component that collapses onto a few points stays invertible. With reg = 0 each EM
// step cannot lower the log-likelihood (tested); the ridge is tiny relative to the
// data's variance, so in practice the curve stays monotone with it too.

import type { Rng } from "../rng.js";
import { cholesky, choleskyLogDet, invertLower } from "./linalg.js";
import { kmeans } from "./kmeans.js";
import type { Matrix } from "./pca.js";

export type CovarianceType = "full" | "diag";

export interface Gmm {
  k: number;
  dim: number;
  covariance: CovarianceType;
  weights: Float64Array;
  /** k x dim. */
  means: Float64Array;
  /** k x dim x dim (a diagonal covariance is stored as a full matrix with zeros off the diagonal). */
  covs: Float64Array;
  /** Lower Cholesky factors L of `covs` (cov = L L^T), k x dim x dim: sampling draws mean + L eps. */
  chols: Float64Array;
  /** Their inverses L^-1 (lower triangular), k x dim x dim: the E-step's Mahalanobis distance is |L^-1 (x - mean)|^2. */
  invChols: Float64Array;
  /** log det of each covariance. */
  logDets: Float64Array;
}

export interface GmmOptions {
  rng: Rng;
  covariance?: CovarianceType;
  /** Default 100. */
  maxIterations?: number;
  /** Stop when the mean log-likelihood per point improves by less than this. Default 1e-3 (as scikit-learn). */
  tolerance?: number;
  /** Ridge added to covariance diagonals. Default 1e-6 x the mean per-dimension variance of the data. */
  reg?: number;
  onIteration?: (iteration: number, meanLogLikelihood: number) => void;
}

export interface GmmFit {
  model: Gmm;
  /** Mean log-likelihood per point: [0] for the k-means start, then after each EM step. */
  history: number[];
  /** EM steps run. */
  iterations: number;
  converged: boolean;
  reg: number;
}

const LOG_2PI = Math.log(2 * Math.PI);
const RESP_SKIP = 1e-12;

export function fitGmm(x: Matrix, k: number, options: GmmOptions): GmmFit {
  const steps = emSteps(x, k, options);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/**
 * As fitGmm, awaiting `between()` after each EM step, so a caller can let signal
 * handlers run and stop the fit (by throwing from it: an abort). The same numbers.
 */
export async function fitGmmAsync(x: Matrix, k: number, options: GmmOptions, between: () => Promise<void>): Promise<GmmFit> {
  const steps = emSteps(x, k, options);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    await between();
  }
}

/** The fit, one EM step per `yield`, the result as the return value. */
function* emSteps(x: Matrix, k: number, options: GmmOptions): Generator<void, GmmFit> {
  const { rows: n, cols: dim } = x;
  if (!(k >= 1 && k <= n)) throw new RangeError(`GMM: ${k} components asked of ${n} points`);
  const covariance = options.covariance ?? "full";
  const maxIterations = options.maxIterations ?? 100;
  const tolerance = options.tolerance ?? 1e-3;
  const reg = options.reg ?? 1e-6 * meanVariance(x);

  // Start: hard k-means clusters give responsibilities of 0 or 1.
  const km = kmeans(x, k, options.rng);
  const resp = new Float64Array(n * k);
  for (let i = 0; i < n; i++) resp[i * k + km.assignment[i]!] = 1;
  const model = emptyModel(k, dim, covariance);
  mStep(x, resp, model, reg);

  const history = [eStep(model, x, resp)];
  options.onIteration?.(0, history[0]!);
  let converged = false;
  let iterations = 0;
  while (iterations < maxIterations) {
    mStep(x, resp, model, reg);
    const ll = eStep(model, x, resp);
    iterations++;
    history.push(ll);
    options.onIteration?.(iterations, ll);
    if (Math.abs(ll - history[history.length - 2]!) < tolerance) {
      converged = true;
      break;
    }
    yield;
  }
  return { model, history, iterations, converged, reg };
}

function meanVariance(x: Matrix): number {
  const { rows: n, cols: dim, data } = x;
  let total = 0;
  for (let j = 0; j < dim; j++) {
    let s = 0;
    let sq = 0;
    for (let i = 0; i < n; i++) {
      const v = data[i * dim + j]!;
      s += v;
      sq += v * v;
    }
    total += Math.max(0, sq / n - (s / n) ** 2);
  }
  return total / dim || 1;
}

function emptyModel(k: number, dim: number, covariance: CovarianceType): Gmm {
  return {
    k,
    dim,
    covariance,
    weights: new Float64Array(k),
    means: new Float64Array(k * dim),
    covs: new Float64Array(k * dim * dim),
    chols: new Float64Array(k * dim * dim),
    invChols: new Float64Array(k * dim * dim),
    logDets: new Float64Array(k),
  };
}

/** Maximisation: weights, means and covariances from the responsibilities. */
function mStep(x: Matrix, resp: Float64Array, model: Gmm, reg: number): void {
  const { rows: n, cols: dim, data } = x;
  const { k } = model;
  const full = model.covariance === "full";
  const diff = new Float64Array(dim);
  for (let c = 0; c < k; c++) {
    // 10 * epsilon keeps a component that lost every point from dividing by zero (scikit-learn does the same).
    let nk = 10 * Number.EPSILON;
    const mean = new Float64Array(dim);
    for (let i = 0; i < n; i++) {
      const r = resp[i * k + c]!;
      if (r === 0) continue;
      nk += r;
      for (let j = 0; j < dim; j++) mean[j]! += r * data[i * dim + j]!;
    }
    for (let j = 0; j < dim; j++) mean[j]! /= nk;
    const cov = new Float64Array(dim * dim);
    for (let i = 0; i < n; i++) {
      const r = resp[i * k + c]!;
      // A point this component explains with probability under 1e-12 is many standard
      // deviations away, and r = exp(-distance^2 / 2) makes its weighted contribution
      // negligible; skipping such points saves most of the M-step, as responsibilities in
      // tens of dimensions are nearly hard.
      if (r < RESP_SKIP) continue;
      for (let j = 0; j < dim; j++) diff[j] = data[i * dim + j]! - mean[j]!;
      if (full) {
        for (let a = 0; a < dim; a++) {
          const ra = r * diff[a]!;
          const oa = a * dim;
          for (let b = 0; b <= a; b++) cov[oa + b]! += ra * diff[b]!;
        }
      } else {
        for (let a = 0; a < dim; a++) cov[a * dim + a]! += r * diff[a]! * diff[a]!;
      }
    }
    for (let a = 0; a < dim; a++) {
      for (let b = 0; b <= a; b++) {
        const v = cov[a * dim + b]! / nk;
        cov[a * dim + b] = v;
        cov[b * dim + a] = v;
      }
      cov[a * dim + a]! += reg;
    }
    model.weights[c] = nk / n;
    model.means.set(mean, c * dim);
    setCovariance(model, c, cov);
  }
}

/** Store a covariance and its Cholesky factor; a matrix that is not positive definite gets a growing ridge until it is. */
export function setCovariance(model: Gmm, c: number, cov: Float64Array): void {
  const { dim } = model;
  let l = cholesky(cov, dim);
  let extra = 0;
  while (!l) {
    let scale = 0;
    for (let a = 0; a < dim; a++) scale += Math.abs(cov[a * dim + a]!);
    extra = extra === 0 ? Math.max(1e-12, (1e-10 * scale) / dim) : extra * 10;
    const fixed = Float64Array.from(cov);
    for (let a = 0; a < dim; a++) fixed[a * dim + a]! += extra;
    l = cholesky(fixed, dim);
    if (l) cov = fixed;
  }
  model.covs.set(cov, c * dim * dim);
  model.chols.set(l, c * dim * dim);
  model.invChols.set(invertLower(l, dim), c * dim * dim);
  model.logDets[c] = choleskyLogDet(l, dim);
}

/**
 * Expectation: responsibilities (written to `resp`, n x k) and the mean log-likelihood
 * per point, with log-sum-exp so far-away points do not underflow to 0.
 */
function eStep(model: Gmm, x: Matrix, resp: Float64Array): number {
  const { rows: n } = x;
  const { k } = model;
  componentLogDensities(model, x, resp);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const o = i * k;
    let max = -Infinity;
    for (let c = 0; c < k; c++) {
      const v = resp[o + c]! + Math.log(model.weights[c]!);
      resp[o + c] = v;
      if (v > max) max = v;
    }
    let s = 0;
    for (let c = 0; c < k; c++) s += Math.exp(resp[o + c]! - max);
    const lse = max + Math.log(s);
    total += lse;
    for (let c = 0; c < k; c++) resp[o + c] = Math.exp(resp[o + c]! - lse);
  }
  return total / n;
}

/**
 * out[i][c] = log N(x_i; mean_c, cov_c). The Mahalanobis distance is |L^-1 (x - mean)|^2,
 * a triangular matrix-vector product whose rows are independent sums (a forward
 * substitution would chain each row on the previous one). Points go four at a time so
 * every loaded entry of L^-1 serves four points: this loop is most of EM's time.
 */
function componentLogDensities(model: Gmm, x: Matrix, out: Float64Array): void {
  const { rows: n, data } = x;
  const { k, dim } = model;
  const diag = model.covariance === "diag";
  const d0 = new Float64Array(dim);
  const d1 = new Float64Array(dim);
  const d2 = new Float64Array(dim);
  const d3 = new Float64Array(dim);
  for (let c = 0; c < k; c++) {
    const p = model.invChols.subarray(c * dim * dim, (c + 1) * dim * dim);
    const m = model.means.subarray(c * dim, (c + 1) * dim);
    const constant = -0.5 * (dim * LOG_2PI + model.logDets[c]!);
    for (let i = 0; i < n; i += 4) {
      const q = Math.min(4, n - i);
      // Missing rows of the last block are zeros: computed, then not stored.
      for (let a = 0; a < dim; a++) {
        const ma = m[a]!;
        d0[a] = data[i * dim + a]! - ma;
        d1[a] = q > 1 ? data[(i + 1) * dim + a]! - ma : 0;
        d2[a] = q > 2 ? data[(i + 2) * dim + a]! - ma : 0;
        d3[a] = q > 3 ? data[(i + 3) * dim + a]! - ma : 0;
      }
      let m0 = 0;
      let m1 = 0;
      let m2 = 0;
      let m3 = 0;
      for (let a = 0; a < dim; a++) {
        const oa = a * dim;
        let y0 = 0;
        let y1 = 0;
        let y2 = 0;
        let y3 = 0;
        for (let b = diag ? a : 0; b <= a; b++) {
          const pab = p[oa + b]!;
          y0 += pab * d0[b]!;
          y1 += pab * d1[b]!;
          y2 += pab * d2[b]!;
          y3 += pab * d3[b]!;
        }
        m0 += y0 * y0;
        m1 += y1 * y1;
        m2 += y2 * y2;
        m3 += y3 * y3;
      }
      out[i * k + c] = constant - 0.5 * m0;
      if (q > 1) out[(i + 1) * k + c] = constant - 0.5 * m1;
      if (q > 2) out[(i + 2) * k + c] = constant - 0.5 * m2;
      if (q > 3) out[(i + 3) * k + c] = constant - 0.5 * m3;
    }
  }
}

/** Mean log-likelihood per point of `x` under the mixture. */
export function meanLogLikelihood(model: Gmm, x: Matrix): number {
  return eStep(model, x, new Float64Array(x.rows * model.k));
}

/** Most likely component of each row. */
export function predict(model: Gmm, x: Matrix): Int32Array {
  const resp = new Float64Array(x.rows * model.k);
  eStep(model, x, resp);
  const out = new Int32Array(x.rows);
  for (let i = 0; i < x.rows; i++) {
    let best = 0;
    for (let c = 1; c < model.k; c++) if (resp[i * model.k + c]! > resp[i * model.k + best]!) best = c;
    out[i] = best;
  }
  return out;
}

/** Draw one point: a component by weight, then mean + L eps with eps standard normal. */
export function sampleInto(model: Gmm, rng: Rng, out: Float64Array, outOff: number, eps: Float64Array): number {
  const { k, dim } = model;
  let u = rng.next();
  let c = k - 1;
  for (let j = 0; j < k; j++) {
    u -= model.weights[j]!;
    if (u < 0) {
      c = j;
      break;
    }
  }
  for (let a = 0; a < dim; a++) eps[a] = rng.normal();
  const l = model.chols;
  const base = c * dim * dim;
  for (let a = 0; a < dim; a++) {
    let s = model.means[c * dim + a]!;
    const oa = base + a * dim;
    for (let b = 0; b <= a; b++) s += l[oa + b]! * eps[b]!;
    out[outOff + a] = s;
  }
  return c;
}
