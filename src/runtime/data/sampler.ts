// The inflation sampler, with the reference semantics: one epoch is
//   [real] * dup + [generated]
// i.e. every mixture entry repeated `replicate` times and concatenated, then shuffled.
// Several generated sources, each with its own factor, are allowed. Each epoch is
// shuffled with its own RNG stream derived from (seed, epoch), so epoch e has the same
// order on every run and a resumed run can rebuild it from the epoch number alone.
// Like solo-learn's DataLoader(drop_last=True), a batch never spans two epochs: the
// last partial batch of an epoch is dropped.
//
// Memory: one Uint32 permutation of the epoch (4 bytes per sample: 1.05M samples of
// the AdaInf CIFAR-10 mixture = 4.2 MB); replicated sources are never materialised,
// a global index is mapped back to (entry, index) arithmetically.

import { Rng } from "../rng.js";

export interface MixtureEntry {
  /** Name of the source (several entries may name generated sources). */
  source: string;
  /** Images in the source. */
  size: number;
  /** Whole number of times the source is repeated per epoch (the reference's `dup`). */
  replicate: number;
  generated: boolean;
}

export interface MixtureQuantities {
  epochSize: number;
  generatedSamples: number;
  /** Generated samples / epoch size (0 when the epoch is empty). */
  generatedShare: number;
  perEntry: Array<{ source: string; samples: number; share: number }>;
}

/** Epoch size and generated share from the sizes alone (for lint and progress bars). */
export function mixtureQuantities(entries: readonly MixtureEntry[]): MixtureQuantities {
  let epochSize = 0;
  let generatedSamples = 0;
  for (const e of entries) {
    const samples = e.size * e.replicate;
    epochSize += samples;
    if (e.generated) generatedSamples += samples;
  }
  return {
    epochSize,
    generatedSamples,
    generatedShare: epochSize > 0 ? generatedSamples / epochSize : 0,
    perEntry: entries.map((e) => ({
      source: e.source,
      samples: e.size * e.replicate,
      share: epochSize > 0 ? (e.size * e.replicate) / epochSize : 0,
    })),
  };
}

/** RNG stream of epoch e is SAMPLER_STREAM_BASE + e (other users of the seed take other streams). */
export const SAMPLER_STREAM_BASE = 0x5a3e0000;

export interface SampledBatch {
  epoch: number;
  /** Index into the sampler's entries, per sample. */
  entry: Uint16Array;
  /** Index within that entry's source, per sample. */
  index: Uint32Array;
  /** Position in the epoch's concatenated [entry0 x r0, entry1 x r1, ...] list, per sample. */
  global: Uint32Array;
}

export interface SamplerState {
  epoch: number;
  /** Samples of the current epoch already handed out. */
  position: number;
}

export class InflationSampler {
  readonly entries: readonly MixtureEntry[];
  readonly epochSize: number;
  readonly generatedShare: number;
  /** First global index of each entry's block. */
  private readonly starts: number[] = [];
  private currentEpoch = 0;
  private currentPosition = 0;
  private order: Uint32Array | null = null;
  private orderEpoch = -1;

  constructor(
    entries: readonly MixtureEntry[],
    readonly seed: number,
  ) {
    if (entries.length === 0) throw new RangeError("InflationSampler: no mixture entries");
    if (entries.length > 0xffff) throw new RangeError("InflationSampler: too many entries");
    for (const e of entries) {
      if (!Number.isInteger(e.replicate) || e.replicate < 0) {
        throw new RangeError(`InflationSampler: replicate of '${e.source}' must be a whole number >= 0, got ${e.replicate}`);
      }
      if (!Number.isInteger(e.size) || e.size < 0) throw new RangeError(`InflationSampler: bad size of '${e.source}': ${e.size}`);
    }
    this.entries = entries;
    const q = mixtureQuantities(entries);
    if (q.epochSize === 0) throw new RangeError("InflationSampler: the mixture is empty");
    if (q.epochSize > 0xffffffff) throw new RangeError(`InflationSampler: epoch of ${q.epochSize} samples is too large`);
    this.epochSize = q.epochSize;
    this.generatedShare = q.generatedShare;
    let at = 0;
    for (const e of entries) {
      this.starts.push(at);
      at += e.size * e.replicate;
    }
  }

  get epoch(): number {
    return this.currentEpoch;
  }

  /** Full batches per epoch (drop_last). */
  stepsPerEpoch(batchSize: number): number {
    return Math.floor(this.epochSize / batchSize);
  }

  /** The shuffled order of epoch `epoch`: a permutation of 0 .. epochSize-1. */
  permutation(epoch: number): Uint32Array {
    if (this.order && this.orderEpoch === epoch) return this.order;
    const order = this.order && this.order.length === this.epochSize ? this.order : new Uint32Array(this.epochSize);
    for (let i = 0; i < order.length; i++) order[i] = i;
    new Rng(this.seed, SAMPLER_STREAM_BASE + epoch).shuffle(order);
    this.order = order;
    this.orderEpoch = epoch;
    return order;
  }

  /** Which entry and which image a global index stands for. */
  locate(global: number): { entry: number; index: number } {
    let e = this.starts.length - 1;
    while (e > 0 && this.starts[e]! > global) e--;
    // Skip empty entries that share a start with the next one.
    while (e > 0 && this.entries[e]!.size * this.entries[e]!.replicate === 0) e--;
    return { entry: e, index: (global - this.starts[e]!) % this.entries[e]!.size };
  }

  /** The next `batchSize` samples; starts a new epoch when the current one has fewer left. */
  nextBatch(batchSize: number): SampledBatch {
    if (!Number.isInteger(batchSize) || batchSize <= 0 || batchSize > this.epochSize) {
      throw new RangeError(`InflationSampler: batch size ${batchSize} must be in 1..${this.epochSize}`);
    }
    if (this.currentPosition + batchSize > this.epochSize) {
      this.currentEpoch++;
      this.currentPosition = 0;
    }
    const order = this.permutation(this.currentEpoch);
    const entry = new Uint16Array(batchSize);
    const index = new Uint32Array(batchSize);
    const global = order.slice(this.currentPosition, this.currentPosition + batchSize);
    for (let b = 0; b < batchSize; b++) {
      const where = this.locate(global[b]!);
      entry[b] = where.entry;
      index[b] = where.index;
    }
    this.currentPosition += batchSize;
    return { epoch: this.currentEpoch, entry, index, global };
  }

  state(): SamplerState {
    return { epoch: this.currentEpoch, position: this.currentPosition };
  }

  restore(state: SamplerState): void {
    this.currentEpoch = state.epoch;
    this.currentPosition = state.position;
  }
}
