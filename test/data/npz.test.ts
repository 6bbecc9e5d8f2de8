// The npz reader on files written here in numpy's format: stored and deflated members
// (with the CRC checked), Fortran order, NCHW, 16-bit and float pixels, any label width,
// v2 headers, zip64; header-only inspection; and hostile files, each a one-line DataError
// naming the path.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { NpzReader } from "../../src/runtime/data/npz.js";
import { inspectNpz } from "../../src/formats/npz-header.js";
import { DataError } from "../../src/formats/data-error.js";
import { bytes, int64, npy, npyArray, tempDir, zipBytes } from "./helpers.js";

const N = 7;
const H = 4;
const W = 5;
const C = 3;
const REC = H * W * C;

/** Pixel value of image n at (h, w, c) in the fixtures. */
const pixels = bytes(N * REC, 42);
const px = (n: number, h: number, w: number, c: number): number => pixels[n * REC + (h * W + w) * C + c]!;

function write(dir: string, name: string, members: Parameters<typeof zipBytes>[0], zip64 = false): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, zipBytes(members, zip64));
  return file;
}

function expectImages(out: Uint8Array, indices: number[], value: (n: number, h: number, w: number, c: number) => number): void {
  expect(out.length).toBe(indices.length * REC);
  let mismatches = 0;
  indices.forEach((n, b) => {
    for (let h = 0; h < H; h++)
      for (let w = 0; w < W; w++) for (let c = 0; c < C; c++) if (out[b * REC + (h * W + w) * C + c] !== value(n, h, w, c)) mismatches++;
  });
  expect(mismatches).toBe(0);
}

describe("npz reader", () => {
  const dir = tempDir();
  const cacheDir = path.join(dir, "cache");
  const labels = [3, -1, 0, 9, 2, -1, 7];

  it("reads a stored uint8 NHWC image array by index, pixel by pixel, with int64 labels", async () => {
    const file = write(dir, "stored.npz", [
      { name: "image.npy", data: npyArray("|u1", [N, H, W, C], pixels) },
      { name: "label.npy", data: npyArray("<i8", [N], int64(labels)) },
    ]);
    const r = await NpzReader.open(file, { cacheDir });
    expect([r.count, ...r.shape]).toEqual([N, H, W, C]);
    expect(r.dtype.name).toBe("uint8");
    expectImages(r.readImages([6, 0, 3, 3]), [6, 0, 3, 3], px);
    expect([...r.readLabels([6, 0, 1])]).toEqual([7, 3, -1]);
    expect(() => r.readImages([N])).toThrow(RangeError);
    r.close();
    expect(fs.existsSync(cacheDir)).toBe(false); // stored C-order data is read in place
  });

  it("inflates deflated members once into the cache and reads the same pixels", async () => {
    const file = write(dir, "deflated.npz", [
      { name: "image.npy", data: npyArray("|u1", [N, H, W, C], pixels), deflate: true },
      { name: "label.npy", data: npyArray("<i8", [N], int64(labels)), deflate: true },
    ]);
    const progress: number[] = [];
    const r = await NpzReader.open(file, { cacheDir, onProgress: (d) => progress.push(d) });
    expectImages(r.readImages([1, 5, 2]), [1, 5, 2], px);
    expect([...r.readLabels([0, 3])]).toEqual([3, 9]);
    r.close();
    expect(progress.length).toBeGreaterThan(0);
    const cached = fs.readdirSync(path.join(cacheDir, "npz"));
    expect(cached).toHaveLength(1);
    const mtime = fs.statSync(path.join(cacheDir, "npz", cached[0]!)).mtimeMs;
    const again = await NpzReader.open(file, { cacheDir, onProgress: () => progress.push(-1) });
    expectImages(again.readImages([4]), [4], px);
    again.close();
    expect(progress).not.toContain(-1); // second open reused the cache
    expect(fs.statSync(path.join(cacheDir, "npz", cached[0]!)).mtimeMs).toBe(mtime);
  });

  it("detects a corrupt deflated member by its CRC", async () => {
    const good = zipBytes([{ name: "image.npy", data: npyArray("|u1", [N, H, W, C], pixels), deflate: true }]);
    // Flip the stored CRC in the local and central headers: data inflates fine but does not match.
    const bad = Buffer.from(good);
    const cd = bad.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    bad.writeUInt32LE((bad.readUInt32LE(cd + 16) ^ 1) >>> 0, cd + 16);
    const file = path.join(dir, "badcrc.npz");
    fs.writeFileSync(file, bad);
    await expect(NpzReader.open(file, { cacheDir: path.join(dir, "c2") })).rejects.toThrow(/CRC mismatch/);
  });

  it("reads Fortran-order arrays (stored and deflated) through a C-order cache", async () => {
    // Fortran order of (N,H,W,C): element (n,h,w,c) at n + N*(h + H*(w + W*c)).
    const f = new Uint8Array(N * REC);
    for (let n = 0; n < N; n++)
      for (let h = 0; h < H; h++) for (let w = 0; w < W; w++) for (let c = 0; c < C; c++) f[n + N * (h + H * (w + W * c))] = px(n, h, w, c);
    for (const deflate of [false, true]) {
      const file = write(dir, `fortran-${deflate}.npz`, [{ name: "image.npy", data: npyArray("|u1", [N, H, W, C], f, true), deflate }]);
      expect(inspectNpz(file).fortranOrder).toBe(true);
      const r = await NpzReader.open(file, { cacheDir });
      expectImages(r.readImages([0, 6, 2, 5]), [0, 6, 2, 5], px);
      expect([...r.readLabels([0, 1])]).toEqual([-1, -1]);
      r.close();
    }
  });

  it("reads big-endian uint16 holding bytes as they are, and 16-bit data scaled to 8 bits", async () => {
    const be = Buffer.alloc(N * REC * 2);
    for (let i = 0; i < N * REC; i++) be.writeUInt16BE(pixels[i]!, i * 2);
    const r = await NpzReader.open(write(dir, "be-u2.npz", [{ name: "image.npy", data: npyArray(">u2", [N, H, W, C], be) }]), { cacheDir });
    expect(r.valueRange).toBe("byte");
    expectImages(r.readImages([2, 3]), [2, 3], px);
    r.close();
    const wide = Buffer.alloc(N * REC * 2);
    for (let i = 0; i < N * REC; i++) wide.writeUInt16LE(pixels[i]! * 257, i * 2);
    const r2 = await NpzReader.open(write(dir, "le-u2.npz", [{ name: "image.npy", data: npyArray("<u2", [N, H, W, C], wide) }]), { cacheDir });
    expect(r2.valueRange).toBe("wide");
    expectImages(r2.readImages([4, 1]), [4, 1], px); // v*257 * 255/65535 = v
    r2.close();
  });

  it("converts float32 in [0,1], float64 in [0,255], big-endian float16 in [0,1] and float32 in [-1,1]", async () => {
    const cases: Array<{ descr: string; size: number; enc: (v: number) => number; write: (b: Buffer, v: number, o: number) => void; range: string }> = [
      { descr: "<f4", size: 4, enc: (v) => v / 255, write: (b, v, o) => b.writeFloatLE(v, o), range: "unit" },
      { descr: ">f8", size: 8, enc: (v) => v, write: (b, v, o) => b.writeDoubleBE(v, o), range: "byte" },
      { descr: "<f4", size: 4, enc: (v) => v / 127.5 - 1, write: (b, v, o) => b.writeFloatLE(v, o), range: "signed" },
      { descr: ">f2", size: 2, enc: (v) => v / 255, write: (b, v, o) => b.writeUInt16BE(toHalf(v), o), range: "unit" },
    ];
    for (const [k, t] of cases.entries()) {
      const buf = Buffer.alloc(N * REC * t.size);
      for (let i = 0; i < N * REC; i++) t.write(buf, t.enc(pixels[i]!), i * t.size);
      const r = await NpzReader.open(write(dir, `float-${k}.npz`, [{ name: "image.npy", data: npyArray(t.descr, [N, H, W, C], buf) }]), { cacheDir });
      expect(r.valueRange).toBe(t.range);
      expectImages(r.readImages([0, 6, 3]), [0, 6, 3], px);
      r.close();
    }
  });

  it("floats slightly over 1 are 0..1 data (clamped), not 0..255; normalised floats and NaN are refused", async () => {
    const f32 = (name: string, value: (i: number) => number) => {
      const buf = Buffer.alloc(N * REC * 4);
      for (let i = 0; i < N * REC; i++) buf.writeFloatLE(value(i), i * 4);
      return write(dir, name, [{ name: "image.npy", data: npyArray("<f4", [N, H, W, C], buf) }]);
    };
    // a generator's output overshooting to 1.04: read as 0..1, the overshoot clamped to 255
    const over = await NpzReader.open(
      f32("over.npz", (i) => (pixels[i]! / 255) * 1.04),
      { cacheDir },
    );
    expect(over.valueRange).toBe("unit");
    expect(Math.max(...over.readImages([0, 1, 2]))).toBe(255);
    over.close();
    // standardised data (mean 0, std 1): no pixel convention fits; refused with the range seen
    const normed = f32("normed.npz", (i) => (pixels[i]! - 128) / 50);
    await expect(NpzReader.open(normed, { cacheDir })).rejects.toThrow(/float pixel values from -2\.5\d* to 2\.5\d* fit no pixel convention/);
    // a NaN in an image: refused naming the image, not read as black
    const nan = f32("nan.npz", (i) => (i === 5 * REC + 7 ? Number.NaN : pixels[i]! / 255));
    const r = await NpzReader.open(nan, { cacheDir, valueRange: "unit" });
    expect(() => r.readImages([4, 5])).toThrow(/image 5 has a NaN pixel value \(element 7\)/);
    r.close();
    await expect(NpzReader.open(nan, { cacheDir })).rejects.toThrow(/image 5 has a NaN pixel value/);
  });

  it("reads NCHW arrays, detected from the shape or declared", async () => {
    const chw = new Uint8Array(N * REC);
    for (let n = 0; n < N; n++)
      for (let h = 0; h < H; h++) for (let w = 0; w < W; w++) for (let c = 0; c < C; c++) chw[n * REC + c * H * W + h * W + w] = px(n, h, w, c);
    const file = write(dir, "nchw.npz", [{ name: "image.npy", data: npyArray("|u1", [N, C, H, W], chw) }]);
    const info = inspectNpz(file);
    expect(info.layout).toBe("nchw");
    expect(info.shape).toEqual([H, W, C]);
    const r = await NpzReader.open(file, { layout: "nchw", cacheDir });
    expectImages(r.readImages([5, 1]), [5, 1], px);
    r.close();
  });

  it("accepts labels of any integer width and byte order, v2 headers and Python 2 long literals", async () => {
    const i4 = Buffer.alloc(N * 4);
    labels.forEach((l, i) => i4.writeInt32BE(l, i * 4));
    const header = `{'descr': '|u1', 'fortran_order': False, 'shape': (${N}L, ${H}L, ${W}L, ${C}L), }`;
    const file = write(dir, "labels-i4.npz", [
      { name: "image.npy", data: npy(header, pixels, 2) },
      { name: "label.npy", data: npyArray(">i4", [N], i4) },
    ]);
    const r = await NpzReader.open(file, { cacheDir });
    expect([...r.labels!]).toEqual(labels);
    expectImages(r.readImages([3]), [3], px);
    r.close();
    const u1 = write(dir, "labels-u1.npz", [
      { name: "label.npy", data: npyArray("|u1", [N], Uint8Array.from([0, 1, 2, 3, 4, 5, 6])) },
      { name: "image.npy", data: npyArray("|u1", [N, H, W, C], pixels) },
    ]);
    const r2 = await NpzReader.open(u1, { cacheDir });
    expect([...r2.readLabels([6, 2])]).toEqual([6, 2]);
    r2.close();
  });

  it("reads zip64 records (central directory extra fields and end records)", async () => {
    const file = write(
      dir,
      "zip64.npz",
      [
        { name: "image.npy", data: npyArray("|u1", [N, H, W, C], pixels) },
        { name: "label.npy", data: npyArray("<i8", [N], int64(labels)) },
      ],
      true,
    );
    const r = await NpzReader.open(file, { cacheDir });
    expectImages(r.readImages([0, 6]), [0, 6], px);
    expect([...r.readLabels([3])]).toEqual([9]);
    r.close();
  });

  it("inspectNpz reads headers only: no cache is built even for deflated members", () => {
    const cache = path.join(dir, "inspect-cache");
    const file = write(dir, "inspect.npz", [
      { name: "image.npy", data: npyArray("<f4", [N, H, W, C], new Uint8Array(N * REC * 4)), deflate: true },
      { name: "label.npy", data: npyArray("<i8", [N], int64(labels)) },
    ]);
    const info = inspectNpz(file);
    expect(info).toMatchObject({ count: N, shape: [H, W, C], dtype: "float32", layout: "nhwc", hasLabels: true, needsCache: true, fortranOrder: false });
    expect(info.members.map((m) => `${m.name}:${m.method}`)).toEqual(["image.npy:deflated", "label.npy:stored"]);
    expect(fs.existsSync(cache)).toBe(false);
  });
});

describe("npz reader: hostile files get one-line DataErrors naming the path", () => {
  const dir = tempDir();
  const cacheDir = path.join(dir, "cache");
  const image = npyArray("|u1", [N, H, W, C], pixels);
  const cases: Array<[string, () => string, RegExp]> = [
    [
      "not a zip",
      () => {
        const f = path.join(dir, "text.npz");
        fs.writeFileSync(f, "hello, this is not a zip archive at all");
        return f;
      },
      /not a zip\/npz archive/,
    ],
    [
      "empty file",
      () => {
        const f = path.join(dir, "empty.npz");
        fs.writeFileSync(f, "");
        return f;
      },
      /empty file/,
    ],
    ["missing file", () => path.join(dir, "nope.npz"), /no such file/],
    ["a directory", () => dir, /directory/],
    [
      "truncated archive",
      () => {
        const f = path.join(dir, "trunc.npz");
        fs.writeFileSync(f, zipBytes([{ name: "image.npy", data: image }]).subarray(0, 200));
        return f;
      },
      /truncated/,
    ],
    ["missing image key", () => write(dir, "noimage.npz", [{ name: "arr_0.npy", data: image }]), /no 'image' array.*arr_0/],
    ["object dtype", () => write(dir, "object.npz", [{ name: "image.npy", data: npyArray("|O", [N], new Uint8Array(0)) }]), /object arrays.*refused/],
    [
      "structured dtype",
      () =>
        write(dir, "struct.npz", [{ name: "image.npy", data: npy("{'descr': [('a', '<u1')], 'fortran_order': False, 'shape': (2,), }", new Uint8Array(2)) }]),
      /structured/,
    ],
    ["unsupported dtype", () => write(dir, "complex.npz", [{ name: "image.npy", data: npyArray("<c8", [1], new Uint8Array(8)) }]), /unsupported dtype/],
    [
      "shape larger than the data",
      () => write(dir, "short.npz", [{ name: "image.npy", data: npyArray("|u1", [N + 1, H, W, C], pixels) }]),
      /truncated: shape \(8, 4, 5, 3\).*needs 480 bytes.*holds 420/,
    ],
    [
      "shape smaller than the data",
      () => write(dir, "long.npz", [{ name: "image.npy", data: npyArray("|u1", [N - 1, H, W, C], pixels) }]),
      /holds 420 data bytes but shape/,
    ],
    [
      "header that tries code",
      () =>
        write(dir, "evil.npz", [
          { name: "image.npy", data: npy("{'descr': __import__('os').system('true'), 'fortran_order': False, 'shape': (1,), }", new Uint8Array(1)) },
        ]),
      /malformed \.npy header/,
    ],
    [
      "extra header keys",
      () => write(dir, "keys.npz", [{ name: "image.npy", data: npy("{'descr': '|u1', 'fortran_order': False, 'shape': (1,), 'x': 1, }", new Uint8Array(1)) }]),
      /keys/,
    ],
    ["bad magic", () => write(dir, "magic.npz", [{ name: "image.npy", data: Buffer.from("NOTNUMPY----------------") }]), /bad magic/],
    [
      "label count mismatch",
      () =>
        write(dir, "labels.npz", [
          { name: "image.npy", data: image },
          { name: "label.npy", data: npyArray("<i8", [3], int64([1, 2, 3])) },
        ]),
      /label array has shape \(3\) but there are 7 images/,
    ],
    [
      "float labels",
      () =>
        write(dir, "flabels.npz", [
          { name: "image.npy", data: image },
          { name: "label.npy", data: npyArray("<f4", [N], new Uint8Array(N * 4)) },
        ]),
      /expected integers/,
    ],
    ["1-D image array", () => write(dir, "flat.npz", [{ name: "image.npy", data: npyArray("|u1", [N * REC], pixels) }]), /expected \(N, H, W, C\)/],
    [
      "a header nested 5,000 deep",
      () =>
        write(dir, "deep.npz", [
          { name: "image.npy", data: npy(`{'descr': '|u1', 'fortran_order': False, 'shape': ${"(".repeat(5000)}, }`, new Uint8Array(1)) },
        ]),
      /malformed \.npy header \(containers nested more than 32 deep/,
    ],
    [
      "a local header offset far past the end (zip64)",
      () => {
        const f = path.join(dir, "far.npz");
        const z = zipBytes([{ name: "image.npy", data: image }], true);
        // the zip64 extra field of the central directory entry: uncompressed, compressed, offset
        const cd = z.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
        z.writeBigUInt64LE(2n ** 62n, cd + 46 + "image.npy".length + 4 + 16);
        fs.writeFileSync(f, z);
        return f;
      },
      /bad local header/,
    ],
    [
      "no images",
      () => write(dir, "empty.npz", [{ name: "image.npy", data: npyArray("|u1", [0, H, W, C], new Uint8Array(0)) }]),
      /holds no images \(image array has shape \(0, 4, 5, 3\)\)/,
    ],
  ];
  for (const [what, make, message] of cases) {
    it(what, async () => {
      const file = make();
      let error: unknown;
      try {
        (await NpzReader.open(file, { cacheDir })).close();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(DataError);
      const msg = (error as DataError).message;
      expect(msg.startsWith(`${file}: `)).toBe(true);
      expect(msg).toMatch(message);
      expect(msg).not.toContain("\n");
      // The header-only inspector refuses the same files (label data is not read by it).
      if (!/float labels/.test(what)) expect(() => inspectNpz(file)).toThrow(DataError);
    });
  }
});

/** float -> IEEE half bits (round to nearest), enough for values in [0, 1]. */
function toHalf(v: number): number {
  if (v === 0) return 0;
  const f = new Float32Array([v]);
  const x = new Uint32Array(f.buffer)[0]!;
  const exp = ((x >>> 23) & 0xff) - 127 + 15;
  const mant = x & 0x7fffff;
  if (exp <= 0) return Math.round((mant | 0x800000) / 2 ** (14 - exp));
  return ((exp << 10) | Math.round(mant / 8192)) & 0xffff;
}
