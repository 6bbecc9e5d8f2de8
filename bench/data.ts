// Benchmark of the npz reader (issue 4): random batches of 256 from a stored
// 200,000-image 32x32x3 npz that this script writes to a temp dir, read by positioned
// reads. Prints JSON: images/s and peak RSS (process.resourceUsage().maxRSS), after a
// small file and then the large one, so RSS growth with the file size shows.
// Targets: >= 50,000 images/s, peak RSS < 300 MB and not growing with the file.
// Build and run:  npm run build && node dist/bench/data.js [--images 200000] [--seconds 5]

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { NpzImageWriter } from "../src/runtime/data/npz-writer.js";
import { NpzReader } from "../src/runtime/data/npz.js";
import { Rng } from "../src/runtime/rng.js";

const SHAPE: [number, number, number] = [32, 32, 3];
const REC = 32 * 32 * 3;
const BATCH = 256;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

function writeSet(file: string, count: number): number {
  const t0 = performance.now();
  const w = NpzImageWriter.create(file, { count, shape: SHAPE });
  const chunk = new Uint8Array(REC * 1024);
  const rng = new Rng(1);
  for (let i = 0; i < count; i += 1024) {
    const n = Math.min(1024, count - i);
    for (let k = 0; k < chunk.length; k += 4) {
      const v = rng.nextU32();
      chunk[k] = v;
      chunk[k + 1] = v >>> 8;
      chunk[k + 2] = v >>> 16;
      chunk[k + 3] = v >>> 24;
    }
    w.append(chunk.subarray(0, n * REC));
  }
  w.finish();
  return (performance.now() - t0) / 1000;
}

async function readFor(file: string, seconds: number): Promise<{ imagesPerSecond: number; batches: number; checksum: number }> {
  const r = await NpzReader.open(file);
  const rng = new Rng(2);
  const indices = new Uint32Array(BATCH);
  const out = new Uint8Array(BATCH * REC);
  // Warm-up pass so the page cache holds the file, as in a training run after epoch 0.
  for (let i = 0; i < r.count; i += BATCH) {
    for (let b = 0; b < BATCH; b++) indices[b] = Math.min(i + b, r.count - 1);
    r.readImages(indices, out);
  }
  let batches = 0;
  let checksum = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) {
    for (let b = 0; b < BATCH; b++) indices[b] = rng.int(r.count);
    r.readImages(indices, out);
    checksum = (checksum + out[batches % out.length]!) >>> 0;
    batches++;
  }
  const elapsed = (performance.now() - t0) / 1000;
  r.close();
  return { imagesPerSecond: Math.round((batches * BATCH) / elapsed), batches, checksum };
}

const mb = (kb: number): number => Math.round(kb / 1024);

async function main(): Promise<void> {
  const images = arg("images", 200_000);
  const seconds = arg("seconds", 5);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "adainf-bench-data-"));
  try {
    const small = path.join(dir, "small.npz");
    const large = path.join(dir, "large.npz");
    const smallCount = Math.max(1000, Math.floor(images / 10));
    writeSet(small, smallCount);
    const smallRead = await readFor(small, Math.min(2, seconds));
    const rssSmall = process.resourceUsage().maxRSS;
    const writeSeconds = writeSet(large, images);
    const largeRead = await readFor(large, seconds);
    const rssLarge = process.resourceUsage().maxRSS;
    console.log(
      JSON.stringify(
        {
          benchmark: "npz random batches of 256, 32x32x3 uint8, stored, positioned reads",
          images,
          fileMB: Math.round(fs.statSync(large).size / 1e6),
          writeSeconds: Number(writeSeconds.toFixed(2)),
          writeMBps: Math.round(fs.statSync(large).size / 1e6 / writeSeconds),
          imagesPerSecond: largeRead.imagesPerSecond,
          smallFile: { images: smallCount, imagesPerSecond: smallRead.imagesPerSecond, peakRssMB: mb(rssSmall) },
          peakRssMB: mb(rssLarge),
          targets: { imagesPerSecond: 50_000, peakRssMB: 300 },
          node: process.version,
          cpus: os.cpus().length,
        },
        null,
        2,
      ),
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

void main();
