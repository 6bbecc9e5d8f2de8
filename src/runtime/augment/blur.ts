// GaussianBlur as the reference runs it: solo-learn calls PIL's
// ImageFilter.GaussianBlur(radius=sigma), and Pillow does not convolve with a Gaussian.
// It runs 3 passes of an extended box blur per axis (Gwosdek et al., "Theoretical
// foundations of Gaussian convolution by extended box filtering", 2011): a box of
// integer radius r plus fractional end taps, with the box radius chosen so that 3 passes
// have variance sigma^2. Edges repeat the border pixel, weights are 24-bit fixed point,
// every pass rounds to uint8, all horizontal passes come before the vertical ones.
// We reproduce that bit for bit (float32 arithmetic emulated with Math.fround), so the
// blur is Pillow's, not an ideal Gaussian: the difference between the two is a few grey
// levels at sharp edges, which is what the reference trains on.

const f32 = Math.fround;

/** Pillow's box radius (integer + fractional part) for a Gaussian of `sigma`, `passes` boxes. */
export function boxRadiusForSigma(sigma: number, passes = 3): number {
  const r = f32(sigma);
  const sigma2 = f32(f32(r * r) / passes);
  const L = f32(Math.sqrt(12.0 * sigma2 + 1.0));
  const l = f32(Math.floor((L - 1.0) / 2.0));
  let a = f32(f32(2 * l + 1) * f32(l * (l + 1) - f32(3 * sigma2)));
  a = f32(a / f32(6 * f32(sigma2 - (l + 1) * (l + 1))));
  return f32(l + a);
}

export interface BoxWeights {
  /** Integer radius r: the box covers [x - r, x + r]. */
  radius: number;
  /** 24-bit weight of each box tap. */
  ww: number;
  /** 24-bit weight of each of the two end taps x - r - 1 and x + r + 1. */
  fw: number;
}

export function boxWeights(floatRadius: number): BoxWeights {
  const radius = Math.trunc(floatRadius);
  const ww = Math.trunc(f32(16777216 / f32(f32(floatRadius * 2) + 1)));
  const fw = Math.floor((16777216 - (radius * 2 + 1) * ww) / 2);
  return { radius, ww, fw };
}

/** One output of a pass: box sum `sum`, end taps `left` + `right`. */
function rounded(sum: number, ends: number, ww: number, fw: number): number {
  return (Math.imul(sum, ww) + Math.imul(ends, fw) + 8388608) >>> 24;
}

let line = new Uint8Array(0);

/**
 * One horizontal box pass, src -> dst (HWC). Each row is first copied into a line padded
 * with r + 1 copies of its border pixel on each side (Pillow's edge rule), so that every
 * output reads its neighbours at fixed offsets (+-channels) with no bounds tests.
 * Radius 0 and 1 (sigma <= 2) get their own loops; larger radii keep a running sum.
 */
function horizontalPass(src: Uint8Array, dst: Uint8Array, height: number, width: number, channels: number, w: BoxWeights): void {
  const { radius: r, ww, fw } = w;
  const C = channels;
  const row = width * C;
  const pad = (r + 1) * C;
  if (line.length < row + 2 * pad) line = new Uint8Array(row + 2 * pad);
  const buf = line;
  for (let y = 0; y < height; y++) {
    const base = y * row;
    for (let c = 0; c < C; c++) {
      const first = src[base + c]!;
      const last = src[base + row - C + c]!;
      for (let k = 0; k <= r; k++) {
        buf[k * C + c] = first;
        buf[pad + row + k * C + c] = last;
      }
    }
    buf.set(src.subarray(base, base + row), pad);
    if (r === 0) {
      for (let i = 0, j = pad; i < row; i++, j++) {
        dst[base + i] = (Math.imul(buf[j]!, ww) + Math.imul(buf[j - C]! + buf[j + C]!, fw) + 8388608) >>> 24;
      }
    } else if (r === 1) {
      const C2 = 2 * C;
      for (let i = 0, j = pad; i < row; i++, j++) {
        dst[base + i] = (Math.imul(buf[j - C]! + buf[j]! + buf[j + C]!, ww) + Math.imul(buf[j - C2]! + buf[j + C2]!, fw) + 8388608) >>> 24;
      }
    } else {
      for (let c = 0; c < C; c++) {
        // Box sum of the taps x - r .. x + r, kept running along the line.
        let sum = 0;
        for (let k = -r - 1; k < r; k++) sum += buf[pad + c + k * C]!;
        for (let i = c, j = pad + c; i < row; i += C, j += C) {
          const left = buf[j - (r + 1) * C]!;
          sum += buf[j + r * C]! - left;
          dst[base + i] = rounded(sum, left + buf[j + (r + 1) * C]!, ww, fw);
        }
      }
    }
  }
}

/**
 * One vertical box pass, src -> dst: output row y combines whole source rows (clamped
 * row indices), so the inner loop runs contiguously over the row's values.
 */
function verticalPass(src: Uint8Array, dst: Uint8Array, height: number, rowLen: number, w: BoxWeights, acc: Int32Array): void {
  const { radius: r, ww, fw } = w;
  const rowAt = (k: number): number => (k < 0 ? 0 : k >= height ? height - 1 : k) * rowLen;
  for (let y = 0; y < height; y++) {
    const o = y * rowLen;
    const left = rowAt(y - r - 1);
    const right = rowAt(y + r + 1);
    if (r === 0) {
      for (let i = 0; i < rowLen; i++) dst[o + i] = (Math.imul(src[o + i]!, ww) + Math.imul(src[left + i]! + src[right + i]!, fw) + 8388608) >>> 24;
    } else if (r === 1) {
      const up = rowAt(y - 1);
      const down = rowAt(y + 1);
      for (let i = 0; i < rowLen; i++) {
        dst[o + i] = (Math.imul(src[up + i]! + src[o + i]! + src[down + i]!, ww) + Math.imul(src[left + i]! + src[right + i]!, fw) + 8388608) >>> 24;
      }
    } else {
      acc.fill(0, 0, rowLen);
      for (let k = y - r; k <= y + r; k++) {
        const rk = rowAt(k);
        for (let i = 0; i < rowLen; i++) acc[i] = acc[i]! + src[rk + i]!;
      }
      for (let i = 0; i < rowLen; i++) dst[o + i] = rounded(acc[i]!, src[left + i]! + src[right + i]!, ww, fw);
    }
  }
}

let scratch = new Uint8Array(0);
let rowAcc = new Int32Array(0);

/** PIL's GaussianBlur(radius = sigma) on an HWC uint8 image, in place. */
export function gaussianBlur(img: Uint8Array, height: number, width: number, channels: number, sigma: number): void {
  const w = boxWeights(boxRadiusForSigma(sigma, 3));
  const length = height * width * channels;
  if (scratch.length < length) scratch = new Uint8Array(length);
  if (rowAcc.length < width * channels) rowAcc = new Int32Array(width * channels);
  const tmp = scratch;
  // As Pillow: three row passes, then three column passes, each rounded to uint8;
  // ping-pong img -> tmp -> img -> tmp -> img -> tmp -> img.
  horizontalPass(img, tmp, height, width, channels, w);
  horizontalPass(tmp, img, height, width, channels, w);
  horizontalPass(img, tmp, height, width, channels, w);
  verticalPass(tmp, img, height, width * channels, w, rowAcc);
  verticalPass(img, tmp, height, width * channels, w, rowAcc);
  verticalPass(tmp, img, height, width * channels, w, rowAcc);
}
