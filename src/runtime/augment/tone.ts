// Solarization and Equalization as solo-learn applies them to PIL images
// (ImageOps.solarize with threshold 128, ImageOps.equalize), in place on uint8 HWC.

/** ImageOps.solarize: every value >= threshold is inverted (255 - v). */
export function solarize(img: Uint8Array, length: number, threshold: number): void {
  for (let i = 0; i < length; i++) {
    const v = img[i]!;
    if (v >= threshold) img[i] = 255 - v;
  }
}

const histogram = new Int32Array(256);
const lut = new Uint8Array(256);

/**
 * ImageOps.equalize, per channel: step = (count - count of the last non-empty bin) // 255;
 * a channel with one non-empty bin, or step 0, is left alone; otherwise
 * lut[i] = (step // 2 + count of values below i) // step.
 */
export function equalize(img: Uint8Array, pixels: number, channels: number): void {
  for (let c = 0; c < channels; c++) {
    histogram.fill(0);
    const end = pixels * channels;
    for (let p = c; p < end; p += channels) histogram[img[p]!]!++;
    let nonEmpty = 0;
    let lastCount = 0;
    for (let i = 0; i < 256; i++) {
      const h = histogram[i]!;
      if (h > 0) {
        nonEmpty++;
        lastCount = h;
      }
    }
    if (nonEmpty <= 1) continue;
    const step = Math.floor((pixels - lastCount) / 255);
    if (step === 0) continue;
    let n = Math.floor(step / 2);
    for (let i = 0; i < 256; i++) {
      lut[i] = Math.min(255, Math.floor(n / step));
      n += histogram[i]!;
    }
    for (let p = c; p < end; p += channels) img[p] = lut[img[p]!]!;
  }
}
