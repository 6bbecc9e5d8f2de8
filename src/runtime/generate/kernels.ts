// The three matrix products that take the generator's time, written for V8: four rows
// at a time, so each value loaded from the big operand is used four times and the four
// running sums are independent (no dependency chain). On the development machine this
// is about twice as fast as one dot product per row pair. All matrices are row-major
// Float64Arrays; `rows x cols` sizes are passed explicitly.

/**
 * out (n x l) = A (n x d) B^T, B being l x d: out[i][r] = A_i . B_r. When `shift`
 * (length l) is given it is subtracted from every row of the result (implicit centring:
 * (A_i - mu) . B_r = A_i . B_r - mu . B_r).
 */
export function multiplyABt(a: Float64Array, n: number, d: number, b: Float64Array, l: number, out: Float64Array, shift?: Float64Array): void {
  let i = 0;
  for (; i + 3 < n; i += 4) {
    const o0 = i * d;
    const o1 = o0 + d;
    const o2 = o1 + d;
    const o3 = o2 + d;
    for (let r = 0; r < l; r++) {
      const ob = r * d;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let j = 0; j < d; j++) {
        const v = b[ob + j]!;
        s0 += a[o0 + j]! * v;
        s1 += a[o1 + j]! * v;
        s2 += a[o2 + j]! * v;
        s3 += a[o3 + j]! * v;
      }
      const m = shift ? shift[r]! : 0;
      out[i * l + r] = s0 - m;
      out[(i + 1) * l + r] = s1 - m;
      out[(i + 2) * l + r] = s2 - m;
      out[(i + 3) * l + r] = s3 - m;
    }
  }
  for (; i < n; i++) {
    const oi = i * d;
    for (let r = 0; r < l; r++) {
      const ob = r * d;
      let s = 0;
      for (let j = 0; j < d; j++) s += a[oi + j]! * b[ob + j]!;
      out[i * l + r] = s - (shift ? shift[r]! : 0);
    }
  }
}

/** out (l x d) += Y^T A, with Y n x l and A n x d: out_r += sum_i Y[i][r] A_i. */
export function accumulateAtB(y: Float64Array, n: number, l: number, a: Float64Array, d: number, out: Float64Array): void {
  let i = 0;
  for (; i + 3 < n; i += 4) {
    const o0 = i * d;
    const o1 = o0 + d;
    const o2 = o1 + d;
    const o3 = o2 + d;
    for (let r = 0; r < l; r++) {
      const y0 = y[i * l + r]!;
      const y1 = y[(i + 1) * l + r]!;
      const y2 = y[(i + 2) * l + r]!;
      const y3 = y[(i + 3) * l + r]!;
      const or = r * d;
      for (let j = 0; j < d; j++) out[or + j]! += y0 * a[o0 + j]! + y1 * a[o1 + j]! + y2 * a[o2 + j]! + y3 * a[o3 + j]!;
    }
  }
  for (; i < n; i++) {
    const oi = i * d;
    for (let r = 0; r < l; r++) {
      const yr = y[i * l + r]!;
      const or = r * d;
      for (let j = 0; j < d; j++) out[or + j]! += yr * a[oi + j]!;
    }
  }
}

/** out (n x d) = base + Z C, with Z n x k and C k x d: each output row is `base` plus a combination of C's rows. */
export function combineRows(z: Float64Array, n: number, k: number, c: Float64Array, d: number, base: Float64Array, out: Float64Array): void {
  for (let i = 0; i < n; i++) {
    const oi = i * d;
    out.set(base.subarray(0, d), oi);
    let r = 0;
    for (; r + 3 < k; r += 4) {
      const z0 = z[i * k + r]!;
      const z1 = z[i * k + r + 1]!;
      const z2 = z[i * k + r + 2]!;
      const z3 = z[i * k + r + 3]!;
      const c0 = r * d;
      const c1 = c0 + d;
      const c2 = c1 + d;
      const c3 = c2 + d;
      for (let j = 0; j < d; j++) out[oi + j]! += z0 * c[c0 + j]! + z1 * c[c1 + j]! + z2 * c[c2 + j]! + z3 * c[c3 + j]!;
    }
    for (; r < k; r++) {
      const zr = z[i * k + r]!;
      const cr = r * d;
      for (let j = 0; j < d; j++) out[oi + j]! += zr * c[cr + j]!;
    }
  }
}
