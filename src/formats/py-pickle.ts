// A reader for Python pickles that hold data only (dicts, lists, numbers, strings, bytes
// and numpy arrays), as CIFAR's "python version" batches and torchvision's copies of them
// are. The pickle's opcodes are interpreted, never its code: the only globals it may
// name are numpy's array and dtype reconstructors and `_codecs.encode` (Python 3's way
// of writing bytes at protocol 2); any other is refused, naming it. Large byte strings
// are not read: they stay as (offset, length) in the file, so a 30 MB batch is read by
// positioned reads later, and parsing one costs a few kilobytes of reads.
import fs from "node:fs";

/** A byte string: kept in the file (offset, length) when large, else its bytes. */
export type PyBytes = { kind: "bytes"; offset: number; length: number } | { kind: "bytes"; data: Buffer };

/** A numpy array: its dtype (numpy's `str`, e.g. `|u1`, `<i8`), shape, order and raw bytes. */
export interface PyArray {
  kind: "ndarray";
  dtype: string;
  shape: number[];
  fortran: boolean;
  raw: PyBytes | PyValue[] | null;
}

export interface PyDict {
  kind: "dict";
  /** Keys as text: a byte-string key (Python 2's str) is read as latin-1. */
  entries: Map<string, PyValue>;
}

export interface PyTuple {
  kind: "tuple";
  items: PyValue[];
}

interface PyDtype {
  kind: "dtype";
  str: string;
}

/** A global the pickle named (only those in GLOBALS), before it is called. */
interface PyGlobal {
  kind: "global";
  name: string;
}

export type PyValue = null | boolean | number | bigint | string | PyBytes | PyValue[] | PyDict | PyTuple | PyArray | PyDtype | PyGlobal;

/** Why a pickle cannot be read: the message names the byte offset. */
export class PickleError extends Error {}

/** Byte strings longer than this stay in the file. */
const KEEP_IN_FILE = 1 << 16;

/**
 * The most values (and memo entries) a pickle may make: a CIFAR-100 train batch makes
 * about 150,000 (its 50,000 file names and two label lists). Each can cost a few hundred
 * bytes of memory for one byte of file, so a small hostile file could otherwise take
 * gigabytes.
 */
export const MAX_VALUES = 1_000_000;

/**
 * The longest text string read: V8's strings end near 512 Mi characters. A CIFAR-100
 * train batch re-pickled by Python 3 at protocol 2 holds its 154 MB of pixels as text of
 * up to 307 MB (UTF-8).
 */
const MAX_TEXT = 500 * 1024 * 1024;

const GLOBALS = new Set([
  "numpy.core.multiarray._reconstruct",
  "numpy._core.multiarray._reconstruct",
  "numpy.ndarray",
  "numpy.core.numeric._frombuffer",
  "numpy._core.numeric._frombuffer",
  "numpy.dtype",
  "_codecs.encode",
]);

const MARK = Symbol("mark");
type Slot = PyValue | typeof MARK;

/** Reads a pickle file from its descriptor, a chunk at a time. */
class Input {
  private buf = Buffer.alloc(0);
  private bufStart = 0;
  pos = 0;

  constructor(
    private readonly fd: number,
    readonly size: number,
  ) {}

  /** `n` bytes at the current position (n small: it is buffered). */
  take(n: number): Buffer {
    if (this.pos + n > this.size) throw new PickleError(`the file ends inside the pickle (at byte ${this.pos}, ${n} more needed)`);
    if (this.pos < this.bufStart || this.pos + n > this.bufStart + this.buf.length) {
      const len = Math.min(Math.max(n, 1 << 16), this.size - this.pos);
      const b = Buffer.alloc(len);
      let got = 0;
      while (got < len) {
        const r = fs.readSync(this.fd, b, got, len - got, this.pos + got);
        if (r === 0) break;
        got += r;
      }
      this.buf = b.subarray(0, got);
      this.bufStart = this.pos;
      if (got < n) throw new PickleError(`the file ends inside the pickle (at byte ${this.pos})`);
    }
    const out = this.buf.subarray(this.pos - this.bufStart, this.pos - this.bufStart + n);
    this.pos += n;
    return out;
  }

  byte(): number {
    return this.take(1)[0]!;
  }

  /** A text line (protocol 0's arguments and GLOBAL's names), without its newline. */
  line(): string {
    let s = "";
    for (;;) {
      const c = this.byte();
      if (c === 0x0a) return s;
      s += String.fromCharCode(c);
      if (s.length > 4096) throw new PickleError(`a text argument at byte ${this.pos} runs past 4,096 bytes`);
    }
  }

  /** A byte string of `n` bytes: read when small, else skipped and kept as its place. */
  bytes(n: number): PyBytes {
    if (this.pos + n > this.size) throw new PickleError(`a ${n}-byte string at byte ${this.pos} runs past the end of the file`);
    if (n > KEEP_IN_FILE) {
      const at = this.pos;
      this.pos += n;
      return { kind: "bytes", offset: at, length: n };
    }
    return { kind: "bytes", data: Buffer.from(this.take(n)) };
  }

  /** Text of `n` UTF-8 bytes (read whole, up to MAX_TEXT). */
  text(n: number): string {
    if (this.pos + n > this.size) throw new PickleError(`a ${n}-byte string at byte ${this.pos} runs past the end of the file`);
    if (n > MAX_TEXT) throw new PickleError(`a ${n}-byte text string at byte ${this.pos} is longer than adainfc reads (${MAX_TEXT} bytes)`);
    const b = Buffer.alloc(n);
    if (n > 0 && fs.readSync(this.fd, b, 0, n, this.pos) !== n) throw new PickleError(`the file ends inside a string at byte ${this.pos}`);
    this.pos += n;
    return b.toString("utf8");
  }
}

function uint(b: Buffer): number {
  const v = b.length === 8 ? Number(b.readBigUInt64LE(0)) : b.readUIntLE(0, b.length);
  if (!Number.isSafeInteger(v)) throw new PickleError("a length in the pickle is too large");
  return v;
}

/** Text of a byte string (a Python 2 str used as a key or argument), as latin-1. */
export function bytesText(b: PyBytes, fd?: number): string {
  if ("data" in b) return b.data.toString("latin1");
  if (fd === undefined) throw new PickleError(`a ${b.length}-byte string is used as text`);
  const buf = Buffer.alloc(b.length);
  fs.readSync(fd, buf, 0, b.length, b.offset);
  return buf.toString("latin1");
}

function isBytes(v: PyValue | undefined): v is PyBytes {
  return typeof v === "object" && v !== null && !Array.isArray(v) && v.kind === "bytes";
}

/** Byte-string keys already read as text: a key stored once and used again is decoded once. */
const keyTexts = new WeakMap<object, string>();

function keyText(k: PyValue): string {
  if (typeof k === "string") return k;
  if (isBytes(k) && "data" in k) {
    let text = keyTexts.get(k);
    if (text === undefined) keyTexts.set(k, (text = k.data.toString("latin1")));
    return text;
  }
  if (typeof k === "number" || typeof k === "bigint") return String(k);
  throw new PickleError("a dict key is neither a string nor a number");
}

/**
 * Reads the pickle in `fd` (a file of `size` bytes) and returns its value. Throws
 * PickleError for anything but a data pickle (another global, an unknown opcode, a
 * truncated file).
 */
export function readPickle(fd: number, size: number): PyValue {
  try {
    return interpret(fd, size);
  } catch (e) {
    // An engine limit met all the same (an array or a buffer too large): the pickle's fault.
    if (e instanceof RangeError) throw new PickleError(`it is too large to read (${e.message})`);
    throw e;
  }
}

function interpret(fd: number, size: number): PyValue {
  const input = new Input(fd, size);
  const slots: Slot[] = [];
  const memo = new Map<number, PyValue>();
  /** Values made so far (each push), bounded by MAX_VALUES. */
  let made = 0;
  const tooMany = () => new PickleError(`it makes more than ${MAX_VALUES.toLocaleString("en-US")} values by byte ${input.pos} (a data batch makes far fewer)`);
  const stack = {
    push(v: Slot): void {
      if (++made > MAX_VALUES) throw tooMany();
      slots.push(v);
    },
    pop: () => slots.pop(),
    lastIndexOf: (v: Slot) => slots.lastIndexOf(v),
    splice: (at: number) => slots.splice(at),
    get length() {
      return slots.length;
    },
    at: (i: number) => slots[i],
  };
  const encoded = new Map<string, PyBytes>();
  /** PUT's and GET's memo key, written in digits. */
  const memoKey = (): number => {
    const t = input.line();
    if (!/^\d{1,10}$/.test(t)) throw new PickleError(`memo key '${t.slice(0, 20)}' at byte ${input.pos} is not a number`);
    return Number(t);
  };
  const remember = (key: number, v: PyValue): void => {
    if (!memo.has(key) && memo.size >= MAX_VALUES) throw tooMany();
    memo.set(key, v);
  };
  const pop = (): PyValue => {
    const v = stack.pop();
    if (v === undefined || v === MARK) throw new PickleError(`the pickle's stack is empty at byte ${input.pos}`);
    return v;
  };
  const popMark = (): PyValue[] => {
    const at = stack.lastIndexOf(MARK);
    if (at < 0) throw new PickleError(`no mark on the pickle's stack at byte ${input.pos}`);
    const items = stack.splice(at) as PyValue[];
    items.shift();
    return items;
  };
  const top = (): PyValue => {
    const v = stack.at(stack.length - 1);
    if (v === undefined || v === MARK) throw new PickleError(`the pickle's stack is empty at byte ${input.pos}`);
    return v;
  };
  const setItems = (target: PyValue, items: PyValue[]): void => {
    if (typeof target !== "object" || target === null || Array.isArray(target) || target.kind !== "dict") {
      throw new PickleError(`SETITEM on something that is not a dict at byte ${input.pos}`);
    }
    for (let i = 0; i + 1 < items.length; i += 2) target.entries.set(keyText(items[i]!), items[i + 1]!);
  };
  const appendTo = (target: PyValue, items: PyValue[]): void => {
    if (!Array.isArray(target)) throw new PickleError(`APPEND on something that is not a list at byte ${input.pos}`);
    for (const x of items) target.push(x);
  };
  const global = (module: string, name: string): PyGlobal => {
    const full = `${module}.${name}`;
    if (!GLOBALS.has(full))
      throw new PickleError(`it calls ${full}, which adainfc does not run (it reads data pickles only: dicts, lists, numbers, strings and numpy arrays)`);
    return { kind: "global", name: full };
  };

  for (;;) {
    const at = input.pos;
    const op = input.byte();
    switch (op) {
      case 0x80: // PROTO
        if (input.byte() > 5) throw new PickleError("the pickle's protocol is newer than 5");
        break;
      case 0x95: // FRAME: the frame's length; its opcodes follow as usual
        input.take(8);
        break;
      case 0x2e: {
        // STOP
        return pop();
      }
      case 0x28: // MARK
        stack.push(MARK);
        break;
      case 0x30: // POP
        stack.pop();
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        stack.push(top());
        break;
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x4a: // BININT
        stack.push(input.take(4).readInt32LE(0));
        break;
      case 0x4b: // BININT1
        stack.push(input.byte());
        break;
      case 0x4d: // BININT2
        stack.push(input.take(2).readUInt16LE(0));
        break;
      case 0x8a: // LONG1
      case 0x8b: {
        // LONG4
        const n = op === 0x8a ? input.byte() : uint(input.take(4));
        if (n > 64) throw new PickleError(`an integer of ${n} bytes at byte ${at}`);
        const b = input.take(n);
        let v = 0n;
        for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
        if (n > 0 && b[n - 1]! & 0x80) v -= 1n << BigInt(8 * n);
        stack.push(v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);
        break;
      }
      case 0x49: {
        // INT (protocol 0; also True/False as I01/I00)
        const t = input.line();
        if (t === "01") stack.push(true);
        else if (t === "00") stack.push(false);
        else if (/^[+-]?\d+$/.test(t)) stack.push(Number(t));
        else throw new PickleError(`INT '${t}' at byte ${at} is not an integer`);
        break;
      }
      case 0x47: // BINFLOAT
        stack.push(input.take(8).readDoubleBE(0));
        break;
      case 0x55: // SHORT_BINSTRING (Python 2 str)
      case 0x43: // SHORT_BINBYTES
        stack.push(input.bytes(input.byte()));
        break;
      case 0x54: // BINSTRING
        {
          const n = input.take(4).readInt32LE(0);
          if (n < 0) throw new PickleError(`a negative string length at byte ${at}`);
          stack.push(input.bytes(n));
        }
        break;
      case 0x42: // BINBYTES
        stack.push(input.bytes(uint(input.take(4))));
        break;
      case 0x8e: // BINBYTES8
      case 0x96: // BYTEARRAY8
        stack.push(input.bytes(uint(input.take(8))));
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(input.text(input.byte()));
        break;
      case 0x58: // BINUNICODE
        stack.push(input.text(uint(input.take(4))));
        break;
      case 0x8d: // BINUNICODE8
        stack.push(input.text(uint(input.take(8))));
        break;
      case 0x7d: // EMPTY_DICT
        stack.push({ kind: "dict", entries: new Map() });
        break;
      case 0x64: {
        // DICT
        const d: PyDict = { kind: "dict", entries: new Map() };
        setItems(d, popMark());
        stack.push(d);
        break;
      }
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x6c: // LIST
        stack.push(popMark());
        break;
      case 0x29: // EMPTY_TUPLE
        stack.push({ kind: "tuple", items: [] });
        break;
      case 0x74: // TUPLE
        stack.push({ kind: "tuple", items: popMark() });
        break;
      case 0x85: // TUPLE1
      case 0x86: // TUPLE2
      case 0x87: {
        // TUPLE3
        const n = op - 0x84;
        const items: PyValue[] = [];
        for (let i = 0; i < n; i++) items.unshift(pop());
        stack.push({ kind: "tuple", items });
        break;
      }
      case 0x61: {
        // APPEND
        const x = pop();
        appendTo(top(), [x]);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        appendTo(top(), items);
        break;
      }
      case 0x73: {
        // SETITEM
        const v = pop();
        const k = pop();
        setItems(top(), [k, v]);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        setItems(top(), items);
        break;
      }
      case 0x71: // BINPUT
        remember(input.byte(), top());
        break;
      case 0x72: // LONG_BINPUT
        remember(input.take(4).readUInt32LE(0), top());
        break;
      case 0x94: // MEMOIZE
        remember(memo.size, top());
        break;
      case 0x70: // PUT
        remember(memoKey(), top());
        break;
      case 0x68: // BINGET
      case 0x6a: // LONG_BINGET
      case 0x67: {
        // GET
        const key = op === 0x68 ? input.byte() : op === 0x6a ? input.take(4).readUInt32LE(0) : memoKey();
        if (!memo.has(key)) throw new PickleError(`the pickle refers to memo ${key}, which it never stored (at byte ${at})`);
        stack.push(memo.get(key)!);
        break;
      }
      case 0x63: {
        // GLOBAL
        const module = input.line();
        stack.push(global(module, input.line()));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof name !== "string" || typeof module !== "string") throw new PickleError(`STACK_GLOBAL without names at byte ${at}`);
        stack.push(global(module, name));
        break;
      }
      case 0x52: // REDUCE
      case 0x81: {
        // NEWOBJ
        const args = pop();
        const callee = pop();
        stack.push(call(callee, args, at, encoded));
        break;
      }
      case 0x62: {
        // BUILD
        const state = pop();
        build(top(), state, at);
        break;
      }
      default:
        throw new PickleError(`opcode 0x${op.toString(16).padStart(2, "0")} at byte ${at} is not one a data pickle uses`);
    }
  }
}

function tupleItems(v: PyValue, what: string, at: number): PyValue[] {
  if (typeof v === "object" && v !== null && !Array.isArray(v) && v.kind === "tuple") return v.items;
  throw new PickleError(`${what} at byte ${at} has no argument tuple`);
}

/** The longest dtype name taken. */
const MAX_DTYPE_NAME = 32;

/** `encoded`: the bytes each text has been encoded to, in this pickle. */
function call(callee: PyValue, args: PyValue, at: number, encoded: Map<string, PyBytes>): PyValue {
  if (typeof callee !== "object" || callee === null || Array.isArray(callee) || callee.kind !== "global") {
    throw new PickleError(`the pickle calls something that is not a known function at byte ${at}`);
  }
  const a = tupleItems(args, callee.name, at);
  switch (callee.name) {
    case "numpy.core.multiarray._reconstruct":
    case "numpy._core.multiarray._reconstruct":
      return { kind: "ndarray", dtype: "", shape: [], fortran: false, raw: null };
    case "numpy.core.numeric._frombuffer":
    case "numpy._core.numeric._frombuffer": {
      // Protocol 5's array: (buffer, dtype, shape, order).
      const [buf, dtype, shape, order] = a;
      const dims = shape !== undefined ? tupleItems(shape, "an array's shape", at) : [];
      if (!isBytes(buf) || typeof dtype !== "object" || dtype === null || Array.isArray(dtype) || dtype.kind !== "dtype") {
        throw new PickleError(`numpy's _frombuffer with other arguments at byte ${at}`);
      }
      if (!dims.every((d) => typeof d === "number" && Number.isInteger(d) && d >= 0))
        throw new PickleError(`an array's shape at byte ${at} is not whole numbers`);
      return { kind: "ndarray", dtype: dtype.str, shape: dims as number[], fortran: order === "F", raw: buf };
    }
    case "numpy.dtype": {
      const s = a[0];
      // A type name is a few characters (`u1`, `<f8`): a long one is no dtype (and copying it costs).
      const length = typeof s === "string" ? s.length : isBytes(s) ? ("data" in s ? s.data.length : s.length) : -1;
      if (length < 0) throw new PickleError(`numpy.dtype without a type name at byte ${at}`);
      if (length > MAX_DTYPE_NAME) throw new PickleError(`numpy.dtype with a ${length}-character type name at byte ${at}`);
      return { kind: "dtype", str: typeof s === "string" ? s : bytesText(s as PyBytes) };
    }
    case "_codecs.encode": {
      // Python 3 writes bytes at protocol 2 as _codecs.encode(text, "latin1"). The same text
      // (stored once, used again) gives the same bytes: made once, not once per use.
      const [text, codec] = a;
      if (typeof text !== "string" || (codec !== "latin1" && codec !== "latin-1")) throw new PickleError(`_codecs.encode with other arguments at byte ${at}`);
      let bytes = encoded.get(text);
      if (bytes === undefined) encoded.set(text, (bytes = { kind: "bytes", data: Buffer.from(text, "latin1") }));
      return bytes;
    }
    default:
      // numpy.ndarray itself is only an argument of _reconstruct, never called.
      throw new PickleError(`the pickle calls ${callee.name} at byte ${at}`);
  }
}

function build(target: PyValue, state: PyValue, at: number): void {
  if (typeof target !== "object" || target === null || Array.isArray(target)) throw new PickleError(`BUILD on a plain value at byte ${at}`);
  if (target.kind === "dtype") {
    // (version, byte order, subarray, names, fields, elsize, alignment, flags): the order.
    const order = tupleItems(state, "numpy.dtype's state", at)[1];
    const o = typeof order === "string" ? order : isBytes(order) ? bytesText(order) : null;
    const base = target.str.replace(/^[<>|=]/, "");
    if (o === "<" || o === ">" || o === "|") target.str = `${o}${base}`;
    else if (o === "=") target.str = `<${base}`; // native: every machine adainfc runs on is little-endian
    return;
  }
  if (target.kind === "ndarray") {
    // (version, shape, dtype, is_fortran, raw bytes or a list of objects)
    const items = tupleItems(state, "numpy.ndarray's state", at);
    const [shape, dtype, fortran, raw] = items.length === 5 ? items.slice(1) : items;
    const dims = shape !== undefined ? tupleItems(shape, "an array's shape", at) : [];
    if (!dims.every((d) => typeof d === "number" && Number.isInteger(d) && d >= 0))
      throw new PickleError(`an array's shape at byte ${at} is not whole numbers`);
    if (typeof dtype !== "object" || dtype === null || Array.isArray(dtype) || dtype.kind !== "dtype")
      throw new PickleError(`an array without a dtype at byte ${at}`);
    target.shape = dims as number[];
    target.dtype = dtype.str;
    target.fortran = fortran === true;
    target.raw = isBytes(raw) || Array.isArray(raw) ? raw : null;
    return;
  }
  throw new PickleError(`BUILD on a ${target.kind} at byte ${at}`);
}
