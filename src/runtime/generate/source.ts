// Which real images the generator is fitted on. A source is written like a path for
// `adainfc data info`, with an optional split suffix:
//
//   mnist            the embedded MNIST digits, train split (7,996 images)
//   mnist:test       its test split (2,004); mnist:all = all 10,000
//   data/cifar10     a CIFAR-10/100 binary folder, train split; data/cifar10:test
//   real.npz         an npz (no splits); an image folder (no splits)
//
// The default split is `train` on purpose: the test split is what a pipeline evaluates
// on, and a generator fitted on it would leak evaluation images into training.

import fs from "node:fs";
import path from "node:path";
import type { DataSourceIR, SourceFormat } from "../../ir/types.js";
import { detectFormat } from "../data/info.js";
import { NpzReader } from "../data/npz.js";
import type { Layout } from "../../formats/npz-header.js";
import { openSource } from "../data/source.js";
import { evenSample } from "../data/stats.js";
import { GenerateError } from "./errors.js";
import type { Matrix } from "./pca.js";

export type SplitChoice = "train" | "test" | "all";

export interface SourceSpec {
  /** The path part (or `mnist`). */
  target: string;
  /** null: the format has no splits. */
  split: SplitChoice | null;
}

const SPLIT_SUFFIX = /^(.*):(train|test|all)$/;

/** Split `mnist:test` into target and split. A path that exists as typed is never split, so a file named `a:test` still works. */
export function parseSourceSpec(spec: string, cwd: string): SourceSpec {
  const m = SPLIT_SUFFIX.exec(spec);
  if (m?.[1] && (m[1].toLowerCase() === "mnist" || !fs.existsSync(path.resolve(cwd, spec)))) {
    return { target: m[1], split: m[2] as SplitChoice };
  }
  if (/^mnist:/i.test(spec) && !fs.existsSync(path.resolve(cwd, spec))) {
    throw new GenerateError(`unknown split in '${spec}': use :train, :test or :all`, "usage");
  }
  return { target: spec, split: null };
}

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
  layout?: Layout | "auto";
  cacheDir?: string;
  onProgress?: (task: string, done: number, total: number) => void;
}

export async function openFitSource(spec: string, options: OpenFitSourceOptions): Promise<FitSource> {
  const { target, split } = parseSourceSpec(spec, options.cwd);
  const { format, path: full } = detectFormat(target, options.cwd);
  const hasSplits = format === "mnist" || format === "cifar10" || format === "cifar100";
  if (split !== null && !hasSplits) throw new GenerateError(`${target}: ${format} sources have no splits (drop ':${split}')`, "usage");
  const effective: SplitChoice | null = hasSplits ? (split ?? "train") : null;
  if (effective === "all" && format !== "mnist") throw new GenerateError(`${target}: ':all' is only for mnist; use :train or :test`, "usage");

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
 * Up to `max` images, evenly spaced over the source (so an MNIST split, stored class by
 * class, keeps its class balance), as a float64 matrix of raw 0..255 pixel values,
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
