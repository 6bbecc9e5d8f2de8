// A synchronous reader of a zip archive's central directory (zip64 included) that
// finds where each member's data starts, so that stored members can be read with
// positioned reads and never loaded whole. Only what npz files use is supported:
// methods 0 (stored) and 8 (deflated), no encryption, one disk. Only a regular file is
// opened: a FIFO, socket or device is refused before open(), which would block on a FIFO
// until a writer came (and read a device forever).

import fs from "node:fs";
import { DataError, fsError } from "./data-error.js";

export interface ZipEntry {
  name: string;
  /** 0 = stored, 8 = deflated. */
  method: 0 | 8;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  /** Offset of the local file header. */
  localHeaderOffset: number;
}

const EOCD_SIG = 0x06054b50;
const ZIP64_LOCATOR_SIG = 0x07064b50;
const ZIP64_EOCD_SIG = 0x06064b50;
const CENTRAL_SIG = 0x02014b50;
const LOCAL_SIG = 0x04034b50;

/**
 * Up to `length` bytes at `position`; fewer (possibly none) where the file ends first.
 * Offsets and sizes come from the archive itself, so a damaged one may name any number:
 * nothing past the end of the file is read or allocated, and every caller checks the
 * length it got (a short read is a truncated or corrupt archive, a DataError).
 */
export function readAt(fd: number, length: number, position: number): Buffer {
  const end = fs.fstatSync(fd).size;
  if (!Number.isSafeInteger(position) || position < 0 || position >= end || !(length > 0)) return Buffer.alloc(0);
  length = Math.min(Math.floor(length), end - position);
  const buf = Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const n = fs.readSync(fd, buf, done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return done === length ? buf : buf.subarray(0, done);
}

/** readAt on the file at `file`, opened and closed here (a few bytes of a file: its head, its end). */
export function readFileAt(file: string, length: number, position: number): Buffer {
  const fd = fs.openSync(file, "r");
  try {
    return readAt(fd, length, position);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Refuse what is not a regular file: a folder, or a FIFO, socket or device (reading one
 * would wait for a writer or never end). `expected` names what was wanted ("an .npz file").
 */
export function notSpecial(path: string, st: fs.Stats, expected: string): void {
  if (st.isFile()) return;
  if (st.isDirectory()) throw new DataError(path, `is a directory, expected ${expected}`);
  throw new DataError(path, `not a regular file (${specialKind(st)}), expected ${expected}`);
}

/** What a non-regular, non-folder file is, in words. */
export function specialKind(st: fs.Stats): string {
  if (st.isFIFO()) return "a FIFO";
  if (st.isSocket()) return "a socket";
  if (st.isCharacterDevice() || st.isBlockDevice()) return "a device";
  return "a special file";
}

/** An open archive: the file descriptor stays open for positioned reads until close(). */
export class ZipArchive {
  private constructor(
    readonly path: string,
    readonly fd: number,
    readonly size: number,
    readonly entries: ZipEntry[],
  ) {}

  static open(path: string): ZipArchive {
    let fd: number;
    let size: number;
    try {
      notSpecial(path, fs.statSync(path), "an .npz file");
      fd = fs.openSync(path, "r");
      const st = fs.fstatSync(fd);
      if (!st.isFile()) {
        fs.closeSync(fd);
        notSpecial(path, st, "an .npz file"); // replaced between the stat and the open
      }
      size = st.size;
    } catch (e) {
      throw fsError(path, e);
    }
    try {
      return new ZipArchive(path, fd, size, readCentralDirectory(path, fd, size));
    } catch (e) {
      fs.closeSync(fd);
      throw fsError(path, e);
    }
  }

  find(name: string): ZipEntry | undefined {
    return this.entries.find((e) => e.name === name);
  }

  /** Absolute file offset of the first byte of an entry's (compressed) data. */
  dataOffset(entry: ZipEntry): number {
    const local = readAt(this.fd, 30, entry.localHeaderOffset);
    if (local.length < 30 || local.readUInt32LE(0) !== LOCAL_SIG) {
      throw new DataError(this.path, `member ${entry.name}: bad local header (file truncated or corrupt)`);
    }
    const start = entry.localHeaderOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
    if (start + entry.compressedSize > this.size) {
      throw new DataError(this.path, `member ${entry.name} is truncated (${this.size - start} of ${entry.compressedSize} bytes present)`);
    }
    return start;
  }

  close(): void {
    fs.closeSync(this.fd);
  }
}

function readCentralDirectory(path: string, fd: number, size: number): ZipEntry[] {
  if (size < 22) throw new DataError(path, size === 0 ? "empty file, not a zip/npz archive" : "not a zip/npz archive (too short)");
  // The end-of-central-directory record sits in the last 22 + up to 65,535 comment bytes.
  const tailLength = Math.min(size, 22 + 0xffff);
  const tailStart = size - tailLength;
  const tail = readAt(fd, tailLength, tailStart);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === EOCD_SIG) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) {
    const head = readAt(fd, 4, 0);
    const looksZip = head.length === 4 && head.readUInt32LE(0) === LOCAL_SIG;
    throw new DataError(path, looksZip ? "truncated zip/npz archive (no end-of-central-directory record)" : "not a zip/npz archive");
  }
  if (tail.readUInt16LE(eocd + 4) !== 0 || tail.readUInt16LE(eocd + 6) !== 0) {
    throw new DataError(path, "multi-disk zip archives are not supported");
  }
  let count = tail.readUInt16LE(eocd + 10);
  let cdSize = tail.readUInt32LE(eocd + 12);
  let cdOffset = tail.readUInt32LE(eocd + 16);
  const locator = eocd - 20;
  if (locator >= 0 && tail.readUInt32LE(locator) === ZIP64_LOCATOR_SIG) {
    const z64Offset = Number(tail.readBigUInt64LE(locator + 8));
    const z64 = readAt(fd, 56, z64Offset);
    if (z64.length < 56 || z64.readUInt32LE(0) !== ZIP64_EOCD_SIG) {
      throw new DataError(path, "corrupt zip64 end-of-central-directory record");
    }
    count = Number(z64.readBigUInt64LE(32));
    cdSize = Number(z64.readBigUInt64LE(40));
    cdOffset = Number(z64.readBigUInt64LE(48));
  }
  if (cdOffset + cdSize > size) throw new DataError(path, "truncated zip/npz archive (central directory past end of file)");
  const cd = readAt(fd, cdSize, cdOffset);
  const entries: ZipEntry[] = [];
  let p = 0;
  for (let k = 0; k < count; k++) {
    if (p + 46 > cd.length || cd.readUInt32LE(p) !== CENTRAL_SIG) {
      throw new DataError(path, "corrupt zip central directory");
    }
    const flags = cd.readUInt16LE(p + 8);
    const method = cd.readUInt16LE(p + 10);
    const crc = cd.readUInt32LE(p + 16);
    let compressedSize = cd.readUInt32LE(p + 20);
    let uncompressedSize = cd.readUInt32LE(p + 24);
    const nameLen = cd.readUInt16LE(p + 28);
    const extraLen = cd.readUInt16LE(p + 30);
    const commentLen = cd.readUInt16LE(p + 32);
    let localHeaderOffset = cd.readUInt32LE(p + 42);
    const name = cd.toString(flags & 0x800 ? "utf8" : "latin1", p + 46, p + 46 + nameLen);
    // Zip64 extended information: only the fields that were saturated, in this order.
    let e = p + 46 + nameLen;
    const extraEnd = e + extraLen;
    while (e + 4 <= extraEnd) {
      const id = cd.readUInt16LE(e);
      const len = cd.readUInt16LE(e + 2);
      if (id === 0x0001) {
        let q = e + 4;
        const next = (): number => {
          if (q + 8 > e + 4 + len) throw new DataError(path, `member ${name}: corrupt zip64 extra field`);
          const v = Number(cd.readBigUInt64LE(q));
          q += 8;
          return v;
        };
        if (uncompressedSize === 0xffffffff) uncompressedSize = next();
        if (compressedSize === 0xffffffff) compressedSize = next();
        if (localHeaderOffset === 0xffffffff) localHeaderOffset = next();
      }
      e += 4 + len;
    }
    if (flags & 0x1) throw new DataError(path, `member ${name} is encrypted`);
    if (method !== 0 && method !== 8) {
      throw new DataError(path, `member ${name} uses compression method ${method}; only stored and deflated npz members are supported`);
    }
    entries.push({ name, method, crc32: crc, compressedSize, uncompressedSize, localHeaderOffset });
    p = extraEnd + commentLen;
  }
  return entries;
}
