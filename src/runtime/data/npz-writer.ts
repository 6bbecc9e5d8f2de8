// Writes a generated-data npz the way the reference converter's `np.savez(out,
// image=images, label=-1 * ones(int64))` does: a stored zip with `image.npy`
// (N,H,W,C uint8) and `label.npy` (N int64, all -1). Images are appended one at a
// time, so a million of them never sit in memory; the file appears under its final
// name only when complete (temp file + rename). An interrupted generation removes its
// temp file (abort()); one left by a process that was killed outright (SIGKILL, a
// crash) is removed by the next writer of the same name.

import fs from "node:fs";
import path from "node:path";
import { encodeNpyHeader } from "../../formats/npy.js";
import { StoredZipWriter } from "./zip-writer.js";
import { fsError } from "../../formats/data-error.js";
import { ensureDir } from "../../util/fs-errors.js";
import { removeStaleTemps } from "../../util/stale-temps.js";

export interface NpzImageWriterOptions {
  count: number;
  shape: [number, number, number];
  /** Labels to store; default all -1 (generated data). */
  labels?: ArrayLike<number>;
  /** Write zip64 records even when the sizes do not need them (tests, compatibility). */
  forceZip64?: boolean;
  /** Member timestamps (default: now); a fixed date makes the file reproducible. */
  modified?: Date;
}

export class NpzImageWriter {
  private readonly zip: StoredZipWriter;
  private appended = 0;
  private readonly imageBytes: number;
  private closed = false;

  private constructor(
    readonly outPath: string,
    private readonly tmpPath: string,
    private readonly fd: number,
    private readonly options: NpzImageWriterOptions,
  ) {
    const [h, w, c] = options.shape;
    this.imageBytes = h * w * c;
    this.zip = new StoredZipWriter(fd, options.forceZip64 ?? false, options.modified ?? new Date());
    const header = encodeNpyHeader("|u1", [options.count, h, w, c]);
    this.zip.begin("image.npy", header.length + options.count * this.imageBytes);
    this.zip.write(header);
  }

  static create(outPath: string, options: NpzImageWriterOptions): NpzImageWriter {
    const dir = path.dirname(path.resolve(outPath));
    const tmpPath = path.join(dir, `.${path.basename(outPath)}.${process.pid}.${Date.now().toString(36)}.tmp`);
    let fd: number;
    try {
      ensureDir(dir);
      removeStaleTemps(dir, `.${path.basename(outPath)}.`);
      fd = fs.openSync(tmpPath, "w");
    } catch (e) {
      throw fsError(outPath, e);
    }
    return new NpzImageWriter(outPath, tmpPath, fd, options);
  }

  get count(): number {
    return this.appended;
  }

  /** Append one image (H*W*C bytes, HWC order) or several back to back. */
  append(pixels: Uint8Array): void {
    if (pixels.length % this.imageBytes !== 0) {
      throw new Error(`NpzImageWriter: ${pixels.length} bytes is not a whole number of ${this.imageBytes}-byte images`);
    }
    const n = pixels.length / this.imageBytes;
    if (this.appended + n > this.options.count) throw new Error(`NpzImageWriter: more than ${this.options.count} images`);
    this.zip.write(pixels);
    this.appended += n;
  }

  /** Write the labels and the zip directory, then move the file into place. */
  finish(): void {
    if (this.appended !== this.options.count) {
      throw new Error(`NpzImageWriter: ${this.appended} of ${this.options.count} images appended`);
    }
    this.zip.end();
    const n = this.options.count;
    const header = encodeNpyHeader("<i8", [n]);
    this.zip.begin("label.npy", header.length + n * 8);
    this.zip.write(header);
    const chunk = Buffer.alloc(8 * Math.min(n, 65536));
    for (let i = 0; i < n; ) {
      const m = Math.min(n - i, 65536);
      for (let k = 0; k < m; k++) {
        const label = this.options.labels ? Number(this.options.labels[i + k]) : -1;
        chunk.writeBigInt64LE(BigInt(label), k * 8);
      }
      this.zip.write(chunk.subarray(0, m * 8));
      i += m;
    }
    this.zip.end();
    this.zip.finish();
    fs.fsyncSync(this.fd);
    fs.closeSync(this.fd);
    this.closed = true;
    fs.renameSync(this.tmpPath, this.outPath);
  }

  /** Give up: remove the temporary file. */
  abort(): void {
    if (!this.closed) {
      fs.closeSync(this.fd);
      this.closed = true;
    }
    fs.rmSync(this.tmpPath, { force: true });
  }
}
