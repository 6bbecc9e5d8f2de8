// RandomResizedCrop's box sampling, exactly as torchvision's
// `RandomResizedCrop.get_params`: up to 10 tries of (area fraction ~ U(scale),
// aspect ratio log-uniform in ratio), sides rounded with Python's round (half to even);
// a try is kept when the box fits, then its top and left are drawn uniformly. After 10
// misses: the centre crop, clamped to the ratio range.

import type { Rng } from "../rng.js";

export interface CropBox {
  top: number;
  left: number;
  height: number;
  width: number;
  /** True when the 10 tries all missed and the centre-crop fallback was taken. */
  fallback: boolean;
}

/** Python 3's round(): to the nearest integer, ties to even. */
export function pyRound(x: number): number {
  const r = Math.round(x);
  // Math.round rounds ties up; a tie rounded to an odd number goes back down.
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Draws one crop box. Random draws, in order: per try, the area fraction then the log
 * aspect ratio; for the accepted try, the top then the left offset. The fallback draws
 * nothing more.
 */
export function sampleCropBox(rng: Rng, height: number, width: number, scale: readonly [number, number], ratio: readonly [number, number]): CropBox {
  const area = height * width;
  const logLo = Math.log(ratio[0]);
  const logHi = Math.log(ratio[1]);
  for (let attempt = 0; attempt < 10; attempt++) {
    const targetArea = area * rng.uniform(scale[0], scale[1]);
    const aspect = Math.exp(rng.uniform(logLo, logHi));
    const w = pyRound(Math.sqrt(targetArea * aspect));
    const h = pyRound(Math.sqrt(targetArea / aspect));
    if (w > 0 && w <= width && h > 0 && h <= height) {
      const top = rng.int(height - h + 1);
      const left = rng.int(width - w + 1);
      return { top, left, height: h, width: w, fallback: false };
    }
  }
  const inRatio = width / height;
  const minRatio = Math.min(ratio[0], ratio[1]);
  const maxRatio = Math.max(ratio[0], ratio[1]);
  let w = width;
  let h = height;
  if (inRatio < minRatio) {
    h = pyRound(w / minRatio);
  } else if (inRatio > maxRatio) {
    w = pyRound(h * maxRatio);
  }
  return { top: Math.floor((height - h) / 2), left: Math.floor((width - w) / 2), height: h, width: w, fallback: true };
}
