// AssemblyScript source of the SIMD training kernels for the wasm backend, compiled by
// scripts/build-kernels.mjs to dist/wasm/train.wasm (and train-shared.wasm for the
// threaded build's shared memory). The module imports tfjs-backend-wasm's own memory,
// so it works in place on tensors of the wasm heap: every pointer argument is a byte
// address there. It has no data, no start function and allocates nothing.
//
// Each function is the WebAssembly twin of a TypeScript one in ../batch-norm-math.ts or
// ../layout.ts and gives the same bits: the batch-norm sums keep the TypeScript's float64
// arithmetic and per-channel order (four channels per pair of f64x2 lanes), and the
// im2col is a copy. The TypeScript versions stay the fallback and the oracle of
// test/runtime/backend/wasm-train-kernels.test.ts.
//
// Each is also exported in pieces that do part of the work (a range of channels for the
// sums, of rows, of output rows, of elements), for ../train-threads.ts, which runs them
// on several threads over the same shared memory. A channel's sums are one piece's, in
// the same order as the whole function's, so the bits do not depend on the split.

const BLOCK_FLOATS: i32 = 1024;

@inline function rowsPerBlock(c: i32): i32 {
  const r = BLOCK_FLOATS / c;
  return r > 1 ? r : 1;
}

@inline function at(base: usize, index: i32): usize {
  return base + (<usize>index << 2);
}

@inline function at64(base: usize, index: i32): usize {
  return base + (<usize>index << 3);
}

/** Lanes 2 and 3 of a f32x4 widened to a f64x2. */
@inline function promoteHigh(v: v128): v128 {
  return f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1));
}

/** Two f64x2 rounded to one f32x4 (round to nearest, as a Float32Array store). */
@inline function demote4(lo: v128, hi: v128): v128 {
  return v128.shuffle<f32>(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5);
}

@inline function floorDiv(a: i32, b: i32): i32 {
  return a >= 0 ? a / b : -((-a + b - 1) / b);
}

/**
 * channelMoments: per-channel mean and biased variance of x viewed as [m, c]
 * (float32 at `mean`, `variance`). `scratch` holds 2c float64 (the sums).
 */
export function channelMoments(x: usize, m: i32, c: i32, mean: usize, variance: usize, scratch: usize): void {
  channelMomentsPart(x, m, c, 0, c, mean, variance, scratch);
}

/** channelMoments of channels j0 .. j1 only (j0 a multiple of 4); scratch as the whole one's. */
export function channelMomentsPart(x: usize, m: i32, c: i32, j0: i32, j1: i32, mean: usize, variance: usize, scratch: usize): void {
  const s = scratch;
  const q = scratch + (<usize>c << 3);
  memory.fill(at64(s, j0), 0, <usize>(j1 - j0) << 3);
  memory.fill(at64(q, j0), 0, <usize>(j1 - j0) << 3);
  const block = rowsPerBlock(c);
  const c4 = j0 + ((j1 - j0) & ~3);
  const stride = <usize>c << 2;
  const zero = f64x2.splat(0);
  for (let r0 = 0; r0 < m; r0 += block) {
    const rows = min(m, r0 + block) - r0;
    const base = at(x, r0 * c);
    for (let j = j0; j < c4; j += 4) {
      const sv = v128.load(at(x, j));
      const shLo = f64x2.promote_low_f32x4(sv);
      const shHi = promoteHigh(sv);
      let sLo = zero;
      let sHi = zero;
      let qLo = zero;
      let qHi = zero;
      let p = at(base, j);
      for (let r = 0; r < rows; r++) {
        const v = v128.load(p);
        const dLo = f64x2.sub(f64x2.promote_low_f32x4(v), shLo);
        const dHi = f64x2.sub(promoteHigh(v), shHi);
        sLo = f64x2.add(sLo, dLo);
        sHi = f64x2.add(sHi, dHi);
        qLo = f64x2.add(qLo, f64x2.mul(dLo, dLo));
        qHi = f64x2.add(qHi, f64x2.mul(dHi, dHi));
        p += stride;
      }
      v128.store(at64(s, j), f64x2.add(v128.load(at64(s, j)), sLo));
      v128.store(at64(s, j + 2), f64x2.add(v128.load(at64(s, j + 2)), sHi));
      v128.store(at64(q, j), f64x2.add(v128.load(at64(q, j)), qLo));
      v128.store(at64(q, j + 2), f64x2.add(v128.load(at64(q, j + 2)), qHi));
    }
    for (let j = c4; j < j1; j++) {
      const shift = <f64>load<f32>(at(x, j));
      let sj: f64 = 0;
      let qj: f64 = 0;
      let p = at(base, j);
      for (let r = 0; r < rows; r++) {
        const d = <f64>load<f32>(p) - shift;
        sj += d;
        qj += d * d;
        p += stride;
      }
      store<f64>(at64(s, j), load<f64>(at64(s, j)) + sj);
      store<f64>(at64(q, j), load<f64>(at64(q, j)) + qj);
    }
  }
  const fm = <f64>m;
  for (let j = j0; j < j1; j++) {
    const ds = load<f64>(at64(s, j)) / fm;
    store<f32>(at(mean, j), <f32>(<f64>load<f32>(at(x, j)) + ds));
    store<f32>(at(variance, j), <f32>max<f64>(0, load<f64>(at64(q, j)) / fm - ds * ds));
  }
}

/**
 * normalize: y = (x - mean) / sqrt(variance + eps) * scale + offset per channel of x
 * viewed as [m, c], max(0, y) when relu != 0. `scratch` holds 2c float64.
 */
export function normalize(
  x: usize,
  m: i32,
  c: i32,
  mean: usize,
  variance: usize,
  scale: usize,
  offset: usize,
  eps: f64,
  relu: i32,
  y: usize,
  scratch: usize,
): void {
  normalizeScale(c, mean, variance, scale, offset, eps, scratch);
  normalizeRows(x, c, 0, m, relu, y, scratch);
}

/** normalize's first part: each channel's y = a x + b, a and b in scratch. */
export function normalizeScale(c: i32, mean: usize, variance: usize, scale: usize, offset: usize, eps: f64, scratch: usize): void {
  const a = scratch;
  const b = scratch + (<usize>c << 3);
  for (let j = 0; j < c; j++) {
    const k = <f64>load<f32>(at(scale, j)) / Math.sqrt(<f64>load<f32>(at(variance, j)) + eps);
    store<f64>(at64(a, j), k);
    store<f64>(at64(b, j), <f64>load<f32>(at(offset, j)) - <f64>load<f32>(at(mean, j)) * k);
  }
}

/** normalize's second part, rows r0 .. r1 of y from the a and b normalizeScale left in scratch. */
export function normalizeRows(x: usize, c: i32, r0: i32, r1: i32, relu: i32, y: usize, scratch: usize): void {
  const a = scratch;
  const b = scratch + (<usize>c << 3);
  const c4 = c & ~3;
  const zero = f64x2.splat(0);
  for (let r = r0; r < r1; r++) {
    const xr = at(x, r * c);
    const yr = at(y, r * c);
    for (let j = 0; j < c4; j += 4) {
      const v = v128.load(at(xr, j));
      let lo = f64x2.add(f64x2.mul(f64x2.promote_low_f32x4(v), v128.load(at64(a, j))), v128.load(at64(b, j)));
      let hi = f64x2.add(f64x2.mul(promoteHigh(v), v128.load(at64(a, j + 2))), v128.load(at64(b, j + 2)));
      if (relu != 0) {
        // pmax(0, v) = 0 < v ? v : 0, exactly the TypeScript's v > 0 ? v : 0.
        lo = f64x2.pmax(zero, lo);
        hi = f64x2.pmax(zero, hi);
      }
      v128.store(at(yr, j), demote4(lo, hi));
    }
    for (let j = c4; j < c; j++) {
      const v = <f64>load<f32>(at(xr, j)) * load<f64>(at64(a, j)) + load<f64>(at64(b, j));
      store<f32>(at(yr, j), <f32>(relu != 0 ? (v > 0 ? v : 0) : v));
    }
  }
}

/**
 * normalizeGrad: the gradient of training-mode batch norm (see batch-norm-math.ts),
 * dy masked by reluOut > 0 when reluOut != 0. Writes dx, dscale, doffset. `scratch`
 * holds 5c float64 (two sums, then the per-channel k, p, q of dx = k dy + p x + q).
 */
export function normalizeGrad(
  dy: usize,
  x: usize,
  m: i32,
  c: i32,
  mean: usize,
  variance: usize,
  scale: usize,
  eps: f64,
  reluOut: usize,
  dx: usize,
  dscale: usize,
  doffset: usize,
  scratch: usize,
): void {
  normalizeGradSums(dy, x, m, c, 0, c, mean, variance, scale, eps, reluOut, dscale, doffset, scratch);
  normalizeGradRows(dy, x, c, 0, m, reluOut, dx, scratch);
}

/**
 * normalizeGrad's first part for channels j0 .. j1 (j0 a multiple of 4): their sums over
 * the m rows, dscale and doffset, and k, p, q in scratch.
 */
export function normalizeGradSums(
  dy: usize,
  x: usize,
  m: i32,
  c: i32,
  j0: i32,
  j1: i32,
  mean: usize,
  variance: usize,
  scale: usize,
  eps: f64,
  reluOut: usize,
  dscale: usize,
  doffset: usize,
  scratch: usize,
): void {
  const sdy = scratch;
  const sdyx = scratch + (<usize>c << 3);
  const kk = scratch + (<usize>c << 4);
  const pp = kk + (<usize>c << 3);
  const qq = pp + (<usize>c << 3);
  memory.fill(at64(sdy, j0), 0, <usize>(j1 - j0) << 3);
  memory.fill(at64(sdyx, j0), 0, <usize>(j1 - j0) << 3);
  const block = rowsPerBlock(c);
  const c4 = j0 + ((j1 - j0) & ~3);
  const stride = <usize>c << 2;
  const zero = f64x2.splat(0);
  const zero32 = f32x4.splat(0);
  const masked = reluOut != 0;
  for (let r0 = 0; r0 < m; r0 += block) {
    const rows = min(m, r0 + block) - r0;
    const off = <usize>(r0 * c) << 2;
    for (let j = j0; j < c4; j += 4) {
      const mv = v128.load(at(mean, j));
      const muLo = f64x2.promote_low_f32x4(mv);
      const muHi = promoteHigh(mv);
      let sLo = zero;
      let sHi = zero;
      let tLo = zero;
      let tHi = zero;
      let o = off + (<usize>j << 2);
      for (let r = 0; r < rows; r++) {
        let g = v128.load(dy + o);
        if (masked) g = v128.and(g, f32x4.gt(v128.load(reluOut + o), zero32));
        const v = v128.load(x + o);
        const gLo = f64x2.promote_low_f32x4(g);
        const gHi = promoteHigh(g);
        sLo = f64x2.add(sLo, gLo);
        sHi = f64x2.add(sHi, gHi);
        tLo = f64x2.add(tLo, f64x2.mul(gLo, f64x2.sub(f64x2.promote_low_f32x4(v), muLo)));
        tHi = f64x2.add(tHi, f64x2.mul(gHi, f64x2.sub(promoteHigh(v), muHi)));
        o += stride;
      }
      v128.store(at64(sdy, j), f64x2.add(v128.load(at64(sdy, j)), sLo));
      v128.store(at64(sdy, j + 2), f64x2.add(v128.load(at64(sdy, j + 2)), sHi));
      v128.store(at64(sdyx, j), f64x2.add(v128.load(at64(sdyx, j)), tLo));
      v128.store(at64(sdyx, j + 2), f64x2.add(v128.load(at64(sdyx, j + 2)), tHi));
    }
    for (let j = c4; j < j1; j++) {
      const mu = <f64>load<f32>(at(mean, j));
      let s: f64 = 0;
      let t: f64 = 0;
      let o = off + (<usize>j << 2);
      for (let r = 0; r < rows; r++) {
        const g: f64 = masked && !(load<f32>(reluOut + o) > 0) ? 0 : <f64>load<f32>(dy + o);
        s += g;
        t += g * (<f64>load<f32>(x + o) - mu);
        o += stride;
      }
      store<f64>(at64(sdy, j), load<f64>(at64(sdy, j)) + s);
      store<f64>(at64(sdyx, j), load<f64>(at64(sdyx, j)) + t);
    }
  }
  const fm = <f64>m;
  for (let j = j0; j < j1; j++) {
    const invstd = 1 / Math.sqrt(<f64>load<f32>(at(variance, j)) + eps);
    const kj = <f64>load<f32>(at(scale, j)) * invstd;
    const sx = load<f64>(at64(sdyx, j));
    const sd = load<f64>(at64(sdy, j));
    const pj = (-kj * invstd * invstd * sx) / fm;
    store<f64>(at64(kk, j), kj);
    store<f64>(at64(pp, j), pj);
    store<f64>(at64(qq, j), (-kj * sd) / fm - pj * <f64>load<f32>(at(mean, j)));
    store<f32>(at(dscale, j), <f32>(sx * invstd));
    store<f32>(at(doffset, j), <f32>sd);
  }
}

/** normalizeGrad's second part, rows r0 .. r1 of dx from the k, p, q normalizeGradSums left in scratch. */
export function normalizeGradRows(dy: usize, x: usize, c: i32, r0: i32, r1: i32, reluOut: usize, dx: usize, scratch: usize): void {
  const kk = scratch + (<usize>c << 4);
  const pp = kk + (<usize>c << 3);
  const qq = pp + (<usize>c << 3);
  const c4 = c & ~3;
  const zero32 = f32x4.splat(0);
  const masked = reluOut != 0;
  for (let r = r0; r < r1; r++) {
    const o0 = <usize>(r * c) << 2;
    for (let j = 0; j < c4; j += 4) {
      const o = o0 + (<usize>j << 2);
      let g = v128.load(dy + o);
      if (masked) g = v128.and(g, f32x4.gt(v128.load(reluOut + o), zero32));
      const v = v128.load(x + o);
      const lo = f64x2.add(
        f64x2.add(f64x2.mul(v128.load(at64(kk, j)), f64x2.promote_low_f32x4(g)), f64x2.mul(v128.load(at64(pp, j)), f64x2.promote_low_f32x4(v))),
        v128.load(at64(qq, j)),
      );
      const hi = f64x2.add(
        f64x2.add(f64x2.mul(v128.load(at64(kk, j + 2)), promoteHigh(g)), f64x2.mul(v128.load(at64(pp, j + 2)), promoteHigh(v))),
        v128.load(at64(qq, j + 2)),
      );
      v128.store(dx + o, demote4(lo, hi));
    }
    for (let j = c4; j < c; j++) {
      const o = o0 + (<usize>j << 2);
      const g: f64 = masked && !(load<f32>(reluOut + o) > 0) ? 0 : <f64>load<f32>(dy + o);
      store<f32>(dx + o, <f32>(load<f64>(at64(kk, j)) * g + load<f64>(at64(pp, j)) * <f64>load<f32>(x + o) + load<f64>(at64(qq, j))));
    }
  }
}

/**
 * im2colT (see layout.ts): batch items n0 .. n0+count of x [N, h, w, c] to
 * out [kh*kw*c, count*oh*ow], zero outside x. Four channels of four output columns
 * move at a time as a 4x4 transpose in registers.
 */
export function im2colT(
  x: usize,
  h: i32,
  w: i32,
  c: i32,
  n0: i32,
  count: i32,
  kh: i32,
  kw: i32,
  sh: i32,
  sw: i32,
  pt: i32,
  pl: i32,
  oh: i32,
  ow: i32,
  out: usize,
): void {
  im2colTPart(x, h, w, c, n0, count, kh, kw, sh, sw, pt, pl, oh, ow, out, 0, count * oh);
}

/**
 * im2colT of output rows r0 .. r1 only, a row being one (item, output y) of the
 * count * oh: the columns r0 * ow .. r1 * ow of every row of out.
 */
export function im2colTPart(
  x: usize,
  h: i32,
  w: i32,
  c: i32,
  n0: i32,
  count: i32,
  kh: i32,
  kw: i32,
  sh: i32,
  sw: i32,
  pt: i32,
  pl: i32,
  oh: i32,
  ow: i32,
  out: usize,
  r0: i32,
  r1: i32,
): void {
  const p = count * oh * ow;
  const c4 = c & ~3;
  const step = <usize>(sw * c) << 2; // bytes between the x pixels of adjacent columns
  const rowBytes = <usize>p << 2;
  for (let ky = 0; ky < kh; ky++) {
    for (let kx = 0; kx < kw; kx++) {
      const rowBase = (ky * kw + kx) * c * p;
      const qLo = max(0, -floorDiv(kx - pl, sw));
      const qHi = min(ow, floorDiv(w - 1 + pl - kx, sw) + 1);
      for (let r = r0; r < r1; r++) {
        const n = r / oh;
        const y = r - n * oh;
        const hi = y * sh + ky - pt;
        const pBase = r * ow;
        if (hi < 0 || hi >= h || qHi <= qLo) {
          for (let ci = 0; ci < c; ci++) memory.fill(at(out, rowBase + ci * p + pBase), 0, <usize>ow << 2);
          continue;
        }
        const xRow = ((n0 + n) * h + hi) * w * c;
        for (let ci = 0; ci < c; ci++) {
          const dst = rowBase + ci * p + pBase;
          if (qLo > 0) memory.fill(at(out, dst), 0, <usize>qLo << 2);
          if (qHi < ow) memory.fill(at(out, dst + qHi), 0, <usize>(ow - qHi) << 2);
        }
        const q4 = qLo + ((qHi - qLo) & ~3);
        const first = at(x, xRow + (qLo * sw + kx - pl) * c);
        for (let ci = 0; ci < c4; ci += 4) {
          let src = first + (<usize>ci << 2);
          let d0 = at(out, rowBase + ci * p + pBase + qLo);
          for (let q = qLo; q < q4; q += 4) {
            const v0 = v128.load(src);
            const v1 = v128.load(src + step);
            const v2 = v128.load(src + 2 * step);
            const v3 = v128.load(src + 3 * step);
            const a0 = v128.shuffle<f32>(v0, v1, 0, 4, 1, 5);
            const a1 = v128.shuffle<f32>(v0, v1, 2, 6, 3, 7);
            const b0 = v128.shuffle<f32>(v2, v3, 0, 4, 1, 5);
            const b1 = v128.shuffle<f32>(v2, v3, 2, 6, 3, 7);
            v128.store(d0, v128.shuffle<f32>(a0, b0, 0, 1, 4, 5));
            v128.store(d0 + rowBytes, v128.shuffle<f32>(a0, b0, 2, 3, 6, 7));
            v128.store(d0 + 2 * rowBytes, v128.shuffle<f32>(a1, b1, 0, 1, 4, 5));
            v128.store(d0 + 3 * rowBytes, v128.shuffle<f32>(a1, b1, 2, 3, 6, 7));
            src += 4 * step;
            d0 += 16;
          }
        }
        // What the 4x4 tiles left: the last (qHi - qLo) % 4 columns, the last c % 4 channels.
        for (let ci = 0; ci < c; ci++) {
          const dst = rowBase + ci * p + pBase;
          const q0 = ci < c4 ? q4 : qLo;
          let src = first + (<usize>ci << 2) + <usize>(q0 - qLo) * step;
          for (let q = q0; q < qHi; q++) {
            store<f32>(at(out, dst + q), load<f32>(src));
            src += step;
          }
        }
      }
    }
  }
}

/** acc[i] += add[i] for `length` floats (float32 sums, as a Float32Array's). */
export function accumulate(acc: usize, add: usize, length: i32): void {
  accumulatePart(acc, add, 0, length);
}

/** accumulate of the floats i0 .. i1 only. */
export function accumulatePart(acc: usize, add: usize, i0: i32, i1: i32): void {
  const l4 = i0 + ((i1 - i0) & ~3);
  for (let i = i0; i < l4; i += 4) v128.store(at(acc, i), f32x4.add(v128.load(at(acc, i)), v128.load(at(add, i))));
  for (let i = l4; i < i1; i++) store<f32>(at(acc, i), load<f32>(at(acc, i)) + load<f32>(at(add, i)));
}
