// A streaming writer of an uncompressed (stored) zip archive, as numpy's savez writes
// one. Member sizes must be declared up front (the npz writer knows them from the
// image count), so the local header can be written first and only its CRC patched
// with a positioned write at the end: no data descriptors, no second pass.
// Zip64 records are written when a size or offset needs them (or when forced). The
// archive comment marks the file as adainfc's (formats/own-output.ts), so a later -o may replace it.
//
// Why this is ours and not yazl (measured, README "Archives"): yazl can stream a
// member only as "sizes and CRC unknown" (general-purpose bit 3: zeros in the local
// header, a data descriptor after the data). For a stored member that makes the npz
// unreadable to streaming readers (Java's ZipInputStream: "only DEFLATED entries can
// have EXT descriptor"; funzip: CRC error), while numpy.savez writes the real sizes
// and CRC into the local header as this writer does. yazl's other way, addBuffer,
// holds the whole member in memory (3 GB for a million CIFAR images). yazl is also
// stream-only, where callers here write synchronously, and it was 23-29% slower on a
// 50,000-image npz.

import fs from "node:fs";
import { crc32 } from "../../formats/crc32.js";
import { ZIP_COMMENT } from "../../formats/own-output.js";

const MAX32 = 0xffffffff;
const BUFFER_BYTES = 1 << 20;

interface WrittenMember {
  name: Buffer;
  crc: number;
  size: number;
  offset: number;
  zip64: boolean;
}

export class StoredZipWriter {
  private position = 0;
  private readonly members: WrittenMember[] = [];
  private current: { member: WrittenMember; written: number; crcOffset: number } | null = null;
  private readonly pending = Buffer.allocUnsafe(BUFFER_BYTES);
  private pendingLength = 0;
  private readonly dosTime: number;
  private readonly dosDate: number;

  constructor(
    private readonly fd: number,
    private readonly forceZip64 = false,
    now = new Date(),
  ) {
    this.dosTime = (now.getHours() << 11) | (now.getMinutes() << 5) | (now.getSeconds() >> 1);
    this.dosDate = (Math.max(now.getFullYear() - 1980, 0) << 9) | ((now.getMonth() + 1) << 5) | now.getDate();
  }

  /** Start a member of exactly `size` bytes. */
  begin(name: string, size: number): void {
    if (this.current) throw new Error("StoredZipWriter: previous member not ended");
    const nameBytes = Buffer.from(name, "utf8");
    const zip64 = this.forceZip64 || size >= MAX32;
    const member: WrittenMember = { name: nameBytes, crc: 0, size, offset: this.position, zip64 };
    const header = Buffer.alloc(30 + nameBytes.length + (zip64 ? 20 : 0));
    header.writeUInt32LE(0x04034b50, 0);
    header.writeUInt16LE(zip64 ? 45 : 20, 4);
    header.writeUInt16LE(0, 6); // flags
    header.writeUInt16LE(0, 8); // stored
    header.writeUInt16LE(this.dosTime, 10);
    header.writeUInt16LE(this.dosDate, 12);
    header.writeUInt32LE(0, 14); // CRC, patched in end()
    header.writeUInt32LE(zip64 ? MAX32 : size, 18);
    header.writeUInt32LE(zip64 ? MAX32 : size, 22);
    header.writeUInt16LE(nameBytes.length, 26);
    header.writeUInt16LE(zip64 ? 20 : 0, 28);
    nameBytes.copy(header, 30);
    if (zip64) {
      const x = 30 + nameBytes.length;
      header.writeUInt16LE(0x0001, x);
      header.writeUInt16LE(16, x + 2);
      header.writeBigUInt64LE(BigInt(size), x + 4);
      header.writeBigUInt64LE(BigInt(size), x + 12);
    }
    this.current = { member, written: 0, crcOffset: member.offset + 14 };
    this.append(header);
  }

  /** Append member data. */
  write(data: Uint8Array): void {
    const cur = this.current;
    if (!cur) throw new Error("StoredZipWriter: write outside a member");
    cur.written += data.length;
    if (cur.written > cur.member.size) throw new Error(`StoredZipWriter: member larger than declared ${cur.member.size} bytes`);
    cur.member.crc = crc32(data, cur.member.crc);
    this.append(data);
  }

  end(): void {
    const cur = this.current;
    if (!cur) throw new Error("StoredZipWriter: no member to end");
    if (cur.written !== cur.member.size) {
      throw new Error(`StoredZipWriter: member ${cur.member.name.toString()} got ${cur.written} of ${cur.member.size} bytes`);
    }
    this.flush();
    const crc = Buffer.alloc(4);
    crc.writeUInt32LE(cur.member.crc, 0);
    fs.writeSync(this.fd, crc, 0, 4, cur.crcOffset);
    this.members.push(cur.member);
    this.current = null;
  }

  /** Write the central directory and end records. */
  finish(): void {
    if (this.current) throw new Error("StoredZipWriter: member not ended");
    const cdOffset = this.position;
    for (const m of this.members) {
      const needOffset = this.forceZip64 || m.offset >= MAX32;
      const needSize = m.zip64 || m.size >= MAX32;
      const extraLen = needSize || needOffset ? 4 + (needSize ? 16 : 0) + (needOffset ? 8 : 0) : 0;
      const h = Buffer.alloc(46 + m.name.length + extraLen);
      h.writeUInt32LE(0x02014b50, 0);
      h.writeUInt16LE((3 << 8) | 45, 4); // made by: unix, spec 4.5
      h.writeUInt16LE(extraLen ? 45 : 20, 6);
      h.writeUInt16LE(0, 8);
      h.writeUInt16LE(0, 10);
      h.writeUInt16LE(this.dosTime, 12);
      h.writeUInt16LE(this.dosDate, 14);
      h.writeUInt32LE(m.crc, 16);
      h.writeUInt32LE(needSize ? MAX32 : m.size, 20);
      h.writeUInt32LE(needSize ? MAX32 : m.size, 24);
      h.writeUInt16LE(m.name.length, 28);
      h.writeUInt16LE(extraLen, 30);
      h.writeUInt16LE(0, 32); // comment
      h.writeUInt16LE(0, 34); // disk
      h.writeUInt16LE(0, 36); // internal attributes
      h.writeUInt32LE((0o100644 << 16) >>> 0, 38); // regular file, rw-r--r--
      h.writeUInt32LE(needOffset ? MAX32 : m.offset, 42);
      m.name.copy(h, 46);
      if (extraLen) {
        let x = 46 + m.name.length;
        h.writeUInt16LE(0x0001, x);
        h.writeUInt16LE(extraLen - 4, x + 2);
        x += 4;
        if (needSize) {
          h.writeBigUInt64LE(BigInt(m.size), x);
          h.writeBigUInt64LE(BigInt(m.size), x + 8);
          x += 16;
        }
        if (needOffset) h.writeBigUInt64LE(BigInt(m.offset), x);
      }
      this.append(h);
    }
    const cdSize = this.position - cdOffset;
    const count = this.members.length;
    const zip64 = this.forceZip64 || cdOffset >= MAX32 || cdSize >= MAX32 || count >= 0xffff;
    if (zip64) {
      const z = Buffer.alloc(56 + 20);
      const eocd64Offset = this.position;
      z.writeUInt32LE(0x06064b50, 0);
      z.writeBigUInt64LE(44n, 4); // size of the rest of this record
      z.writeUInt16LE((3 << 8) | 45, 12);
      z.writeUInt16LE(45, 14);
      z.writeUInt32LE(0, 16);
      z.writeUInt32LE(0, 20);
      z.writeBigUInt64LE(BigInt(count), 24);
      z.writeBigUInt64LE(BigInt(count), 32);
      z.writeBigUInt64LE(BigInt(cdSize), 40);
      z.writeBigUInt64LE(BigInt(cdOffset), 48);
      z.writeUInt32LE(0x07064b50, 56);
      z.writeUInt32LE(0, 60);
      z.writeBigUInt64LE(BigInt(eocd64Offset), 64);
      z.writeUInt32LE(1, 72);
      this.append(z);
    }
    const comment = Buffer.from(ZIP_COMMENT, "latin1");
    const e = Buffer.alloc(22 + comment.length);
    e.writeUInt32LE(0x06054b50, 0);
    e.writeUInt16LE(zip64 ? 0xffff : count, 8);
    e.writeUInt16LE(zip64 ? 0xffff : count, 10);
    e.writeUInt32LE(zip64 ? MAX32 : cdSize, 12);
    e.writeUInt32LE(zip64 ? MAX32 : cdOffset, 16);
    e.writeUInt16LE(comment.length, 20);
    comment.copy(e, 22);
    this.append(e);
    this.flush();
  }

  private append(data: Uint8Array): void {
    if (this.pendingLength + data.length > BUFFER_BYTES) this.flush();
    if (data.length >= BUFFER_BYTES) {
      writeAll(this.fd, data);
    } else {
      this.pending.set(data, this.pendingLength);
      this.pendingLength += data.length;
    }
    this.position += data.length;
  }

  private flush(): void {
    if (this.pendingLength) writeAll(this.fd, this.pending.subarray(0, this.pendingLength));
    this.pendingLength = 0;
  }
}

function writeAll(fd: number, data: Uint8Array): void {
  let done = 0;
  while (done < data.length) done += fs.writeSync(fd, data, done, data.length - done);
}
