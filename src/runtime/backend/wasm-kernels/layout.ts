// Memory re-arrangements the convolution-gradient kernels need, written as plain
// loops over Float32Arrays (views on the wasm heap). tfjs-backend-wasm's own
// Transpose and Slice take 100-300 ms on a 128x32x32x64 tensor on this machine;
// these loops do the same moves in 5-25 ms, so the gradients stay convolution-bound.
// All arrays are NHWC-style row-major; shapes are passed explicitly.

/** A 4-D shape [d0, d1, d2, d3]. */
export type Shape4 = [number, number, number, number];

/**
 * x [N, H, W, C] -> out [C, winH, winW, N], where out row r / column q reads x row
 * r + top / column q + left (zero outside x). This is the "batch becomes the
 * contraction dimension" layout of the filter gradient, with its zero padding (or
 * cropping) folded into the same pass.
 */
export function toCHWN(x: Float32Array, [n, h, w, c]: Shape4, top: number, left: number, winH: number, winW: number, out: Float32Array): void {
  const tile = 16; // cache blocking over (n, c): each tile reads/writes 16 short runs
  const planeOut = winH * winW * n;
  out.fill(0);
  for (let r = 0; r < winH; r++) {
    const hi = r + top;
    if (hi < 0 || hi >= h) continue;
    for (let q = 0; q < winW; q++) {
      const wi = q + left;
      if (wi < 0 || wi >= w) continue;
      const outPix = (r * winW + q) * n;
      const inPix = (hi * w + wi) * c;
      const inBatchStride = h * w * c;
      for (let n0 = 0; n0 < n; n0 += tile) {
        const n1 = Math.min(n, n0 + tile);
        for (let c0 = 0; c0 < c; c0 += tile) {
          const c1 = Math.min(c, c0 + tile);
          for (let ci = c0; ci < c1; ci++) {
            const dst = ci * planeOut + outPix;
            let src = n0 * inBatchStride + inPix + ci;
            for (let ni = n0; ni < n1; ni++) {
              out[dst + ni] = x[src] as number;
              src += inBatchStride;
            }
          }
        }
      }
    }
  }
}

/** dy [N, H, W, C] -> out [H, W, N, C]: whole channel runs move, so a block copy. */
export function toHWNC(dy: Float32Array, [n, h, w, c]: Shape4, out: Float32Array): void {
  const hw = h * w;
  for (let ni = 0; ni < n; ni++) {
    for (let p = 0; p < hw; p++) {
      const src = (ni * hw + p) * c;
      out.set(dy.subarray(src, src + c), (p * n + ni) * c);
    }
  }
}

/** a [A, B, C, D] -> out [B, C, A, D] (the filter-gradient result back to HWIO). */
export function moveFirstToThird(a: Float32Array, [d0, d1, d2, d3]: Shape4, out: Float32Array): void {
  for (let i = 0; i < d0; i++) {
    for (let j = 0; j < d1; j++) {
      for (let k = 0; k < d2; k++) {
        const src = ((i * d1 + j) * d2 + k) * d3;
        out.set(a.subarray(src, src + d3), ((j * d2 + k) * d0 + i) * d3);
      }
    }
  }
}

/**
 * Sub-kernel of an HWIO filter w [KH, KW, CI, CO] for one stride phase of the input
 * gradient: out [rows.length, cols.length, CO, CI] with out[t, u, o, i] =
 * w[rows[t], cols[u], i, o] (the caller lists rows/cols flipped, so this is the
 * flipped, in/out-transposed kernel restricted to the phase's taps).
 */
export function phaseFilter(w: Float32Array, [, kw, ci, co]: Shape4, rows: readonly number[], cols: readonly number[], out: Float32Array): void {
  let dst = 0;
  for (const r of rows) {
    for (const q of cols) {
      const base = (r * kw + q) * ci * co;
      for (let o = 0; o < co; o++) {
        for (let i = 0; i < ci; i++) out[dst++] = w[base + i * co + o] as number;
      }
    }
  }
}

/**
 * Write one phase result p [N, PH, PW, C] into dx [N, H, W, C] at rows j*s + a and
 * columns k*s + b (dropping what falls outside dx): the inverse of a stride-s
 * space-to-depth, done as channel-run copies.
 */
export function interleavePhase(p: Float32Array, [n, ph, pw, c]: Shape4, dx: Float32Array, h: number, w: number, stride: number, a: number, b: number): void {
  for (let ni = 0; ni < n; ni++) {
    for (let j = 0; j < ph; j++) {
      const row = j * stride + a;
      if (row >= h) break;
      for (let k = 0; k < pw; k++) {
        const col = k * stride + b;
        if (col >= w) break;
        const src = ((ni * ph + j) * pw + k) * c;
        dx.set(p.subarray(src, src + c), ((ni * h + row) * w + col) * c);
      }
    }
  }
}

/**
 * x [N, H, W, C] -> out [N, H + top + bottom, W + left + right, C] with zero padding;
 * negative amounts crop. Used only when a convolution would need negative padding.
 */
export function padCrop(x: Float32Array, [n, h, w, c]: Shape4, top: number, bottom: number, left: number, right: number, out: Float32Array): void {
  const oh = h + top + bottom;
  const ow = w + left + right;
  out.fill(0);
  for (let ni = 0; ni < n; ni++) {
    for (let r = 0; r < oh; r++) {
      const hi = r - top;
      if (hi < 0 || hi >= h) continue;
      const q0 = Math.max(0, left); // first output column with a source
      const q1 = Math.min(ow, w + left); // one past the last
      if (q1 <= q0) continue;
      const src = ((ni * h + hi) * w + (q0 - left)) * c;
      out.set(x.subarray(src, src + (q1 - q0) * c), ((ni * oh + r) * ow + q0) * c);
    }
  }
}

/** Which batch items and filter geometry an im2colT call covers. */
export interface Im2colSpec {
  n0: number;
  count: number;
  kh: number;
  kw: number;
  strideH: number;
  strideW: number;
  padTop: number;
  padLeft: number;
  outH: number;
  outW: number;
}

/**
 * Transposed im2col of batch items n0 .. n0+count of x [N, H, W, C]:
 * out [KH*KW*C, count*OH*OW] with out[(ky*KW + kx)*C + c, ((n-n0)*OH + y)*OW + q] =
 * x[n, y*sh + ky - pt, q*sw + kx - pl, c], zero outside x. Multiplied by dy viewed as
 * [count*OH*OW, CO] this gives the filter gradient directly in HWIO order. Each x
 * row stays in cache while its C output runs are written.
 */
export function im2colT(x: Float32Array, [, h, w, c]: Shape4, s: Im2colSpec, out: Float32Array): void {
  const p = s.count * s.outH * s.outW;
  for (let ky = 0; ky < s.kh; ky++) {
    for (let kx = 0; kx < s.kw; kx++) {
      const rowBase = (ky * s.kw + kx) * c * p;
      // Output columns q whose input column q*sw + kx - pl lies inside x.
      const qLo = Math.max(0, Math.ceil((s.padLeft - kx) / s.strideW));
      const qHi = Math.min(s.outW, Math.floor((w - 1 + s.padLeft - kx) / s.strideW) + 1);
      for (let n = 0; n < s.count; n++) {
        for (let y = 0; y < s.outH; y++) {
          const hi = y * s.strideH + ky - s.padTop;
          const pBase = (n * s.outH + y) * s.outW;
          if (hi < 0 || hi >= h || qHi <= qLo) {
            for (let ci = 0; ci < c; ci++) out.fill(0, rowBase + ci * p + pBase, rowBase + ci * p + pBase + s.outW);
            continue;
          }
          const xRow = ((s.n0 + n) * h + hi) * w * c;
          for (let ci = 0; ci < c; ci++) {
            const dst = rowBase + ci * p + pBase;
            for (let q = 0; q < qLo; q++) out[dst + q] = 0;
            let src = xRow + (qLo * s.strideW + kx - s.padLeft) * c + ci;
            const step = s.strideW * c;
            for (let q = qLo; q < qHi; q++) {
              out[dst + q] = x[src] as number;
              src += step;
            }
            for (let q = qHi; q < s.outW; q++) out[dst + q] = 0;
          }
        }
      }
    }
  }
}
