// CIFAR-10 / CIFAR-100 in their binary ("suitable for C programs") form, read by
// positioned reads. A record is the label byte(s) then 3,072 pixel bytes in CHW order
// (1,024 red, 1,024 green, 1,024 blue); we hand out HWC. A batch that cannot be opened
// (missing, unreadable, not a regular file) is named in the error, not its folder.
//   cifar-10-batches-bin/  data_batch_1..5.bin (train), test_batch.bin: 1 label byte
//   cifar-100-binary/      train.bin, test.bin: coarse label byte, fine label byte (we use fine)

import fs from "node:fs";
import path from "node:path";
import { DataError, fsError } from "../../formats/data-error.js";
import { notSpecial } from "../../formats/zip.js";

export type CifarName = "cifar10" | "cifar100";
export type Split = "train" | "test";

const PIXELS = 32 * 32 * 3;

interface Layout {
  folder: string;
  labelBytes: number;
  classes: number;
  files: Record<Split, string[]>;
}

export const CIFAR_LAYOUT: Record<CifarName, Layout> = {
  cifar10: {
    folder: "cifar-10-batches-bin",
    labelBytes: 1,
    classes: 10,
    files: {
      train: ["data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"],
      test: ["test_batch.bin"],
    },
  },
  cifar100: {
    folder: "cifar-100-binary",
    labelBytes: 2,
    classes: 100,
    files: { train: ["train.bin"], test: ["test.bin"] },
  },
};

/** The directory holding the `.bin` files: `dir` itself or its standard sub-folder. */
export function resolveCifarDir(name: CifarName, dir: string): string | null {
  const layout = CIFAR_LAYOUT[name];
  for (const candidate of [dir, path.join(dir, layout.folder)]) {
    if (layout.files.test.concat(layout.files.train).some((f) => fs.existsSync(path.join(candidate, f)))) return candidate;
  }
  return null;
}

export class CifarReader {
  readonly shape: [number, number, number] = [32, 32, 3];
  readonly classes: number;
  readonly count: number;
  private readonly recordBytes: number;
  private readonly labelBytes: number;
  private readonly fds: number[] = [];
  private readonly files: string[] = [];
  /** First global index of each file. */
  private readonly starts: number[] = [];
  private readonly scratch: Buffer;

  constructor(
    readonly name: CifarName,
    dir: string,
    readonly split: Split,
  ) {
    const layout = CIFAR_LAYOUT[name];
    this.classes = layout.classes;
    this.labelBytes = layout.labelBytes;
    this.recordBytes = layout.labelBytes + PIXELS;
    this.scratch = Buffer.allocUnsafe(this.recordBytes);
    const root = resolveCifarDir(name, dir);
    if (!root) {
      if (!fs.existsSync(dir)) throw new DataError(dir, `no such directory (run \`adainfc data fetch ${name} --dir ${dir}\`)`);
      throw new DataError(dir, `not a ${name} binary folder: expected ${layout.files[split].join(", ")} here or under ${layout.folder}/`);
    }
    let total = 0;
    let current = dir;
    try {
      for (const file of layout.files[split]) {
        const full = path.join(root, file);
        current = full;
        if (!fs.existsSync(full)) throw new DataError(full, `missing ${name} ${split} file`);
        const st = fs.statSync(full);
        notSpecial(full, st, `a ${name} batch file`);
        const size = st.size;
        if (size === 0 || size % this.recordBytes !== 0) {
          throw new DataError(full, `size ${size} is not a whole number of ${this.recordBytes}-byte ${name} records (truncated or not ${name})`);
        }
        this.fds.push(fs.openSync(full, "r"));
        this.files.push(full);
        this.starts.push(total);
        total += size / this.recordBytes;
      }
    } catch (e) {
      this.close();
      throw fsError(current, e);
    }
    this.count = total;
  }

  /** NHWC uint8 images and their labels (the fine label for CIFAR-100). */
  readBatch(indices: ArrayLike<number>): { images: Uint8Array; labels: Int32Array } {
    const images = new Uint8Array(indices.length * PIXELS);
    const labels = new Int32Array(indices.length);
    const rec = this.recordBytes;
    const lb = this.labelBytes;
    const s = this.scratch;
    for (let b = 0; b < indices.length; b++) {
      const index = indices[b]!;
      if (!Number.isInteger(index) || index < 0 || index >= this.count) {
        throw new RangeError(`${this.name}: image index ${index} out of range [0, ${this.count})`);
      }
      let f = this.starts.length - 1;
      while (this.starts[f]! > index) f--;
      const position = (index - this.starts[f]!) * rec;
      const n = fs.readSync(this.fds[f]!, s, 0, rec, position);
      if (n !== rec) throw new DataError(this.files[f]!, "record truncated");
      const label = s[lb - 1]!;
      if (label >= this.classes) throw new DataError(this.files[f]!, `record ${index - this.starts[f]!} has label ${label}, expected 0..${this.classes - 1}`);
      labels[b] = label;
      const out = b * PIXELS;
      for (let p = 0; p < 1024; p++) {
        images[out + p * 3] = s[lb + p]!;
        images[out + p * 3 + 1] = s[lb + 1024 + p]!;
        images[out + p * 3 + 2] = s[lb + 2048 + p]!;
      }
    }
    return { images, labels };
  }

  close(): void {
    for (const fd of this.fds.splice(0)) fs.closeSync(fd);
  }
}
