// The generator's numerics against naive loops on seeded random matrices: blocked
// products, row orthonormalisation, symmetric eigen, Cholesky (inverse, log-det), Fréchet
// distance, streaming mean/covariance and mean nearest-neighbour distance.
import { describe, expect, it } from "vitest";
import { accumulateAtB, combineRows, multiplyABt } from "../../src/runtime/generate/kernels.js";
import { cholesky, choleskyLogDet, invertLower, orthonormalizeRows, symmetricEigen } from "../../src/runtime/generate/linalg.js";
import { frechetDistance, GaussianStats, meanNearestDistance } from "../../src/runtime/generate/quality.js";
import { Rng } from "../../src/runtime/rng.js";

const rng = new Rng(7);
const randomMatrix = (rows: number, cols: number): Float64Array => Float64Array.from({ length: rows * cols }, () => rng.normal());

function naiveABt(a: Float64Array, n: number, d: number, b: Float64Array, l: number): Float64Array {
  const out = new Float64Array(n * l);
  for (let i = 0; i < n; i++) for (let r = 0; r < l; r++) for (let j = 0; j < d; j++) out[i * l + r]! += a[i * d + j]! * b[r * d + j]!;
  return out;
}

describe("linear algebra", () => {
  it("the blocked kernels equal the naive products, remainders included", () => {
    for (const n of [1, 4, 7]) {
      const a = randomMatrix(n, 9);
      const b = randomMatrix(5, 9);
      const out = new Float64Array(n * 5);
      multiplyABt(a, n, 9, b, 5, out);
      naiveABt(a, n, 9, b, 5).forEach((v, i) => expect(out[i]).toBeCloseTo(v, 12));
      const shift = Float64Array.from([1, 2, 3, 4, 5]);
      multiplyABt(a, n, 9, b, 5, out, shift);
      naiveABt(a, n, 9, b, 5).forEach((v, i) => expect(out[i]).toBeCloseTo(v - shift[i % 5]!, 12));
      // Y^T A with Y = n x 5: compare with the naive sum.
      const y = randomMatrix(n, 5);
      const acc = new Float64Array(5 * 9).fill(1);
      accumulateAtB(y, n, 5, a, 9, acc);
      for (let r = 0; r < 5; r++) {
        for (let j = 0; j < 9; j++) {
          let s = 1;
          for (let i = 0; i < n; i++) s += y[i * 5 + r]! * a[i * 9 + j]!;
          expect(acc[r * 9 + j]).toBeCloseTo(s, 12);
        }
      }
      // base + Z C.
      const z = randomMatrix(n, 6);
      const c = randomMatrix(6, 9);
      const base = randomMatrix(1, 9);
      const rec = new Float64Array(n * 9);
      combineRows(z, n, 6, c, 9, base, rec);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < 9; j++) {
          let s = base[j]!;
          for (let k = 0; k < 6; k++) s += z[i * 6 + k]! * c[k * 9 + j]!;
          expect(rec[i * 9 + j]).toBeCloseTo(s, 12);
        }
      }
    }
  });

  it("orthonormalises rows, even nearly dependent ones", () => {
    const m = randomMatrix(4, 10);
    for (let j = 0; j < 10; j++) m[30 + j] = m[j]! + 1e-13 * m[10 + j]!; // row 3 ~ row 0
    orthonormalizeRows(m, 4, 10);
    for (let a = 0; a < 4; a++) {
      for (let b = 0; b < 4; b++) {
        let s = 0;
        for (let j = 0; j < 10; j++) s += m[a * 10 + j]! * m[b * 10 + j]!;
        expect(s).toBeCloseTo(a === b ? 1 : 0, 10);
      }
    }
  });

  it("symmetric eigen-decomposition rebuilds the matrix, eigenvalues sorted", () => {
    const n = 6;
    const b = randomMatrix(n, n);
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) a[i * n + j]! += b[i * n + k]! * b[j * n + k]!;
    const { values, vectors } = symmetricEigen(a, n);
    for (let e = 1; e < n; e++) expect(values[e]!).toBeLessThanOrEqual(values[e - 1]!);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let e = 0; e < n; e++) s += values[e]! * vectors[e * n + i]! * vectors[e * n + j]!;
        expect(s).toBeCloseTo(a[i * n + j]!, 9);
      }
    }
  });

  it("Cholesky, its inverse and log-determinant", () => {
    const a = Float64Array.from([4, 2, 0.4, 2, 5, 1, 0.4, 1, 3]);
    const l = cholesky(a, 3)!;
    const inv = invertLower(l, 3);
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        let s = 0;
        let t = 0;
        for (let k = 0; k < 3; k++) {
          s += l[i * 3 + k]! * l[j * 3 + k]!;
          t += l[i * 3 + k]! * inv[k * 3 + j]!;
        }
        expect(s).toBeCloseTo(a[i * 3 + j]!, 12);
        expect(t).toBeCloseTo(i === j ? 1 : 0, 12);
      }
    }
    // det = 4(15-1) - 2(6-0.4) + 0.4(2-2) = 44.8
    expect(choleskyLogDet(l, 3)).toBeCloseTo(Math.log(44.8), 12);
    expect(cholesky(Float64Array.from([1, 2, 2, 1]), 2)).toBeNull();
  });
});

describe("quality numbers", () => {
  it("Fréchet distance: 0 for equal Gaussians, (mu1-mu2)^2 + (s1-s2)^2 in one dimension, summed over independent axes", () => {
    const cov = Float64Array.from([2, 0.5, 0.5, 1]);
    const mu = Float64Array.from([1, -1]);
    expect(frechetDistance(mu, cov, mu, cov, 2)).toBeCloseTo(0, 9);
    expect(frechetDistance(Float64Array.of(1), Float64Array.of(4), Float64Array.of(3), Float64Array.of(9), 1)).toBeCloseTo(4 + 1, 12);
    // Diagonal covariances: sum over axes of the 1-D formula.
    const d = frechetDistance(Float64Array.of(0, 0), Float64Array.of(1, 0, 0, 4), Float64Array.of(1, 2), Float64Array.of(9, 0, 0, 1), 2);
    expect(d).toBeCloseTo(1 + 4 + (1 - 3) ** 2 + (2 - 1) ** 2, 9);
  });

  it("streaming mean and covariance match the two-pass formulas", () => {
    const pts = randomMatrix(50, 3);
    const g = new GaussianStats(3);
    g.addRows({ rows: 50, cols: 3, data: pts });
    const { mean, cov } = g.result();
    for (let a = 0; a < 3; a++) {
      let m = 0;
      for (let i = 0; i < 50; i++) m += pts[i * 3 + a]!;
      m /= 50;
      expect(mean[a]).toBeCloseTo(m, 12);
      for (let b = 0; b < 3; b++) {
        let mb = 0;
        for (let i = 0; i < 50; i++) mb += pts[i * 3 + b]!;
        mb /= 50;
        let s = 0;
        for (let i = 0; i < 50; i++) s += (pts[i * 3 + a]! - m) * (pts[i * 3 + b]! - mb);
        expect(cov[a * 3 + b]).toBeCloseTo(s / 49, 10);
      }
    }
  });

  it("nearest-neighbour distance equals a brute-force search, and can skip a query's own row", () => {
    const refs = randomMatrix(300, 5);
    const queries = randomMatrix(9, 5);
    let brute = 0;
    for (let q = 0; q < 9; q++) {
      let best = Infinity;
      for (let r = 0; r < 300; r++) {
        let s = 0;
        for (let j = 0; j < 5; j++) s += (queries[q * 5 + j]! - refs[r * 5 + j]!) ** 2;
        best = Math.min(best, s);
      }
      brute += Math.sqrt(best);
    }
    expect(meanNearestDistance({ rows: 9, cols: 5, data: queries }, { rows: 300, cols: 5, data: refs })).toBeCloseTo(brute / 9, 9);
    const self = { rows: 300, cols: 5, data: refs };
    expect(meanNearestDistance({ rows: 3, cols: 5, data: refs.subarray(0, 15) }, self)).toBeCloseTo(0, 6);
    expect(meanNearestDistance({ rows: 3, cols: 5, data: refs.subarray(0, 15) }, self, [0, 1, 2])).toBeGreaterThan(0.05);
  });
});
