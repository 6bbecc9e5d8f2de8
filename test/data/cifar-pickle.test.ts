// CIFAR's "python version" (the pickles torchvision downloads) read by CifarReader, on
// fixtures Python itself checked (test/data/make_cifar_pickles.py: Python 2 cPickle's
// protocol-2 opcodes for CIFAR-10, Python 3's pickle.dump for CIFAR-100 and protocols 4
// and 5); and what the pickle reader refuses: code, truncation, wrong shapes, bad labels.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { DataError } from "../../src/formats/data-error.js";
import { MAX_VALUES, PickleError, type PyDict, type PyArray, readPickle } from "../../src/formats/py-pickle.js";
import { CifarReader, resolveCifar } from "../../src/runtime/data/cifar.js";
import { dataInfo } from "../../src/runtime/data/info.js";
import { tempDir } from "./helpers.js";

const FIXTURES = path.join(import.meta.dirname, "fixtures");

/** The fixtures' pixel byte p (CHW) of image g, and its label. */
const pixel = (g: number, p: number) => (g * 31 + p) % 256;
const label = (g: number, classes: number) => (g * 3 + 1) % classes;

/** Image `g` as the reader hands it out: HWC. */
function hwc(g: number): Uint8Array {
  const out = new Uint8Array(3072);
  for (let p = 0; p < 1024; p++) for (let c = 0; c < 3; c++) out[p * 3 + c] = pixel(g, c * 1024 + p);
  return out;
}

function copyFixtures(): string {
  const dir = tempDir();
  fs.cpSync(FIXTURES, dir, { recursive: true });
  return dir;
}

function parse(file: string) {
  const fd = fs.openSync(file, "r");
  try {
    return readPickle(fd, fs.fstatSync(fd).size);
  } finally {
    fs.closeSync(fd);
  }
}

describe("CIFAR python version", () => {
  it("CIFAR-10 (Python 2 pickles): batches 1-5 in order, each image's rows as HWC, with labels; from the folder or its parent", () => {
    for (const where of [FIXTURES, path.join(FIXTURES, "cifar-10-batches-py")]) {
      const r = new CifarReader("cifar10", where, "train");
      expect(r.form).toBe("python");
      expect(r.count).toBe(39); // 30 + 2 + 2 + 3 + 2
      // 0 and 29 lie in data_batch_1's 92 KB string (read where it lies), 31 and 38 in small ones
      const { images, labels } = r.readBatch([0, 29, 31, 38]);
      [0, 29, 31, 38].forEach((g, b) => {
        expect(Buffer.from(images.subarray(b * 3072, (b + 1) * 3072)).equals(Buffer.from(hwc(g)))).toBe(true);
        expect(labels[b]).toBe(label(g, 10));
      });
      r.close();
      const test = new CifarReader("cifar10", where, "test");
      expect(test.count).toBe(4);
      const t = test.readBatch([3]);
      expect(Buffer.from(t.images).equals(Buffer.from(hwc(1003)))).toBe(true);
      expect(t.labels[0]).toBe(label(1003, 10));
      test.close();
    }
  });

  it("CIFAR-100 (Python 3's pickle.dump, protocol 2): the fine labels", () => {
    const r = new CifarReader("cifar100", FIXTURES, "train");
    expect(r.count).toBe(5);
    const { images, labels } = r.readBatch([4]);
    expect(Buffer.from(images).equals(Buffer.from(hwc(4)))).toBe(true);
    expect(labels[0]).toBe(label(4, 100));
    r.close();
    expect(new CifarReader("cifar100", FIXTURES, "test").count).toBe(2);
  });

  it("protocols 4 and 5 (numpy's bytes and out-of-band buffers), text keys and values", () => {
    for (const f of ["proto4.pkl", "proto5.pkl"]) {
      const d = parse(path.join(FIXTURES, f)) as PyDict;
      expect(d.kind).toBe("dict");
      expect(d.entries.get("note")).toBe("ünïcode");
      expect(d.entries.get("labels")).toEqual([0, 1, 2].map((g) => label(g, 10)));
      const a = d.entries.get("data") as PyArray;
      expect(a).toMatchObject({ kind: "ndarray", dtype: "|u1", shape: [3, 3072], fortran: false });
      const raw = a.raw as { data: Buffer };
      expect(raw.data[3072 + 5]).toBe(pixel(1, 5));
    }
  });

  it("a folder with both forms is read as the binary one; data info names the python version's format", async () => {
    const dir = copyFixtures();
    expect(resolveCifar("cifar10", dir)).toEqual({ dir: path.join(dir, "cifar-10-batches-py"), form: "python" });
    const info = await dataInfo(dir, { cwd: dir, maxSamples: 10 });
    expect(info).toMatchObject({ format: "cifar10", count: 39, split: "train" });
    fs.mkdirSync(path.join(dir, "cifar-10-batches-bin"));
    fs.writeFileSync(path.join(dir, "cifar-10-batches-bin", "test_batch.bin"), Buffer.alloc(3073));
    expect(resolveCifar("cifar10", dir)?.form).toBe("binary");
  });
});

describe("what a CIFAR pickle may not hold", () => {
  const batch = (dir: string) => path.join(dir, "cifar-10-batches-py", "data_batch_2");

  it("code: a pickle that calls anything but numpy's reconstructors is refused, naming the call, and nothing runs", () => {
    const dir = copyFixtures();
    const marker = path.join(dir, "ran");
    // os.system("touch <marker>"), as a malicious pickle would
    const cmd = Buffer.from(`touch ${marker}`);
    fs.writeFileSync(batch(dir), Buffer.concat([Buffer.from("\x80\x02cos\nsystem\nq\x01X", "latin1"), u32(cmd.length), cmd, Buffer.from("\x85R.", "latin1")]));
    expect(() => new CifarReader("cifar10", dir, "train")).toThrow(
      new DataError(
        batch(dir),
        "not a cifar10 python batch: it calls os.system, which adainfc does not run (it reads data pickles only: dicts, lists, numbers, strings and numpy arrays)",
      ),
    );
    expect(fs.existsSync(marker)).toBe(false);
  });

  it("a truncated batch, a wrong shape, a bad label, a missing label list: one line naming the file", () => {
    const dir = copyFixtures();
    const first = path.join(dir, "cifar-10-batches-py", "data_batch_1");
    const whole = fs.readFileSync(first);
    fs.writeFileSync(first, whole.subarray(0, 50_000));
    expect(() => new CifarReader("cifar10", dir, "train")).toThrow(
      /data_batch_1: not a cifar10 python batch: a 92160-byte string at byte \d+ runs past the end of the file$/,
    );
    fs.writeFileSync(first, whole);

    // data_batch_2's labels: `labels`, its list, then MARK and a BININT1 per label; make the first 10
    const b2 = fs.readFileSync(batch(dir));
    const at = b2.indexOf(Buffer.from("labels"));
    const appends = b2.indexOf(Buffer.from("(K"), at);
    expect(appends).toBeGreaterThan(0);
    const bad = Buffer.from(b2);
    bad[appends + 2] = 10;
    fs.writeFileSync(batch(dir), bad);
    expect(() => new CifarReader("cifar10", dir, "train")).toThrow(new DataError(batch(dir), "image 0 has label 10, expected 0..9"));

    const renamed = Buffer.from(b2);
    renamed.write("lAbels", at, "latin1");
    fs.writeFileSync(batch(dir), renamed);
    expect(() => new CifarReader("cifar10", dir, "train")).toThrow(new DataError(batch(dir), "not a cifar10 python batch: no 'labels' list"));

    // shape (2, 3072) -> (1, 6144): same bytes, not CIFAR rows
    const shaped = Buffer.from(b2);
    const shape = shaped.indexOf(Buffer.from([0x4b, 0x02, 0x4d, 0x00, 0x0c, 0x86]));
    expect(shape).toBeGreaterThan(0);
    shaped[shape + 1] = 1;
    shaped.writeUInt16LE(6144, shape + 3);
    fs.writeFileSync(batch(dir), shaped);
    expect(() => new CifarReader("cifar10", dir, "train")).toThrow(
      new DataError(batch(dir), "not a cifar10 python batch: 'data' is a |u1 array of shape (1, 6144), expected uint8 (N, 3072)"),
    );

    fs.writeFileSync(batch(dir), "not a pickle");
    expect(() => new CifarReader("cifar10", dir, "train")).toThrow(
      /data_batch_2: not a cifar10 python batch: opcode 0x6e at byte 0 is not one a data pickle uses$/,
    );
  });

  it("a small hostile pickle cannot take the memory: more than MAX_VALUES values, or memo entries, is refused", () => {
    const dir = tempDir();
    const f = path.join(dir, "p.pkl");
    // 1,000,001 empty dicts (about 250 bytes of memory each for one byte of file)
    fs.writeFileSync(f, Buffer.concat([Buffer.from([0x80, 0x02]), Buffer.alloc(MAX_VALUES + 1, 0x7d), Buffer.from(".")]));
    expect(() => parse(f)).toThrow(/^it makes more than 1,000,000 values by byte \d+ \(a data batch makes far fewer\)$/);
    // one value stored under 1,000,001 memo keys (LONG_BINPUT n)
    const puts = Buffer.alloc((MAX_VALUES + 1) * 5);
    for (let i = 0; i <= MAX_VALUES; i++) {
      puts[i * 5] = 0x72;
      puts.writeUInt32LE(i, i * 5 + 1);
    }
    fs.writeFileSync(f, Buffer.concat([Buffer.from([0x80, 0x02, 0x4e]), puts, Buffer.from(".")]));
    expect(() => parse(f)).toThrow(/^it makes more than 1,000,000 values/);
  });

  it("a stored argument used again costs nothing again: _codecs.encode's bytes, numpy.dtype's name, a byte-string key", () => {
    const dir = tempDir();
    const f = path.join(dir, "p.pkl");
    const u32 = (n: number) => {
      const b = Buffer.alloc(4);
      b.writeUInt32LE(n);
      return b;
    };
    const MiB = 1 << 20;
    // _codecs.encode(<1 MiB of text>, "latin1") stored, then called 2,000 times: 2 GB as copies
    const text = Buffer.alloc(MiB, 0x61);
    const codecs = Buffer.concat([
      Buffer.from("\x80\x02c_codecs\nencode\nq\x00X", "latin1"),
      u32(MiB),
      text,
      Buffer.from("\x8c\x06latin1\x86q\x010]", "latin1"),
      Buffer.from("h\x00h\x01Ra".repeat(2000), "latin1"),
      Buffer.from("."),
    ]);
    fs.writeFileSync(f, codecs);
    const before = process.memoryUsage().rss;
    const started = Date.now();
    const list = parse(f) as unknown[];
    expect(list).toHaveLength(2000);
    expect(list[0]).toBe(list[1999]); // one buffer, shared
    expect(process.memoryUsage().rss - before).toBeLessThan(200 * MiB);
    expect(Date.now() - started).toBeLessThan(5000);
    // numpy.dtype of a 64 KiB "name": refused, not copied 2,000 times
    const key = Buffer.alloc(65536, 0x6b);
    const dtype = Buffer.concat([
      Buffer.from("\x80\x02B", "latin1"),
      u32(65536),
      key,
      Buffer.from("q\x010cnumpy\ndtype\nq\x000h\x01\x85q\x020]", "latin1"),
      Buffer.from("h\x00h\x02Ra".repeat(2000), "latin1"),
      Buffer.from("."),
    ]);
    fs.writeFileSync(f, dtype);
    expect(() => parse(f)).toThrow(/^numpy\.dtype with a 65536-character type name at byte \d+$/);
    // a 64 KiB key set 20,000 times: decoded once
    const setitem = Buffer.concat([
      Buffer.from("\x80\x02B", "latin1"),
      u32(65536),
      key,
      Buffer.from("q\x010K\x07q\x020}", "latin1"),
      Buffer.from("h\x01h\x02s".repeat(20000), "latin1"),
      Buffer.from("."),
    ]);
    fs.writeFileSync(f, setitem);
    const t = Date.now();
    expect((parse(f) as PyDict).entries.size).toBe(1);
    expect(Date.now() - t).toBeLessThan(3000);
  });

  it("PUT and GET memo keys are digits (Python refuses others)", () => {
    const dir = tempDir();
    const f = path.join(dir, "p.pkl");
    fs.writeFileSync(f, Buffer.from("\x80\x02Npx\ngy\n.", "latin1"));
    expect(() => parse(f)).toThrow(/^memo key 'x' at byte \d+ is not a number$/);
  });

  it("files named train and test that are not pickles do not make a folder CIFAR-100's python version", () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, "train"), "my notes\n");
    expect(resolveCifar("cifar100", dir)).toBeNull();
    expect(() => new CifarReader("cifar100", dir, "train")).toThrow(
      /not a cifar100 folder: expected train\.bin here or under cifar-100-binary\/ .*or the pickles train here or under cifar-100-python\//,
    );
    fs.mkdirSync(path.join(dir, "test"));
    fs.copyFileSync(path.join(FIXTURES, "cifar-100-python", "train"), path.join(dir, "train"));
    expect(resolveCifar("cifar100", dir)).toEqual({ dir, form: "python" });
  });

  it("PickleError for a memo it never stored, an empty stack, a protocol past 5", () => {
    const dir = tempDir();
    const f = path.join(dir, "p.pkl");
    for (const [bytes, says] of [
      ["\x80\x02h\x07.", /memo 7, which it never stored/],
      ["\x80\x02.", /stack is empty/],
      ["\x80\x09N.", /protocol is newer than 5/],
    ] as const) {
      fs.writeFileSync(f, Buffer.from(bytes, "latin1"));
      expect(() => parse(f)).toThrow(PickleError);
      expect(() => parse(f)).toThrow(says);
    }
  });
});

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
}
