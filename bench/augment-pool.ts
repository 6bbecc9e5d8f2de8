// Augmentation views/s of an AugmentPool for several thread counts (two batches in
// flight, as the trainer's prefetch keeps), for sizing --augment-threads on a machine
// with many cores. Prints numbers; asserts nothing.
//
//   npm run build && node dist/bench/augment-pool.js 1 2 4 8

import { stdlibAugment } from "../src/resolve/presets.js";
import { planViews } from "../src/runtime/augment/pipeline.js";
import { AugmentPool } from "../src/runtime/augment/worker.js";
import { Rng } from "../src/runtime/rng.js";

const n = 256;
const shape = { n, height: 32, width: 32, channels: 3 };
const rng0 = new Rng(0);
const data = new Uint8Array(n * 32 * 32 * 3);
for (let i = 0; i < data.length; i++) data[i] = rng0.int(256);
const batch = { data, ...shape };
const counts = process.argv.slice(2).map(Number);
for (const threads of counts.length ? counts : [1, 2]) {
  const pool = await AugmentPool.start(threads);
  try {
    for (const name of ["symmetric", "symmetric_adainf"]) {
      const views = stdlibAugment(name)!.views; // stdlib/augment.adainf, for 32x32 images
      const rng = new Rng(42);
      const once = (): Promise<Float32Array[]> => pool.run(batch, planViews(views, shape, rng));
      for (let i = 0; i < 3; i++) await once();
      let produced = 0;
      const t0 = performance.now();
      while (performance.now() - t0 < 2000) {
        await Promise.all([once(), once()]);
        produced += 2 * 2 * n;
      }
      const rate = produced / ((performance.now() - t0) / 1000);
      console.log(JSON.stringify({ bench: "augment_pool", threads, preset: name, views_per_s: Math.round(rate) }));
    }
  } finally {
    await pool.close();
  }
}
