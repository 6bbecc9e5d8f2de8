// The npz data-set format as far as its headers go: the zip directory and the `.npy`
// headers of the `image` (and optional `label`) arrays, never the pixels. The one reader
// of npz headers for the compiler (resolve fills a source's size and shape from it), the
// linter (sizes the IR leaves open), `import` and the runtime's NpzReader, which reads
// the pixels after these checks. Plain Node (fs, zlib): no tfjs, nothing of the runtime.
// Where a pipeline's relative path points is data-path.ts's rule.

import fs from "node:fs";
import zlib from "node:zlib";
import { DataError } from "./data-error.js";
import { dataPath } from "./data-path.js";
import { npyHeaderLength, parseNpyHeader, type NpyHeader } from "./npy.js";
import { readAt, ZipArchive, type ZipEntry } from "./zip.js";

export type Layout = "nhwc" | "nchw";

export interface NpzMemberInfo {
  name: string;
  method: "stored" | "deflated";
  compressedSize: number;
  size: number;
}

export interface NpzInfo {
  path: string;
  count: number;
  /** Image shape [H, W, C] after layout resolution. */
  shape: [number, number, number];
  /** The `image` array's shape as stored. */
  arrayShape: number[];
  dtype: string;
  layout: Layout;
  fortranOrder: boolean;
  hasLabels: boolean;
  /** True when reading needs a one-time cache build (deflated or Fortran-order image). */
  needsCache: boolean;
  members: NpzMemberInfo[];
}

/** The arrays an npz data set holds: images, and optionally one integer label each. */
const IMAGE_MEMBER = "image.npy";
export const LABEL_MEMBER = "label.npy";

/** Header-only look at an npz: zip directory and `.npy` headers, no pixels. */
export function inspectNpz(path: string, options: { layout?: Layout | "auto" } = {}): NpzInfo {
  const zip = ZipArchive.open(path);
  try {
    const entry = imageEntry(zip);
    const header = memberHeader(zip, entry);
    const resolved = resolveImageShape(path, header.shape, options.layout ?? "auto");
    const labelEntry = zip.find(LABEL_MEMBER);
    if (labelEntry) checkLabelHeader(path, memberHeader(zip, labelEntry), resolved.count);
    return {
      path,
      count: resolved.count,
      shape: resolved.shape,
      arrayShape: header.shape,
      dtype: header.dtype.name,
      layout: resolved.layout,
      fortranOrder: header.fortranOrder,
      hasLabels: labelEntry !== undefined,
      needsCache: entry.method === 8 || header.fortranOrder,
      members: zip.entries.map((e) => ({
        name: e.name,
        method: e.method === 0 ? "stored" : "deflated",
        compressedSize: e.compressedSize,
        size: e.uncompressedSize,
      })),
    };
  } finally {
    zip.close();
  }
}

export function imageEntry(zip: ZipArchive): ZipEntry {
  const entry = zip.find(IMAGE_MEMBER);
  if (!entry) {
    const keys = zip.entries.map((e) => e.name.replace(/\.npy$/, "")).join(", ") || "none";
    throw new DataError(zip.path, `no 'image' array in this npz (arrays: ${keys})`);
  }
  return entry;
}

/** Read and validate a member's `.npy` header (inflating just its start when deflated). */
export function memberHeader(zip: ZipArchive, entry: ZipEntry): NpyHeader {
  const start = zip.dataOffset(entry);
  const label = `member ${entry.name}`;
  const prefix = (want: number): Buffer => {
    if (entry.method === 0) return readAt(zip.fd, Math.min(want, entry.uncompressedSize), start);
    // Inflate only the first compressed bytes; Z_SYNC_FLUSH accepts a cut-off stream.
    let compressed = Math.min(entry.compressedSize, 8192);
    for (;;) {
      let out: Buffer;
      try {
        out = zlib.inflateRawSync(readAt(zip.fd, compressed, start), { finishFlush: zlib.constants.Z_SYNC_FLUSH });
      } catch {
        throw new DataError(zip.path, `${label} is corrupt (bad deflate data)`);
      }
      if (out.length >= want || compressed >= entry.compressedSize) return out;
      compressed = Math.min(entry.compressedSize, compressed * 4);
    }
  };
  const head = prefix(4096);
  const total = npyHeaderLength(head);
  if (typeof total === "string") throw new DataError(zip.path, `${label}: ${total}`);
  const bytes = total <= head.length ? head : prefix(total);
  const header = parseNpyHeader(bytes);
  if (typeof header === "string") throw new DataError(zip.path, `${label}: ${header}`);
  const have = entry.uncompressedSize - header.dataOffset;
  if (have !== header.dataBytes) {
    const shape = `(${header.shape.join(", ")})`;
    throw new DataError(
      zip.path,
      have < header.dataBytes
        ? `${label} is truncated: shape ${shape} of ${header.dtype.name} needs ${header.dataBytes} bytes, the member holds ${Math.max(have, 0)}`
        : `${label} holds ${have} data bytes but shape ${shape} of ${header.dtype.name} needs ${header.dataBytes}`,
    );
  }
  return header;
}

export function resolveImageShape(path: string, shape: number[], layout: Layout | "auto"): { count: number; shape: [number, number, number]; layout: Layout } {
  // A set without images, or images without pixels, cannot be trained on or described.
  if (shape.length >= 3 && shape[0] === 0) throw new DataError(path, `holds no images (image array has shape (${shape.join(", ")}))`);
  if (shape.length >= 3 && shape.some((d) => d === 0)) {
    throw new DataError(path, `image array has shape (${shape.join(", ")}); every dimension must be at least 1`);
  }
  if (shape.length === 3) {
    const [n, h, w] = shape as [number, number, number];
    return { count: n, shape: [h, w, 1], layout: "nhwc" };
  }
  if (shape.length !== 4) {
    throw new DataError(path, `image array has shape (${shape.join(", ")}); expected (N, H, W, C), (N, C, H, W) or (N, H, W)`);
  }
  const [n, a, b, c] = shape as [number, number, number, number];
  let resolved: Layout = layout === "auto" ? "nhwc" : layout;
  if (layout === "auto" && ![1, 3, 4].includes(c) && [1, 3, 4].includes(a)) resolved = "nchw";
  return resolved === "nhwc" ? { count: n, shape: [a, b, c], layout: "nhwc" } : { count: n, shape: [b, c, a], layout: "nchw" };
}

export function checkLabelHeader(path: string, header: NpyHeader, count: number): void {
  if (header.dtype.kind !== "i" && header.dtype.kind !== "u") {
    throw new DataError(path, `label array has dtype ${header.dtype.name}; expected integers`);
  }
  const n = header.shape.reduce((a, b) => a * b, 1);
  const shapeOk = header.shape.length === 1 || (header.shape.length === 2 && header.shape[1] === 1);
  if (!shapeOk || n !== count || header.shape[0] !== count) {
    throw new DataError(path, `label array has shape (${header.shape.join(", ")}) but there are ${count} images`);
  }
}

/**
 * The header of the npz file a pipeline names (`path` as written in the pipeline,
 * resolved by data-path.ts's rule), or null when there is no file there. A file whose
 * headers describe no usable data set throws a DataError naming it.
 */
export function npzHeaderAt(projectDir: string, path: string, options: { layout?: Layout | "auto" } = {}): NpzInfo | null {
  const file = dataPath(projectDir, path);
  if (!fs.existsSync(file)) return null;
  return inspectNpz(file, options);
}
