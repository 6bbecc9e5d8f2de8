// k-means++ seeding (Arthur & Vassilvitskii 2007) followed by a few Lloyd rounds:
// the starting point of the Gaussian mixture's EM. Seeding spreads the centres out
// (each new centre drawn with probability proportional to its squared distance from
// the nearest chosen one), so well-separated clusters each get a centre and EM does
// not start with two components fighting over one cluster. All choices use the Rng.

import type { Rng } from "../rng.js";
import type { Matrix } from "./pca.js";

export interface KMeansResult {
  /** k x dim centres. */
  centers: Float64Array;
  /** Cluster of each row. */
  assignment: Int32Array;
  /** Rows in each cluster. */
  sizes: Int32Array;
  /** Sum of squared distances to the assigned centres. */
  inertia: number;
}

function distSq(a: Float64Array, aOff: number, b: Float64Array, bOff: number, dim: number): number {
  let s = 0;
  for (let j = 0; j < dim; j++) {
    const t = a[aOff + j]! - b[bOff + j]!;
    s += t * t;
  }
  return s;
}

/** Centres chosen by k-means++ seeding. */
export function kmeansPlusPlus(x: Matrix, k: number, rng: Rng): Float64Array {
  const { rows: n, cols: dim, data } = x;
  if (!(k >= 1 && k <= n)) throw new RangeError(`k-means++: ${k} centres asked of ${n} points`);
  const centers = new Float64Array(k * dim);
  const nearest = new Float64Array(n).fill(Infinity);
  let pick = rng.int(n);
  for (let c = 0; c < k; c++) {
    centers.set(data.subarray(pick * dim, pick * dim + dim), c * dim);
    let total = 0;
    for (let i = 0; i < n; i++) {
      const dsq = distSq(data, i * dim, centers, c * dim, dim);
      if (dsq < nearest[i]!) nearest[i] = dsq;
      total += nearest[i]!;
    }
    if (c === k - 1) break;
    if (total === 0) {
      // Every point sits on a centre already (fewer distinct points than k): any point will do.
      pick = rng.int(n);
      continue;
    }
    let u = rng.next() * total;
    pick = n - 1;
    for (let i = 0; i < n; i++) {
      u -= nearest[i]!;
      if (u < 0) {
        pick = i;
        break;
      }
    }
  }
  return centers;
}

/** k-means++ seeding, then Lloyd iterations until no point changes cluster (at most `maxIterations`). */
export function kmeans(x: Matrix, k: number, rng: Rng, maxIterations = 20): KMeansResult {
  const { rows: n, cols: dim, data } = x;
  const centers = kmeansPlusPlus(x, k, rng);
  const assignment = new Int32Array(n).fill(-1);
  const sizes = new Int32Array(k);
  let inertia = 0;
  for (let it = 0; it <= maxIterations; it++) {
    let changed = 0;
    inertia = 0;
    for (let i = 0; i < n; i++) {
      let best = 0;
      let bestD = Infinity;
      for (let c = 0; c < k; c++) {
        const dsq = distSq(data, i * dim, centers, c * dim, dim);
        if (dsq < bestD) {
          bestD = dsq;
          best = c;
        }
      }
      if (assignment[i] !== best) changed++;
      assignment[i] = best;
      inertia += bestD;
    }
    if (changed === 0 || it === maxIterations) break;
    const sums = new Float64Array(k * dim);
    sizes.fill(0);
    for (let i = 0; i < n; i++) {
      const c = assignment[i]!;
      sizes[c]!++;
      for (let j = 0; j < dim; j++) sums[c * dim + j]! += data[i * dim + j]!;
    }
    // An empty cluster keeps its old centre rather than becoming NaN.
    for (let c = 0; c < k; c++) if (sizes[c]! > 0) for (let j = 0; j < dim; j++) centers[c * dim + j] = sums[c * dim + j]! / sizes[c]!;
  }
  sizes.fill(0);
  for (let i = 0; i < n; i++) sizes[assignment[i]!]!++;
  return { centers, assignment, sizes, inertia };
}
