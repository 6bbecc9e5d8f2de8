// Augmentation on its own thread, so the training thread keeps the other core: the
// trainer draws the plans (cheap, and the only use of the seeded Rng, so the views do
// not depend on which thread runs them), sends pixels + plans, and awaits the floats.
// Requests are answered in order; several can be in flight (e.g. prefetch of batch t+1
// while step t trains).

import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { ImageBatch } from "./batch.js";
import { slicePlan, type ViewPlan } from "./plan.js";
import type { AugmentRequest, AugmentResponse } from "./worker-protocol.js";

/** A request's views and the time its thread(s) spent making them (the slowest thread's, for a pool). */
export interface TimedViews {
  views: Float32Array[];
  ms: number;
}

interface Pending {
  resolve: (out: TimedViews) => void;
  reject: (error: Error) => void;
}

export class AugmentWorker {
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();
  private failure: Error | null = null;

  private constructor(private readonly worker: Worker) {
    worker.on("message", (res: AugmentResponse) => {
      const p = this.pending.get(res.id);
      if (!p) return;
      this.pending.delete(res.id);
      if ("error" in res) p.reject(new Error(`augmentation worker: ${res.error}`));
      else p.resolve({ views: res.outputs, ms: res.ms });
    });
    const failAll = (error: Error): void => {
      this.failure = error;
      for (const p of this.pending.values()) p.reject(error);
      this.pending.clear();
    };
    worker.on("error", (e) => failAll(e instanceof Error ? e : new Error(String(e))));
    worker.on("exit", (code) => failAll(new Error(`augmentation worker exited (code ${code})`)));
  }

  /**
   * Starts the worker. `entry` defaults to the compiled worker-entry.js beside this
   * module (dist/); running from TypeScript sources needs an explicit compiled entry.
   */
  static async start(entry: URL = new URL("./worker-entry.js", import.meta.url)): Promise<AugmentWorker> {
    if (entry.protocol === "file:" && !existsSync(fileURLToPath(entry))) {
      throw new Error(`augmentation worker entry not found: ${fileURLToPath(entry)} (build with \`npm run build\`)`);
    }
    const worker = new Worker(entry);
    await new Promise<void>((resolve, reject) => {
      worker.once("online", () => resolve());
      worker.once("error", reject);
    });
    return new AugmentWorker(worker);
  }

  /**
   * Executes `plans` on `batch` in the worker: one float32 NHWC array per plan. With
   * `transfer`, the batch's buffer moves to the worker (the caller must not reuse it);
   * otherwise it is copied.
   */
  async run(batch: ImageBatch, plans: ViewPlan[], options: { transfer?: boolean } = {}): Promise<Float32Array[]> {
    return (await this.runTimed(batch, plans, options)).views;
  }

  /** As run, with the time the thread spent on it. */
  runTimed(batch: ImageBatch, plans: ViewPlan[], options: { transfer?: boolean } = {}): Promise<TimedViews> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    const req: AugmentRequest = { id, batch, plans };
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage(req, options.transfer ? [batch.data.buffer as ArrayBuffer] : []);
    });
  }

  /** Stops the thread; requests still in flight are rejected. */
  async close(): Promise<void> {
    await this.worker.terminate();
  }
}

/**
 * Several augmentation threads: each batch is split into contiguous runs of samples,
 * one per thread, and the views are put back together in order. Every sample's view
 * depends only on its own plan entries, so the result is the same bytes as one thread
 * (or the training thread) would make. For machines whose training thread does not
 * need the CPU (a GPU backend) and that have cores to spare.
 */
export class AugmentPool {
  private constructor(private readonly workers: AugmentWorker[]) {}

  static async start(threads: number, entry?: URL): Promise<AugmentPool> {
    if (!(Number.isInteger(threads) && threads >= 1)) throw new RangeError(`augmentation threads must be a positive integer, got ${threads}`);
    const workers: AugmentWorker[] = [];
    try {
      for (let i = 0; i < threads; i++) workers.push(await AugmentWorker.start(entry));
    } catch (e) {
      await Promise.all(workers.map((w) => w.close()));
      throw e;
    }
    return new AugmentPool(workers);
  }

  get threads(): number {
    return this.workers.length;
  }

  /** As AugmentWorker.run; with `transfer`, the caller must not reuse the batch. */
  async run(batch: ImageBatch, plans: ViewPlan[], options: { transfer?: boolean } = {}): Promise<Float32Array[]> {
    return (await this.runTimed(batch, plans, options)).views;
  }

  /** As run, with the busy time of the slowest thread (the threads work at once). */
  async runTimed(batch: ImageBatch, plans: ViewPlan[], options: { transfer?: boolean } = {}): Promise<TimedViews> {
    const parts = Math.min(this.workers.length, batch.n);
    if (parts === 1) return this.workers[0]!.runTimed(batch, plans, options);
    const per = batch.height * batch.width * batch.channels;
    const bounds = Array.from({ length: parts + 1 }, (_, i) => Math.round((i * batch.n) / parts));
    const results = await Promise.all(
      this.workers.slice(0, parts).map((worker, i) => {
        const [start, end] = [bounds[i]!, bounds[i + 1]!];
        const chunk: ImageBatch = { ...batch, n: end - start, data: batch.data.slice(start * per, end * per) };
        return worker.runTimed(
          chunk,
          plans.map((p) => slicePlan(p, start, end)),
          { transfer: true },
        );
      }),
    );
    const views = plans.map((plan, v) => {
      const perOut = plan.outHeight * plan.outWidth * plan.input.channels;
      const out = new Float32Array(plan.input.n * perOut);
      results.forEach((r, i) => out.set(r.views[v]!, bounds[i]! * perOut));
      return out;
    });
    return { views, ms: Math.max(...results.map((r) => r.ms)) };
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
  }
}
