// Colour ops on one uint8 HWC image in place, bit for bit as the PIL code paths that
// torchvision's ColorJitter and RandomGrayscale take for PIL images:
// - Image.blend(degenerate, image, factor) computes in C floats,
//   out = trunc(a + factor * (b - a)), clamped to 0..255 (ImageEnhance.*);
// - grayscale is Pillow's "L" conversion, L = (19595 R + 38470 G + 7471 B + 2^15) >> 16,
//   the fixed-point form of R*299/1000 + G*587/1000 + B*114/1000 with rounding;
// - hue goes RGB -> HSV (8-bit) -> add round-toward-zero(hue * 255) mod 256 -> RGB
//   (torchvision's adjust_hue on PIL, through Pillow's Convert.c).
// On one channel, saturation, hue and grayscale change nothing (as in torchvision).

const f32 = Math.fround;

/** Pillow's ITU-R 601 luma of one RGB pixel. */
export function luma(r: number, g: number, b: number): number {
  return (r * 19595 + g * 38470 + b * 7471 + 0x8000) >>> 16;
}

/** One value of Image.blend(a, b, alpha), alpha already a float32. */
export function blendValue(a: number, b: number, alpha: number): number {
  const t = f32(a + f32(alpha * (b - a)));
  return t <= 0 ? 0 : t >= 255 ? 255 : Math.trunc(t);
}

/** 256-entry table of blend(constant, v, factor) for every v. */
function blendTable(constant: number, factor: number, lut: Uint8Array): Uint8Array {
  const alpha = f32(factor);
  for (let v = 0; v < 256; v++) lut[v] = blendValue(constant, v, alpha);
  return lut;
}

function applyTable(img: Uint8Array, length: number, lut: Uint8Array): void {
  for (let i = 0; i < length; i++) img[i] = lut[img[i]!]!;
}

const scratchLut = new Uint8Array(256);

/** ImageEnhance.Brightness: blend with black. */
export function adjustBrightness(img: Uint8Array, pixels: number, channels: number, factor: number): void {
  applyTable(img, pixels * channels, blendTable(0, factor, scratchLut));
}

/** The mean PIL's ImageEnhance.Contrast blends with: int(mean(L) + 0.5). */
export function contrastMean(img: Uint8Array, pixels: number, channels: number): number {
  let sum = 0;
  if (channels === 3) {
    for (let i = 0, p = 0; i < pixels; i++, p += 3) sum += luma(img[p]!, img[p + 1]!, img[p + 2]!);
  } else {
    for (let i = 0; i < pixels; i++) sum += img[i]!;
  }
  return Math.trunc(sum / pixels + 0.5);
}

/** ImageEnhance.Contrast: blend with the grey level of the image's mean luma. */
export function adjustContrast(img: Uint8Array, pixels: number, channels: number, factor: number): void {
  const mean = contrastMean(img, pixels, channels);
  applyTable(img, pixels * channels, blendTable(mean, factor, scratchLut));
}

/** ImageEnhance.Color: blend each pixel with its own luma. */
export function adjustSaturation(img: Uint8Array, pixels: number, channels: number, factor: number): void {
  if (channels !== 3) return;
  const alpha = f32(factor);
  // Storing trunc(t) into a Uint8ClampedArray clamps to 0..255 without a branch; for
  // every t that equals blendValue's t <= 0 ? 0 : t >= 255 ? 255 : trunc(t). Noisy
  // images make those branches unpredictable.
  const out = new Uint8ClampedArray(img.buffer, img.byteOffset, pixels * 3);
  for (let i = 0, p = 0; i < pixels; i++, p += 3) {
    const r = img[p]!,
      g = img[p + 1]!,
      b = img[p + 2]!;
    const l = luma(r, g, b);
    out[p] = Math.trunc(f32(l + f32(alpha * (r - l))));
    out[p + 1] = Math.trunc(f32(l + f32(alpha * (g - l))));
    out[p + 2] = Math.trunc(f32(l + f32(alpha * (b - l))));
  }
}

/** The 8-bit hue shift torchvision adds: np.uint8(hue_factor * 255), wrapping. */
export function hueShift(hueFactor: number): number {
  return ((Math.trunc(hueFactor * 255) % 256) + 256) % 256;
}

function clip8(v: number): number {
  return v <= 0 ? 0 : v >= 255 ? 255 : v;
}

// Convert.c's HSV arithmetic, tabulated so that a pixel costs lookups instead of float
// divisions. Every entry is computed with the C expression it replaces, so results are
// identical (test/augment/parity.test.ts checks them against Pillow).
//
// rgb2hsv: hue depends only on which channel is the max, which is the min, the distance
// d = max - (the third channel), and cr = max - min: six cases, as in
//   r max, b min: h = 1 - gc      r max, g min: h = bc - 1
//   g max, b min: h = 2 + rc - 1  g max, r min: h = 2 + 1 - bc
//   b max, r min: h = 4 + gc - 1  b max, g min: h = 4 + 1 - rc
// where xc = (max - x) / cr as a C float. Saturation depends on (cr, max).
// hsv2rgb: fs and f come from 256-entry tables.

export interface HsvTables {
  /** [(case * 256 + d) * 256 + cr] = 8-bit hue. */
  hue: Uint8Array;
  /** [cr * 256 + max] = 8-bit saturation. */
  sat: Uint8Array;
  /** [s] = (float)(s / 255.0); [h] = (float)(h * 6.0 / 255.0 - sector). */
  fs: Float64Array;
  frac: Float64Array;
  /** [h] = sector 0..5. */
  sector: Uint8Array;
}

let hsv: HsvTables | null = null;

/** The HSV tables (built once; shared with the WebAssembly kernel, ../wasm.ts). */
export function hsvTables(): HsvTables {
  hsv ??= buildHsvTables();
  return hsv;
}

function buildHsvTables(): HsvTables {
  const hue = new Uint8Array(6 * 256 * 256);
  const sat = new Uint8Array(256 * 256);
  for (let cr = 1; cr < 256; cr++) {
    for (let d = 0; d <= cr; d++) {
      const xc = f32(d / cr); // (float)(max - x) / cr for the third channel
      const hs = [f32(1 - xc), f32(xc - 1), f32(2.0 + xc - 1), f32(2.0 + 1 - xc), f32(4.0 + xc - 1), f32(4.0 + 1 - xc)];
      for (let k = 0; k < 6; k++) {
        const h = f32((hs[k]! / 6.0 + 1.0) % 1.0);
        hue[(k * 256 + d) * 256 + cr] = clip8(Math.trunc(h * 255.0));
      }
    }
    for (let maxc = cr; maxc < 256; maxc++) sat[cr * 256 + maxc] = clip8(Math.trunc(f32(cr / maxc) * 255.0));
  }
  const fs = new Float64Array(256);
  const frac = new Float64Array(256);
  const sector = new Uint8Array(256);
  for (let h = 0; h < 256; h++) {
    const i = Math.floor((h * 6.0) / 255.0);
    sector[h] = i % 6;
    frac[h] = f32((h * 6.0) / 255.0 - i);
    fs[h] = f32(h / 255.0);
  }
  return { hue, sat, fs, frac, sector };
}

/**
 * torchvision adjust_hue on a PIL RGB image: Pillow's RGB -> HSV, the 8-bit hue shift
 * (wrapping), HSV -> RGB, bit for bit.
 */
export function adjustHue(img: Uint8Array, pixels: number, channels: number, hueFactor: number): void {
  if (channels !== 3) return;
  const shift = hueShift(hueFactor);
  const { hue, sat, fs: fsOf, frac, sector } = hsvTables();
  const vals = hueScratch;
  // Branch-free where the data decides (noise makes branches unpredictable): max/min by
  // sign masks, the hue case from the three comparisons, the output order from a table.
  for (let i = 0, p = 0; i < pixels; i++, p += 3) {
    const r = img[p]!,
      g = img[p + 1]!,
      b = img[p + 2]!;
    const rg = r - g,
      rb = r - b,
      gb = g - b;
    const code = ((~rg >>> 31) << 2) | ((~rb >>> 31) << 1) | (~gb >>> 31); // r>=g, r>=b, g>=b
    const mrg = r - (rg & (rg >> 31)); // max(r, g)
    const nrg = g + (rg & (rg >> 31)); // min(r, g)
    const maxc = mrg - ((mrg - b) & ((mrg - b) >> 31));
    const minc = nrg + ((b - nrg) & ((b - nrg) >> 31));
    const cr = maxc - minc;
    if (cr === 0) continue; // grey: s = 0, every hue maps back to the pixel
    const us = sat[cr * 256 + maxc]!;
    if (us === 0) {
      // hsv2rgb with s = 0 returns (v, v, v) whatever the hue.
      img[p] = maxc;
      img[p + 1] = maxc;
      img[p + 2] = maxc;
      continue;
    }
    const d = 2 * maxc + minc - r - g - b; // max - (the third channel)
    const hh = (hue[(HUE_CASE[code]! * 256 + d) * 256 + cr]! + shift) & 255;
    const fs = fsOf[us]!;
    const f = frac[hh]!;
    // Products are >= 0, so C's round() (half away from zero) is Math.round here.
    vals[0] = maxc;
    vals[1] = Math.round(maxc * (1.0 - fs));
    vals[2] = Math.round(maxc * (1.0 - f32(fs * f))); // float * float stays float in C
    vals[3] = Math.round(maxc * (1.0 - fs * (1.0 - f)));
    const o = sector[hh]! * 3;
    img[p] = vals[SECTOR_ORDER[o]!]!;
    img[p + 1] = vals[SECTOR_ORDER[o + 1]!]!;
    img[p + 2] = vals[SECTOR_ORDER[o + 2]!]!;
  }
}

const hueScratch = new Int32Array(4);
/**
 * Hue case (see above) by (r >= g) << 2 | (r >= b) << 1 | (g >= b), following the order
 * of Convert.c's tests (r is the max if it ties, then g). Codes 2 and 5 cannot happen.
 */
export const HUE_CASE = new Uint8Array([4, 3, 0, 2, 5, 0, 1, 0]);
/** hsv2rgb's output per sector, as indices into [v, p, q, t]. */
export const SECTOR_ORDER = new Uint8Array([0, 3, 1, 2, 0, 1, 1, 0, 3, 1, 2, 0, 3, 1, 0, 0, 1, 2]);

/** RandomGrayscale on RGB: luma replicated to the three channels. */
export function toGrayscale(img: Uint8Array, pixels: number, channels: number): void {
  if (channels !== 3) return;
  for (let i = 0, p = 0; i < pixels; i++, p += 3) {
    const l = luma(img[p]!, img[p + 1]!, img[p + 2]!);
    img[p] = l;
    img[p + 1] = l;
    img[p + 2] = l;
  }
}
