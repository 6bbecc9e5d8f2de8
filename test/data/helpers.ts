// Test fixtures written from scratch, independent of the code under test: an npy
// encoder, a zip builder (stored or deflated members, optional zip64 records) with a
// bitwise CRC, and a tar builder.

import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";

export function tempDir(prefix = "adainf-data-"): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function slowCrc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of data) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

/** An .npy file: header text as given (padded to 64 like numpy), then the data bytes. */
export function npy(dictText: string, data: Uint8Array, version: 1 | 2 | 3 = 1): Buffer {
  const pre = version === 1 ? 10 : 12;
  let header = dictText;
  const total = Math.ceil((pre + header.length + 1) / 64) * 64;
  header = header.padEnd(total - pre - 1, " ") + "\n";
  const head = Buffer.alloc(pre);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]).copy(head);
  if (version === 1) head.writeUInt16LE(header.length, 8);
  else head.writeUInt32LE(header.length, 8);
  return Buffer.concat([head, Buffer.from(header, "latin1"), data]);
}

export function npyArray(descr: string, shape: number[], data: Uint8Array, fortran = false): Buffer {
  const s = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
  return npy(`{'descr': '${descr}', 'fortran_order': ${fortran ? "True" : "False"}, 'shape': ${s}, }`, data);
}

export interface ZipMember {
  name: string;
  data: Uint8Array;
  deflate?: boolean;
}

/** A zip archive in memory. `zip64` writes zip64 extra fields and end records for every member. */
export function zipBytes(members: ZipMember[], zip64 = false): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const m of members) {
    const name = Buffer.from(m.name);
    const body = m.deflate ? zlib.deflateRawSync(m.data) : Buffer.from(m.data);
    const crc = slowCrc32(m.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(m.deflate ? 8 : 0, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(m.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    parts.push(local, name, body);
    const extra = Buffer.alloc(zip64 ? 28 : 0);
    if (zip64) {
      extra.writeUInt16LE(1, 0);
      extra.writeUInt16LE(24, 2);
      extra.writeBigUInt64LE(BigInt(m.data.length), 4);
      extra.writeBigUInt64LE(BigInt(body.length), 12);
      extra.writeBigUInt64LE(BigInt(offset), 20);
    }
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt16LE(zip64 ? 45 : 20, 4);
    c.writeUInt16LE(zip64 ? 45 : 20, 6);
    c.writeUInt16LE(m.deflate ? 8 : 0, 10);
    c.writeUInt32LE(crc, 16);
    c.writeUInt32LE(zip64 ? 0xffffffff : body.length, 20);
    c.writeUInt32LE(zip64 ? 0xffffffff : m.data.length, 24);
    c.writeUInt16LE(name.length, 28);
    c.writeUInt16LE(extra.length, 30);
    c.writeUInt32LE(zip64 ? 0xffffffff : offset, 42);
    central.push(c, name, extra);
    offset += 30 + name.length + body.length;
  }
  const cd = Buffer.concat(central);
  const tail: Buffer[] = [];
  if (zip64) {
    const z = Buffer.alloc(76);
    z.writeUInt32LE(0x06064b50, 0);
    z.writeBigUInt64LE(44n, 4);
    z.writeBigUInt64LE(BigInt(members.length), 24);
    z.writeBigUInt64LE(BigInt(members.length), 32);
    z.writeBigUInt64LE(BigInt(cd.length), 40);
    z.writeBigUInt64LE(BigInt(offset), 48);
    z.writeUInt32LE(0x07064b50, 56);
    z.writeBigUInt64LE(BigInt(offset + cd.length), 64);
    z.writeUInt32LE(1, 72);
    tail.push(z);
  }
  const e = Buffer.alloc(22);
  e.writeUInt32LE(0x06054b50, 0);
  e.writeUInt16LE(zip64 ? 0xffff : members.length, 8);
  e.writeUInt16LE(zip64 ? 0xffff : members.length, 10);
  e.writeUInt32LE(zip64 ? 0xffffffff : cd.length, 12);
  e.writeUInt32LE(zip64 ? 0xffffffff : offset, 16);
  return Buffer.concat([...parts, cd, ...tail, e]);
}

/** Deterministic pseudo-random bytes. */
export function bytes(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}

/** int64 little-endian labels. */
export function int64(values: number[]): Uint8Array {
  const b = Buffer.alloc(values.length * 8);
  values.forEach((v, i) => b.writeBigInt64LE(BigInt(v), i * 8));
  return b;
}

/** A ustar tar archive (names under 100 bytes); `type` is the header's type flag ("0" file, default; "1" hard link, "2" symlink, with `link`). */
export function tarBytes(files: Array<{ name: string; data: Uint8Array; type?: string; link?: string }>): Buffer {
  const parts: Buffer[] = [];
  for (const f of files) {
    const h = Buffer.alloc(512);
    h.write(f.name, 0, "latin1");
    h.write("0000644\0", 100, "latin1");
    h.write("0000000\0", 108, "latin1");
    h.write("0000000\0", 116, "latin1");
    h.write(f.data.length.toString(8).padStart(11, "0") + "\0", 124, "latin1");
    h.write("00000000000\0", 136, "latin1");
    h.write("        ", 148, "latin1");
    h.write(f.type ?? "0", 156, "latin1");
    if (f.link) h.write(f.link, 157, "latin1");
    h.write("ustar\0", 257, "latin1");
    h.write("00", 263, "latin1");
    let sum = 0;
    for (const b of h) sum += b;
    h.write(sum.toString(8).padStart(6, "0") + "\0 ", 148, "latin1");
    parts.push(h, Buffer.from(f.data), Buffer.alloc((512 - (f.data.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

export function hasNumpy(): boolean {
  return spawnSync("/usr/bin/python3", ["-c", "import numpy"]).status === 0;
}
