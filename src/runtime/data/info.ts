// `adainfc data info <source>`: what a data source holds. The source is a spec as for
// `generate --from` (source-spec.ts: `mnist`, `mnist:test`, `data/cifar10:test`, a path).
// The format is detected from the path: `mnist` names the embedded set, a zip file is an
// npz, a folder with CIFAR `.bin` files is CIFAR-10/100, any other folder an image
// folder; anything else (a FIFO, a device) is refused before it is opened. Headers and
// a sample of images are read; checksums are not verified (that is `data check`'s work:
// it reads every byte).

import fs from "node:fs";
import path from "node:path";
import type { SourceFormat } from "../../ir/types.js";
import { DataError, fsError } from "../../formats/data-error.js";
import { CifarReader, resolveCifarDir, type Split } from "./cifar.js";
import { MnistReader } from "./mnist.js";
import { NpzReader } from "./npz.js";
import type { Layout } from "../../formats/npz-header.js";
import { decodeImage, listImages } from "./folder.js";
import { channelStats, evenSample } from "./stats.js";
import { readAt, specialKind } from "../../formats/zip.js";
import { RuntimeProblem } from "../errors.js";
import { checkSplit, parseSourceSpec } from "./source-spec.js";

/** The JSON that `data info --json` prints: exactly these keys. */
export interface DataInfo {
  format: SourceFormat;
  count: number;
  /** [H, W, C]. */
  shape: [number, number, number];
  dtype: string;
  labeled: number;
  unlabeled: number;
  /** Per-channel means on the 0..1 scale, over a sample (see `sampled`). */
  channelMeans: number[];
  /** Image folders only: the sample held images of different sizes (`shape` is then the first image's). */
  mixedSizes: boolean;
}

export interface DataInfoDetails extends DataInfo {
  path: string;
  sampled: number;
  channelStd: number[];
  layout: Layout | null;
  split: Split | null;
}

export interface DataInfoOptions {
  cwd: string;
  split?: Split;
  layout?: Layout | "auto";
  cacheDir?: string;
  /** Images read for the channel means: default 10,000 (1,000 for image folders, which must be decoded). */
  maxSamples?: number;
  /** `reading`: bytes of a one-time npz cache build; `decoding`: images of a folder's sample. */
  onProgress?: (task: "reading" | "decoding", done: number, total: number) => void;
}

export function detectFormat(target: string, cwd: string): { format: SourceFormat; path: string } {
  if (target.toLowerCase() === "mnist") return { format: "mnist", path: "mnist" };
  const full = path.resolve(cwd, target);
  let st: fs.Stats;
  try {
    st = fs.statSync(full);
  } catch (e) {
    throw fsError(target, e);
  }
  if (st.isFile()) {
    const fd = fs.openSync(full, "r");
    const magic = readAt(fd, 4, 0);
    fs.closeSync(fd);
    if (magic.length === 4 && magic[0] === 0x50 && magic[1] === 0x4b) return { format: "npz", path: full };
    throw new DataError(
      target,
      full.endsWith(".npz") ? "not a zip/npz archive" : "not a data file (expected an .npz archive, a CIFAR folder, an image folder or `mnist`)",
    );
  }
  if (!st.isDirectory()) {
    throw new DataError(target, `not a regular file or folder (${specialKind(st)}): expected an .npz archive, a CIFAR folder or an image folder`);
  }
  if (resolveCifarDir("cifar10", full)) return { format: "cifar10", path: full };
  if (resolveCifarDir("cifar100", full)) return { format: "cifar100", path: full };
  return { format: "folder", path: full };
}

/** What a fully labelled uint8 set (MNIST, CIFAR) reports beyond its format and split. */
function labeledSetInfo(r: { count: number; shape: [number, number, number] }, s: ReturnType<typeof channelStats>) {
  return {
    count: r.count,
    shape: r.shape,
    dtype: "uint8" as const,
    labeled: r.count,
    unlabeled: 0,
    channelMeans: s.mean,
    channelStd: s.std,
    sampled: s.sampled,
  };
}

/**
 * What a source spec holds. A split comes from the spec's suffix or from `options.split`
 * (both: they must agree); without one, MNIST means all 10,000 digits and CIFAR its
 * train split.
 */
export async function dataInfo(spec: string, options: DataInfoOptions): Promise<DataInfoDetails> {
  const { target, split: named } = parseSourceSpec(spec, options.cwd);
  if (named !== null && options.split !== undefined && named !== options.split) {
    throw new RuntimeProblem(`${spec} names the ${named} split but --split says ${options.split}: give one of them`, "usage");
  }
  const { format, path: full } = detectFormat(target, options.cwd);
  checkSplit(target, format, named);
  if (named === null && options.split !== undefined) checkSplit(target, format, options.split, `--split ${options.split}`);
  const asked: Split | null = named === "all" ? null : (named ?? options.split ?? null);
  const max = options.maxSamples ?? (format === "folder" ? 1000 : 10_000);
  const base = { path: full, layout: null, split: null, mixedSizes: false } as const;
  switch (format) {
    case "mnist": {
      const r = new MnistReader(asked);
      return { ...base, ...labeledSetInfo(r, channelStats(r, max)), format, split: asked };
    }
    case "cifar10":
    case "cifar100": {
      const split = asked ?? "train";
      const r = new CifarReader(format, full, split);
      try {
        // Every CIFAR record carries a label (checked against the class count as it is read).
        return { ...base, ...labeledSetInfo(r, channelStats(r, max)), format, split };
      } finally {
        r.close();
      }
    }
    case "npz": {
      const r = await NpzReader.open(full, {
        layout: options.layout ?? "auto",
        ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}),
        ...(options.onProgress ? { onProgress: (d: number, t: number) => options.onProgress?.("reading", d, t) } : {}),
      });
      try {
        const s = channelStats({ count: r.count, shape: r.shape, readBatch: (i) => ({ images: r.readImages(i), labels: r.readLabels(i) }) }, max);
        let labeled = 0;
        if (r.labels) for (const l of r.labels) if (l >= 0) labeled++;
        return {
          ...base,
          format,
          count: r.count,
          shape: r.shape,
          dtype: r.dtype.name,
          labeled,
          unlabeled: r.count - labeled,
          channelMeans: s.mean,
          channelStd: s.std,
          sampled: s.sampled,
          layout: r.layout,
        };
      } finally {
        r.close();
      }
    }
    case "folder": {
      const files = listImages(full);
      if (files.length === 0) throw new DataError(target, "no PNG, JPEG or WebP images found (and not a CIFAR folder)");
      const picks = evenSample(files.length, max);
      const sum = [0, 0, 0];
      const sumSq = [0, 0, 0];
      let pixels = 0;
      let shape: [number, number, number] | null = null;
      let mixedSizes = false;
      for (let i = 0; i < picks.length; i++) {
        const img = await decodeImage(files[picks[i]!]!);
        if (!shape) shape = img.shape;
        else if (img.shape[0] !== shape[0] || img.shape[1] !== shape[1]) mixedSizes = true;
        for (let p = 0; p < img.pixels.length; p += 3) {
          for (let c = 0; c < 3; c++) {
            const v = img.pixels[p + c]!;
            sum[c]! += v;
            sumSq[c]! += v * v;
          }
        }
        pixels += img.pixels.length / 3;
        options.onProgress?.("decoding", i + 1, picks.length);
      }
      const mean = sum.map((s) => s / pixels / 255);
      const std = sum.map((s, c) => Math.sqrt(Math.max(0, sumSq[c]! / pixels - (s / pixels) ** 2)) / 255);
      return {
        ...base,
        format,
        count: files.length,
        shape: shape!,
        dtype: "uint8",
        labeled: 0,
        unlabeled: files.length,
        channelMeans: mean,
        channelStd: std,
        sampled: picks.length,
        mixedSizes,
      };
    }
  }
}

/** The public JSON of `data info --json`. */
export function infoJson(info: DataInfo): DataInfo {
  const { format, count, shape, dtype, labeled, unlabeled, channelMeans, mixedSizes } = info;
  return { format, count, shape, dtype, labeled, unlabeled, channelMeans, mixedSizes };
}
