// A small reader of (gzipped) tar archives: enough for the CIFAR archives (ustar and
// GNU long names, regular files and directories). Entries are streamed to disk, and
// names that would escape the target directory (absolute paths, `..`) are refused.

import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { DataError, fsError } from "../../formats/data-error.js";
import { readAt } from "../../formats/zip.js";

/** Extract `archive` (.tar or .tar.gz) into `dir`; returns the extracted file paths. */
export async function extractTar(archive: string, dir: string): Promise<string[]> {
  let gz: Buffer;
  try {
    const fd = fs.openSync(archive, "r");
    gz = readAt(fd, 2, 0);
    fs.closeSync(fd);
  } catch (e) {
    throw fsError(archive, e);
  }
  const source = fs.createReadStream(archive);
  const stream = gz[0] === 0x1f && gz[1] === 0x8b ? source.pipe(zlib.createGunzip()) : source;
  const extracted: string[] = [];
  let pending: Buffer = Buffer.alloc(0);
  let current: { fd: number | null; remaining: number; padding: number; name: string } | null = null;
  let longName: string | null = null;
  let longNameBuffer: Buffer[] | null = null;
  let ended = false;
  const root = path.resolve(dir);
  fs.mkdirSync(root, { recursive: true });

  const safePath = (name: string): string => {
    const target = path.resolve(root, name);
    if (path.isAbsolute(name) || (target !== root && !target.startsWith(root + path.sep))) {
      throw new DataError(archive, `refusing tar entry outside the target folder: ${name}`);
    }
    return target;
  };

  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      let p = 0;
      for (;;) {
        if (current) {
          const take = Math.min(current.remaining, pending.length - p);
          if (take > 0) {
            const data = pending.subarray(p, p + take);
            if (current.fd !== null) fs.writeSync(current.fd, data);
            else longNameBuffer?.push(Buffer.from(data));
            current.remaining -= take;
            p += take;
          }
          if (current.remaining > 0) break;
          if (pending.length - p < current.padding) break;
          p += current.padding;
          if (current.fd !== null) fs.closeSync(current.fd);
          else if (longNameBuffer) {
            longName = Buffer.concat(longNameBuffer).toString("utf8").replace(/\0.*$/s, "");
            longNameBuffer = null;
          }
          current = null;
          continue;
        }
        if (ended || pending.length - p < 512) break;
        const header = pending.subarray(p, p + 512);
        p += 512;
        if (header.every((b) => b === 0)) {
          ended = true;
          break;
        }
        if (!checksumOk(header)) throw new DataError(archive, "corrupt tar header (bad checksum)");
        const field = (start: number, len: number): string => header.toString("latin1", start, start + len).replace(/\0.*$/s, "");
        const size = parseInt(field(124, 12).trim() || "0", 8);
        if (!Number.isFinite(size)) throw new DataError(archive, "corrupt tar header (bad size)");
        const type = String.fromCharCode(header[156]!);
        const prefix = field(257, 6).startsWith("ustar") ? field(345, 155) : "";
        const name = longName ?? (prefix ? `${prefix}/${field(0, 100)}` : field(0, 100));
        longName = null;
        const padding = (512 - (size % 512)) % 512;
        if (type === "L") {
          longNameBuffer = [];
          current = { fd: null, remaining: size, padding, name: "" };
        } else if (type === "0" || type === "\0" || type === "7") {
          const target = safePath(name);
          fs.mkdirSync(path.dirname(target), { recursive: true });
          current = { fd: fs.openSync(target, "w"), remaining: size, padding, name };
          extracted.push(target);
        } else {
          if (type === "5") fs.mkdirSync(safePath(name), { recursive: true });
          // Links, pax headers and the rest carry nothing CIFAR needs: skip their data.
          longNameBuffer = null;
          current = { fd: null, remaining: size, padding, name: "" };
        }
      }
      pending = pending.subarray(p);
    }
  } catch (e) {
    if (current?.fd) fs.closeSync(current.fd);
    if (e instanceof DataError) throw e;
    const msg = e instanceof Error ? e.message : String(e);
    throw new DataError(archive, `cannot extract (${msg.split("\n")[0]})`);
  }
  if (current) {
    if (current.fd !== null) fs.closeSync(current.fd);
    throw new DataError(archive, "truncated tar archive");
  }
  return extracted;
}

function checksumOk(header: Buffer): boolean {
  const stored = parseInt(header.toString("latin1", 148, 156).replace(/\0.*$/s, "").trim(), 8);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : header[i]!;
  return sum === stored;
}
