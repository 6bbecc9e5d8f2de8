// fitPca (randomized subspace iteration) on synthetic low-rank data (./helpers.ts): it
// recovers a known rank-3 subspace, its variances and mean; components orthonormal and
// sorted, project/reconstruct, an exact eigen-decomposition matched, seed determinism.
import { describe, expect, it } from "vitest";
import { explainedVarianceRatio, fitPca, project, reconstruct } from "../../src/runtime/generate/pca.js";
import { symmetricEigen } from "../../src/runtime/generate/linalg.js";
import { Rng } from "../../src/runtime/rng.js";
import { lowRankData, orthonormalBasis } from "./helpers.js";

describe("PCA by randomized subspace iteration", () => {
  const rng = new Rng(11);
  const d = 80;
  const basis = orthonormalBasis(3, d, rng);
  const variances = [400, 100, 25];
  const x = lowRankData(2000, basis, variances, 0.05, rng, 128);

  it("recovers a known rank-3 structure: its subspace, its variances, its mean", () => {
    const { pca } = fitPca(x, 3, { rng: new Rng(1) });
    // Each true direction lies in the recovered span (projection norm ~ 1)...
    for (const b of basis) {
      let inSpan = 0;
      for (let c = 0; c < 3; c++) {
        let p = 0;
        for (let j = 0; j < d; j++) p += pca.components[c * d + j]! * b[j]!;
        inSpan += p * p;
      }
      expect(inSpan).toBeGreaterThan(0.999);
    }
    // ...and, the variances being distinct, component c is direction c up to sign.
    for (let c = 0; c < 3; c++) {
      let p = 0;
      for (let j = 0; j < d; j++) p += pca.components[c * d + j]! * basis[c]![j]!;
      expect(Math.abs(p)).toBeGreaterThan(0.999);
      expect(pca.variances[c]! / variances[c]!).toBeGreaterThan(0.9);
      expect(pca.variances[c]! / variances[c]!).toBeLessThan(1.1);
    }
    for (let j = 0; j < d; j++) expect(Math.abs(pca.mean[j]! - 128)).toBeLessThan(1.5);
    expect(explainedVarianceRatio(pca)).toBeGreaterThan(0.99);
  });

  it("components are orthonormal and sorted; scores equal project(); reconstruction error is the noise", () => {
    const { pca, scores } = fitPca(x, 5, { rng: new Rng(2) });
    for (let a = 0; a < 5; a++) {
      for (let b = 0; b < 5; b++) {
        let s = 0;
        for (let j = 0; j < d; j++) s += pca.components[a * d + j]! * pca.components[b * d + j]!;
        expect(s).toBeCloseTo(a === b ? 1 : 0, 9);
      }
      if (a > 0) expect(pca.variances[a]!).toBeLessThanOrEqual(pca.variances[a - 1]!);
    }
    const z = project(pca, x);
    z.data.forEach((v, i) => expect(scores.data[i]).toBeCloseTo(v, 6));
    const back = reconstruct(pca, z);
    let sq = 0;
    for (let i = 0; i < x.data.length; i++) sq += (back.data[i]! - x.data[i]!) ** 2;
    const rmsNoise = Math.sqrt(sq / x.data.length);
    expect(rmsNoise).toBeLessThan(0.06); // the added noise has std 0.05
  });

  it("matches an exact eigen-decomposition of the covariance on a small full-rank problem", () => {
    const small = 10;
    const r = new Rng(3);
    const data = new Float64Array(300 * small);
    for (let i = 0; i < 300; i++) for (let j = 0; j < small; j++) data[i * small + j] = r.normal() * (j + 1) + (j % 3) * r.normal();
    const m = { rows: 300, cols: small, data };
    const { pca } = fitPca(m, 4, { rng: new Rng(4) });
    const mean = new Float64Array(small);
    for (let i = 0; i < 300; i++) for (let j = 0; j < small; j++) mean[j]! += data[i * small + j]! / 300;
    const cov = new Float64Array(small * small);
    for (let i = 0; i < 300; i++)
      for (let a = 0; a < small; a++)
        for (let b = 0; b < small; b++) cov[a * small + b]! += ((data[i * small + a]! - mean[a]!) * (data[i * small + b]! - mean[b]!)) / 299;
    const exact = symmetricEigen(cov, small);
    for (let c = 0; c < 4; c++) expect(pca.variances[c]).toBeCloseTo(exact.values[c]!, 6);
  });

  it("is deterministic for a seed", () => {
    const a = fitPca(x, 3, { rng: new Rng(9) }).pca.components;
    const b = fitPca(x, 3, { rng: new Rng(9) }).pca.components;
    expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).toBe(true);
  });

  it("refuses more components than samples or features", () => {
    expect(() => fitPca({ rows: 3, cols: 5, data: new Float64Array(15) }, 4, { rng: new Rng(1) })).toThrow(RangeError);
  });
});
