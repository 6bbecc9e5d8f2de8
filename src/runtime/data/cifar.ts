// CIFAR-10 / CIFAR-100 in their binary ("suitable for C programs") form, or in their
// "python version" (the pickles torchvision downloads), read by positioned reads. A
// binary record is the label byte(s) then 3,072 pixel bytes in CHW order (1,024 red,
// 1,024 green, 1,024 blue); a pickle batch is a dict whose `data` array holds the same
// rows and whose label list is beside it (formats/py-pickle.ts parses it without reading
// the pixels). We hand out HWC. A batch that cannot be opened (missing, unreadable, not a
// regular file, not such a pickle) is named in the error, not its folder.
//   cifar-10-batches-bin/  data_batch_1..5.bin (train), test_batch.bin: 1 label byte
//   cifar-100-binary/      train.bin, test.bin: coarse label byte, fine label byte (we use fine)
//   cifar-10-batches-py/   data_batch_1..5, test_batch: `data` (N x 3072 uint8), `labels`
//   cifar-100-python/      train, test: `data`, `fine_labels` (and `coarse_labels`)

import fs from "node:fs";
import path from "node:path";
import { DataError, fsError } from "../../formats/data-error.js";
import { type PyBytes, type PyValue, PickleError, readPickle } from "../../formats/py-pickle.js";
import { notSpecial } from "../../formats/zip.js";

export type CifarName = "cifar10" | "cifar100";
export type Split = "train" | "test";

const PIXELS = 32 * 32 * 3;

interface Layout {
  folder: string;
  labelBytes: number;
  classes: number;
  files: Record<Split, string[]>;
  /** The python version's folder, batch files and the key of the labels we use. */
  python: { folder: string; files: Record<Split, string[]>; labels: string };
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
    python: {
      folder: "cifar-10-batches-py",
      files: { train: ["data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5"], test: ["test_batch"] },
      labels: "labels",
    },
  },
  cifar100: {
    folder: "cifar-100-binary",
    labelBytes: 2,
    classes: 100,
    files: { train: ["train.bin"], test: ["test.bin"] },
    python: { folder: "cifar-100-python", files: { train: ["train"], test: ["test"] }, labels: "fine_labels" },
  },
};

/** Where a CIFAR set's batches are and in which form: `dir` itself or its standard sub-folder, binary first. */
export function resolveCifar(name: CifarName, dir: string): { dir: string; form: "binary" | "python" } | null {
  const layout = CIFAR_LAYOUT[name];
  const forms = [
    { form: "binary" as const, folder: layout.folder, files: [...layout.files.test, ...layout.files.train] },
    { form: "python" as const, folder: layout.python.folder, files: [...layout.python.files.test, ...layout.python.files.train] },
  ];
  for (const f of forms) {
    for (const candidate of [dir, path.join(dir, f.folder)]) {
      // A python batch's name (`train`, `test`) says little: it must also begin as a pickle does.
      const seen = (file: string) => (f.form === "binary" ? isFile(file) : startsAsPickle(file));
      if (f.files.some((file) => seen(path.join(candidate, file)))) return { dir: candidate, form: f.form };
    }
  }
  return null;
}

/** The file begins with a pickle's PROTO opcode (protocol 2 or later, as every CIFAR batch). */
function startsAsPickle(file: string): boolean {
  let fd: number | undefined;
  try {
    // stat first: opening a FIFO named `train` would wait for a writer
    if (!fs.statSync(file).isFile()) return false;
    fd = fs.openSync(file, "r");
    const head = Buffer.alloc(2);
    return fs.readSync(fd, head, 0, 2, 0) === 2 && head[0] === 0x80 && head[1]! >= 2;
  } catch {
    return false;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** The directory holding a CIFAR set's batches (binary or python version), or null. */
export function resolveCifarDir(name: CifarName, dir: string): string | null {
  return resolveCifar(name, dir)?.dir ?? null;
}

function isFile(p: string): boolean {
  try {
    return !fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** One batch file, open: how many images it holds, and one image's pixels (CHW) and label. */
interface Batch {
  file: string;
  fd: number;
  count: number;
  /** Reads image `i`'s 3,072 CHW bytes into `out` and returns its label. */
  read(i: number, out: Buffer): number;
}

/** A binary batch: records of label byte(s) and pixels. */
function binaryBatch(file: string, fd: number, size: number, name: CifarName): Batch {
  const layout = CIFAR_LAYOUT[name];
  const rec = layout.labelBytes + PIXELS;
  if (size === 0 || size % rec !== 0) {
    throw new DataError(file, `size ${size} is not a whole number of ${rec}-byte ${name} records (truncated or not ${name})`);
  }
  const scratch = Buffer.allocUnsafe(rec);
  return {
    file,
    fd,
    count: size / rec,
    read(i, out) {
      const n = fs.readSync(fd, scratch, 0, rec, i * rec);
      if (n !== rec) throw new DataError(file, "record truncated");
      scratch.copy(out, 0, layout.labelBytes, rec);
      return scratch[layout.labelBytes - 1]!;
    },
  };
}

/** A python-version batch: the pickle's `data` rows read where they lie in the file, its labels in memory. */
function pickleBatch(file: string, fd: number, size: number, name: CifarName): Batch {
  const labelKey = CIFAR_LAYOUT[name].python.labels;
  let value: PyValue;
  try {
    value = readPickle(fd, size);
  } catch (e) {
    if (e instanceof PickleError) throw new DataError(file, `not a ${name} python batch: ${e.message}`);
    throw e;
  }
  const bad = (what: string) => new DataError(file, `not a ${name} python batch: ${what}`);
  if (typeof value !== "object" || value === null || Array.isArray(value) || value.kind !== "dict") throw bad("it holds no dict");
  const data = value.entries.get("data");
  const labels = value.entries.get(labelKey);
  if (typeof data !== "object" || data === null || Array.isArray(data) || data.kind !== "ndarray") throw bad("no 'data' array");
  if (data.dtype.replace(/^[<>|=]/, "") !== "u1" || data.fortran || data.shape.length !== 2 || data.shape[1] !== PIXELS) {
    throw bad(`'data' is a ${data.fortran ? "Fortran-order " : ""}${data.dtype} array of shape (${data.shape.join(", ")}), expected uint8 (N, ${PIXELS})`);
  }
  const count = data.shape[0]!;
  const raw = data.raw;
  if (raw === null || Array.isArray(raw)) throw bad("'data' holds objects, not bytes");
  const length = "data" in raw ? raw.data.length : raw.length;
  if (length !== count * PIXELS) throw bad(`'data' holds ${length} bytes, expected ${count} x ${PIXELS}`);
  if (!Array.isArray(labels)) throw bad(`no '${labelKey}' list`);
  if (labels.length !== count) throw bad(`'${labelKey}' has ${labels.length} entries for ${count} images`);
  const classes = CIFAR_LAYOUT[name].classes;
  const ints = new Int32Array(count);
  labels.forEach((l, i) => {
    if (typeof l !== "number" || !Number.isInteger(l) || l < 0 || l >= classes) {
      throw new DataError(file, `image ${i} has label ${typeof l === "number" || typeof l === "bigint" ? l : "(not a number)"}, expected 0..${classes - 1}`);
    }
    ints[i] = l;
  });
  const pixels: PyBytes = raw;
  return {
    file,
    fd,
    count,
    read(i, out) {
      if ("data" in pixels) pixels.data.copy(out, 0, i * PIXELS, (i + 1) * PIXELS);
      else if (fs.readSync(fd, out, 0, PIXELS, pixels.offset + i * PIXELS) !== PIXELS) throw new DataError(file, "image truncated");
      return ints[i]!;
    },
  };
}

export class CifarReader {
  readonly shape: [number, number, number] = [32, 32, 3];
  readonly classes: number;
  readonly count: number;
  /** Which form the batches are in. */
  readonly form: "binary" | "python";
  private readonly batches: Batch[] = [];
  /** First global index of each batch. */
  private readonly starts: number[] = [];
  private readonly scratch = Buffer.allocUnsafe(PIXELS);

  constructor(
    readonly name: CifarName,
    dir: string,
    readonly split: Split,
  ) {
    const layout = CIFAR_LAYOUT[name];
    this.classes = layout.classes;
    const found = resolveCifar(name, dir);
    if (!found) {
      if (!fs.existsSync(dir)) throw new DataError(dir, `no such directory (run \`adainfc data fetch ${name} --dir ${dir}\`)`);
      throw new DataError(
        dir,
        `not a ${name} folder: expected ${layout.files[split].join(", ")} here or under ${layout.folder}/ (the binary version), or the pickles ${layout.python.files[split].join(", ")} here or under ${layout.python.folder}/ (the python version)`,
      );
    }
    this.form = found.form;
    const files = found.form === "binary" ? layout.files[split] : layout.python.files[split];
    let total = 0;
    let current = dir;
    try {
      for (const file of files) {
        const full = path.join(found.dir, file);
        current = full;
        if (!fs.existsSync(full)) throw new DataError(full, `missing ${name} ${split} file`);
        notSpecial(full, fs.statSync(full), `a ${name} batch file`);
        const fd = fs.openSync(full, "r");
        try {
          const size = fs.fstatSync(fd).size;
          this.batches.push(found.form === "binary" ? binaryBatch(full, fd, size, name) : pickleBatch(full, fd, size, name));
        } catch (e) {
          fs.closeSync(fd);
          throw e;
        }
        this.starts.push(total);
        total += this.batches[this.batches.length - 1]!.count;
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
    const s = this.scratch;
    for (let b = 0; b < indices.length; b++) {
      const index = indices[b]!;
      if (!Number.isInteger(index) || index < 0 || index >= this.count) {
        throw new RangeError(`${this.name}: image index ${index} out of range [0, ${this.count})`);
      }
      let f = this.starts.length - 1;
      while (this.starts[f]! > index) f--;
      const batch = this.batches[f]!;
      const label = batch.read(index - this.starts[f]!, s);
      if (label >= this.classes) throw new DataError(batch.file, `record ${index - this.starts[f]!} has label ${label}, expected 0..${this.classes - 1}`);
      labels[b] = label;
      const out = b * PIXELS;
      for (let p = 0; p < 1024; p++) {
        images[out + p * 3] = s[p]!;
        images[out + p * 3 + 1] = s[1024 + p]!;
        images[out + p * 3 + 2] = s[2048 + p]!;
      }
    }
    return { images, labels };
  }

  close(): void {
    for (const b of this.batches.splice(0)) fs.closeSync(b.fd);
  }
}
