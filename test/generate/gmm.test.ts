// The Gaussian mixture fitted by EM behind `adainfc generate`: monotone likelihood,
// recovered clusters, sampled moments, determinism per seed, and degenerate data.
import { describe, expect, it } from "vitest";
import { fitGmm, meanLogLikelihood, predict, sampleInto } from "../../src/runtime/generate/gmm.js";
import { kmeans } from "../../src/runtime/generate/kmeans.js";
import { frechetDistance, GaussianStats } from "../../src/runtime/generate/quality.js";
import { Rng } from "../../src/runtime/rng.js";
import { clusters } from "./helpers.js";

const centres = [
  [0, 0, 0, 0],
  [12, 0, 3, 0],
  [0, 12, 0, -4],
  [-10, -10, 5, 5],
];
const sizes = [300, 150, 250, 100];

/** Fraction of points whose predicted cluster maps to their true cluster under the best one-to-one relabelling (greedy is enough for well-separated data). */
function agreement(pred: Int32Array, truth: Int32Array, k: number): number {
  const counts = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < pred.length; i++) counts[pred[i]!]![truth[i]!]!++;
  let hits = 0;
  for (const row of counts) hits += Math.max(...row);
  return hits / pred.length;
}

describe("Gaussian mixture by EM", () => {
  const data = clusters(centres, sizes, [1, 0.5, 1.5, 0.8], new Rng(5));

  it("with reg = 0 the log-likelihood never decreases, and EM improves on its k-means start", () => {
    // Overlapping clusters, so EM has real work to do after k-means.
    const overlapping = clusters(
      [
        [0, 0],
        [2.5, 0],
        [1, 2],
      ],
      [400, 300, 300],
      [1, 0.7, 1.2],
      new Rng(6),
    );
    for (const covariance of ["full", "diag"] as const) {
      const fit = fitGmm(overlapping.x, 3, { rng: new Rng(1), covariance, reg: 0, tolerance: 0, maxIterations: 60 });
      expect(fit.history.length).toBe(61);
      for (let i = 1; i < fit.history.length; i++) expect(fit.history[i]!).toBeGreaterThanOrEqual(fit.history[i - 1]! - 1e-12 * Math.abs(fit.history[i - 1]!));
      expect(fit.history[fit.history.length - 1]!).toBeGreaterThan(fit.history[0]! + 1e-3);
      expect(meanLogLikelihood(fit.model, overlapping.x)).toBeCloseTo(fit.history[fit.history.length - 1]!, 9);
    }
    // The default ridge and tolerance keep it monotone too on this data.
    const fit = fitGmm(overlapping.x, 3, { rng: new Rng(2) });
    for (let i = 1; i < fit.history.length; i++) expect(fit.history[i]!).toBeGreaterThanOrEqual(fit.history[i - 1]! - 1e-12 * Math.abs(fit.history[i - 1]!));
    expect(fit.converged).toBe(true);
  });

  it("recovers well-separated clusters: partition, means, weights, covariances", () => {
    const fit = fitGmm(data.x, 4, { rng: new Rng(3) });
    expect(fit.converged).toBe(true);
    expect(agreement(predict(fit.model, data.x), data.labels, 4)).toBeGreaterThan(0.995);
    const dim = 4;
    const stds = [1, 0.5, 1.5, 0.8];
    centres.forEach((c, k) => {
      // The fitted component nearest this centre.
      let best = -1;
      let bestD = Infinity;
      for (let m = 0; m < 4; m++) {
        const dd = c.reduce((s, v, j) => s + (v - fit.model.means[m * dim + j]!) ** 2, 0);
        if (dd < bestD) [best, bestD] = [m, dd];
      }
      expect(Math.sqrt(bestD)).toBeLessThan(0.35);
      expect(fit.model.weights[best]!).toBeCloseTo(sizes[k]! / 800, 2);
      for (let a = 0; a < dim; a++) {
        const v = fit.model.covs[best * dim * dim + a * dim + a]!;
        expect(Math.sqrt(v) / stds[k]!).toBeGreaterThan(0.8);
        expect(Math.sqrt(v) / stds[k]!).toBeLessThan(1.2);
      }
    });
  });

  it("samples reproduce the data's mean and covariance (what EM's fixed point preserves)", () => {
    const fit = fitGmm(data.x, 4, { rng: new Rng(3) });
    const rng = new Rng(8);
    const out = new Float64Array(4);
    const eps = new Float64Array(4);
    const gen = new GaussianStats(4);
    for (let i = 0; i < 20000; i++) {
      sampleInto(fit.model, rng, out, 0, eps);
      gen.add(out);
    }
    const real = new GaussianStats(4);
    real.addRows(data.x);
    const r = real.result();
    const g = gen.result();
    // Total variance of the data is ~180; a Fréchet distance under 1 means the moments agree.
    expect(frechetDistance(r.mean, r.cov, g.mean, g.cov, 4)).toBeLessThan(1);
  });

  it("k-means++ and EM are deterministic for a seed and change with it", () => {
    const a = fitGmm(data.x, 4, { rng: new Rng(10) });
    const b = fitGmm(data.x, 4, { rng: new Rng(10) });
    expect(Array.from(a.model.means)).toEqual(Array.from(b.model.means));
    const k1 = kmeans(data.x, 6, new Rng(1));
    const k2 = kmeans(data.x, 6, new Rng(2));
    expect(Array.from(k1.centers)).not.toEqual(Array.from(k2.centers));
    expect(k1.sizes.reduce((s, v) => s + v, 0)).toBe(800);
  });

  it("survives duplicate points and more components than distinct points", () => {
    const x = { rows: 6, cols: 2, data: Float64Array.from([1, 1, 1, 1, 1, 1, 5, 5, 5, 5, 5, 5]) };
    const fit = fitGmm(x, 3, { rng: new Rng(1) });
    for (const v of fit.history) expect(Number.isFinite(v)).toBe(true);
    for (const w of fit.model.weights) expect(Number.isFinite(w)).toBe(true);
  });
});
