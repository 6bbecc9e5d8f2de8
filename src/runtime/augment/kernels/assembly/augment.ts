// AssemblyScript source of the augmentation kernels (compiled to dist/wasm/augment.wasm
// by scripts/build-kernels.mjs). Each function is the WebAssembly twin of a TypeScript
// kernel in ../../ (resample.ts, blur.ts, color.ts, tone.ts, normalize.ts, flip.ts) and
// gives the same bytes: the TypeScript versions document the Pillow semantics and serve
// as the fallback and as the oracle of test/augment/kernels.test.ts.
//
// Why WebAssembly: at 32x32 the per-value work is a few integer operations, and V8's
// scalar typed-array loops cost ~1 ns per value on our machines; SIMD processes 16
// values per instruction where the arithmetic allows (the vertical resize pass and every
// blur pass), and the scalar kernels lose V8's bounds checks and deoptimisations.
//
// Memory is managed by the caller (../wasm.ts): every argument named like a buffer is a
// byte address in this module's memory. Nothing here allocates.

// ---------------------------------------------------------------------------- resize

const PRECISION_BITS: i32 = 22;
const HALF: i32 = 1 << (PRECISION_BITS - 1);

@inline function clip8(ss: i32): i32 {
  const v = ss >> PRECISION_BITS;
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

/**
 * Pillow's horizontal resampling pass: `height` rows of the crop starting at `src`
 * (row stride `stride` bytes) onto `outW` pixels per row at `dst` (tightly packed).
 * `bounds` holds (first tap, tap count) per output pixel, `weights` `ksize` taps each.
 */
export function resizeH(src: usize, stride: i32, height: i32, channels: i32, outW: i32, ksize: i32, bounds: usize, weights: usize, dst: usize): void {
  const rowLen = outW * channels;
  for (let y = 0; y < height; y++) {
    const row = src + <usize>(y * stride);
    const out = dst + <usize>(y * rowLen);
    for (let xx = 0; xx < outW; xx++) {
      const xmin = load<i32>(bounds + <usize>(8 * xx));
      const xcount = load<i32>(bounds + <usize>(8 * xx + 4));
      const k = weights + <usize>(4 * xx * ksize);
      let p = row + <usize>(xmin * channels);
      if (channels == 3) {
        let s0 = HALF, s1 = HALF, s2 = HALF;
        for (let x = 0; x < xcount; x++, p += 3) {
          const w = load<i32>(k + <usize>(4 * x));
          s0 += <i32>load<u8>(p) * w;
          s1 += <i32>load<u8>(p + 1) * w;
          s2 += <i32>load<u8>(p + 2) * w;
        }
        const o = out + <usize>(3 * xx);
        store<u8>(o, clip8(s0));
        store<u8>(o + 1, clip8(s1));
        store<u8>(o + 2, clip8(s2));
      } else {
        for (let c = 0; c < channels; c++) {
          let s = HALF;
          for (let x = 0; x < xcount; x++) s += <i32>load<u8>(p + <usize>(x * channels + c)) * load<i32>(k + <usize>(4 * x));
          store<u8>(out + <usize>(xx * channels + c), clip8(s));
        }
      }
    }
  }
}

/**
 * Pillow's vertical resampling pass: output row yy is the weighted sum of source rows
 * bounds[yy]... Each row is done 16 bytes at a time: widen to i32, multiply-add (i32
 * arithmetic wraps exactly as Pillow's int accumulators), shift, saturate to 0..255.
 */
export function resizeV(src: usize, stride: i32, outH: i32, rowLen: i32, ksize: i32, bounds: usize, weights: usize, dst: usize): void {
  const half = i32x4.splat(HALF);
  for (let yy = 0; yy < outH; yy++) {
    const ymin = load<i32>(bounds + <usize>(8 * yy));
    const ycount = load<i32>(bounds + <usize>(8 * yy + 4));
    const k = weights + <usize>(4 * yy * ksize);
    const first = src + <usize>(ymin * stride);
    const out = dst + <usize>(yy * rowLen);
    let i = 0;
    for (; i + 16 <= rowLen; i += 16) {
      let a0 = half, a1 = half, a2 = half, a3 = half;
      for (let y = 0; y < ycount; y++) {
        const w = i32x4.splat(load<i32>(k + <usize>(4 * y)));
        const v = v128.load(first + <usize>(y * stride + i));
        const lo = i16x8.extend_low_i8x16_u(v);
        const hi = i16x8.extend_high_i8x16_u(v);
        a0 = i32x4.add(a0, i32x4.mul(i32x4.extend_low_i16x8_u(lo), w));
        a1 = i32x4.add(a1, i32x4.mul(i32x4.extend_high_i16x8_u(lo), w));
        a2 = i32x4.add(a2, i32x4.mul(i32x4.extend_low_i16x8_u(hi), w));
        a3 = i32x4.add(a3, i32x4.mul(i32x4.extend_high_i16x8_u(hi), w));
      }
      // Arithmetic shift then signed saturation to i16 and unsigned to u8 = clip8.
      const s01 = i16x8.narrow_i32x4_s(i32x4.shr_s(a0, PRECISION_BITS), i32x4.shr_s(a1, PRECISION_BITS));
      const s23 = i16x8.narrow_i32x4_s(i32x4.shr_s(a2, PRECISION_BITS), i32x4.shr_s(a3, PRECISION_BITS));
      v128.store(out + <usize>i, i8x16.narrow_i16x8_u(s01, s23));
    }
    for (; i < rowLen; i++) {
      let s = HALF;
      for (let y = 0; y < ycount; y++) s += <i32>load<u8>(first + <usize>(y * stride + i)) * load<i32>(k + <usize>(4 * y));
      store<u8>(out + <usize>i, clip8(s));
    }
  }
}

// ------------------------------------------------------------------------------ blur

/** (sum * ww + ends * fw + 2^23) >>> 24 on four lanes (exact: the sum is < 2^32). */
@inline function boxRound(sum: v128, ends: v128, ww: v128, fw: v128): v128 {
  return i32x4.shr_u(i32x4.add(i32x4.add(i32x4.mul(sum, ww), i32x4.mul(ends, fw)), i32x4.splat(8388608)), 24);
}

/**
 * 16 outputs of a box pass from the u16 box sums and end-tap sums of 16 values (low and
 * high halves), stored as bytes at `out`.
 */
@inline function boxStore16(out: usize, sumLo: v128, sumHi: v128, endLo: v128, endHi: v128, ww: v128, fw: v128): void {
  const r0 = boxRound(i32x4.extend_low_i16x8_u(sumLo), i32x4.extend_low_i16x8_u(endLo), ww, fw);
  const r1 = boxRound(i32x4.extend_high_i16x8_u(sumLo), i32x4.extend_high_i16x8_u(endLo), ww, fw);
  const r2 = boxRound(i32x4.extend_low_i16x8_u(sumHi), i32x4.extend_low_i16x8_u(endHi), ww, fw);
  const r3 = boxRound(i32x4.extend_high_i16x8_u(sumHi), i32x4.extend_high_i16x8_u(endHi), ww, fw);
  v128.store(out, i8x16.narrow_i16x8_u(i16x8.narrow_i32x4_u(r0, r1), i16x8.narrow_i32x4_u(r2, r3)));
}

/**
 * One box pass along a line: out[i] for i in [0, count) from taps at src + i + k * step,
 * k in [-r, r] (box) and -r - 1, r + 1 (ends). The caller guarantees every tap is
 * readable (padding). 16 values per iteration while the u16 box sum cannot overflow
 * (r < 128); a scalar tail and a scalar path otherwise.
 */
function boxLine(src: usize, step: i32, count: i32, r: i32, ww: i32, fw: i32, dst: usize): void {
  let i = 0;
  if (r < 128) {
    const vww = i32x4.splat(ww);
    const vfw = i32x4.splat(fw);
    for (; i + 16 <= count; i += 16) {
      const p = src + <usize>i;
      let sumLo = i16x8.splat(0), sumHi = i16x8.splat(0);
      for (let k = -r; k <= r; k++) {
        const v = v128.load(p + <usize>(k * step));
        sumLo = i16x8.add(sumLo, i16x8.extend_low_i8x16_u(v));
        sumHi = i16x8.add(sumHi, i16x8.extend_high_i8x16_u(v));
      }
      const a = v128.load(p - <usize>((r + 1) * step));
      const b = v128.load(p + <usize>((r + 1) * step));
      const endLo = i16x8.add(i16x8.extend_low_i8x16_u(a), i16x8.extend_low_i8x16_u(b));
      const endHi = i16x8.add(i16x8.extend_high_i8x16_u(a), i16x8.extend_high_i8x16_u(b));
      boxStore16(dst + <usize>i, sumLo, sumHi, endLo, endHi, vww, vfw);
    }
  }
  for (; i < count; i++) {
    const p = src + <usize>i;
    let sum = 0;
    for (let k = -r; k <= r; k++) sum += <i32>load<u8>(p + <usize>(k * step));
    const ends = <i32>load<u8>(p - <usize>((r + 1) * step)) + <i32>load<u8>(p + <usize>((r + 1) * step));
    store<u8>(dst + <usize>i, <u32>(sum * ww + ends * fw + 8388608) >> 24);
  }
}

/**
 * Horizontal pass, src -> dst: each row copied into `line` with r + 1 border pixels
 * repeated on each side (Pillow's edge rule), then one box pass along it.
 */
function blurRows(src: usize, dst: usize, height: i32, width: i32, channels: i32, r: i32, ww: i32, fw: i32, line: usize): void {
  const row = width * channels;
  const pad = (r + 1) * channels;
  for (let y = 0; y < height; y++) {
    const base = src + <usize>(y * row);
    for (let c = 0; c < channels; c++) {
      const first = load<u8>(base + <usize>c);
      const last = load<u8>(base + <usize>(row - channels + c));
      for (let k = 0; k <= r; k++) {
        store<u8>(line + <usize>(k * channels + c), first);
        store<u8>(line + <usize>(pad + row + k * channels + c), last);
      }
    }
    memory.copy(line + <usize>pad, base, <usize>row);
    boxLine(line + <usize>pad, channels, row, r, ww, fw, dst + <usize>(y * row));
  }
}

/**
 * Vertical pass, src -> dst. Rows inside the image use the contiguous box pass; the
 * r + 1 rows at each end clamp their row indices (as Pillow) in a scalar loop.
 */
function blurColumns(src: usize, dst: usize, height: i32, rowLen: i32, r: i32, ww: i32, fw: i32): void {
  for (let y = 0; y < height; y++) {
    const out = dst + <usize>(y * rowLen);
    if (y - r - 1 >= 0 && y + r + 1 < height) {
      boxLine(src + <usize>(y * rowLen), rowLen, rowLen, r, ww, fw, out);
      continue;
    }
    for (let i = 0; i < rowLen; i++) {
      let sum = 0;
      for (let k = y - r; k <= y + r; k++) sum += <i32>load<u8>(src + <usize>(clampRow(k, height) * rowLen + i));
      const ends = <i32>load<u8>(src + <usize>(clampRow(y - r - 1, height) * rowLen + i)) + <i32>load<u8>(src + <usize>(clampRow(y + r + 1, height) * rowLen + i));
      store<u8>(out + <usize>i, <u32>(sum * ww + ends * fw + 8388608) >> 24);
    }
  }
}

@inline function clampRow(k: i32, height: i32): i32 {
  return k < 0 ? 0 : k >= height ? height - 1 : k;
}

/**
 * PIL's GaussianBlur in place: three row passes then three column passes of the
 * extended box (radius r, weights ww/fw from blur.ts's boxWeights), each rounded to u8.
 * `tmp` holds one image; `line` one padded row.
 */
export function gaussianBlur(img: usize, tmp: usize, line: usize, height: i32, width: i32, channels: i32, r: i32, ww: i32, fw: i32): void {
  blurRows(img, tmp, height, width, channels, r, ww, fw, line);
  blurRows(tmp, img, height, width, channels, r, ww, fw, line);
  blurRows(img, tmp, height, width, channels, r, ww, fw, line);
  const rowLen = width * channels;
  blurColumns(tmp, img, height, rowLen, r, ww, fw);
  blurColumns(img, tmp, height, rowLen, r, ww, fw);
  blurColumns(tmp, img, height, rowLen, r, ww, fw);
}

// ----------------------------------------------------------------------------- colour

@inline function luma(r: i32, g: i32, b: i32): i32 {
  return <i32>(<u32>(r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16);
}

/**
 * Image.blend(constant grey, image, alpha) on every byte: brightness (constant 0) and
 * contrast (the mean grey). 16 bytes per step in float32, as blendClamp.
 */
export function blendConstant(img: usize, length: i32, constant: f32, alpha: f32): void {
  const va = f32x4.splat(alpha);
  const vc = f32x4.splat(constant);
  let i = 0;
  for (; i + 16 <= length; i += 16) {
    const p = img + <usize>i;
    const v = v128.load(p);
    const lo = i16x8.extend_low_i8x16_u(v);
    const hi = i16x8.extend_high_i8x16_u(v);
    const a = blendInt4(vc, i32x4.extend_low_i16x8_u(lo), va);
    const b = blendInt4(vc, i32x4.extend_high_i16x8_u(lo), va);
    const c = blendInt4(vc, i32x4.extend_low_i16x8_u(hi), va);
    const d = blendInt4(vc, i32x4.extend_high_i16x8_u(hi), va);
    v128.store(p, i8x16.narrow_i16x8_u(i16x8.narrow_i32x4_s(a, b), i16x8.narrow_i32x4_s(c, d)));
  }
  for (; i < length; i++) {
    const p = img + <usize>i;
    store<u8>(p, blendClamp(constant, <i32>load<u8>(p), alpha));
  }
}

/** blendClamp on four lanes, as i32. */
@inline function blendInt4(l: v128, x: v128, alpha: v128): v128 {
  const t = f32x4.add(l, f32x4.mul(alpha, f32x4.sub(f32x4.convert_i32x4_s(x), l)));
  return i32x4.trunc_sat_f32x4_s(f32x4.pmin(f32x4.pmax(t, f32x4.splat(0)), f32x4.splat(255)));
}

/** ImageEnhance.Contrast's grey level: int(mean(L) + 0.5). */
export function contrastMean(img: usize, pixels: i32, channels: i32): i32 {
  let s: i64 = 0;
  if (channels == 3) {
    let acc = i32x4.splat(0); // < 2^31 per lane for images up to 2^23 pixels
    let i = 0;
    for (; 3 * i + 16 <= 3 * pixels; i += 4) {
      const v = v128.load(img + <usize>(3 * i));
      acc = i32x4.add(acc, luma4(i8x16.swizzle(v, R_OF_4), i8x16.swizzle(v, G_OF_4), i8x16.swizzle(v, B_OF_4)));
    }
    s = <i64>i32x4.extract_lane(acc, 0) + <i64>i32x4.extract_lane(acc, 1) + <i64>i32x4.extract_lane(acc, 2) + <i64>i32x4.extract_lane(acc, 3);
    for (; i < pixels; i++) {
      const p = img + <usize>(3 * i);
      s += <i64>luma(load<u8>(p), load<u8>(p + 1), load<u8>(p + 2));
    }
  } else {
    for (let i = 0; i < pixels; i++) s += <i64>load<u8>(img + <usize>i);
  }
  return <i32>Math.trunc(<f64>s / <f64>pixels + 0.5);
}

@inline function blendClamp(l: f32, x: i32, alpha: f32): i32 {
  const t = l + alpha * (<f32>x - l); // C float arithmetic, as Image.blend
  return t <= 0 ? 0 : t >= 255 ? 255 : <i32>t;
}

// Four RGB pixels (12 bytes) as three i32x4 of R, G and B: lanes 16+ of a swizzle are 0.
const R_OF_4 = i8x16(0, 16, 16, 16, 3, 16, 16, 16, 6, 16, 16, 16, 9, 16, 16, 16);
const G_OF_4 = i8x16(1, 16, 16, 16, 4, 16, 16, 16, 7, 16, 16, 16, 10, 16, 16, 16);
const B_OF_4 = i8x16(2, 16, 16, 16, 5, 16, 16, 16, 8, 16, 16, 16, 11, 16, 16, 16);

/** luma() of four pixels at once. */
@inline function luma4(r: v128, g: v128, b: v128): v128 {
  const s = i32x4.add(i32x4.add(i32x4.mul(r, i32x4.splat(19595)), i32x4.mul(g, i32x4.splat(38470))), i32x4.add(i32x4.mul(b, i32x4.splat(7471)), i32x4.splat(0x8000)));
  return i32x4.shr_u(s, 16);
}

/**
 * blendClamp on four lanes: the same float32 operations, clamped, truncated. The result
 * stays a float biased by 2^23, whose low byte is the integer (cheaper in V8 than
 * trunc_sat; pmin/pmax are single instructions and no lane is NaN).
 */
@inline function blend4(l: v128, x: v128, alpha: v128): v128 {
  const t = f32x4.add(l, f32x4.mul(alpha, f32x4.sub(f32x4.convert_i32x4_s(x), l)));
  const clamped = f32x4.pmin(f32x4.pmax(t, f32x4.splat(0)), f32x4.splat(255));
  return f32x4.add(f32x4.trunc(clamped), f32x4.splat(8388608));
}

/**
 * ImageEnhance.Color: blend each RGB pixel with its own luma, in float32. Four pixels
 * per step: deinterleave by swizzles, blend, pack the 12 bytes back.
 */
export function adjustSaturation(img: usize, pixels: i32, alpha: f32): void {
  const va = f32x4.splat(alpha);
  let i = 0;
  for (; 3 * i + 16 <= 3 * pixels; i += 4) {
    const p = img + <usize>(3 * i);
    const v = v128.load(p);
    const r = i8x16.swizzle(v, R_OF_4), g = i8x16.swizzle(v, G_OF_4), b = i8x16.swizzle(v, B_OF_4);
    const l = f32x4.convert_i32x4_s(luma4(r, g, b));
    // Each lane 0x4B0000xx: shifting drops the 0x4B byte of g and b; r's lands in byte 3.
    const packed = v128.or(v128.or(blend4(l, r, va), i32x4.shl(blend4(l, g, va), 8)), i32x4.shl(blend4(l, b, va), 16));
    // Store exactly 12 bytes: a 16-byte store would overlap the next group's load and
    // defeat store-to-load forwarding (a stall that cost 4x here).
    const out = i8x16.shuffle(packed, v, 0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, 28, 29, 30, 31);
    v128.store64_lane(p, out, 0);
    v128.store32_lane(p + 8, out, 2);
  }
  for (; i < pixels; i++) {
    const p = img + <usize>(3 * i);
    const r = <i32>load<u8>(p), g = <i32>load<u8>(p + 1), b = <i32>load<u8>(p + 2);
    const l = <f32>luma(r, g, b);
    store<u8>(p, blendClamp(l, r, alpha));
    store<u8>(p + 1, blendClamp(l, g, alpha));
    store<u8>(p + 2, blendClamp(l, b, alpha));
  }
}

/** Pillow's "L" conversion replicated to the three channels. */
export function toGrayscale(img: usize, pixels: i32): void {
  for (let i = 0; i < pixels; i++) {
    const p = img + <usize>(3 * i);
    const l = <u8>luma(load<u8>(p), load<u8>(p + 1), load<u8>(p + 2));
    store<u8>(p, l);
    store<u8>(p + 1, l);
    store<u8>(p + 2, l);
  }
}

/**
 * C's round() of the non-negative products below. floor(x + 0.5) equals it (and JS's
 * Math.round) for every value these products can take: checked exhaustively over all
 * (maxc, saturation, hue) triples; there are no exact ties either.
 */
@inline function roundHalfUp(x: f64): i32 {
  return <i32>Math.floor(x + 0.5);
}

/**
 * torchvision adjust_hue on a PIL image (color.ts's adjustHue, same tables): Pillow
 * RGB -> HSV, add `shift` to the 8-bit hue, HSV -> RGB. `tables` is laid out by
 * ../wasm.ts: hue [6*256*256] u8, sat [256*256] u8, fs [256] f64, frac [256] f64,
 * sector [256] u8, hue case [8] u8, sector order [18] u8.
 * Branch-free where the pixel decides (noise makes branches unpredictable): the four
 * candidate values v, p, q, t are packed into one i32 and each output channel shifts
 * its byte out, by the sector's order.
 */
export function adjustHue(img: usize, pixels: i32, shift: i32, tables: usize): void {
  const hue = tables;
  const sat = hue + 6 * 65536;
  const fsOf = sat + 65536;
  const frac = fsOf + 2048;
  const sector = frac + 2048;
  const hueCase = sector + 256;
  const order = hueCase + 8;
  for (let i = 0; i < pixels; i++) {
    const p = img + <usize>(3 * i);
    const r = <i32>load<u8>(p), g = <i32>load<u8>(p + 1), b = <i32>load<u8>(p + 2);
    const code = (<i32>(r >= g) << 2) | (<i32>(r >= b) << 1) | <i32>(g >= b);
    const maxc = max(max(r, g), b);
    const minc = min(min(r, g), b);
    const cr = maxc - minc;
    if (cr == 0) continue; // grey: s = 0, every hue maps back to the pixel
    const us = <i32>load<u8>(sat + <usize>(cr * 256 + maxc));
    if (us == 0) {
      // hsv2rgb with s = 0 returns (v, v, v) whatever the hue.
      store<u8>(p, <u8>maxc);
      store<u8>(p + 1, <u8>maxc);
      store<u8>(p + 2, <u8>maxc);
      continue;
    }
    const d = 2 * maxc + minc - r - g - b; // max - (the third channel)
    const hh = (<i32>load<u8>(hue + <usize>((<i32>load<u8>(hueCase + <usize>code) * 256 + d) * 256 + cr)) + shift) & 255;
    const fs = load<f64>(fsOf + <usize>(8 * us));
    const f = load<f64>(frac + <usize>(8 * hh));
    const m = <f64>maxc;
    const packed =
      maxc |
      (roundHalfUp(m * (1.0 - fs)) << 8) |
      (roundHalfUp(m * (1.0 - <f64>(<f32>fs * <f32>f))) << 16) | // float * float stays float in C
      (roundHalfUp(m * (1.0 - fs * (1.0 - f))) << 24);
    const o = order + <usize>(3 * <i32>load<u8>(sector + <usize>hh));
    store<u8>(p, <u8>(packed >>> (<i32>load<u8>(o) << 3)));
    store<u8>(p + 1, <u8>(packed >>> (<i32>load<u8>(o + 1) << 3)));
    store<u8>(p + 2, <u8>(packed >>> (<i32>load<u8>(o + 2) << 3)));
  }
}

// ------------------------------------------------------------------------------- tone

/** ImageOps.solarize: values >= threshold become 255 - v. */
export function solarize(img: usize, length: i32, threshold: i32): void {
  for (let i = 0; i < length; i++) {
    const p = img + <usize>i;
    const v = <i32>load<u8>(p);
    if (v >= threshold) store<u8>(p, <u8>(255 - v));
  }
}

/**
 * ImageOps.equalize per channel (tone.ts). `hist` is 256 i32 of scratch, `lut` 256 bytes.
 */
export function equalize(img: usize, pixels: i32, channels: i32, hist: usize, lut: usize): void {
  const end = pixels * channels;
  for (let c = 0; c < channels; c++) {
    memory.fill(hist, 0, 1024);
    for (let p = c; p < end; p += channels) {
      const h = hist + <usize>(4 * <i32>load<u8>(img + <usize>p));
      store<i32>(h, load<i32>(h) + 1);
    }
    let nonEmpty = 0;
    let lastCount = 0;
    for (let i = 0; i < 256; i++) {
      const h = load<i32>(hist + <usize>(4 * i));
      if (h > 0) {
        nonEmpty++;
        lastCount = h;
      }
    }
    if (nonEmpty <= 1) continue;
    const step = (pixels - lastCount) / 255;
    if (step == 0) continue;
    let n = step / 2;
    for (let i = 0; i < 256; i++) {
      store<u8>(lut + <usize>i, <u8>min(255, n / step));
      n += load<i32>(hist + <usize>(4 * i));
    }
    for (let p = c; p < end; p += channels) {
      const q = img + <usize>p;
      store<u8>(q, load<u8>(lut + <usize>load<u8>(q)));
    }
  }
}

// ------------------------------------------------------------------------ flip, output

/** Mirror columns in place (only needed before a second crop). */
export function flipHorizontal(img: usize, height: i32, width: i32, channels: i32): void {
  const row = width * channels;
  for (let y = 0; y < height; y++) {
    let a = img + <usize>(y * row);
    let b = a + <usize>(row - channels);
    while (a < b) {
      for (let c = 0; c < channels; c++) {
        const t = load<u8>(a + <usize>c);
        store<u8>(a + <usize>c, load<u8>(b + <usize>c));
        store<u8>(b + <usize>c, t);
      }
      a += <usize>channels;
      b -= <usize>channels;
    }
  }
}

/** ((v / 255) - mean) / std on four lanes of u8 values widened to i32, in float32. */
@inline function norm4(v: v128, mean: v128, std: v128): v128 {
  return f32x4.div(f32x4.sub(f32x4.div(f32x4.convert_i32x4_u(v), f32x4.splat(255)), mean), std);
}

/** 16 bytes at p -> 16 floats at o, the four groups of 4 with their channel patterns. */
@inline function norm16(p: usize, o: usize, m0: v128, s0: v128, m1: v128, s1: v128, m2: v128, s2: v128, m3: v128, s3: v128): void {
  const v = v128.load(p);
  const lo = i16x8.extend_low_i8x16_u(v);
  const hi = i16x8.extend_high_i8x16_u(v);
  v128.store(o, norm4(i32x4.extend_low_i16x8_u(lo), m0, s0));
  v128.store(o + 16, norm4(i32x4.extend_high_i16x8_u(lo), m1, s1));
  v128.store(o + 32, norm4(i32x4.extend_low_i16x8_u(hi), m2, s2));
  v128.store(o + 48, norm4(i32x4.extend_high_i16x8_u(hi), m3, s3));
}

/** Four float32 lanes a, b, c, d. */
@inline function lanes(a: f32, b: f32, c: f32, d: f32): v128 {
  return f32x4.replace_lane(f32x4.replace_lane(f32x4.replace_lane(f32x4.splat(a), 1, b), 2, c), 3, d);
}

/**
 * `count` values of a run that starts at channel 0: 48 at a time in SIMD (every 48
 * values the channel pattern repeats for 1 and 3 channels; vector k of a block starts
 * at channel 4k mod 3), the rest through the table.
 */
function normalizeRun(src: usize, count: i32, out: usize, table: usize, channels: i32, simd: bool, m0: f32, m1: f32, m2: f32, s0: f32, s1: f32, s2: f32): void {
  let i = 0;
  if (simd) {
    const mA = lanes(m0, m1, m2, m0), mB = lanes(m1, m2, m0, m1), mC = lanes(m2, m0, m1, m2);
    const sA = lanes(s0, s1, s2, s0), sB = lanes(s1, s2, s0, s1), sC = lanes(s2, s0, s1, s2);
    for (; i + 48 <= count; i += 48) {
      const p = src + <usize>i;
      const o = out + <usize>(4 * i);
      norm16(p, o, mA, sA, mB, sB, mC, sC, mA, sA);
      norm16(p + 16, o + 64, mB, sB, mC, sC, mA, sA, mB, sB);
      norm16(p + 32, o + 128, mC, sC, mA, sA, mB, sB, mC, sC);
    }
  }
  for (; i < count; i++) {
    const c = i % channels;
    store<i32>(out + <usize>(4 * i), load<i32>(table + <usize>(4 * (c * 256 + <i32>load<u8>(src + <usize>i)))));
  }
}

/**
 * ToTensor + Normalize (normalize.ts): float32 NHWC at `out`. With 1 or 3 channels the
 * arithmetic runs in SIMD (x / 255, - mean, / std: each a correctly rounded float32
 * operation, so equal to the table, which holds the same three roundings); otherwise,
 * and for the tail, through the 256-per-channel `table`. A mirrored image is reversed
 * row by row into `line` first.
 */
export function writeNormalized(img: usize, height: i32, width: i32, channels: i32, table: usize, mirrored: i32, out: usize, line: usize, m0: f32, m1: f32, m2: f32, s0: f32, s1: f32, s2: f32): void {
  const simd = channels == 3 || channels == 1;
  const row = width * channels;
  if (mirrored == 0) {
    normalizeRun(img, row * height, out, table, channels, simd, m0, m1, m2, s0, s1, s2);
    return;
  }
  for (let y = 0; y < height; y++) {
    const start = img + <usize>(y * row);
    for (let x = 0; x < width; x++) {
      const from = start + <usize>((width - 1 - x) * channels);
      const to = line + <usize>(x * channels);
      for (let c = 0; c < channels; c++) store<u8>(to + <usize>c, load<u8>(from + <usize>c));
    }
    normalizeRun(line, row, out + <usize>(4 * y * row), table, channels, simd, m0, m1, m2, s0, s1, s2);
  }
}

/** The address where the caller's memory may start (after this module's data). */
export function heapBase(): usize {
  return __heap_base;
}
