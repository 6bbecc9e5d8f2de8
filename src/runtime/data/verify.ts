// Every member of an npz checked against the CRC-32 its zip directory stores, as numpy
// does when it loads one ("Bad CRC-32"). Each member is read once, streamed in chunks
// (a deflated one through inflate), so a file of
// any size is checked in constant memory. `data check` runs this; `data info` and
// training read only headers and the images they need, and never see damaged bytes
// elsewhere in a file.

import fs from "node:fs";
import zlib from "node:zlib";
import { pipeline } from "node:stream/promises";
import { Writable } from "node:stream";
import { fsError } from "../../formats/data-error.js";
import { ZipArchive } from "../../formats/zip.js";
import { crc32 } from "../../formats/crc32.js";

export interface CrcMismatch {
  member: string;
  stored: number;
  /** null when a deflated member does not even inflate. */
  computed: number | null;
}

/** Bytes read at a time: large enough that the system calls do not count, small enough to not matter in memory. */
const CHUNK = 8 << 20;

/** The members of `file` whose data does not match their stored CRC-32 (none: the file is whole). */
export async function verifyZipCrcs(file: string, onProgress?: (done: number, total: number) => void): Promise<CrcMismatch[]> {
  const zip = ZipArchive.open(file);
  const bad: CrcMismatch[] = [];
  try {
    const total = zip.entries.reduce((a, e) => a + e.compressedSize, 0);
    let done = 0;
    const step = (n: number): void => {
      done += n;
      onProgress?.(done, total);
    };
    for (const entry of zip.entries) {
      const start = zip.dataOffset(entry);
      const computed = await memberCrc(file, start, entry.compressedSize, entry.method !== 0, step);
      if (computed !== entry.crc32) bad.push({ member: entry.name, stored: entry.crc32, computed });
    }
    onProgress?.(total, total);
  } catch (e) {
    throw fsError(file, e);
  } finally {
    zip.close();
  }
  return bad;
}

/** CRC-32 of a member's data, streamed from the file (through inflate when deflated); null when it does not inflate. */
async function memberCrc(file: string, start: number, size: number, deflated: boolean, step: (n: number) => void): Promise<number | null> {
  if (size === 0) return deflated ? null : 0;
  let crc = 0;
  const source = fs.createReadStream(file, { start, end: start + size - 1, highWaterMark: CHUNK });
  source.on("data", (chunk) => step(chunk.length));
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      crc = crc32(chunk, crc);
      done();
    },
  });
  try {
    if (deflated) await pipeline(source, zlib.createInflateRaw(), sink);
    else await pipeline(source, sink);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code?.startsWith("Z_")) return null;
    throw e;
  }
  return crc;
}
