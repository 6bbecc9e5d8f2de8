// How adainfc marks the files it writes, so that a later -o replaces its own earlier
// output and nothing else (a user's dataset, photo, page or package.json): npz files end
// with a zip comment (an older generated set is known by its sidecar), PNGs carry a tEXt
// "Software" chunk, report pages a generator <meta> (an older page: its footer), and JSON
// outputs are known by their shape (an IR, or generate's sidecar). Defined once here; the
// writers stamp with it and cli/output-path.ts reads it.
import fs from "node:fs";
import { crc32 } from "./crc32.js";
import { readFileAt } from "./zip.js";

/** The zip archive comment at the end of every npz adainfc writes. */
export const ZIP_COMMENT = "written by adainfc";
/** The PNG tEXt chunk (keyword, NUL, value) adainfc's PNGs carry, right after IHDR. */
const PNG_SOFTWARE_TEXT = "Software\0adainfc";
/** The <meta name="generator"> in a report page's head. */
export const HTML_GENERATOR_META = '<meta name="generator" content="adainfc report">';
/** Where `adainfc report <run-dir>` writes its page by default. */
export const REPORT_FILE = "report.html";
/** The footer every report page ends with; a page written before the generator <meta> is known by it. */
export const REPORT_FOOTER = "<footer>Made by <code>adainfc report</code>.";

type MarkedKind = "npz" | "png" | "html" | "json";

/** The largest JSON file read whole to see whether it is ours (an IR with spans of a 5,000-pipeline file is well under). */
const MAX_JSON_BYTES = 256 * 1024 * 1024;

/** The PNG signature, then IHDR (length 13): a tEXt chunk goes after its 25 bytes. */
const IHDR_END = 8 + 8 + 13 + 4;

/** `png` (as pngjs writes it) with the Software chunk inserted after IHDR. */
export function stampPng(png: Uint8Array): Buffer {
  const data = Buffer.from(PNG_SOFTWARE_TEXT, "latin1");
  const chunk = Buffer.alloc(12 + data.length);
  chunk.writeUInt32BE(data.length, 0);
  chunk.write("tEXt", 4, "latin1");
  data.copy(chunk, 8);
  chunk.writeUInt32BE(crc32(chunk.subarray(4, 8 + data.length)), 8 + data.length);
  const src = Buffer.from(png.buffer, png.byteOffset, png.byteLength);
  return Buffer.concat([src.subarray(0, IHDR_END), chunk, src.subarray(IHDR_END)]);
}

/** How much of a file's head holds its marks (a report page's generator <meta> is within it). */
export const HEAD_BYTES = 2048;

/** Whether a report page adainfc wrote is at `abs` (false when nothing, or something else, is there). */
export function isOwnReportPage(abs: string): boolean {
  try {
    const st = fs.statSync(abs);
    return st.isFile() && isOwnOutput(abs, "html", st.size, readFileAt(abs, HEAD_BYTES, 0));
  } catch {
    return false;
  }
}

/** Whether the existing file at `abs` (of `size` bytes, `head` its first bytes) is one adainfc wrote. */
export function isOwnOutput(abs: string, kind: MarkedKind, size: number, head: Buffer): boolean {
  try {
    switch (kind) {
      case "png":
        return head.includes(Buffer.from(`tEXt${PNG_SOFTWARE_TEXT}`, "latin1"));
      case "html":
        return (
          head.toString("utf8").includes(HTML_GENERATOR_META) ||
          readFileAt(abs, 4096, Math.max(0, size - 4096))
            .toString("utf8")
            .includes(REPORT_FOOTER)
        );
      case "npz":
        // a set generated before npz files carried the comment is known by its sidecar
        return zipComment(abs, size) === ZIP_COMMENT || hasOwnSidecar(abs);
      case "json":
        return size <= MAX_JSON_BYTES && isOwnJson(JSON.parse(fs.readFileSync(abs, "utf8").replace(/^\uFEFF/, "")));
    }
  } catch {
    return false; // unreadable or not parseable: not known to be ours
  }
}

function hasOwnSidecar(npz: string): boolean {
  try {
    const sidecar = `${npz}.json`;
    const st = fs.statSync(sidecar);
    return st.isFile() && st.size <= MAX_JSON_BYTES && isSidecar(JSON.parse(fs.readFileSync(sidecar, "utf8")));
  } catch {
    return false;
  }
}

/** An IR (or a list of IRs, with or without spans) as compile writes it, or generate's sidecar. */
function isOwnJson(value: unknown): boolean {
  const items = Array.isArray(value) ? value : [value];
  return items.length > 0 && items.every((v) => isIr(v) || (isObject(v) && isIr(v.ir) && "spans" in v) || isSidecar(v));
}

function isIr(v: unknown): boolean {
  return isObject(v) && typeof v.version === "number" && typeof v.name === "string" && isObject(v.data) && isObject(v.train);
}

function isSidecar(v: unknown): boolean {
  return isObject(v) && typeof v.generator === "string" && typeof v.count === "number" && Array.isArray(v.shape);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The archive comment of the zip at `abs`, or null when its end record is not found. */
function zipComment(abs: string, size: number): string | null {
  const want = Buffer.byteLength(ZIP_COMMENT);
  const buf = readFileAt(abs, 22 + want, size - 22 - want);
  if (buf.length < 22 + want || buf.readUInt32LE(0) !== 0x06054b50 || buf.readUInt16LE(20) !== want) return null;
  return buf.subarray(22).toString("latin1");
}
