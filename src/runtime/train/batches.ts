// The input side of training: sampler -> pixels -> one augmented float view per IR view.
//
// The batch of step s is a pure function of (seed, s): the sampler position of step s
// is computed from s (batches never span epochs, so epoch = floor(s / stepsPerEpoch)),
// and the augmentation draws come from Rng(seed, AUGMENT_STREAM_BASE + s). That is what
// makes a resumed run identical to an uninterrupted one without saving any generator
// state, and lets the next batch be prepared on another thread while this one trains.
//
// With workers (AugmentPool: one thread, or several that split each batch; compiled
// entry in dist/), the plans are drawn here and executed on other cores; otherwise
// inline. The views are the same bytes either way.
import { RunSetupError } from "./errors.js";
import type { PipelineIR } from "../../ir/types.js";
import { AugmentPool } from "../augment/worker.js";
import { executePlan, planViews } from "../augment/pipeline.js";
import type { ImageBatch } from "../augment/batch.js";
import type { ViewPlan } from "../augment/plan.js";
import { InflationSampler, MixtureLoader, mixtureEntries, type ImageSource, type SamplerState } from "../data/index.js";
import { Rng } from "../rng.js";

/** Rng stream of step s's augmentation draws is AUGMENT_STREAM_BASE + s. */
export const AUGMENT_STREAM_BASE = 0x10000000;

export interface PreparedBatch {
  step: number;
  epoch: number;
  /** One float32 NHWC array per view, normalised. */
  views: Float32Array[];
  /** [n, h, w, c] of each view. */
  shapes: [number, number, number, number][];
  labels: Int32Array;
  generated: Uint8Array;
  /** Milliseconds spent reading and augmenting this batch (its own, not waits before it). */
  augmentMs: number;
}

export type WorkerMode = "auto" | "off";
/** Every WorkerMode, for checking a caller's value. */
export const WORKER_MODES: readonly WorkerMode[] = ["auto", "off"];

export class BatchProducer {
  readonly sampler: InflationSampler;
  private readonly loader: MixtureLoader;
  readonly stepsPerEpoch: number;
  readonly shape: [number, number, number];

  private constructor(
    private readonly ir: PipelineIR,
    sources: ReadonlyMap<string, ImageSource>,
    private readonly worker: AugmentPool | null,
    /** Why the worker is not used (null when it is). */
    readonly inlineReason: string | null,
  ) {
    this.sampler = new InflationSampler(mixtureEntries(ir.data, sources), ir.seed);
    this.loader = new MixtureLoader(this.sampler, sources);
    this.shape = this.loader.shape;
    this.stepsPerEpoch = this.sampler.stepsPerEpoch(ir.train.batchSize);
    if (this.stepsPerEpoch === 0) {
      throw new RunSetupError(
        `the training mixture has ${this.sampler.epochSize} samples, fewer than one batch of ${ir.train.batchSize}: lower train.batch_size or add data`,
      );
    }
  }

  /**
   * `entry`: the worker's compiled entry, when not beside the augmentation module (tests).
   * `threads`: augmentation threads (each batch is split across them; same views).
   */
  static async create(ir: PipelineIR, sources: ReadonlyMap<string, ImageSource>, mode: WorkerMode, entry?: URL, threads = 1): Promise<BatchProducer> {
    if (mode === "off") return new BatchProducer(ir, sources, null, "disabled");
    let pool: AugmentPool;
    try {
      pool = await AugmentPool.start(threads, entry);
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e);
      return new BatchProducer(ir, sources, null, reason);
    }
    // Only a pool that could not start means "augment inline": anything the producer
    // itself refuses (a mixture smaller than one batch) stops the started threads, which
    // would otherwise keep the process alive after the error.
    try {
      return new BatchProducer(ir, sources, pool, null);
    } catch (e) {
      await pool.close();
      throw e;
    }
  }

  get usesWorker(): boolean {
    return this.worker !== null;
  }

  /** Augmentation threads (0 when augmenting on the training thread). */
  get threads(): number {
    return this.worker?.threads ?? 0;
  }

  /** Sampler position at the start of step `step`. */
  samplerStateAt(step: number): SamplerState {
    return { epoch: Math.floor(step / this.stepsPerEpoch), position: (step % this.stepsPerEpoch) * this.ir.train.batchSize };
  }

  /** Reads and augments the batch of step `step` (on the worker when there is one). */
  async prepare(step: number): Promise<PreparedBatch> {
    const t0 = performance.now();
    const b = this.ir.train.batchSize;
    this.sampler.restore(this.samplerStateAt(step));
    const mixed = this.loader.next(b);
    const [height, width, channels] = this.shape;
    const batch: ImageBatch = { data: mixed.images, n: b, height, width, channels };
    const plans = planViews(this.ir.augment, { n: b, height, width, channels }, new Rng(this.ir.seed, AUGMENT_STREAM_BASE + step));
    // Reading (here) plus augmenting: on the worker threads, their own busy time (the
    // round trip would include waiting for this thread, busy training, to take the reply).
    const readMs = performance.now() - t0;
    let views: Float32Array[];
    let augmentMs: number;
    if (this.worker) {
      const timed = await this.worker.runTimed(batch, plans, { transfer: true });
      views = timed.views;
      augmentMs = readMs + timed.ms;
    } else {
      views = plans.map((p) => executePlan(batch, p));
      augmentMs = performance.now() - t0;
    }
    return {
      step,
      epoch: mixed.epoch,
      views,
      shapes: plans.map((p) => viewShape(p)),
      labels: mixed.labels,
      generated: mixed.generated,
      augmentMs,
    };
  }

  async close(): Promise<void> {
    await this.worker?.close();
  }
}

function viewShape(p: ViewPlan): [number, number, number, number] {
  return [p.input.n, p.outHeight, p.outWidth, p.input.channels];
}
