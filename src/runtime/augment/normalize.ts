// ToTensor + Normalize as torch computes them in float32: x = v / 255, then
// (x - mean) / std, each step rounded to float32. A uint8 input has 256 values per
// channel, so the whole step is a lookup table, exact and cheap.

const f32 = Math.fround;

/**
 * Table of 256 * channels float32 values: table[c * 256 + v]. Without mean/std this is
 * ToTensor alone (v / 255). A single mean/std value applies to every channel.
 */
export function normalizeTable(channels: number, mean?: readonly number[], std?: readonly number[]): Float32Array {
  const table = new Float32Array(256 * channels);
  for (let c = 0; c < channels; c++) {
    const m = mean === undefined ? 0 : pick(mean, c, channels, "mean");
    const s = std === undefined ? 1 : pick(std, c, channels, "std");
    if (!(s !== 0 && Number.isFinite(s))) throw new RangeError(`normalize: std must be non-zero, got ${s}`);
    const fm = f32(m);
    const fs = f32(s);
    for (let v = 0; v < 256; v++) table[c * 256 + v] = f32(f32(f32(v / 255) - fm) / fs);
  }
  return table;
}

/** A view's ToTensor/Normalize: the table, and the float32 mean/std per channel it holds. */
export interface Normalization {
  channels: number;
  /** 256 * channels float32 values (normalizeTable). */
  table: Float32Array;
  /** Per channel, rounded to float32 (0 and 1 for ToTensor alone). */
  mean: Float32Array;
  std: Float32Array;
}

export function normalization(channels: number, mean?: readonly number[], std?: readonly number[]): Normalization {
  const table = normalizeTable(channels, mean, std);
  const m = new Float32Array(channels);
  const s = new Float32Array(channels).fill(1);
  for (let c = 0; c < channels; c++) {
    if (mean !== undefined) m[c] = pick(mean, c, channels, "mean");
    if (std !== undefined) s[c] = pick(std, c, channels, "std");
  }
  return { channels, table, mean: m, std: s };
}

function pick(values: readonly number[], c: number, channels: number, what: string): number {
  if (values.length === channels) return values[c]!;
  if (values.length === 1) return values[0]!;
  throw new RangeError(`normalize: ${values.length} ${what} values for ${channels} channel(s)`);
}

/**
 * Writes one HWC uint8 image as float32 through the normalisation's table into
 * out[offset...], reading columns right to left when `mirrored`.
 */
export function writeNormalized(
  img: Uint8Array,
  height: number,
  width: number,
  channels: number,
  norm: Normalization,
  mirrored: boolean,
  out: Float32Array,
  offset: number,
): void {
  const table = norm.table;
  // Copy float bits as int32: no float32 -> float64 -> float32 round trip per value.
  const bits = new Int32Array(table.buffer, table.byteOffset, table.length);
  const dst = new Int32Array(out.buffer, out.byteOffset, out.length);
  let o = offset;
  const row = width * channels;
  if (channels === 3) {
    for (let y = 0; y < height; y++) {
      const start = y * row;
      if (!mirrored) {
        for (let p = start, end = start + row; p < end; p += 3, o += 3) {
          dst[o] = bits[img[p]!]!;
          dst[o + 1] = bits[256 + img[p + 1]!]!;
          dst[o + 2] = bits[512 + img[p + 2]!]!;
        }
      } else {
        for (let p = start + row - 3; p >= start; p -= 3, o += 3) {
          dst[o] = bits[img[p]!]!;
          dst[o + 1] = bits[256 + img[p + 1]!]!;
          dst[o + 2] = bits[512 + img[p + 2]!]!;
        }
      }
    }
  } else {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const p = y * row + (mirrored ? width - 1 - x : x) * channels;
        for (let c = 0; c < channels; c++) dst[o++] = bits[c * 256 + img[p + c]!]!;
      }
    }
  }
}

/** Same as writeNormalized but keeps uint8 (for previews). */
export function writeUint8(img: Uint8Array, height: number, width: number, channels: number, mirrored: boolean, out: Uint8Array, offset: number): void {
  const row = width * channels;
  if (!mirrored) {
    out.set(img.subarray(0, height * row), offset);
    return;
  }
  let o = offset;
  for (let y = 0; y < height; y++) {
    for (let x = width - 1; x >= 0; x--) {
      const p = y * row + x * channels;
      for (let c = 0; c < channels; c++) out[o++] = img[p + c]!;
    }
  }
}
