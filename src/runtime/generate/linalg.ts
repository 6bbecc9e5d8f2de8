// The little dense linear algebra the generator needs, on row-major Float64Arrays.
// Matrices here are small (at most a few hundred rows: the PCA subspace, one
// covariance per mixture component); the big data matrix is only ever streamed
// row by row by pca.ts. Plain loops, no dependency: the sizes do not justify one.

/** Dot product of a[aOff .. aOff+len) and b[bOff .. bOff+len). */
export function dot(a: Float64Array, aOff: number, b: Float64Array, bOff: number, len: number): number {
  let s = 0;
  for (let j = 0; j < len; j++) s += a[aOff + j]! * b[bOff + j]!;
  return s;
}

/**
 * Orthonormalise the `rows` rows (each `cols` long) of `m` in place by modified
 * Gram-Schmidt, run twice ("twice is enough", Giraud et al.) so the result stays
 * orthonormal to machine precision even when the rows are nearly dependent. A row
 * that vanishes is replaced by a unit vector orthogonal to the others, so the basis
 * keeps its size.
 */
export function orthonormalizeRows(m: Float64Array, rows: number, cols: number): void {
  for (let pass = 0; pass < 2; pass++) {
    for (let i = 0; i < rows; i++) {
      const oi = i * cols;
      for (let k = 0; k < i; k++) {
        const ok = k * cols;
        const p = dot(m, oi, m, ok, cols);
        for (let j = 0; j < cols; j++) m[oi + j]! -= p * m[ok + j]!;
      }
      let norm = Math.sqrt(dot(m, oi, m, oi, cols));
      if (norm < 1e-300 || !Number.isFinite(norm)) {
        replaceWithOrthogonalUnit(m, i, cols);
        norm = Math.sqrt(dot(m, oi, m, oi, cols));
      }
      for (let j = 0; j < cols; j++) m[oi + j]! /= norm;
    }
  }
}

function replaceWithOrthogonalUnit(m: Float64Array, row: number, cols: number): void {
  const oi = row * cols;
  // Try the coordinate axes in turn; one of them has a component outside the span.
  for (let axis = 0; axis < cols; axis++) {
    m.fill(0, oi, oi + cols);
    m[oi + axis] = 1;
    for (let k = 0; k < row; k++) {
      const ok = k * cols;
      const p = m[ok + axis]!;
      for (let j = 0; j < cols; j++) m[oi + j]! -= p * m[ok + j]!;
    }
    if (dot(m, oi, m, oi, cols) > 1e-6) return;
  }
}

export interface SymmetricEigen {
  /** Eigenvalues, largest first. */
  values: Float64Array;
  /** Eigenvectors as ROWS (row i belongs to values[i]), n x n. */
  vectors: Float64Array;
}

/**
 * Eigen-decomposition of a small symmetric n x n matrix by cyclic Jacobi rotations:
 * slow for big n (n^3 per sweep) but simple, accurate (small relative errors even for
 * tiny eigenvalues) and deterministic. Used for n up to about 100.
 */
export function symmetricEigen(a: Float64Array, n: number): SymmetricEigen {
  const m = Float64Array.from(a);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let diag = 0;
    for (let p = 0; p < n; p++) {
      diag += m[p * n + p]! ** 2;
      for (let q = p + 1; q < n; q++) off += m[p * n + q]! ** 2;
    }
    if (off <= 1e-30 * diag || off === 0) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = m[p * n + q]!;
        if (apq === 0) continue;
        const app = m[p * n + p]!;
        const aqq = m[q * n + q]!;
        // Rotation angle that zeroes m[p][q] (Numerical Recipes' stable form).
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const mkp = m[k * n + p]!;
          const mkq = m[k * n + q]!;
          m[k * n + p] = c * mkp - s * mkq;
          m[k * n + q] = s * mkp + c * mkq;
        }
        for (let k = 0; k < n; k++) {
          const mpk = m[p * n + k]!;
          const mqk = m[q * n + k]!;
          m[p * n + k] = c * mpk - s * mqk;
          m[q * n + k] = s * mpk + c * mqk;
        }
        for (let k = 0; k < n; k++) {
          const vpk = v[p * n + k]!;
          const vqk = v[q * n + k]!;
          v[p * n + k] = c * vpk - s * vqk;
          v[q * n + k] = s * vpk + c * vqk;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => m[y * n + y]! - m[x * n + x]! || x - y);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  order.forEach((src, dst) => {
    values[dst] = m[src * n + src]!;
    vectors.set(v.subarray(src * n, src * n + n), dst * n);
  });
  return { values, vectors };
}

/**
 * Lower-triangular Cholesky factor L (row-major, n x n) of a symmetric positive
 * definite matrix, or null when it is not numerically positive definite.
 */
export function cholesky(a: Float64Array, n: number): Float64Array | null {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * n + j]!;
      for (let k = 0; k < j; k++) s -= l[i * n + k]! * l[j * n + k]!;
      if (i === j) {
        if (!(s > 0)) return null;
        l[i * n + i] = Math.sqrt(s);
      } else {
        l[i * n + j] = s / l[j * n + j]!;
      }
    }
  }
  return l;
}

/** log det(L L^T) from a Cholesky factor. */
export function choleskyLogDet(l: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.log(l[i * n + i]!);
  return 2 * s;
}

/** Inverse of a lower-triangular n x n matrix (also lower triangular), by forward substitution on each unit vector. */
export function invertLower(l: Float64Array, n: number): Float64Array {
  const inv = new Float64Array(n * n);
  for (let col = 0; col < n; col++) {
    for (let i = col; i < n; i++) {
      let s = i === col ? 1 : 0;
      for (let k = col; k < i; k++) s -= l[i * n + k]! * inv[k * n + col]!;
      inv[i * n + col] = s / l[i * n + i]!;
    }
  }
  return inv;
}

/** Trace of the square root of a symmetric PSD matrix (sum of sqrt of its eigenvalues, negatives from round-off taken as 0). */
export function traceSqrtPsd(a: Float64Array, n: number): number {
  const { values } = symmetricEigen(a, n);
  let s = 0;
  for (const v of values) s += Math.sqrt(Math.max(0, v));
  return s;
}

/** Symmetric square root U sqrt(L) U^T of a PSD matrix. */
export function sqrtPsd(a: Float64Array, n: number): Float64Array {
  const { values, vectors } = symmetricEigen(a, n);
  const out = new Float64Array(n * n);
  for (let e = 0; e < n; e++) {
    const r = Math.sqrt(Math.max(0, values[e]!));
    if (r === 0) continue;
    const oe = e * n;
    for (let i = 0; i < n; i++) {
      const vi = vectors[oe + i]! * r;
      for (let j = 0; j < n; j++) out[i * n + j]! += vi * vectors[oe + j]!;
    }
  }
  return out;
}

/** C = A B for square n x n matrices. */
export function matmulSquare(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const c = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) {
      const aik = a[i * n + k]!;
      if (aik === 0) continue;
      for (let j = 0; j < n; j++) c[i * n + j]! += aik * b[k * n + j]!;
    }
  }
  return c;
}
