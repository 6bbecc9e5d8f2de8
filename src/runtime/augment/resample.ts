// Resizing of a crop, bit for bit as Pillow's `Image.resize` (Resample.c), which is what
// torchvision's RandomResizedCrop runs on the PIL images of the reference: separable
// convolution with a filter whose support grows with the downscale factor (antialias
// when shrinking), coefficients normalised per output pixel and rounded to 22-bit fixed
// point, a horizontal pass first, each pass rounded and clamped to uint8.
// Pillow's bicubic uses a = -0.5 (torchvision's tensor path uses a = -0.75; we follow
// the PIL path because that is what solo-learn feeds its transforms).
// Nearest follows Pillow's affine nearest: source index ~ trunc((x + 0.5) * in / out).
// A crop's coefficients depend only on (crop side, output side, filter), so they are
// cached: a batch of 32x32 crops uses at most 32 distinct tables per axis.

export type ResampleFilter = "bicubic" | "bilinear" | "nearest";

const PRECISION_BITS = 22;
const ONE = 1 << PRECISION_BITS;
const HALF = 1 << (PRECISION_BITS - 1);

export interface AxisCoefficients {
  inSize: number;
  outSize: number;
  /** Taps per output pixel (unused taps have weight 0). */
  ksize: number;
  /** Per output pixel: first input index, number of taps. */
  bounds: Int32Array;
  /** outSize * ksize fixed-point weights (sum ~ 2^22). */
  weights: Int32Array;
}

function bicubic(x: number): number {
  const a = -0.5;
  if (x < 0) x = -x;
  if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
  return 0;
}

function triangle(x: number): number {
  if (x < 0) x = -x;
  return x < 1 ? 1 - x : 0;
}

function computeCoefficients(inSize: number, outSize: number, filter: ResampleFilter): AxisCoefficients {
  if (filter === "nearest") {
    const bounds = new Int32Array(outSize * 2);
    const weights = new Int32Array(outSize).fill(ONE);
    // Pillow's ImagingScaleAffine accumulates the source position (xo += scale), and
    // the accumulated rounding decides which pixel wins at exact ties: reproduce it.
    const scale = inSize / outSize;
    let xo = scale * 0.5;
    for (let x = 0; x < outSize; x++) {
      bounds[2 * x] = Math.min(inSize - 1, Math.max(0, Math.trunc(xo)));
      bounds[2 * x + 1] = 1;
      xo += scale;
    }
    return { inSize, outSize, ksize: 1, bounds, weights };
  }
  const fn = filter === "bicubic" ? bicubic : triangle;
  const baseSupport = filter === "bicubic" ? 2 : 1;
  const scale = inSize / outSize;
  const filterScale = scale < 1 ? 1 : scale;
  const support = baseSupport * filterScale;
  const ksize = Math.ceil(support) * 2 + 1;
  const bounds = new Int32Array(outSize * 2);
  const weights = new Int32Array(outSize * ksize);
  const k = new Float64Array(ksize);
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    const ss = 1 / filterScale;
    // C's (int) cast truncates toward zero; Pillow relies on it for the rounding.
    let xmin = Math.trunc(center - support + 0.5);
    if (xmin < 0) xmin = 0;
    let xmax = Math.trunc(center + support + 0.5);
    if (xmax > inSize) xmax = inSize;
    xmax -= xmin;
    let ww = 0;
    for (let x = 0; x < xmax; x++) {
      const w = fn((x + xmin - center + 0.5) * ss);
      k[x] = w;
      ww += w;
    }
    for (let x = 0; x < ksize; x++) {
      let w = x < xmax ? k[x]! : 0;
      if (x < xmax && ww !== 0) w /= ww;
      weights[xx * ksize + x] = w < 0 ? Math.trunc(-0.5 + w * ONE) : Math.trunc(0.5 + w * ONE);
    }
    // Taps whose fixed-point weight is 0 add nothing: drop them from both ends (at
    // upscaling, bicubic's support edge often yields one).
    let first = 0;
    let count = xmax;
    while (count > 1 && weights[xx * ksize + first] === 0) {
      first++;
      count--;
    }
    while (count > 1 && weights[xx * ksize + first + count - 1] === 0) count--;
    if (first > 0) weights.copyWithin(xx * ksize, xx * ksize + first, xx * ksize + first + count);
    bounds[2 * xx] = xmin + first;
    bounds[2 * xx + 1] = count;
  }
  return { inSize, outSize, ksize, bounds, weights };
}

const cache = new Map<string, AxisCoefficients>();

/** Pillow's per-axis resampling table for an input of `inSize` pixels onto `outSize`. */
export function axisCoefficients(inSize: number, outSize: number, filter: ResampleFilter): AxisCoefficients {
  const key = `${filter}:${inSize}:${outSize}`;
  let c = cache.get(key);
  if (c === undefined) {
    c = computeCoefficients(inSize, outSize, filter);
    if (cache.size > 4096) cache.clear(); // bounded: sizes come from a few image shapes
    cache.set(key, c);
  }
  return c;
}

/** Where a crop lives: `src[offset + (row * stride) + col * channels + c]`. */
export interface CropSource {
  src: Uint8Array;
  offset: number;
  /** Elements per source row (image width * channels). */
  stride: number;
  top: number;
  left: number;
  height: number;
  width: number;
}

function clip8(ss: number): number {
  // Pillow: arithmetic shift by the precision (the sum fits in int32, as in Pillow), then
  // clamp to 0..255.
  const v = ss >> PRECISION_BITS;
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

let rowAcc = new Int32Array(0);

/**
 * Resizes a crop to outH x outW into `dst` (tightly packed HWC). `tmp` must hold
 * crop.height * outW * channels bytes (the horizontal pass's result).
 */
export function resizeCrop(crop: CropSource, channels: number, outH: number, outW: number, filter: ResampleFilter, dst: Uint8Array, tmp: Uint8Array): void {
  const { src, offset, stride, top, left, height, width } = crop;
  const C = channels;
  const needH = width !== outW;
  const needV = height !== outH;
  // Source of the vertical pass: either the crop itself or the horizontal pass's output.
  let vSrc = src;
  let vOffset = offset + top * stride + left * C;
  let vStride = stride;
  if (needH) {
    const cx = axisCoefficients(width, outW, filter);
    const { ksize, bounds, weights } = cx;
    const rowLen = outW * C;
    for (let y = 0; y < height; y++) {
      const rowBase = offset + (top + y) * stride + left * C;
      const outBase = y * rowLen;
      for (let xx = 0; xx < outW; xx++) {
        const xmin = bounds[2 * xx]!;
        const xcount = bounds[2 * xx + 1]!;
        const kBase = xx * ksize;
        let p = rowBase + xmin * C;
        if (C === 3) {
          let s0 = HALF,
            s1 = HALF,
            s2 = HALF;
          for (let x = 0; x < xcount; x++, p += 3) {
            const w = weights[kBase + x]!;
            s0 += src[p]! * w;
            s1 += src[p + 1]! * w;
            s2 += src[p + 2]! * w;
          }
          const o = outBase + xx * 3;
          tmp[o] = clip8(s0);
          tmp[o + 1] = clip8(s1);
          tmp[o + 2] = clip8(s2);
        } else {
          let s0 = HALF;
          for (let x = 0; x < xcount; x++, p++) s0 += src[p]! * weights[kBase + x]!;
          tmp[outBase + xx] = clip8(s0);
        }
      }
    }
    vSrc = tmp;
    vOffset = 0;
    vStride = rowLen;
  }
  const rowLen = outW * C;
  if (!needV) {
    // Only the rows' copy is left (or nothing at all when the crop already has the size).
    for (let y = 0; y < outH; y++) {
      const from = vOffset + y * vStride;
      dst.set(vSrc.subarray(from, from + rowLen), y * rowLen);
    }
    return;
  }
  const cy = axisCoefficients(height, outH, filter);
  const { ksize, bounds, weights } = cy;
  // Whole rows at a time: each output row is a weighted sum of a few source rows, read
  // contiguously; the common tap counts are unrolled so the sum stays in a register.
  for (let yy = 0; yy < outH; yy++) {
    const ymin = bounds[2 * yy]!;
    const ycount = bounds[2 * yy + 1]!;
    const kBase = yy * ksize;
    const outBase = yy * rowLen;
    const p0 = vOffset + ymin * vStride;
    if (ycount === 4) {
      const w0 = weights[kBase]!,
        w1 = weights[kBase + 1]!,
        w2 = weights[kBase + 2]!,
        w3 = weights[kBase + 3]!;
      const p1 = p0 + vStride,
        p2 = p1 + vStride,
        p3 = p2 + vStride;
      for (let i = 0; i < rowLen; i++) {
        dst[outBase + i] = clip8(HALF + vSrc[p0 + i]! * w0 + vSrc[p1 + i]! * w1 + vSrc[p2 + i]! * w2 + vSrc[p3 + i]! * w3);
      }
    } else if (ycount === 5) {
      const w0 = weights[kBase]!,
        w1 = weights[kBase + 1]!,
        w2 = weights[kBase + 2]!,
        w3 = weights[kBase + 3]!,
        w4 = weights[kBase + 4]!;
      const p1 = p0 + vStride,
        p2 = p1 + vStride,
        p3 = p2 + vStride,
        p4 = p3 + vStride;
      for (let i = 0; i < rowLen; i++) {
        dst[outBase + i] = clip8(HALF + vSrc[p0 + i]! * w0 + vSrc[p1 + i]! * w1 + vSrc[p2 + i]! * w2 + vSrc[p3 + i]! * w3 + vSrc[p4 + i]! * w4);
      }
    } else {
      if (rowAcc.length < rowLen) rowAcc = new Int32Array(rowLen);
      const acc = rowAcc;
      acc.fill(HALF, 0, rowLen);
      for (let y = 0; y < ycount; y++) {
        const w = weights[kBase + y]!;
        const p = p0 + y * vStride;
        for (let i = 0; i < rowLen; i++) acc[i] = acc[i]! + vSrc[p + i]! * w;
      }
      for (let i = 0; i < rowLen; i++) dst[outBase + i] = clip8(acc[i]!);
    }
  }
}
