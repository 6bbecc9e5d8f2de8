// The unit of work of the augmentation runtime: a batch of 8-bit images, NHWC, as the
// data layer hands it over. Pixels stay uint8 through every op (as PIL keeps them), so a
// view is computed exactly as the reference computes it, and only the final
// ToTensor + Normalize step produces floats.

export interface ImageBatch {
  /** Pixels, NHWC, length n * height * width * channels. */
  data: Uint8Array;
  n: number;
  height: number;
  width: number;
  /** 3 (RGB) or 1 (grayscale, e.g. MNIST). */
  channels: number;
}

/** Throws a RangeError that says what is wrong with a batch's shape. */
export function checkBatch(batch: ImageBatch): void {
  const { n, height, width, channels, data } = batch;
  for (const [name, v] of [
    ["n", n],
    ["height", height],
    ["width", width],
  ] as const) {
    if (!Number.isInteger(v) || v < 0) throw new RangeError(`image batch: ${name} must be a non-negative integer, got ${v}`);
  }
  if (channels !== 1 && channels !== 3) {
    throw new RangeError(`image batch: channels must be 1 or 3, got ${channels}`);
  }
  const expected = n * height * width * channels;
  if (data.length !== expected) {
    throw new RangeError(`image batch: ${data.length} bytes for shape [${n}, ${height}, ${width}, ${channels}] (expected ${expected})`);
  }
}
