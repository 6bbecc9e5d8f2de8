// `adainfc data info <path>`: what a data path holds. The format is detected from the
// path: `mnist` names the embedded set, a zip file is an npz, a folder with CIFAR
// `.bin` files is CIFAR-10/100, any other folder an image folder.

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
import { readAt } from "../../formats/zip.js";

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
}

export interface DataInfoDetails extends DataInfo {
  path: string;
  sampled: number;
  channelStd: number[];
  layout: Layout | null;
  split: Split | null;
  /** Image folders only: the sample held images of different sizes. */
  mixedSizes: boolean;
}

export interface DataInfoOptions {
  cwd: string;
  split?: Split;
  layout?: Layout | "auto";
  cacheDir?: string;
  /** Images read for the channel means: default 10,000 (1,000 for image folders, which must be decoded). */
  maxSamples?: number;
  onProgress?: (done: number, total: number) => void;
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
  if (resolveCifarDir("cifar10", full)) return { format: "cifar10", path: full };
  if (resolveCifarDir("cifar100", full)) return { format: "cifar100", path: full };
  return { format: "folder", path: full };
}

export async function dataInfo(target: string, options: DataInfoOptions): Promise<DataInfoDetails> {
  const { format, path: full } = detectFormat(target, options.cwd);
  const max = options.maxSamples ?? (format === "folder" ? 1000 : 10_000);
  const base = { path: full, layout: null, split: null, mixedSizes: false } as const;
  switch (format) {
    case "mnist": {
      const r = new MnistReader(options.split ?? null);
      const s = channelStats(r, max);
      return {
        ...base,
        format,
        count: r.count,
        shape: r.shape,
        dtype: "uint8",
        labeled: r.count,
        unlabeled: 0,
        channelMeans: s.mean,
        channelStd: s.std,
        sampled: s.sampled,
        split: options.split ?? null,
      };
    }
    case "cifar10":
    case "cifar100": {
      const split = options.split ?? "train";
      const r = new CifarReader(format, full, split);
      try {
        const s = channelStats(r, max);
        // Every CIFAR record carries a label (checked against the class count as it is read).
        return {
          ...base,
          format,
          count: r.count,
          shape: r.shape,
          dtype: "uint8",
          labeled: r.count,
          unlabeled: 0,
          channelMeans: s.mean,
          channelStd: s.std,
          sampled: s.sampled,
          split,
        };
      } finally {
        r.close();
      }
    }
    case "npz": {
      const r = await NpzReader.open(full, {
        layout: options.layout ?? "auto",
        ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}),
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
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
        options.onProgress?.(i + 1, picks.length);
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
  const { format, count, shape, dtype, labeled, unlabeled, channelMeans } = info;
  return { format, count, shape, dtype, labeled, unlabeled, channelMeans };
}
