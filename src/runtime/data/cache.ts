// Cache files for npz members that cannot be read in place by positioned reads:
// deflated members (inflated once, streaming) and Fortran-order arrays (transposed
// once to C order, in blocks). Each cache file is a plain `.npy`, named by a hash of
// the archive's absolute path, size, mtime and member, so a changed archive gets a
// fresh cache. Files are written to a temp name and renamed, so an interrupted run
// never leaves a half-written cache behind. A cache that cannot be written is an error
// naming the cache folder and ADAINF_CACHE_DIR, never the (readable) archive.
//
// Location: `opts.cacheDir`, else $ADAINF_CACHE_DIR, else $XDG_CACHE_HOME/adainf,
// else ~/.cache/adainf; files live under `<dir>/npz/`.

import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { pipeline } from "node:stream/promises";
import { Transform } from "node:stream";
import { crc32 } from "../../formats/crc32.js";
import { DataError } from "../../formats/data-error.js";
import { encodeNpyHeader, type NpyHeader } from "../../formats/npy.js";
import { readAt } from "../../formats/zip.js";
import { ensureDir, fsCause } from "../../util/fs-errors.js";
import { removeStaleTemps } from "../../util/stale-temps.js";

export function defaultCacheDir(): string {
  if (process.env.ADAINF_CACHE_DIR) return process.env.ADAINF_CACHE_DIR;
  const xdg = process.env.XDG_CACHE_HOME;
  return path.join(xdg && xdg.length > 0 ? xdg : path.join(os.homedir(), ".cache"), "adainf");
}

export function cacheFilePath(cacheDir: string, archive: string, member: string, variant: string): string {
  const st = fs.statSync(archive);
  const key = crypto
    .createHash("sha256")
    .update(`${path.resolve(archive)}\0${st.size}\0${st.mtimeMs}\0${member}\0${variant}`)
    .digest("hex")
    .slice(0, 32);
  const safe = member.replace(/[^A-Za-z0-9_.-]/g, "_");
  return path.join(cacheDir, "npz", `${key}-${variant}-${safe}`);
}

/**
 * A failure to write the cache (its folder cannot be made or written, the disk is full)
 * names the cache folder and how to choose another, not the archive being read: the
 * archive is readable, and chmod on it would not help.
 */
export function cacheWriteError(target: string, archive: string, error: unknown): DataError {
  if (error instanceof DataError) return error;
  const where = path.dirname(target);
  const why = fsCause(error) ?? (error instanceof Error ? error.message.split("\n")[0] : String(error));
  return new DataError(where, `cannot write the npz cache for ${path.basename(archive)} here (${why}); set ADAINF_CACHE_DIR to a folder you can write in`);
}

/** Create the cache file's folder and open a temp file beside it for writing; failures are cacheWriteError's. */
function openCacheTemp(target: string, archive: string): { tmp: string; fd: number } {
  try {
    ensureDir(path.dirname(target));
    const tmp = tempBeside(target);
    return { tmp, fd: fs.openSync(tmp, "w") };
  } catch (e) {
    throw cacheWriteError(target, archive, e);
  }
}

/** A temp name beside `file`, after removing those a killed process left for it. */
function tempBeside(file: string): string {
  removeStaleTemps(path.dirname(file), `${path.basename(file)}.`);
  return `${file}.${process.pid}.${crypto.randomBytes(4).toString("hex")}.tmp`;
}

/** A usable cache file already exists when its size is exactly what we expect. */
export function cacheIsValid(file: string, expectedSize: number): boolean {
  try {
    return fs.statSync(file).size === expectedSize;
  } catch {
    return false;
  }
}

/**
 * Inflate a deflated member into `target`, streaming, verifying its size and CRC.
 * `onProgress(done, total)` reports uncompressed bytes.
 */
export async function inflateMemberTo(
  archive: string,
  member: { name: string; crc32: number; compressedSize: number; uncompressedSize: number },
  dataStart: number,
  target: string,
  onProgress?: (done: number, total: number) => void,
): Promise<void> {
  const { tmp, fd } = openCacheTemp(target, archive);
  let sinkFailed = false;
  // The stream owns the descriptor from here on: it closes it when it ends or fails.
  const sink = fs.createWriteStream(tmp, { fd }).on("error", () => void (sinkFailed = true));
  let crc = 0;
  let written = 0;
  const check = new Transform({
    transform(chunk: Buffer, _enc, done) {
      crc = crc32(chunk, crc);
      written += chunk.length;
      if (written > member.uncompressedSize) {
        done(new DataError(archive, `member ${member.name} inflates to more than its declared ${member.uncompressedSize} bytes`));
        return;
      }
      onProgress?.(written, member.uncompressedSize);
      done(null, chunk);
    },
  });
  try {
    // Callers refuse empty members first: a stream with end < start would read the whole file.
    const source = fs.createReadStream(archive, { start: dataStart, end: dataStart + member.compressedSize - 1 });
    await pipeline(source, zlib.createInflateRaw(), check, sink);
    if (written !== member.uncompressedSize) {
      throw new DataError(archive, `member ${member.name} inflates to ${written} bytes, not the declared ${member.uncompressedSize} (truncated or corrupt)`);
    }
    if (crc !== member.crc32) throw new DataError(archive, `member ${member.name} is corrupt (CRC mismatch)`);
    try {
      fs.renameSync(tmp, target);
    } catch (e) {
      sinkFailed = true;
      throw e;
    }
  } catch (e) {
    sink.destroy();
    fs.rmSync(tmp, { force: true });
    if (e instanceof DataError) throw e;
    if (sinkFailed) throw cacheWriteError(target, archive, e);
    const msg = e instanceof Error ? e.message : String(e);
    throw new DataError(archive, `member ${member.name} cannot be inflated (${msg.split("\n")[0]})`);
  }
}

/**
 * Rewrite a Fortran-order array as a C-order `.npy` in `target`. The source is an
 * open file with the array's data at `dataStart`. Works in blocks of rows along the
 * first axis: for each of the K = prod(shape[1:]) columns, one positioned read of the
 * block's contiguous run, so memory stays bounded (about 32 MB) for any array size.
 */
export function transposeFortranTo(fd: number, header: NpyHeader, dataStart: number, target: string, label: string): void {
  const shape = header.shape;
  const n = shape[0] ?? 1;
  const inner = shape.slice(1);
  const k = inner.reduce((a, b) => a * b, 1);
  const item = header.dtype.itemSize;
  // Column j (Fortran-flat index over the inner axes) -> its C-flat position in a row.
  const cIndex = new Uint32Array(k);
  for (let j = 0; j < k; j++) {
    let rest = j;
    let c = 0;
    let stride = 1;
    const coords: number[] = [];
    for (const d of inner) {
      coords.push(rest % d);
      rest = Math.floor(rest / d);
    }
    for (let a = inner.length - 1; a >= 0; a--) {
      c += coords[a]! * stride;
      stride *= inner[a]!;
    }
    cIndex[j] = c;
  }
  const rowsPerBlock = Math.max(1, Math.min(n, Math.floor((32 << 20) / Math.max(1, k * item))));
  const { tmp, fd: out } = openCacheTemp(target, label);
  // Writes to the cache are the cache's failures (a full disk); reads from the archive are not.
  const write = (buf: Buffer, length: number): void => {
    try {
      fs.writeSync(out, buf, 0, length);
    } catch (e) {
      throw cacheWriteError(target, label, e);
    }
  };
  try {
    const npyHeader = encodeNpyHeader(header.dtype.descr, shape, false);
    write(npyHeader, npyHeader.length);
    const block = Buffer.allocUnsafe(rowsPerBlock * k * item);
    for (let r0 = 0; r0 < n; r0 += rowsPerBlock) {
      const rows = Math.min(rowsPerBlock, n - r0);
      for (let j = 0; j < k; j++) {
        const run = readAt(fd, rows * item, dataStart + (r0 + j * n) * item);
        if (run.length !== rows * item) throw new DataError(label, "array data is truncated");
        const c = cIndex[j]!;
        for (let r = 0; r < rows; r++) run.copy(block, (r * k + c) * item, r * item, (r + 1) * item);
      }
      write(block, rows * k * item);
    }
    fs.closeSync(out);
    try {
      fs.renameSync(tmp, target);
    } catch (e) {
      throw cacheWriteError(target, label, e);
    }
  } catch (e) {
    try {
      fs.closeSync(out);
    } catch {
      /* already closed */
    }
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}
