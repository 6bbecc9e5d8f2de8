// Random access to the `image` (and optional `label`) arrays of an npz archive,
// without loading them: each image is one positioned read at a computed offset.
// Stored, C-order members are read in place; deflated members are inflated once into
// a cache file and Fortran-order arrays transposed once into one (see cache.ts).
// inspectNpz() reads only the zip directory and the `.npy` headers.

import fs from "node:fs";
import zlib from "node:zlib";
import { DataError, fsError } from "./errors.js";
import { elementReader, integerMax, type Dtype } from "./dtype.js";
import { npyHeaderLength, parseNpyHeader, type NpyHeader } from "./npy.js";
import { readAt, ZipArchive, type ZipEntry } from "./zip.js";
import { cacheFilePath, cacheIsValid, defaultCacheDir, inflateMemberTo, transposeFortranTo } from "./cache.js";

export type Layout = "nhwc" | "nchw";

/**
 * How non-uint8 pixel values become uint8 (see docs/data.md, "float -> uint8"):
 * - `unit`:   v in [0,1]   -> round(v * 255)
 * - `signed`: v in [-1,1]  -> round((v + 1) * 127.5)
 * - `byte`:   v in [0,255] -> round(v)
 * - `wide`:   an integer image wider than 8 bits -> round(v * 255 / max of the dtype)
 * `auto` picks one from the minimum and maximum of a sample of images; float values up
 * to 1.5 count as `unit` (or `signed` below 0) with the overshoot clamped (a generator's
 * outputs often pass 1 a little), and floats that fit no convention (e.g. already
 * normalised data, -2.1 .. 2.6) are refused rather than guessed.
 * Results are clamped to [0, 255]. A NaN or infinite float value is an error (DataError
 * naming the image), never a silent 0.
 */
export type ValueRange = "auto" | "unit" | "signed" | "byte" | "wide";

/** Float pixels up to this are 0..1 (or -1..1) data with some overshoot, clamped. */
export const UNIT_OVERSHOOT = 1.5;

export interface NpzOpenOptions {
  /** Array layout; `auto` guesses from the shape (NHWC when the last axis has 1, 3 or 4 entries). */
  layout?: Layout | "auto";
  valueRange?: ValueRange;
  cacheDir?: string;
  /** Progress of a one-time cache build (bytes). */
  onProgress?: (done: number, total: number) => void;
}

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

const IMAGE_MEMBER = "image.npy";
const LABEL_MEMBER = "label.npy";

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

function imageEntry(zip: ZipArchive): ZipEntry {
  const entry = zip.find(IMAGE_MEMBER);
  if (!entry) {
    const keys = zip.entries.map((e) => e.name.replace(/\.npy$/, "")).join(", ") || "none";
    throw new DataError(zip.path, `no 'image' array in this npz (arrays: ${keys})`);
  }
  return entry;
}

/** Read and validate a member's `.npy` header (inflating just its start when deflated). */
function memberHeader(zip: ZipArchive, entry: ZipEntry): NpyHeader {
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

function resolveImageShape(
  path: string,
  shape: number[],
  layout: Layout | "auto",
): { count: number; shape: [number, number, number]; layout: Layout } {
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

function checkLabelHeader(path: string, header: NpyHeader, count: number): void {
  if (header.dtype.kind !== "i" && header.dtype.kind !== "u") {
    throw new DataError(path, `label array has dtype ${header.dtype.name}; expected integers`);
  }
  const n = header.shape.reduce((a, b) => a * b, 1);
  const shapeOk = header.shape.length === 1 || (header.shape.length === 2 && header.shape[1] === 1);
  if (!shapeOk || n !== count || header.shape[0] !== count) {
    throw new DataError(path, `label array has shape (${header.shape.join(", ")}) but there are ${count} images`);
  }
}

/** Where an array's C-order data can be read: an open file and the offset of element 0. */
interface DataLocation {
  fd: number;
  start: number;
  ownsFd: boolean;
}

export class NpzReader {
  readonly count: number;
  readonly shape: [number, number, number];
  readonly layout: Layout;
  readonly dtype: Dtype;
  /** Every label (-1 = unlabelled); null when the archive has no `label` array. */
  readonly labels: Int32Array | null;
  /** The conversion chosen for non-uint8 data. */
  readonly valueRange: Exclude<ValueRange, "auto">;
  private readonly recordElements: number;
  private readonly recordBytes: number;
  private readonly fast: boolean;
  private readonly scratch: Buffer;
  private readonly chwToHwc: Uint32Array | null;
  private closed = false;

  private constructor(
    readonly path: string,
    private readonly zip: ZipArchive,
    private readonly image: DataLocation,
    header: NpyHeader,
    resolved: { count: number; shape: [number, number, number]; layout: Layout },
    labels: Int32Array | null,
    valueRange: ValueRange,
  ) {
    this.count = resolved.count;
    this.shape = resolved.shape;
    this.layout = resolved.layout;
    this.dtype = header.dtype;
    this.labels = labels;
    const [h, w, c] = this.shape;
    this.recordElements = h * w * c;
    this.recordBytes = this.recordElements * this.dtype.itemSize;
    this.scratch = Buffer.allocUnsafe(this.recordBytes);
    const byteData = this.dtype.itemSize === 1 && this.dtype.kind === "u";
    this.fast = byteData && this.layout === "nhwc";
    this.chwToHwc = this.layout === "nchw" && c > 1 ? chwPermutation(h, w, c) : null;
    this.valueRange = byteData || this.dtype.kind === "b" ? "byte" : valueRange === "auto" ? this.guessRange() : valueRange;
  }

  static async open(path: string, options: NpzOpenOptions = {}): Promise<NpzReader> {
    const zip = ZipArchive.open(path);
    let image: DataLocation | null = null;
    try {
      const entry = imageEntry(zip);
      const header = memberHeader(zip, entry);
      const resolved = resolveImageShape(path, header.shape, options.layout ?? "auto");
      image = await locateData(zip, entry, header, options);
      const labels = readLabels(zip, resolved.count);
      return new NpzReader(path, zip, image, header, resolved, labels, options.valueRange ?? "auto");
    } catch (e) {
      if (image?.ownsFd) fs.closeSync(image.fd);
      zip.close();
      throw fsError(path, e);
    }
  }

  /** Images at `indices` as one NHWC uint8 batch. */
  readImages(indices: ArrayLike<number>, out?: Uint8Array): Uint8Array {
    if (this.closed) throw new Error(`NpzReader: ${this.path} is closed`);
    const rec = this.recordElements;
    const batch = out ?? new Uint8Array(indices.length * rec);
    const view = new DataView(this.scratch.buffer, this.scratch.byteOffset, this.recordBytes);
    const read = elementReader(this.dtype);
    const map = this.valueMap();
    for (let b = 0; b < indices.length; b++) {
      const index = indices[b]!;
      if (!Number.isInteger(index) || index < 0 || index >= this.count) {
        throw new RangeError(`${this.path}: image index ${index} out of range [0, ${this.count})`);
      }
      const position = this.image.start + index * this.recordBytes;
      if (this.fast) {
        this.readExact(batch, b * rec, this.recordBytes, position);
        continue;
      }
      this.readExact(this.scratch, 0, this.recordBytes, position);
      const base = b * rec;
      const perm = this.chwToHwc;
      if (this.dtype.kind === "f") {
        for (let e = 0; e < rec; e++) {
          const v = read(view, e);
          if (!Number.isFinite(v)) throw new DataError(this.path, `image ${index} has a ${v} pixel value (element ${e}); fix or drop that image`);
          batch[base + (perm ? perm[e]! : e)] = map(v);
        }
      } else {
        for (let e = 0; e < rec; e++) batch[base + (perm ? perm[e]! : e)] = map(read(view, e));
      }
    }
    return batch;
  }

  /** Labels at `indices` (-1 when the archive has none). */
  readLabels(indices: ArrayLike<number>): Int32Array {
    const out = new Int32Array(indices.length);
    if (!this.labels) return out.fill(-1);
    for (let b = 0; b < indices.length; b++) out[b] = this.labels[indices[b]!]!;
    return out;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.image.ownsFd) fs.closeSync(this.image.fd);
    this.zip.close();
  }

  private readExact(target: Uint8Array, offset: number, length: number, position: number): void {
    let done = 0;
    while (done < length) {
      const n = fs.readSync(this.image.fd, target, offset + done, length - done, position + done);
      if (n === 0) throw new DataError(this.path, "image data is truncated");
      done += n;
    }
  }

  private valueMap(): (v: number) => number {
    const clamp = (x: number): number => (x > 255 ? 255 : x > 0 ? Math.round(x) : 0);
    switch (this.valueRange) {
      case "unit":
        return (v) => clamp(v * 255);
      case "signed":
        return (v) => clamp((v + 1) * 127.5);
      case "wide": {
        const k = 255 / integerMax(this.dtype);
        return (v) => clamp(v * k);
      }
      case "byte":
        return clamp;
    }
  }

  /** Decide the value range from the extremes of up to 256 evenly spaced images. */
  private guessRange(): Exclude<ValueRange, "auto"> {
    const samples = Math.min(this.count, 256);
    const read = elementReader(this.dtype);
    const view = new DataView(this.scratch.buffer, this.scratch.byteOffset, this.recordBytes);
    let min = Infinity;
    let max = -Infinity;
    for (let s = 0; s < samples; s++) {
      const index = Math.floor((s * this.count) / samples);
      this.readExact(this.scratch, 0, this.recordBytes, this.image.start + index * this.recordBytes);
      for (let e = 0; e < this.recordElements; e++) {
        const v = read(view, e);
        if (!Number.isFinite(v)) throw new DataError(this.path, `image ${index} has a ${v} pixel value (element ${e}); fix or drop that image`);
        if (v < min) min = v;
        if (v > max) max = v;
      }
    }
    if (this.dtype.kind !== "f") return max > 255 ? "wide" : "byte";
    if (max <= UNIT_OVERSHOOT && min >= -UNIT_OVERSHOOT) return min < 0 ? "signed" : "unit";
    if (min >= 0 && max >= 16 && max <= 255.5) return "byte";
    throw new DataError(
      this.path,
      `float pixel values from ${min.toPrecision(4)} to ${max.toPrecision(4)} fit no pixel convention (0..1, -1..1 or 0..255); ` +
        "they look normalised or scaled already: store raw pixels (uint8, or floats in 0..1)",
    );
  }
}

/** HWC position of each CHW element. */
function chwPermutation(h: number, w: number, c: number): Uint32Array {
  const perm = new Uint32Array(h * w * c);
  const plane = h * w;
  for (let ch = 0; ch < c; ch++) for (let p = 0; p < plane; p++) perm[ch * plane + p] = p * c + ch;
  return perm;
}

async function locateData(zip: ZipArchive, entry: ZipEntry, header: NpyHeader, options: NpzOpenOptions): Promise<DataLocation> {
  const memberStart = zip.dataOffset(entry);
  if (entry.method === 0 && !header.fortranOrder) return { fd: zip.fd, start: memberStart + header.dataOffset, ownsFd: false };
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const openCache = (file: string): DataLocation => {
    const fd = fs.openSync(file, "r");
    const head = readAt(fd, 4096, 0);
    const total = npyHeaderLength(head);
    if (typeof total === "string") {
      fs.closeSync(fd);
      throw new DataError(file, `corrupt cache file (${total}); delete it and retry`);
    }
    return { fd, start: total, ownsFd: true };
  };
  if (header.fortranOrder) {
    const target = cacheFilePath(cacheDir, zip.path, entry.name, "corder");
    // A complete cache file holds the header and exactly dataBytes of data.
    if (fs.existsSync(target)) {
      try {
        const loc = openCache(target);
        if (fs.fstatSync(loc.fd).size === loc.start + header.dataBytes) return loc;
        fs.closeSync(loc.fd);
      } catch {
        /* corrupt cache: rebuilt below */
      }
    }
    let source: DataLocation = { fd: zip.fd, start: memberStart + header.dataOffset, ownsFd: false };
    if (entry.method === 8) source = await inflated(zip, entry, memberStart, cacheDir, options, openCache);
    try {
      transposeFortranTo(source.fd, header, source.start, target, zip.path);
    } finally {
      if (source.ownsFd) fs.closeSync(source.fd);
    }
    return openCache(target);
  }
  return inflated(zip, entry, memberStart, cacheDir, options, openCache);
}

async function inflated(
  zip: ZipArchive,
  entry: ZipEntry,
  memberStart: number,
  cacheDir: string,
  options: NpzOpenOptions,
  openCache: (file: string) => DataLocation,
): Promise<DataLocation> {
  if (entry.compressedSize === 0) throw new DataError(zip.path, `member ${entry.name} is empty`);
  const target = cacheFilePath(cacheDir, zip.path, entry.name, "inflated");
  if (!cacheIsValid(target, entry.uncompressedSize)) {
    await inflateMemberTo(zip.path, entry, memberStart, target, options.onProgress);
  }
  return openCache(target);
}

/** Load the whole label array (N small integers) into memory; null when absent. */
function readLabels(zip: ZipArchive, count: number): Int32Array | null {
  const entry = zip.find(LABEL_MEMBER);
  if (!entry) return null;
  const header = memberHeader(zip, entry);
  checkLabelHeader(zip.path, header, count);
  const start = zip.dataOffset(entry);
  let bytes: Buffer;
  if (entry.method === 0) {
    bytes = readAt(zip.fd, header.dataBytes, start + header.dataOffset);
  } else {
    try {
      bytes = zlib.inflateRawSync(readAt(zip.fd, entry.compressedSize, start), { maxOutputLength: entry.uncompressedSize + 1 });
    } catch {
      throw new DataError(zip.path, `member ${entry.name} is corrupt (bad deflate data)`);
    }
    bytes = bytes.subarray(header.dataOffset);
  }
  if (bytes.length < header.dataBytes) throw new DataError(zip.path, `member ${entry.name} is truncated`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, header.dataBytes);
  const read = elementReader(header.dtype);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const v = read(view, i);
    if (v < -2147483648 || v > 2147483647) throw new DataError(zip.path, `label ${i} (${v}) does not fit in 32 bits`);
    labels[i] = v;
  }
  return labels;
}
