// Image folders (PNG, JPEG, WebP; decoded by sharp, loaded lazily so `check` never
// pays for it) and `convertFolderToNpz`, our replacement for the reference converter.
// Unlike the reference (cv2.imread -> BGR), pixels are written in RGB order.
// Streaming: files are listed and counted first, the npz header is written with that
// count, then images are decoded a few at a time and appended, so memory does not
// depend on the number of images. An abort (Ctrl-C) removes the temporary file at once
// and stops before the next few images.

import fs from "node:fs";
import path from "node:path";
import type { Sharp } from "sharp";
import { DataError, fsError } from "../../formats/data-error.js";
import { NpzImageWriter } from "./npz-writer.js";
import { Interrupted } from "../abort.js";

export const IMAGE_EXTENSIONS = new Set([".png", ".jpg", ".jpeg", ".webp"]);

/**
 * The largest side `data convert --resize` takes. Four images are decoded at once, each
 * H*W*3 bytes plus libvips' working copies: 8192x8192 is 201 MB an image, about 1 GB at
 * once; 100000x100000 would be 30 GB an image, and libvips fails on every one with "out
 * of memory". Training images are far smaller (32 to 224 pixels a side).
 */
export const MAX_RESIZE_SIDE = 8192;

type SharpFactory = (input: string) => Sharp;
let sharpFactory: SharpFactory | null = null;
async function loadSharp(): Promise<SharpFactory> {
  if (!sharpFactory) sharpFactory = (await import("sharp")).default as unknown as SharpFactory;
  return sharpFactory;
}

/** Every image file under `dir`, recursively, in a stable (code-point) order of relative paths. */
export function listImages(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch (e) {
      throw fsError(d, e);
    }
    for (const e of entries) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.isFile() && IMAGE_EXTENSIONS.has(path.extname(e.name).toLowerCase())) out.push(full);
    }
  };
  walk(dir);
  const rel = (p: string): string => path.relative(dir, p);
  return out.sort((a, b) => (rel(a) < rel(b) ? -1 : rel(a) > rel(b) ? 1 : 0));
}

export interface DecodedImage {
  pixels: Uint8Array;
  shape: [number, number, number];
}

/** Decode one file to HWC uint8 RGB (alpha dropped, grey expanded, EXIF orientation applied). */
export async function decodeImage(file: string, resize?: [number, number]): Promise<DecodedImage> {
  const sharp = await loadSharp();
  try {
    let pipeline = sharp(file).rotate().removeAlpha().toColourspace("srgb");
    if (resize) pipeline = pipeline.resize(resize[1], resize[0], { fit: "fill", kernel: "cubic" });
    const { data, info } = await pipeline.raw({ depth: "uchar" }).toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new DataError(file, `decoded to ${info.channels} channels, expected 3`);
    return { pixels: new Uint8Array(data.buffer, data.byteOffset, data.length), shape: [info.height, info.width, 3] };
  } catch (e) {
    if (e instanceof DataError) throw e;
    // A file that cannot be opened (permissions, gone since the listing) is named with
    // that cause: sharp only says "unsupported image format".
    try {
      fs.closeSync(fs.openSync(file, "r"));
    } catch (fe) {
      throw fsError(file, fe);
    }
    const msg = e instanceof Error ? e.message : String(e);
    throw new DataError(file, `cannot decode image (${msg.split("\n")[0]})`);
  }
}

export interface ConvertOptions {
  /** Resize every image to [H, W] (bicubic); default: all images must share the first one's size. */
  resize?: [number, number];
  onProgress?: (done: number, total: number) => void;
  /** Images decoded at once (sharp runs them on libuv's thread pool). */
  concurrency?: number;
  forceZip64?: boolean;
  /** Aborting (Ctrl-C) removes the temporary file at once and stops before the next images: Interrupted is thrown. */
  signal?: AbortSignal;
}

export interface ConvertResult {
  count: number;
  shape: [number, number, number];
  out: string;
}

/** Convert every image under `folder` to an npz with `image` (N,H,W,3 uint8 RGB) and `label` (N int64, -1). */
export async function convertFolderToNpz(folder: string, out: string, options: ConvertOptions = {}): Promise<ConvertResult> {
  const files = listImages(folder);
  if (files.length === 0) throw new DataError(folder, "no PNG, JPEG or WebP images found");
  const first = await decodeImage(files[0]!, options.resize);
  if (options.signal?.aborted) throw new Interrupted();
  const shape = first.shape;
  const writer = NpzImageWriter.create(out, { count: files.length, shape, forceZip64: options.forceZip64 ?? false });
  const window = Math.max(1, options.concurrency ?? 4);
  const removeTemp = (): void => writer.abort();
  options.signal?.addEventListener("abort", removeTemp, { once: true });
  try {
    writer.append(first.pixels);
    options.onProgress?.(1, files.length);
    for (let i = 1; i < files.length; i += window) {
      const batch = files.slice(i, i + window);
      const decoded = await Promise.all(batch.map((f) => decodeImage(f, options.resize)));
      if (options.signal?.aborted) throw new Interrupted(); // the temporary file is gone already
      decoded.forEach((img, k) => {
        if (img.shape[0] !== shape[0] || img.shape[1] !== shape[1]) {
          throw new DataError(
            batch[k]!,
            `image is ${img.shape[0]}x${img.shape[1]} (HxW) but the first image is ${shape[0]}x${shape[1]}; convert the folder with \`adainfc data convert --resize HxW\` to give them one size`,
          );
        }
        writer.append(img.pixels);
      });
      options.onProgress?.(Math.min(files.length, i + window), files.length);
    }
    if (options.signal?.aborted) throw new Interrupted();
    writer.finish();
  } catch (e) {
    writer.abort();
    throw e;
  } finally {
    options.signal?.removeEventListener("abort", removeTemp);
  }
  return { count: files.length, shape, out };
}
