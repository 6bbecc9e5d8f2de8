// Synthetic data for the generator's tests, built from the seeded Rng so every run
// sees the same numbers.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Rng } from "../../src/runtime/rng.js";
import type { Matrix } from "../../src/runtime/generate/pca.js";

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "adainf-gen-"));
}

/** `count` random orthonormal vectors of length d (Gram-Schmidt written here, not the code under test). */
export function orthonormalBasis(count: number, d: number, rng: Rng): number[][] {
  const basis: number[][] = [];
  while (basis.length < count) {
    const v = Array.from({ length: d }, () => rng.normal());
    for (const b of basis) {
      const p = v.reduce((s, x, j) => s + x * b[j]!, 0);
      for (let j = 0; j < d; j++) v[j]! -= p * b[j]!;
    }
    const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
    basis.push(v.map((x) => x / norm));
  }
  return basis;
}

/**
 * n points = offset + sum_c sqrt(variance_c) g_c basis_c + noise, g standard normal:
 * a low-rank structure whose principal directions and variances are known.
 */
export function lowRankData(n: number, basis: number[][], variances: number[], noise: number, rng: Rng, offset = 0): Matrix {
  const d = basis[0]!.length;
  const data = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) data[i * d + j] = offset + noise * rng.normal();
    basis.forEach((b, c) => {
      const g = Math.sqrt(variances[c]!) * rng.normal();
      for (let j = 0; j < d; j++) data[i * d + j]! += g * b[j]!;
    });
  }
  return { rows: n, cols: d, data };
}

/** Well-separated Gaussian clusters: n points per cluster around the given centres, isotropic with the given std. */
export function clusters(centres: number[][], perCluster: number[], std: number[], rng: Rng): { x: Matrix; labels: Int32Array } {
  const dim = centres[0]!.length;
  const total = perCluster.reduce((a, b) => a + b, 0);
  const data = new Float64Array(total * dim);
  const labels = new Int32Array(total);
  let i = 0;
  centres.forEach((c, k) => {
    for (let p = 0; p < perCluster[k]!; p++, i++) {
      labels[i] = k;
      for (let j = 0; j < dim; j++) data[i * dim + j] = c[j]! + std[k]! * rng.normal();
    }
  });
  return { x: { rows: total, cols: dim, data }, labels };
}
