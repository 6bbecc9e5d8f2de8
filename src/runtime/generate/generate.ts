// `adainfc generate`: fit PCA + a Gaussian mixture on real images (labels unused),
// sample N images from it and write them in the reference generated-data format.
//
// This is a WEAK stand-in for the diffusion models of the paper (FID ~2 on CIFAR-10):
// samples are blurry, mean-like images. It exists so the inflation experiments can run
// offline, end to end, on a machine without a GPU or internet.
//
// Determinism: every random choice comes from `Rng(seed, stream)` with one stream per
// phase, the fit subset is evenly spaced, and float arithmetic runs in a fixed order,
// so the same source, options and seed give the same bytes.
//
// Memory: the fit matrix (fitSamples x H*W*C float64: 50 MB for 8,000 MNIST digits)
// and one chunk of output; the N generated images stream to disk chunk by chunk. Disk:
// a set larger than the free space where it goes is refused before any work.

import fs from "node:fs";
import path from "node:path";
import type { ChannelOrder, SourceFormat } from "../../ir/types.js";
import { Rng } from "../rng.js";
import { AbortPoint } from "../abort.js";
import { fsError } from "../../formats/data-error.js";
import type { Layout } from "../../formats/npz-header.js";
import { NpzImageWriter } from "../data/npz-writer.js";
import { writeJsonAtomic } from "../../util/atomic-write.js";
import { GenerateError } from "./errors.js";
import { fitGmmAsync, sampleInto, type CovarianceType } from "./gmm.js";
import { combineRows, multiplyABt } from "./kernels.js";
import { dot } from "./linalg.js";
import { explainedVarianceRatio, fitPca, type Matrix } from "./pca.js";
import { frechetDistance, GaussianStats, meanNearestDistance } from "./quality.js";
import { openFitSource, readFitMatrix, type SplitChoice } from "./source.js";

/** Zip member timestamps: 1980-01-01, the earliest DOS date, so the same seed gives the same bytes. */
const REPRODUCIBLE_DATE = new Date(1980, 0, 1);

/** One independent random stream per phase, so changing one phase never shifts another's numbers. */
const STREAM_PCA = 101;
const STREAM_GMM = 102;
const STREAM_SAMPLE = 103;
const STREAM_QUALITY = 104;

/** Images written per chunk (28x28 MNIST: 800 KB; 32x32x3: 3 MB). */
const CHUNK = 1024;
/** Generated images kept for the nearest-neighbour number, and real references/queries. */
const NN_QUERIES = 256;
const NN_REFERENCES = 2000;

export const GENERATE_DEFAULTS = {
  seed: 0,
  components: 10,
  dims: 32,
  covariance: "full" as CovarianceType,
  fitSamples: 10_000,
  maxIterations: 100,
};

export interface GenerateOptions {
  /** Source spec (see source.ts): `mnist`, `mnist:test`, a CIFAR folder[:split], an npz, an image folder. */
  source: string;
  cwd: string;
  /** Output npz path (relative to cwd). The sidecar goes to `<out>.json`. */
  out: string;
  count: number;
  seed?: number;
  /** Mixture components K. */
  components?: number;
  /** PCA dimensions D. */
  dims?: number;
  covariance?: CovarianceType;
  /** Only the first N images of the source are used (a pipeline's `size = N`); default all. */
  first?: number;
  /** Real images used for the fit (evenly spaced over the source, or over its first `first`). */
  fitSamples?: number;
  maxIterations?: number;
  layout?: Layout | "auto";
  /**
   * The order of the three colour channels written: `rgb` (the source's order as read) or
   * `bgr` (red and blue swapped, as the paper's published npz sets are). Single-channel
   * images are written as they are. Default rgb.
   */
  channels?: ChannelOrder;
  cacheDir?: string;
  /** Progress of each phase: reading, pca, em, sampling. */
  onProgress?: (task: string, done: number, total: number) => void;
  /**
   * Aborting (Ctrl-C) stops the work at its next step (an EM step, a chunk of samples;
   * the PCA runs to its end first): the temporary file is removed at once, nothing is
   * written, and generateSet throws Interrupted.
   */
  signal?: AbortSignal;
}

/** What the sidecar `<out>.json` holds. */
export interface GenerateReport {
  generator: "pca-gmm";
  note: string;
  source: string;
  format: SourceFormat;
  split: SplitChoice | null;
  sourceCount: number;
  /** The fit read only the source's first N images (GenerateOptions.first); null: all of them. */
  first: number | null;
  shape: [number, number, number];
  count: number;
  seed: number;
  components: number;
  dims: number;
  covariance: CovarianceType;
  /** The colour channels' order in the npz (GenerateOptions.channels). */
  channels: ChannelOrder;
  fit: {
    samples: number;
    explainedVariance: number;
    emIterations: number;
    emConverged: boolean;
    /** Mean log-likelihood per image in PCA space (pixel units 0..255), first and last EM step. */
    logLikelihoodStart: number;
    logLikelihood: number;
    weights: number[];
  };
  quality: {
    /** Fréchet distance between Gaussians fitted to real and generated PCA coordinates (pixels on a 0..1 scale). NOT FID. */
    frechetPca: number;
    /** The same distance between two random halves of the real fit set: the noise floor. */
    frechetPcaRealHalves: number;
    /** Mean RMS pixel difference (0..1) from a generated image to its nearest real image. */
    nearestReal: number;
    /** The same for real images of the other half, not among the references. */
    nearestRealBaseline: number;
  };
}

export interface GenerateResult {
  report: GenerateReport;
  outPath: string;
  sidecarPath: string;
  /** Seconds per phase (not in the sidecar, which must be reproducible). */
  seconds: { read: number; pca: number; em: number; sample: number; quality: number };
}

export const WEAK_STAND_IN_NOTE =
  "PCA + Gaussian mixture: a weak stand-in for a diffusion model (blurry, mean-like images), for running inflation experiments offline only.";

export async function generateSet(options: GenerateOptions): Promise<GenerateResult> {
  const seed = options.seed ?? GENERATE_DEFAULTS.seed;
  const k = options.components ?? GENERATE_DEFAULTS.components;
  const dims = options.dims ?? GENERATE_DEFAULTS.dims;
  const covariance = options.covariance ?? GENERATE_DEFAULTS.covariance;
  const fitSamples = options.fitSamples ?? GENERATE_DEFAULTS.fitSamples;
  const count = options.count;
  const channels = options.channels ?? "rgb";
  checkWhole("count", count, 1);
  checkWhole("components", k, 1);
  checkWhole("dims", dims, 1);
  checkWhole("fit samples", fitSamples, 2);
  if (options.first !== undefined) checkWhole("first", options.first, 1);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new GenerateError(`seed must be a whole number in [0, 4294967295], not ${seed}`, "usage");
  const progress = options.onProgress ?? (() => undefined);
  const clock = timer();

  const source = await openFitSource(options.source, {
    cwd: options.cwd,
    ...(options.first !== undefined ? { first: options.first } : {}),
    ...(options.layout ? { layout: options.layout } : {}),
    ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}),
    onProgress: progress,
  });
  let x: Matrix;
  let shape: [number, number, number];
  let sourceCount: number;
  try {
    shape = source.shape;
    sourceCount = source.count;
    checkFreeSpace(path.resolve(options.cwd, options.out), count, shape);
    const n = Math.min(fitSamples, source.count);
    const d = shape[0] * shape[1] * shape[2];
    if (n < 2) throw new GenerateError(`${options.source}: ${n} image(s); the generator needs at least 2`);
    if (dims > Math.min(d, n - 1)) throw new GenerateError(`--dims ${dims} is too many: at most ${Math.min(d, n - 1)} for ${n} images of ${d} values`, "usage");
    if (k > n) throw new GenerateError(`--components ${k} is more than the ${n} images fitted`, "usage");
    x = readFitMatrix(source, n, (dn, t) => progress("reading", dn, t)).matrix;
  } finally {
    source.close();
  }
  const tRead = clock();

  // Open the output before the (long) fit, so an unwritable path fails at once.
  const outPath = path.resolve(options.cwd, options.out);
  const sidecarPath = `${outPath}.json`;
  const writer = NpzImageWriter.create(outPath, { count, shape, modified: REPRODUCIBLE_DATE });
  // The temporary file goes as soon as the abort comes (a second Ctrl-C ends the process
  // before the work reaches its next step); after finish() there is none to remove.
  const removeTemp = (): void => writer.abort();
  options.signal?.addEventListener("abort", removeTemp, { once: true });
  const point = new AbortPoint(options.signal);
  try {
    await point.check();
    const { pca, scores: z } = fitPca(x, dims, { rng: new Rng(seed, STREAM_PCA) });
    progress("pca", 1, 1);
    const tPca = clock();

    const maxIterations = options.maxIterations ?? GENERATE_DEFAULTS.maxIterations;
    await point.check();
    const gmm = await fitGmmAsync(
      z,
      k,
      {
        rng: new Rng(seed, STREAM_GMM),
        covariance,
        maxIterations,
        onIteration: (it) => progress("em", it, maxIterations),
      },
      () => point.check(),
    );
    const tEm = clock();

    // Sample, project back, round, clamp, append chunk by chunk. The PCA coordinates of
    // what was actually written (after rounding and clamping) feed the quality number.
    const d = x.cols;
    const rng = new Rng(seed, STREAM_SAMPLE);
    const rows = Math.min(CHUNK, count);
    const swapRedBlue = channels === "bgr" && shape[2] === 3;
    const latent = new Float64Array(rows * dims);
    const eps = new Float64Array(dims);
    const pixels = new Float64Array(rows * d);
    const coords = new Float64Array(rows * dims);
    const chunk = new Uint8Array(rows * d);
    const kept = new Float64Array(Math.min(NN_QUERIES, count) * d);
    const genStats = new GaussianStats(dims);
    const shift = new Float64Array(dims);
    for (let c = 0; c < dims; c++) shift[c] = dot(pca.components, c * d, pca.mean, 0, d);
    for (let done = 0; done < count; ) {
      await point.check();
      const m = Math.min(CHUNK, count - done);
      for (let b = 0; b < m; b++) sampleInto(gmm.model, rng, latent, b * dims, eps);
      combineRows(latent, m, dims, pca.components, d, pca.mean, pixels);
      for (let p = 0; p < m * d; p++) {
        const v = Math.round(pixels[p]!);
        const byte = v < 0 ? 0 : v > 255 ? 255 : v;
        chunk[p] = byte;
        pixels[p] = byte;
      }
      multiplyABt(pixels, m, d, pca.components, dims, coords, shift);
      for (let b = 0; b < m; b++) genStats.add(coords, b * dims);
      const keep = Math.min(m, NN_QUERIES - done);
      if (keep > 0) kept.set(pixels.subarray(0, keep * d), done * d);
      // Quality is measured in the source's order (above); BGR only swaps the bytes written.
      if (swapRedBlue) for (let p = 0; p < m * d; p += 3) [chunk[p], chunk[p + 2]] = [chunk[p + 2]!, chunk[p]!];
      writer.append(chunk.subarray(0, m * d));
      done += m;
      progress("sampling", done, count);
    }
    const tSample = clock();

    const quality = measureQuality(x, z, genStats, { rows: Math.min(NN_QUERIES, count), cols: d, data: kept }, new Rng(seed, STREAM_QUALITY));
    const tQuality = clock();

    await point.check();
    writer.finish();
    const report: GenerateReport = {
      generator: "pca-gmm",
      note: WEAK_STAND_IN_NOTE,
      source: options.source,
      format: source.format,
      split: source.split,
      sourceCount,
      first: options.first ?? null,
      shape,
      count,
      seed,
      components: k,
      dims,
      covariance,
      channels,
      fit: {
        samples: x.rows,
        explainedVariance: explainedVarianceRatio(pca),
        emIterations: gmm.iterations,
        emConverged: gmm.converged,
        logLikelihoodStart: gmm.history[0]!,
        logLikelihood: gmm.history[gmm.history.length - 1]!,
        weights: Array.from(gmm.model.weights),
      },
      quality,
    };
    writeSidecar(sidecarPath, report);
    return { report, outPath, sidecarPath, seconds: { read: tRead, pca: tPca, em: tEm, sample: tSample, quality: tQuality } };
  } catch (e) {
    writer.abort();
    throw e;
  } finally {
    options.signal?.removeEventListener("abort", removeTemp);
  }
}

/**
 * The set must fit on its disk before any work: `--count 99999999999999` would otherwise
 * write for hours (a hidden temporary file) until the disk is full. Sized from the image
 * shape (the npz is stored: N*H*W*C pixel bytes and 8 label bytes an image), against the
 * space free where the file goes (its nearest existing folder); an older file of the same
 * name stays until the new one is complete, so it does not count as free.
 */
function checkFreeSpace(outPath: string, count: number, shape: [number, number, number]): void {
  const needed = count * (shape[0] * shape[1] * shape[2] + 8) + 4096;
  let dir = path.dirname(outPath);
  while (!fs.existsSync(dir) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  let free: number;
  try {
    const st = fs.statfsSync(dir);
    free = st.bavail * st.bsize;
  } catch {
    return; // no answer from the file system: the write itself reports a full disk
  }
  if (needed > free) {
    throw new GenerateError(
      `--count ${count.toLocaleString("en-US")} needs ${sizeText(needed)} for ${shape.join("x")} images, but ${dir} has ${sizeText(free)} free: ask for fewer images, or write elsewhere`,
    );
  }
}

/** Bytes in words: 78.0 PB, 55.0 GB, 912 kB (decimal units, as df -H). */
function sizeText(bytes: number): string {
  const units = ["bytes", "kB", "MB", "GB", "TB", "PB", "EB"];
  let v = bytes;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return u === 0 ? `${v} bytes` : `${v.toFixed(1)} ${units[u]}`;
}

function checkWhole(what: string, v: number, min: number): void {
  if (!Number.isInteger(v) || v < min) throw new GenerateError(`${what} must be a whole number >= ${min}, not ${v}`, "usage");
}

function timer(): () => number {
  let last = performance.now();
  return () => {
    const now = performance.now();
    const s = (now - last) / 1000;
    last = now;
    return s;
  };
}

function measureQuality(x: Matrix, z: Matrix, gen: GaussianStats, kept: Matrix, rng: Rng): GenerateReport["quality"] {
  const dims = z.cols;
  const d = x.cols;
  // PCA coordinates are in pixel units (0..255); squared distances scale by 255^2 to the 0..1 scale.
  const unit = 255 * 255;
  const real = new GaussianStats(dims);
  real.addRows(z);
  const r = real.result();
  let frechetPca = Number.NaN;
  if (gen.count >= 2) {
    const g = gen.result();
    frechetPca = frechetDistance(r.mean, r.cov, g.mean, g.cov, dims) / unit;
  }
  // Two random halves of the fit set (a seeded shuffle: the source's order can follow the
  // classes, as an MNIST split's round-robin does, and halves by row parity would then be
  // two different sets of classes).
  const order = rng.shuffle(Uint32Array.from({ length: x.rows }, (_, i) => i));
  const firstHalf = Math.ceil(x.rows / 2);
  const first = order.subarray(0, firstHalf);
  const second = order.subarray(firstHalf);
  const a = new GaussianStats(dims);
  const b = new GaussianStats(dims);
  for (const row of first) a.add(z.data, row * dims);
  for (const row of second) b.add(z.data, row * dims);
  let frechetPcaRealHalves = Number.NaN;
  if (a.count >= 2 && b.count >= 2) {
    const ra = a.result();
    const rb = b.result();
    frechetPcaRealHalves = frechetDistance(ra.mean, ra.cov, rb.mean, rb.cov, dims) / unit;
  }

  // References: rows of the first half (at most NN_REFERENCES); real queries: rows of the second.
  const refCount = Math.min(NN_REFERENCES, first.length);
  const refs = new Float64Array(refCount * d);
  for (let i = 0; i < refCount; i++) {
    const row = first[i]!;
    refs.set(x.data.subarray(row * d, row * d + d), i * d);
  }
  const qCount = Math.min(NN_QUERIES, second.length);
  const queries = new Float64Array(qCount * d);
  for (let i = 0; i < qCount; i++) {
    const row = second[i]!;
    queries.set(x.data.subarray(row * d, row * d + d), i * d);
  }
  const refMatrix = { rows: refCount, cols: d, data: refs };
  const rms = (dist: number): number => dist / 255 / Math.sqrt(d);
  return {
    frechetPca,
    frechetPcaRealHalves,
    nearestReal: rms(meanNearestDistance(kept, refMatrix)),
    nearestRealBaseline: qCount > 0 ? rms(meanNearestDistance({ rows: qCount, cols: d, data: queries }, refMatrix)) : Number.NaN,
  };
}

function writeSidecar(file: string, value: unknown): void {
  try {
    writeJsonAtomic(file, value);
  } catch (e) {
    throw fsError(file, e);
  }
}
