// NpzImageWriter, npy headers and crc32 against the zip bytes and ./helpers.ts's bitwise
// CRC: sizes and CRCs in the local headers (no data descriptors), zip64, atomic finish and
// abort; numpy round trips when /usr/bin/python3 has numpy; > 4 GiB only with
// ADAINF_LARGE_TESTS=1.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { NpzImageWriter } from "../../src/runtime/data/npz-writer.js";
import { NpzReader } from "../../src/runtime/data/npz.js";
import { inspectNpz } from "../../src/formats/npz-header.js";
import { encodeNpyHeader, parseNpyHeader } from "../../src/formats/npy.js";
import { crc32 } from "../../src/formats/crc32.js";
import { bytes, hasNumpy, slowCrc32, tempDir } from "./helpers.js";

describe("npy header encoding", () => {
  it("pads like numpy (data at a multiple of 64) and parses back", () => {
    for (const shape of [[5], [1000, 32, 32, 3], [0, 2]]) {
      const h = encodeNpyHeader("|u1", shape);
      expect(h.length % 64).toBe(0);
      expect(h[h.length - 1]).toBe(0x0a);
      expect(h.toString("latin1", 10)).toContain(`'shape': (${shape.length === 1 ? `${shape[0]},` : shape.join(", ")})`);
      const parsed = parseNpyHeader(h);
      expect(typeof parsed).toBe("object");
      if (typeof parsed === "object") expect(parsed.shape).toEqual(shape);
    }
  });
});

describe("crc32", () => {
  it("matches a bitwise reference on every length 0..40 and when continued across chunks", () => {
    const data = bytes(4099, 7);
    for (let n = 0; n <= 40; n++) expect(crc32(data.subarray(0, n))).toBe(slowCrc32(data.subarray(0, n)));
    expect(crc32(data.subarray(1000), crc32(data.subarray(0, 1000)))).toBe(slowCrc32(data));
    expect(crc32(Buffer.from("123456789"))).toBe(0xcbf43926);
  });
});

describe("NpzImageWriter", () => {
  const dir = tempDir();
  const N = 9;
  const shape: [number, number, number] = [6, 4, 3];
  const rec = 6 * 4 * 3;
  const pixels = bytes(N * rec, 3);

  for (const forceZip64 of [false, true]) {
    it(`streams images into image.npy + label.npy (-1) ${forceZip64 ? "with zip64 records" : ""}`, async () => {
      const out = path.join(dir, `out-${forceZip64}.npz`);
      const w = NpzImageWriter.create(out, { count: N, shape, forceZip64 });
      for (let i = 0; i < N; i++) w.append(pixels.subarray(i * rec, (i + 1) * rec));
      expect(fs.existsSync(out)).toBe(false); // atomic: only the temp file exists until finish()
      w.finish();
      expect(fs.readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
      const info = inspectNpz(out);
      expect(info).toMatchObject({ count: N, shape, dtype: "uint8", hasLabels: true, needsCache: false });
      expect(info.members.map((m) => m.name)).toEqual(["image.npy", "label.npy"]);
      const r = await NpzReader.open(out, { cacheDir: path.join(dir, "cache") });
      expect(Buffer.from(r.readImages([0, 1, 2, 3, 4, 5, 6, 7, 8])).equals(Buffer.from(pixels))).toBe(true);
      expect([...r.labels!]).toEqual(new Array(N).fill(-1));
      r.close();
      // The zip's CRCs are right: recompute the image member's CRC from the file.
      const buf = fs.readFileSync(out);
      const cd = buf.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
      const local = buf.indexOf(Buffer.from([0x50, 0x4b, 0x03, 0x04]));
      const dataStart = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
      const size = encodeNpyHeader("|u1", [N, ...shape]).length + N * rec;
      expect(buf.readUInt32LE(cd + 16)).toBe(slowCrc32(buf.subarray(dataStart, dataStart + size)));
      expect(buf.readUInt32LE(local + 14)).toBe(buf.readUInt32LE(cd + 16));
    });
  }

  // Why the zip writer is ours (src/runtime/data/zip-writer.ts): a streamed stored member
  // with a data descriptor (what yazl writes) cannot be read by streaming readers.
  it("writes sizes and CRC into the local headers, without data descriptors", () => {
    const out = path.join(dir, "local.npz");
    const w = NpzImageWriter.create(out, { count: N, shape });
    w.append(pixels);
    w.finish();
    const buf = fs.readFileSync(out);
    const cd = buf.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    let local = 0;
    for (const name of ["image.npy", "label.npy"]) {
      expect(buf.readUInt32LE(local)).toBe(0x04034b50);
      expect(buf.readUInt16LE(local + 6) & 0x8).toBe(0); // bit 3 (data descriptor) clear
      const size = buf.readUInt32LE(local + 22);
      const nameLen = buf.readUInt16LE(local + 26);
      expect(buf.toString("utf8", local + 30, local + 30 + nameLen)).toBe(name);
      const start = local + 30 + nameLen + buf.readUInt16LE(local + 28);
      expect(buf.readUInt32LE(local + 18)).toBe(size);
      expect(buf.readUInt32LE(local + 14)).toBe(slowCrc32(buf.subarray(start, start + size)));
      local = start + size; // the next local header follows at once
    }
    expect(local).toBe(cd);
    const funzip = spawnSync("funzip", [], { input: buf, maxBuffer: 1 << 24 });
    if (!funzip.error) expect(Buffer.from(funzip.stdout).equals(buf.subarray(30 + 9, 30 + 9 + buf.readUInt32LE(22)))).toBe(true);
  });

  it.skipIf(!process.env["ADAINF_LARGE_TESTS"] || !hasNumpy())(
    "writes a > 4 GiB npz with zip64 records that numpy reads (set ADAINF_LARGE_TESTS=1; writes 4.3 GB to the temp folder)",
    async () => {
      const count = 1_400_000; // x 3,072 bytes = 4.3 GB, past the 4 GiB zip limit
      const out = path.join(dir, "large.npz");
      const w = NpzImageWriter.create(out, { count, shape: [32, 32, 3] });
      const chunk = new Uint8Array(3072 * 10_000);
      for (let i = 0; i < count; i += 10_000) {
        chunk.fill(i / 10_000);
        w.append(chunk);
      }
      w.finish();
      try {
        const r = await NpzReader.open(out);
        expect(r.count).toBe(count);
        expect(r.readImages([count - 1])[5]).toBe(139);
        r.close();
        const py = [
          "import numpy as np, sys, zipfile",
          "zf = zipfile.ZipFile(sys.argv[1])",
          "print([(i.filename, i.file_size) for i in zf.infolist()])",
          "lb = np.load(sys.argv[1])['label']",
          "f = zf.open('image.npy'); np.lib.format.read_magic(f); print(np.lib.format.read_array_header_1_0(f)[0], lb.shape, int(lb.min()))",
        ].join("\n");
        const res = spawnSync("/usr/bin/python3", ["-c", py, out], { encoding: "utf8" });
        expect(res.stderr).toBe("");
        expect(res.stdout.trim().split("\n")).toEqual([
          `[('image.npy', ${encodeNpyHeader("|u1", [count, 32, 32, 3]).length + count * 3072}), ('label.npy', ${encodeNpyHeader("<i8", [count]).length + count * 8})]`,
          `(${count}, 32, 32, 3) (${count},) -1`,
        ]);
      } finally {
        fs.rmSync(out, { force: true });
      }
    },
    600_000,
  );

  it("refuses wrong counts and leaves nothing behind on abort", () => {
    const out = path.join(dir, "aborted.npz");
    const w = NpzImageWriter.create(out, { count: 2, shape });
    w.append(pixels.subarray(0, rec));
    expect(() => w.finish()).toThrow(/1 of 2 images/);
    expect(() => w.append(pixels.subarray(0, rec - 1))).toThrow(/whole number/);
    w.abort();
    expect(fs.readdirSync(dir).filter((f) => f.includes("aborted"))).toEqual([]);
  });

  it.skipIf(!hasNumpy())("is read back by numpy.load exactly", () => {
    const out = path.join(dir, "numpy.npz");
    const w = NpzImageWriter.create(out, { count: N, shape, forceZip64: true });
    w.append(pixels);
    w.finish();
    const py = [
      "import numpy as np, sys, zlib",
      "z = np.load(sys.argv[1])",
      "im, lb = z['image'], z['label']",
      "print(im.shape, im.dtype, lb.dtype, int(lb.min()), int(lb.max()), zlib.crc32(im.tobytes()))",
    ].join("\n");
    const res = spawnSync("/usr/bin/python3", ["-c", py, out], { encoding: "utf8" });
    expect(res.stderr).toBe("");
    expect(res.stdout.trim()).toBe(`(${N}, 6, 4, 3) uint8 int64 -1 -1 ${slowCrc32(pixels)}`);
  });

  it.skipIf(!hasNumpy())("reads an npz written by numpy.savez and savez_compressed", async () => {
    for (const fn of ["savez", "savez_compressed"]) {
      const out = path.join(dir, `${fn}.npz`);
      const py = [
        "import numpy as np, sys",
        "im = np.arange(5*4*3*3, dtype=np.uint8).reshape(5, 4, 3, 3)",
        `np.${fn}(sys.argv[1], image=im, label=-1 * np.ones(5, dtype=np.int64))`,
      ].join("\n");
      expect(spawnSync("/usr/bin/python3", ["-c", py, out]).status).toBe(0);
      const r = await NpzReader.open(out, { cacheDir: path.join(dir, "cache") });
      const img = r.readImages([4]);
      expect([...img]).toEqual(Array.from({ length: 36 }, (_, i) => 4 * 36 + i));
      expect([...r.readLabels([0, 4])]).toEqual([-1, -1]);
      r.close();
    }
  });
});

describe("temp files of a killed writer", () => {
  it("the next writer of the same name removes a dead process's temp file, not a live one's or another name's", () => {
    const dir = tempDir();
    const dead = spawnSync(process.execPath, ["-e", "0"]).pid!;
    const stale = `.gen.npz.${dead}.lx0.tmp`;
    const live = `.gen.npz.${process.ppid}.lx1.tmp`;
    const other = `.other.npz.${dead}.lx2.tmp`;
    for (const f of [stale, live, other]) fs.writeFileSync(path.join(dir, f), "partial");
    const w = NpzImageWriter.create(path.join(dir, "gen.npz"), { count: 1, shape: [1, 1, 1] });
    w.append(new Uint8Array([7]));
    w.finish();
    expect(fs.readdirSync(dir).sort()).toEqual([live, other, "gen.npz"].sort());
  });

  it("a generation killed mid-write leaves a temp file that the next run removes", async () => {
    const dir = tempDir();
    const out = path.join(dir, "g.npz");
    // A child that starts writing, then is killed with SIGKILL (no handler can run).
    const { spawn } = await import("node:child_process");
    // The built module (npm run build), as the CLI runs it.
    const url = new URL("../../dist/src/runtime/data/npz-writer.js", import.meta.url).href;
    const child = spawn(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `const { NpzImageWriter } = await import(${JSON.stringify(url)});
       const w = NpzImageWriter.create(${JSON.stringify(out)}, { count: 2, shape: [1, 1, 1] });
       w.append(new Uint8Array([1])); console.log("ready"); setInterval(() => {}, 1000);`,
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let err = "";
    child.stderr.on("data", (d) => (err += d));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on("data", (d) => String(d).includes("ready") && resolve());
      child.on("exit", () => reject(new Error(`child ended first: ${err}`)));
    });
    child.kill("SIGKILL");
    await new Promise((r) => child.on("exit", r));
    expect(fs.readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toHaveLength(1);
    const w = NpzImageWriter.create(out, { count: 1, shape: [1, 1, 1] });
    w.append(new Uint8Array([7]));
    w.finish();
    expect(fs.readdirSync(dir)).toEqual(["g.npz"]);
  });
});
