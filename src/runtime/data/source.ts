// One interface over every kind of image source, so the sampler, the trainer and the
// data checks never care about file formats. Batches are NHWC uint8 RGB with Int32
// labels, -1 for unlabelled (generated) images. An npz's labels are checked when it
// opens: in 0..classes-1 (or -1) for a source declaring `classes`, as CIFAR's are.

import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { DataSourceIR, SourceFormat, SourceOrigin } from "../../ir/types.js";
import { DataError, fsError } from "../../formats/data-error.js";
import { CifarReader } from "./cifar.js";
import { MnistReader } from "./mnist.js";
import { NpzReader } from "./npz.js";
import { defaultCacheDir } from "./cache.js";
import { convertFolderToNpz, listImages } from "./folder.js";
import { ensureDir } from "../../util/fs-errors.js";
import { dataPath } from "../../formats/data-path.js";
import { filePhase } from "./phases.js";

export interface ImageBatch {
  /** NHWC uint8, RGB. */
  images: Uint8Array;
  /** -1 = unlabelled. */
  labels: Int32Array;
}

export interface ImageSource {
  readonly name: string;
  readonly format: SourceFormat;
  readonly origin: SourceOrigin;
  readonly count: number;
  /** [H, W, C]. */
  readonly shape: [number, number, number];
  readonly classes: number | null;
  readBatch(indices: ArrayLike<number>): ImageBatch;
  close(): void;
}

export interface OpenSourceOptions {
  /** Relative source paths are resolved against this. */
  cwd: string;
  cacheDir?: string;
  /** Progress of one-time work (inflating a deflated npz, converting a folder). */
  onProgress?: (task: string, done: number, total: number) => void;
  /**
   * Labels outside 0..classes-1 (and -1) are a DataError by default; given this, they are
   * passed here instead and the source opens (`data check` reports them and goes on).
   */
  onLabelProblem?: (problem: DataError) => void;
}

interface Reader {
  count: number;
  shape: [number, number, number];
  readBatch(indices: ArrayLike<number>): ImageBatch;
  close(): void;
}

/** Open a source declared in the IR. Async because some need one-time cache work. */
export async function openSource(src: DataSourceIR, options: OpenSourceOptions): Promise<ImageSource> {
  const where = src.path === null ? null : dataPath(options.cwd, src.path);
  const needPath = (): string => {
    if (where === null) throw new DataError(src.name, `source '${src.name}' (${src.format}) needs a path`);
    return where;
  };
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  let reader: Reader;
  let classes: number | null = src.classes;
  switch (src.format) {
    case "cifar10":
    case "cifar100": {
      const r = new CifarReader(src.format, needPath(), src.split ?? "train");
      classes = r.classes;
      reader = r;
      break;
    }
    case "mnist": {
      const r = new MnistReader(src.split);
      classes = r.classes;
      reader = r;
      break;
    }
    case "npz": {
      const r = await NpzReader.open(needPath(), {
        layout: src.layout,
        cacheDir,
        onProgress: (d, t) => options.onProgress?.(filePhase("inflating", `${src.path}`), d, t),
      });
      const problem = src.origin === "generated" || r.labels === null ? null : labelProblem(src.path ?? r.path, r.labels, src);
      if (problem !== null) {
        if (!options.onLabelProblem) {
          r.close();
          throw problem;
        }
        options.onLabelProblem(problem);
      }
      reader = npzReader(r);
      break;
    }
    case "folder": {
      const npz = await folderCache(needPath(), cacheDir, options);
      reader = npzReader(await NpzReader.open(npz, { layout: "nhwc", cacheDir }));
      break;
    }
  }
  const generated = src.origin === "generated";
  const swap = src.channelOrder === "bgr" && reader.shape[2] === 3;
  return {
    name: src.name,
    format: src.format,
    origin: src.origin,
    count: reader.count,
    shape: reader.shape,
    classes: generated ? null : classes,
    readBatch(indices) {
      const batch = reader.readBatch(indices);
      if (swap) swapRedBlue(batch.images);
      if (generated) batch.labels.fill(-1);
      return batch;
    },
    close: () => reader.close(),
  };
}

/**
 * Labels of the images a source uses (its first `size`) that no class of it can be:
 * below -1 (-1 alone means unlabelled), or `classes` and above when it declares them.
 * Such a label would be dropped as unlabelled, or fail (or skew) the figures.
 */
function labelProblem(file: string, labels: Int32Array, src: Pick<DataSourceIR, "classes" | "size">): DataError | null {
  const used = Math.min(labels.length, src.size ?? labels.length);
  const top = src.classes ?? Infinity;
  let first = -1;
  let bad = 0;
  let [min, max] = [Infinity, -Infinity];
  for (let i = 0; i < used; i++) {
    const l = labels[i]!;
    if (l >= -1 && l < top) continue;
    if (first < 0) first = i;
    bad++;
    if (l < min) min = l;
    if (l > max) max = l;
  }
  if (first < 0) return null;
  const allowed = src.classes === null ? "0 or more" : `0..${src.classes - 1} (classes = ${src.classes})`;
  const range = min === max ? `${min}` : `${min}..${max}`;
  const l = labels[first]!;
  return new DataError(
    file,
    `image ${first} has label ${l}, expected ${allowed} or -1 for unlabelled; ${bad.toLocaleString("en-US")} of the ${used.toLocaleString("en-US")} images used have such labels (${range}): ` +
      (src.classes !== null && min >= 0 ? "fix the labels, or declare the classes the file has" : "fix the labels (-1 marks an unlabelled image)"),
  );
}

function npzReader(r: NpzReader): Reader {
  return {
    count: r.count,
    shape: r.shape,
    readBatch: (indices) => ({ images: r.readImages(indices), labels: r.readLabels(indices) }),
    close: () => r.close(),
  };
}

/** Swap channels 0 and 2 of an NHWC batch with 3 channels, in place. */
export function swapRedBlue(images: Uint8Array): void {
  for (let i = 0; i + 2 < images.length; i += 3) {
    const r = images[i]!;
    images[i] = images[i + 2]!;
    images[i + 2] = r;
  }
}

/**
 * An image folder is read through an npz conversion kept in the cache, keyed by the
 * folder's listing (relative paths, sizes, mtimes): random access by positioned reads
 * and constant memory, at the price of one conversion and the disk space it takes.
 */
async function folderCache(folder: string, cacheDir: string, options: OpenSourceOptions): Promise<string> {
  const files = listImages(folder);
  if (files.length === 0) throw new DataError(folder, "no PNG, JPEG or WebP images found");
  const hash = crypto.createHash("sha256").update(path.resolve(folder));
  for (const f of files) {
    const st = fs.statSync(f);
    hash.update(`\0${path.relative(folder, f)}\0${st.size}\0${st.mtimeMs}`);
  }
  const target = path.join(cacheDir, "folders", `${hash.digest("hex").slice(0, 32)}.npz`);
  if (fs.existsSync(target)) return target;
  try {
    ensureDir(path.dirname(target));
  } catch (e) {
    throw fsError(cacheDir, e);
  }
  await convertFolderToNpz(folder, target, { onProgress: (d, t) => options.onProgress?.(filePhase("converting", folder), d, t) });
  return target;
}
