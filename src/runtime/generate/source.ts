// Which real images the generator is fitted on, named by a source spec
// (src/runtime/data/source-spec.ts: `mnist`, `mnist:test`, `data/cifar10:test`, an npz,
// an image folder). Without a split suffix, MNIST and CIFAR mean their train split, on
// purpose: the test split is what a pipeline evaluates on, and a generator fitted on it
// would leak evaluation images into training. `first` keeps only the first N images, as
// a pipeline's `size = N` does, so a stand-in set is fitted on exactly the real images
// the pipeline trains on.

import type { DataSourceIR, SourceFormat } from "../../ir/types.js";
import { detectFormat } from "../data/info.js";
import { NpzReader } from "../data/npz.js";
import type { Layout } from "../../formats/npz-header.js";
import { openSource } from "../data/source.js";
import { evenSample } from "../data/stats.js";
import { checkSplit, hasSplits, parseSourceSpec, type SplitChoice } from "../data/source-spec.js";
import type { Matrix } from "./pca.js";
import { GenerateError } from "./errors.js";

export { parseSourceSpec, type SourceSpec, type SplitChoice } from "../data/source-spec.js";

export interface FitSource {
  format: SourceFormat;
  /** Absolute path, or `mnist`. */
  path: string;
  split: SplitChoice | null;
  count: number;
  /** [H, W, C]. */
  shape: [number, number, number];
  readImages(indices: ArrayLike<number>): Uint8Array;
  close(): void;
}

export interface OpenFitSourceOptions {
  cwd: string;
  /** Only the first N images of the source (a pipeline's `size = N`): an error when it holds fewer. */
  first?: number;
  layout?: Layout | "auto";
  cacheDir?: string;
  onProgress?: (task: string, done: number, total: number) => void;
}

export async function openFitSource(spec: string, options: OpenFitSourceOptions): Promise<FitSource> {
  const source = await openWholeSource(spec, options);
  const first = options.first;
  if (first === undefined) return source;
  if (first > source.count) {
    source.close();
    throw new GenerateError(`--first ${first.toLocaleString("en-US")}: ${spec} holds only ${source.count.toLocaleString("en-US")} images`);
  }
  return { ...source, count: first };
}

async function openWholeSource(spec: string, options: OpenFitSourceOptions): Promise<FitSource> {
  const { target, split } = parseSourceSpec(spec, options.cwd);
  const { format, path: full } = detectFormat(target, options.cwd);
  checkSplit(target, format, split);
  const effective: SplitChoice | null = hasSplits(format) ? (split ?? "train") : null;

  if (format === "npz") {
    const r = await NpzReader.open(full, {
      layout: options.layout ?? "auto",
      ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}),
      onProgress: (d, t) => options.onProgress?.("inflating", d, t),
    });
    return { format, path: full, split: null, count: r.count, shape: r.shape, readImages: (i) => r.readImages(i), close: () => r.close() };
  }
  const ir: DataSourceIR = {
    name: "real",
    format,
    path: format === "mnist" ? null : full,
    split: effective === "all" ? null : effective,
    origin: "real",
    size: null,
    shape: [0, 0, 0], // not read by openSource; the reader reports the real shape
    classes: null,
    layout: "nhwc",
    channelOrder: null,
    fid: null,
    standIn: false,
    mean: [],
    std: [],
  };
  const s = await openSource(ir, {
    cwd: options.cwd,
    ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  return { format, path: full, split: effective, count: s.count, shape: s.shape, readImages: (i) => s.readBatch(i).images, close: () => s.close() };
}

/**
 * Up to `max` images, evenly spaced over the source (over its first N with `first`), as
 * a float64 matrix of raw 0..255 pixel values,
 * one flattened HWC image per row.
 */
export function readFitMatrix(source: FitSource, max: number, onProgress?: (done: number, total: number) => void): { matrix: Matrix; indices: Uint32Array } {
  const indices = evenSample(source.count, max);
  const [h, w, c] = source.shape;
  const d = h * w * c;
  const data = new Float64Array(indices.length * d);
  for (let i = 0; i < indices.length; i += 512) {
    const images = source.readImages(indices.subarray(i, i + 512));
    for (let p = 0; p < images.length; p++) data[i * d + p] = images[p]!;
    onProgress?.(Math.min(indices.length, i + 512), indices.length);
  }
  return { matrix: { rows: indices.length, cols: d, data }, indices };
}
