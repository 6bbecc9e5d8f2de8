// Random access to the `image` (and optional `label`) arrays of an npz archive,
// without loading them: each image is one positioned read at a computed offset.
// Stored, C-order members are read in place; deflated members are inflated once into
// a cache file and Fortran-order arrays transposed once into one (see cache.ts).
// The headers are read and checked by the format module (src/formats/npz-header.ts).

import fs from "node:fs";
import zlib from "node:zlib";
import { DataError, fsError } from "../../formats/data-error.js";
import { elementReader, integerMax, type Dtype } from "../../formats/dtype.js";
import { npyHeaderLength, type NpyHeader } from "../../formats/npy.js";
import { checkLabelHeader, imageEntry, LABEL_MEMBER, memberHeader, resolveImageShape, type Layout } from "../../formats/npz-header.js";
import { readAt, ZipArchive, type ZipEntry } from "../../formats/zip.js";
import { cacheFilePath, cacheIsValid, defaultCacheDir, inflateMemberTo, transposeFortranTo } from "./cache.js";

/**
 * How non-uint8 pixel values become uint8 (see docs/data.md, "float -> uint8"):
 * - `unit`:   v in [0,1]   -> round(v * 255)
 * - `signed`: v in [-1,1]  -> round((v + 1) * 127.5)
 * - `byte`:   v in [0,255] -> round(v)
 * - `wide`:   an integer image wider than 8 bits -> round(v * 255 / max of the dtype)
 * `auto` picks one from the minimum and maximum of a sample of images; float values up
 * to 1.5 count as `unit` (or `signed` below 0) with the overshoot clamped (a generator's
 * outputs often pass 1 a little), and floats that fit no convention (e.g. already
 * normalised data, -2.1 .. 2.6) are refused rather than guessed, as are integer images
 * with negative values in that sample (int8 data: clamping would blacken half of it).
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
    if (this.dtype.kind !== "f") {
      // Clamping would turn every negative pixel black without a word (int8 data holds
      // -128..127): refused as float data outside every convention is.
      if (min < 0) {
        throw new DataError(
          this.path,
          `integer pixel values from ${min} to ${max}: negative pixels fit no pixel convention; store raw pixels (uint8 0..255; for signed 8-bit data, add 128 first)`,
        );
      }
      return max > 255 ? "wide" : "byte";
    }
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
