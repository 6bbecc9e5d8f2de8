// Turns the sampler's (entry, index) pairs into pixel batches: the indices of one
// batch are grouped per source, read with one readBatch per source, and scattered
// back into the sampler's order. Generated samples carry label -1.

import type { DataIR } from "../../ir/types.js";
import type { InflationSampler, MixtureEntry, SampledBatch } from "./sampler.js";
import type { ImageBatch, ImageSource } from "./source.js";

export interface MixtureBatch extends ImageBatch {
  epoch: number;
  /** True for samples drawn from a generated source. */
  generated: Uint8Array;
}

/** Mixture entries of the IR's `data.train`, with sizes taken from the opened sources. */
export function mixtureEntries(data: DataIR, sources: ReadonlyMap<string, ImageSource>): MixtureEntry[] {
  return data.train.map((t) => {
    const src = sources.get(t.source);
    if (!src) throw new Error(`mixture names source '${t.source}', which is not open`);
    return { source: t.source, size: src.count, replicate: t.replicate, generated: src.origin === "generated" };
  });
}

export class MixtureLoader {
  readonly shape: [number, number, number];
  private readonly entrySources: ImageSource[];

  constructor(
    readonly sampler: InflationSampler,
    sources: ReadonlyMap<string, ImageSource>,
  ) {
    this.entrySources = sampler.entries.map((e) => {
      const s = sources.get(e.source);
      if (!s) throw new Error(`mixture names source '${e.source}', which is not open`);
      return s;
    });
    const first = this.entrySources[0]!.shape;
    for (const s of this.entrySources) {
      if (s.shape.join("x") !== first.join("x")) {
        throw new Error(`mixture sources differ in shape: ${this.entrySources[0]!.name} is ${first.join("x")}, ${s.name} is ${s.shape.join("x")}`);
      }
    }
    this.shape = first;
  }

  next(batchSize: number): MixtureBatch {
    return this.read(this.sampler.nextBatch(batchSize));
  }

  read(sampled: SampledBatch): MixtureBatch {
    const n = sampled.entry.length;
    const [h, w, c] = this.shape;
    const rec = h * w * c;
    const images = new Uint8Array(n * rec);
    const labels = new Int32Array(n);
    const generated = new Uint8Array(n);
    for (let e = 0; e < this.entrySources.length; e++) {
      const positions: number[] = [];
      for (let b = 0; b < n; b++) if (sampled.entry[b] === e) positions.push(b);
      if (positions.length === 0) continue;
      const source = this.entrySources[e]!;
      const batch = source.readBatch(positions.map((b) => sampled.index[b]!));
      const isGenerated = this.sampler.entries[e]!.generated;
      positions.forEach((b, k) => {
        images.set(batch.images.subarray(k * rec, (k + 1) * rec), b * rec);
        labels[b] = isGenerated ? -1 : batch.labels[k]!;
        generated[b] = isGenerated ? 1 : 0;
      });
    }
    return { images, labels, generated, epoch: sampled.epoch };
  }
}
