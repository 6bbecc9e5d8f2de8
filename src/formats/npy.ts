// The `.npy` format: magic "\x93NUMPY", major/minor version, header length (2 bytes in
// v1, 4 in v2/v3), an ASCII (v3: UTF-8) Python dict literal, then the raw array data.
// The header is parsed strictly (see py-literal.ts) and never evaluated.

import { parsePyLiteral, PyLiteralError, type PyValue } from "./py-literal.js";
import { parseDtype, type Dtype } from "./dtype.js";

export const NPY_MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]); // \x93NUMPY

export interface NpyHeader {
  dtype: Dtype;
  fortranOrder: boolean;
  shape: number[];
  /** Bytes from the start of the .npy to the first data byte. */
  dataOffset: number;
  /** prod(shape) * itemSize. */
  dataBytes: number;
  version: [number, number];
}

/** Bytes needed before the header length is known (magic + version + 4-byte length). */
export const NPY_PREAMBLE = 12;

/** How many bytes the whole header takes, from its first 10-12 bytes; or a reason. */
export function npyHeaderLength(prefix: Uint8Array): number | string {
  if (prefix.length < 10 || !NPY_MAGIC.equals(Buffer.from(prefix.subarray(0, 6)))) {
    return "not a .npy array (bad magic)";
  }
  const major = prefix[6]!;
  if (major === 1) return 10 + (prefix[8]! | (prefix[9]! << 8));
  if (major === 2 || major === 3) {
    if (prefix.length < 12) return "truncated .npy header";
    return 12 + Buffer.from(prefix).readUInt32LE(8);
  }
  return `unsupported .npy format version ${major}.${prefix[7]}`;
}

/** Parse a complete header (at least npyHeaderLength bytes); returns a reason on failure. */
export function parseNpyHeader(bytes: Uint8Array): NpyHeader | string {
  const total = npyHeaderLength(bytes);
  if (typeof total === "string") return total;
  if (bytes.length < total) return "truncated .npy header";
  const major = bytes[6]!;
  const start = major === 1 ? 10 : 12;
  const text = Buffer.from(bytes.subarray(start, total)).toString(major === 3 ? "utf8" : "latin1");
  let literal: PyValue;
  try {
    literal = parsePyLiteral(text);
  } catch (e) {
    if (e instanceof PyLiteralError) return `malformed .npy header (${e.message})`;
    throw e;
  }
  if (literal.kind !== "dict") return "malformed .npy header (not a dict)";
  const fields = new Map<string, PyValue>();
  for (const [k, v] of literal.entries) {
    if (k.kind !== "str") return "malformed .npy header (non-string key)";
    fields.set(k.value, v);
  }
  const keys = [...fields.keys()].sort().join(",");
  if (keys !== "descr,fortran_order,shape") {
    return `malformed .npy header (keys ${keys}; expected descr, fortran_order, shape)`;
  }
  const descr = fields.get("descr")!;
  if (descr.kind === "list") return "structured (record) dtypes are not supported; expected a plain image array";
  if (descr.kind !== "str") return "malformed .npy header (descr is not a string)";
  const dtype = parseDtype(descr.value);
  if (typeof dtype === "string") return dtype;
  const fortran = fields.get("fortran_order")!;
  if (fortran.kind !== "bool") return "malformed .npy header (fortran_order is not True/False)";
  const shapeValue = fields.get("shape")!;
  if (shapeValue.kind !== "tuple") return "malformed .npy header (shape is not a tuple)";
  const shape: number[] = [];
  for (const item of shapeValue.items) {
    if (item.kind !== "int") return "malformed .npy header (shape holds a non-integer)";
    shape.push(item.value);
  }
  const count = shape.reduce((a, b) => a * b, 1);
  const dataBytes = count * dtype.itemSize;
  if (!Number.isSafeInteger(dataBytes)) return "array too large";
  return { dtype, fortranOrder: fortran.value, shape, dataOffset: total, dataBytes, version: [major, bytes[7]!] };
}

/**
 * Encode a header exactly as numpy's `write_array_header_1_0` does: the dict with keys
 * in sorted order, padded with spaces and a final newline so that data starts at a
 * multiple of 64 bytes. Version 2.0 only when the header would not fit in 65,535 bytes.
 */
export function encodeNpyHeader(descr: string, shape: readonly number[], fortranOrder = false): Buffer {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
  const dict = `{'descr': '${descr}', 'fortran_order': ${fortranOrder ? "True" : "False"}, 'shape': ${shapeText}, }`;
  const encode = (major: number): Buffer => {
    const pre = major === 1 ? 10 : 12;
    const unpadded = pre + dict.length + 1;
    const padded = Math.ceil(unpadded / 64) * 64;
    const headerLen = padded - pre;
    const buf = Buffer.alloc(padded, 0x20);
    NPY_MAGIC.copy(buf, 0);
    buf[6] = major;
    buf[7] = 0;
    if (major === 1) buf.writeUInt16LE(headerLen, 8);
    else buf.writeUInt32LE(headerLen, 8);
    buf.write(dict, pre, "latin1");
    buf[padded - 1] = 0x0a;
    return buf;
  };
  const v1 = encode(1);
  return v1.length - 10 <= 0xffff ? v1 : encode(2);
}
