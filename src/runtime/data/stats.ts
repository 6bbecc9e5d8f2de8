// Per-channel statistics (0..1 scale) over an evenly spaced sample of a source, for
// `data info` and the generated-vs-real comparison of `data check`.

import type { ImageBatch } from "./source.js";

export interface ChannelStats {
  mean: number[];
  std: number[];
  /** Images actually read. */
  sampled: number;
}

/** Indices 0..count-1 spread evenly, at most `max` of them. */
export function evenSample(count: number, max: number): Uint32Array {
  const n = Math.min(count, max);
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor((i * count) / n);
  return out;
}

export function channelStats(
  source: { count: number; shape: [number, number, number]; readBatch(indices: ArrayLike<number>): ImageBatch },
  maxSamples: number,
): ChannelStats {
  const channels = source.shape[2];
  const sum = new Float64Array(channels);
  const sumSq = new Float64Array(channels);
  const indices = evenSample(source.count, maxSamples);
  let pixels = 0;
  for (let i = 0; i < indices.length; i += 256) {
    const { images } = source.readBatch(indices.subarray(i, i + 256));
    for (let p = 0; p < images.length; p += channels) {
      for (let c = 0; c < channels; c++) {
        const v = images[p + c]!;
        sum[c]! += v;
        sumSq[c]! += v * v;
      }
    }
    pixels += images.length / channels;
  }
  const mean: number[] = [];
  const std: number[] = [];
  for (let c = 0; c < channels; c++) {
    const m = pixels ? sum[c]! / pixels : 0;
    mean.push(m / 255);
    std.push(pixels ? Math.sqrt(Math.max(0, sumSq[c]! / pixels - m * m)) / 255 : 0);
  }
  return { mean, std, sampled: indices.length };
}
