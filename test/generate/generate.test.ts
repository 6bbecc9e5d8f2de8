// generateSet, the built-in stand-in generator: MNIST and colour npz inputs, the npz and
// sidecar it writes, determinism per seed, no file left behind on bad arguments, source
// specs, fixed zip timestamps, and `first` (a fit on the source's first N images only).
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { dataInfo } from "../../src/runtime/data/info.js";
import { NpzImageWriter } from "../../src/runtime/data/npz-writer.js";
import { openSource } from "../../src/runtime/data/source.js";
import type { DataSourceIR } from "../../src/ir/types.js";
import { generateSet, type GenerateReport } from "../../src/runtime/generate/generate.js";
import { parseSourceSpec } from "../../src/runtime/generate/source.js";
import { GenerateError } from "../../src/runtime/generate/errors.js";
import { Rng } from "../../src/runtime/rng.js";
import { tempDir } from "./helpers.js";

function generatedSource(file: string, shape: [number, number, number]): DataSourceIR {
  return {
    name: "gen",
    format: "npz",
    path: file,
    split: null,
    origin: "generated",
    size: null,
    shape,
    classes: null,
    layout: "nhwc",
    channelOrder: "rgb",
    fid: null,
    standIn: false,
    mean: [],
    std: [],
  };
}

// Small fits so the whole file runs in a few seconds: 1,000 digits, 16 dimensions, 5 components.
const small = { components: 5, dims: 16, fitSamples: 1000 } as const;

describe("generateSet on MNIST", () => {
  const dir = tempDir();

  it("writes N images of 28x28x1 with labels -1 that the data layer reads back, and a sidecar", async () => {
    // 1,500 images: more than one 1,024-image chunk, and not a multiple of it.
    const { report, outPath, sidecarPath } = await generateSet({ source: "mnist", cwd: dir, out: "gen.npz", count: 1500, seed: 1, ...small });
    expect(outPath).toBe(path.join(dir, "gen.npz"));
    const info = await dataInfo("gen.npz", { cwd: dir });
    expect(info).toMatchObject({ format: "npz", count: 1500, shape: [28, 28, 1], dtype: "uint8", labeled: 0, unlabeled: 1500 });
    // MNIST digits are mostly black: the generated set's mean brightness is in the real set's range.
    const real = await dataInfo("mnist", { cwd: dir, split: "train" });
    expect(Math.abs(info.channelMeans[0]! - real.channelMeans[0]!)).toBeLessThan(0.05);

    const src = await openSource(generatedSource(outPath, [28, 28, 1]), { cwd: dir });
    const batch = src.readBatch([0, 1023, 1024, 1499]);
    src.close();
    expect(Array.from(batch.labels)).toEqual([-1, -1, -1, -1]);
    // Images are not blank and not all identical.
    const img = (i: number): Uint8Array => batch.images.subarray(i * 784, (i + 1) * 784);
    expect(Math.max(...img(0))).toBeGreaterThan(100);
    expect(Buffer.from(img(0)).equals(Buffer.from(img(1)))).toBe(false);

    const side = JSON.parse(fs.readFileSync(sidecarPath, "utf8")) as GenerateReport;
    expect(sidecarPath).toBe(`${outPath}.json`);
    expect(side).toMatchObject({
      generator: "pca-gmm",
      source: "mnist",
      format: "mnist",
      split: "train",
      sourceCount: 7996,
      shape: [28, 28, 1],
      count: 1500,
      seed: 1,
      components: 5,
      dims: 16,
      covariance: "full",
    });
    expect(side.note).toMatch(/weak stand-in for a diffusion model/);
    expect(side.fit.samples).toBe(1000);
    expect(side.fit.weights).toHaveLength(5);
    expect(side.fit.weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
    expect(side.fit.explainedVariance).toBeGreaterThan(0.4);
    expect(side.fit.explainedVariance).toBeLessThan(1);
    expect(side.fit.logLikelihood).toBeGreaterThanOrEqual(side.fit.logLikelihoodStart);
    expect(side).toEqual(report);
    // Quality numbers are finite and ordered as expected: the generator is further from the
    // real data than two halves of the real data are from each other.
    expect(side.quality.frechetPca).toBeGreaterThan(side.quality.frechetPcaRealHalves);
    expect(side.quality.nearestReal).toBeGreaterThan(0.02);
    expect(side.quality.nearestRealBaseline).toBeGreaterThan(0.02);
  });

  it("is deterministic: same seed, same bytes; another seed, other bytes", async () => {
    const opts = { source: "mnist:test", cwd: dir, count: 300, ...small };
    await generateSet({ ...opts, out: "a.npz", seed: 42 });
    await generateSet({ ...opts, out: "b.npz", seed: 42 });
    await generateSet({ ...opts, out: "c.npz", seed: 43 });
    const bytes = (f: string): Buffer => fs.readFileSync(path.join(dir, f));
    expect(bytes("a.npz").equals(bytes("b.npz"))).toBe(true);
    expect(bytes("a.npz.json").equals(bytes("b.npz.json"))).toBe(true);
    expect(bytes("a.npz").equals(bytes("c.npz"))).toBe(false);
    const side = JSON.parse(bytes("a.npz.json").toString()) as GenerateReport;
    expect(side).toMatchObject({ split: "test", sourceCount: 2004 });
  });

  it("takes the real noise floor from random halves, not from rows of alternating classes", async () => {
    // Every test digit, in the split's round-robin class order: even rows are mostly the
    // even digits. Halves by row parity would be two different sets of classes.
    const { report } = await generateSet({ source: "mnist:test", cwd: dir, out: "halves.npz", count: 300, seed: 0, components: 5, dims: 16 });
    expect(report.fit.samples).toBe(2004);
    expect(report.quality.frechetPcaRealHalves).toBeLessThan(report.quality.frechetPca / 4);
    // Real queries are about as close to the references as the generated images are (both are digits of every class).
    expect(report.quality.nearestRealBaseline).toBeLessThan(report.quality.nearestReal * 1.2);
  });

  it("leaves no file behind when the arguments do not fit the data", async () => {
    await expect(generateSet({ source: "mnist", cwd: dir, out: "bad.npz", count: 10, dims: 900, fitSamples: 1000 })).rejects.toThrow(
      /--dims 900 is too many: at most 784/,
    );
    await expect(generateSet({ source: "mnist", cwd: dir, out: "bad.npz", count: 0 })).rejects.toBeInstanceOf(GenerateError);
    expect(fs.readdirSync(dir).filter((f) => f.startsWith("bad") || f.startsWith(".bad"))).toEqual([]);
  });
});

describe("generateSet on an npz with colour images", () => {
  it("fits 3-channel images and writes the same shape", async () => {
    const dir = tempDir();
    // 200 8x8 RGB images: a red square or a blue square on black, with noise.
    const rng = new Rng(3);
    const n = 200;
    const px = new Uint8Array(n * 8 * 8 * 3);
    for (let i = 0; i < n; i++) {
      const channel = i % 2 === 0 ? 0 : 2;
      for (let y = 0; y < 8; y++) {
        for (let x = 0; x < 8; x++) {
          const inside = y >= 2 && y < 6 && x >= 2 && x < 6;
          for (let c = 0; c < 3; c++)
            px[((i * 8 + y) * 8 + x) * 3 + c] = Math.max(0, Math.min(255, (inside && c === channel ? 200 : 10) + Math.round(8 * rng.normal())));
        }
      }
    }
    const w = NpzImageWriter.create(path.join(dir, "real.npz"), { count: n, shape: [8, 8, 3], labels: Array.from({ length: n }, (_, i) => i % 2) });
    w.append(px);
    w.finish();
    const { report } = await generateSet({ source: "real.npz", cwd: dir, out: "out/gen.npz", count: 100, components: 2, dims: 4 });
    expect(report).toMatchObject({ format: "npz", split: null, shape: [8, 8, 3], count: 100 });
    const info = await dataInfo("out/gen.npz", { cwd: dir });
    expect(info).toMatchObject({ count: 100, shape: [8, 8, 3], labeled: 0 });
    // Two clusters (red, blue): EM splits them evenly, and the samples are squares of one colour.
    expect(report.fit.weights.map((v) => Math.round(v * 10) / 10).sort()).toEqual([0.5, 0.5]);
    const src = await openSource(generatedSource(path.join(dir, "out/gen.npz"), [8, 8, 3]), { cwd: dir });
    const img = src.readBatch([0]).images;
    src.close();
    const centre = (c: number): number => img[(4 * 8 + 4) * 3 + c]!;
    expect(Math.max(centre(0), centre(2))).toBeGreaterThan(120);
    expect(Math.min(centre(0), centre(2))).toBeLessThan(80);
    expect(img[0]!).toBeLessThan(60); // the corner stays dark
  });

  it("--channels bgr writes the same images with red and blue swapped, and says so in the sidecar", async () => {
    const dir = tempDir();
    const rng = new Rng(4);
    const n = 60;
    const px = new Uint8Array(n * 4 * 4 * 3).map(() => rng.int(256));
    const w = NpzImageWriter.create(path.join(dir, "real.npz"), { count: n, shape: [4, 4, 3] });
    w.append(px);
    w.finish();
    const opts = { source: "real.npz", cwd: dir, count: 30, components: 2, dims: 4, seed: 7 };
    const rgb = await generateSet({ ...opts, out: "rgb.npz" });
    const bgr = await generateSet({ ...opts, out: "bgr.npz", channels: "bgr" });
    expect(rgb.report.channels).toBe("rgb");
    expect(bgr.report.channels).toBe("bgr");
    expect(JSON.parse(fs.readFileSync(path.join(dir, "bgr.npz.json"), "utf8")).channels).toBe("bgr");
    // The fit and its quality numbers are the same: only the bytes written are swapped.
    expect(bgr.report.quality).toEqual(rgb.report.quality);
    const read = async (file: string) => {
      const src = await openSource(generatedSource(path.join(dir, file), [4, 4, 3]), { cwd: dir });
      const images = src.readBatch(Array.from({ length: 30 }, (_, i) => i)).images;
      src.close();
      return images;
    };
    const a = await read("rgb.npz");
    const b = await read("bgr.npz");
    let differs = false;
    for (let p = 0; p < a.length; p += 3) {
      expect([b[p], b[p + 1], b[p + 2]]).toEqual([a[p + 2], a[p + 1], a[p]]);
      differs ||= a[p] !== a[p + 2];
    }
    expect(differs).toBe(true);
  });
});

describe("source specs", () => {
  const dir = tempDir();
  it("reads a split suffix for mnist and for paths that do not exist as typed", () => {
    expect(parseSourceSpec("mnist", dir)).toEqual({ target: "mnist", split: null });
    expect(parseSourceSpec("mnist:test", dir)).toEqual({ target: "mnist", split: "test" });
    expect(parseSourceSpec("MNIST:all", dir)).toEqual({ target: "MNIST", split: "all" });
    expect(parseSourceSpec("data/cifar10:train", dir)).toEqual({ target: "data/cifar10", split: "train" });
    fs.writeFileSync(path.join(dir, "odd:test"), "x");
    expect(parseSourceSpec("odd:test", dir)).toEqual({ target: "odd:test", split: null });
    expect(() => parseSourceSpec("mnist:validation", dir)).toThrow(/unknown split/);
  });
});

describe("zip timestamps", () => {
  it("a fixed modification date makes npz files written at different times identical, zip64 or not", async () => {
    const { NpzImageWriter } = await import("../../src/runtime/data/npz-writer.js");
    const { ZipArchive } = await import("../../src/formats/zip.js");
    const dir = tempDir();
    const write = (file: string, modified: Date | undefined, forceZip64: boolean) => {
      const w = NpzImageWriter.create(file, { count: 2, shape: [2, 2, 1], forceZip64, ...(modified ? { modified } : {}) });
      w.append(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]));
      w.finish();
      return fs.readFileSync(file);
    };
    for (const zip64 of [false, true]) {
      const fixed = new Date(1980, 0, 1);
      const a = write(path.join(dir, `a${zip64}.npz`), fixed, zip64);
      const b = write(path.join(dir, `b${zip64}.npz`), fixed, zip64);
      expect(a.equals(b)).toBe(true);
      const c = write(path.join(dir, `c${zip64}.npz`), new Date(2031, 6, 7, 8, 9, 10), zip64);
      expect(a.equals(c)).toBe(false);
      const zip = ZipArchive.open(path.join(dir, `a${zip64}.npz`));
      expect(zip.entries.map((e) => e.name)).toEqual(["image.npy", "label.npy"]);
      zip.close();
      // 1980-01-01 00:00 in the local header of the first member (time at 10, date at 12).
      expect([a.readUInt16LE(10), a.readUInt16LE(12)]).toEqual([0, 33]);
    }
  });
});

describe("generateSet with first (a pipeline's size = N)", () => {
  it("fits only the source's first N images: the stand-in set looks like those, not like the rest", async () => {
    const dir = tempDir();
    // 20 dark images, then 80 bright ones; a little noise so PCA has directions to find.
    const rng = new Rng(7);
    const n = 100;
    const w = NpzImageWriter.create(path.join(dir, "real.npz"), { count: n, shape: [4, 4, 1] });
    for (let i = 0; i < n; i++) w.append(Uint8Array.from({ length: 16 }, () => (i < 20 ? 20 : 230) + Math.floor(rng.next() * 10)));
    w.finish();
    const opts = { source: "real.npz", cwd: dir, count: 50, components: 1, dims: 2, fitSamples: 20 };
    const mean = async (out: string): Promise<number> => (await dataInfo(out, { cwd: dir })).channelMeans[0]!;
    const { report } = await generateSet({ ...opts, out: "first.npz", first: 20 });
    expect(report).toMatchObject({ first: 20, sourceCount: 20, fit: { samples: 20 } });
    expect(await mean("first.npz")).toBeLessThan(0.15); // the dark first 20 only
    // Without it, 20 samples are spread over all 100 (what the stand-in used to be fitted on).
    const spread = await generateSet({ ...opts, out: "spread.npz" });
    expect(spread.report).toMatchObject({ first: null, sourceCount: 100 });
    expect(await mean("spread.npz")).toBeGreaterThan(0.5);
    // A source with fewer images than asked for is an error, as a pipeline's size is.
    await expect(generateSet({ ...opts, out: "x.npz", first: 101 })).rejects.toThrow(/--first 101: real\.npz holds only 100 images/);
    expect(fs.existsSync(path.join(dir, "x.npz"))).toBe(false);
  });
});
