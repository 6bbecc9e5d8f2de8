// The `.npy` dtypes an image or label array may have, and how their elements are read.
// Descriptors look like '<f4': byte order ('<' little, '>' big, '|' not applicable,
// '=' native), a kind letter and the item size in bytes.

export type DtypeKind = "u" | "i" | "f" | "b";

export interface Dtype {
  /** The descriptor as written in the header, e.g. '>u2'. */
  descr: string;
  kind: DtypeKind;
  itemSize: 1 | 2 | 4 | 8;
  littleEndian: boolean;
  /** Canonical numpy-style name: uint8, int16, float32, bool, ... */
  name: string;
}

const SIZES: Record<DtypeKind, readonly number[]> = {
  u: [1, 2, 4, 8],
  i: [1, 2, 4, 8],
  f: [2, 4, 8],
  b: [1],
};

/** Parse a descriptor, or return a one-line reason why it is not supported. */
export function parseDtype(descr: string): Dtype | string {
  const m = /^([<>|=])([A-Za-z])(\d*)$/.exec(descr);
  if (!m) return `unsupported dtype '${descr}'`;
  const [, order, kindChar, sizeText] = m as unknown as [string, string, string, string];
  if (kindChar === "O") {
    return "object arrays (dtype '|O') hold pickled Python objects and are refused, as numpy does without allow_pickle=True";
  }
  if (!(kindChar in SIZES)) return `unsupported dtype '${descr}' (expected an integer, float or bool array)`;
  const kind = kindChar as DtypeKind;
  const itemSize = Number(sizeText);
  if (!SIZES[kind].includes(itemSize)) return `unsupported dtype '${descr}'`;
  // '=' means the writer's native order; every platform Node runs on here is little-endian.
  const littleEndian = order !== ">";
  const bits = itemSize * 8;
  const name = kind === "b" ? "bool" : kind === "f" ? `float${bits}` : kind === "u" ? `uint${bits}` : `int${bits}`;
  return { descr, kind, itemSize: itemSize as Dtype["itemSize"], littleEndian, name };
}

/** Float16 -> number through a table of all 65,536 half-precision values (Node 20 has no Float16Array). */
let halfTable: Float32Array | null = null;
function halfToFloat(bits: number): number {
  if (!halfTable) {
    halfTable = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) {
      const sign = h & 0x8000 ? -1 : 1;
      const exp = (h >> 10) & 0x1f;
      const frac = h & 0x3ff;
      halfTable[h] = exp === 0 ? sign * 2 ** -14 * (frac / 1024) : exp === 31 ? (frac ? NaN : sign * Infinity) : sign * 2 ** (exp - 15) * (1 + frac / 1024);
    }
  }
  return halfTable[bits]!;
}

/** A function reading element `i` of a raw byte buffer as a JS number. */
export type ElementReader = (view: DataView, i: number) => number;

export function elementReader(dtype: Dtype): ElementReader {
  const le = dtype.littleEndian;
  const size = dtype.itemSize;
  switch (dtype.kind) {
    case "b":
      return (v, i) => (v.getUint8(i) ? 1 : 0);
    case "u":
      if (size === 1) return (v, i) => v.getUint8(i);
      if (size === 2) return (v, i) => v.getUint16(i * 2, le);
      if (size === 4) return (v, i) => v.getUint32(i * 4, le);
      return (v, i) => Number(v.getBigUint64(i * 8, le));
    case "i":
      if (size === 1) return (v, i) => v.getInt8(i);
      if (size === 2) return (v, i) => v.getInt16(i * 2, le);
      if (size === 4) return (v, i) => v.getInt32(i * 4, le);
      return (v, i) => Number(v.getBigInt64(i * 8, le));
    case "f":
      if (size === 2) return (v, i) => halfToFloat(v.getUint16(i * 2, le));
      if (size === 4) return (v, i) => v.getFloat32(i * 4, le);
      return (v, i) => v.getFloat64(i * 8, le);
  }
}

/** Largest value of an integer dtype (used to scale 16-bit images down to 8 bits). */
export function integerMax(dtype: Dtype): number {
  const bits = dtype.itemSize * 8 - (dtype.kind === "i" ? 1 : 0);
  return 2 ** bits - 1;
}
