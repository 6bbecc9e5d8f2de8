// Our SIMD training loops on several threads, for tfjs-backend-wasm's threaded build:
// workers of our own instantiate train-shared.wasm over the same shared memory as the
// main thread's instance, and each call's work is cut into pieces that the threads,
// the main thread among them, take one at a time until none is left. A call costs no
// message: the main thread writes the call into a shared control block, wakes the
// workers with Atomics.notify, takes pieces itself, and waits with Atomics.wait (allowed
// on Node's main thread) until every piece a worker took is done. A worker slow to wake
// (the machine is busy) only takes fewer pieces: no thread waits for a piece nobody took.
//
// Same bits for any thread count: a piece is a range of channels (batch norm: each
// channel's sums are one piece's, in the one-thread order), of output rows (the
// im2col) or of elements (the sum of chunks), never part of a float reduction.
//
// A worker that cannot start leaves the loops on one thread (the reason is kept for the
// backend's line); a piece that throws makes the call throw once every taken piece is
// done; a piece a worker does not finish in time makes the call throw and the loops go
// back to one thread. The workers never hold the process open; releaseTrainThreads ends them.
import { Worker } from "node:worker_threads";
import type { TrainExports, TrainKernels } from "./train-wasm.js";

/** Tunables (mutable for tests and benchmarks). */
export const trainThreading = {
  /**
   * Calls over fewer floats than these (batch norm: m * c; the im2col: its output; the
   * sum: its length) run on the calling thread alone: a worker takes 10-15 us to wake and
   * join, and below these sizes cutting did not pay on 2 cores (bench/train-loops.ts,
   * docs/runtime.md "Threads"). The sum is the cheapest per float, so its bound is highest.
   */
  minFloats: { batchNorm: 512 * 1024, im2colT: 256 * 1024, accumulate: 1024 * 1024 },
  /** Pieces per thread of a call cut by rows or elements: more balance the threads better when one is slow, fewer cost less. */
  piecesPerThread: 4,
  /**
   * Pieces per thread of batch norm's sums, cut by channels: each piece reads every row,
   * so more pieces read memory more often (in a ResNet-18 step 2 per thread made these
   * sums slower than one thread; 1 per thread, faster).
   */
  channelPiecesPerThread: 1,
  /** How long the backend's start waits for the workers to instantiate the module. */
  startTimeoutMs: 10_000,
  /** How long a call waits, once no piece is left to take, for the pieces workers took. */
  callTimeoutMs: 60_000,
};

/** The pieces a worker runs, and where each one's range (two arguments) is in its argument list. */
const PARTS = {
  channelMomentsPart: 3,
  normalizeRows: 2,
  normalizeGradSums: 4,
  normalizeGradRows: 3,
  im2colTPart: 15,
  accumulatePart: 2,
} as const;
type Part = keyof typeof PARTS;
const PART_NAMES = Object.keys(PARTS) as Part[];

/** Most pieces a call is cut into. */
const MAX_PIECES = 256;

/**
 * The control block: int32 words (the call's number, which workers sleep on; the
 * pieces not yet taken; the pieces done; the call's loop, argument count, range
 * position and piece count; which thread failed first; each worker's start), then the
 * call's float64 arguments, the pieces' bounds and the first failure's message.
 */
interface Layout {
  wake: number;
  left: number;
  done: number;
  op: number;
  argc: number;
  range: number;
  pieces: number;
  /** 0 none, -1 the main thread, else the worker's thread number. */
  failedBy: number;
  messageLength: number;
  /** One word per worker from here: 0 starting, 1 ready, 2 failed to start. */
  ready: number;
  workers: number;
  maxArgs: number;
  maxPieces: number;
  /** Byte offsets. */
  argsAt: number;
  boundsAt: number;
  messageAt: number;
  messageBytes: number;
}

function layoutFor(workers: number): Layout {
  const ready = 16;
  const maxArgs = 24;
  const argsAt = Math.ceil(((ready + workers) * 4) / 8) * 8;
  const boundsAt = argsAt + maxArgs * 8;
  const messageAt = boundsAt + (MAX_PIECES + 1) * 8;
  return {
    wake: 0,
    left: 1,
    done: 2,
    op: 3,
    argc: 4,
    range: 5,
    pieces: 6,
    failedBy: 7,
    messageLength: 8,
    ready,
    workers,
    maxArgs,
    maxPieces: MAX_PIECES,
    argsAt,
    boundsAt,
    messageAt,
    messageBytes: 512,
  };
}

/** A worker's loop, run from source (no file: it works from dist/ and from the TypeScript sources alike). */
const WORKER_SOURCE = `
const { workerData } = require("node:worker_threads");
const { module, memory, control, index, parts, L } = workerData;
const ctl = new Int32Array(control, 0, L.ready + L.workers);
const callArgs = new Float64Array(control, L.argsAt, L.maxArgs);
const bounds = new Float64Array(control, L.boundsAt, L.maxPieces + 1);
const text = new Uint8Array(control, L.messageAt, L.messageBytes);
const thread = index + 1;
const fail = (e) => {
  if (Atomics.compareExchange(ctl, L.failedBy, 0, thread) !== 0) return;
  const bytes = new TextEncoder().encode(e instanceof Error ? e.message : String(e)).subarray(0, text.length);
  text.set(bytes);
  ctl[L.messageLength] = bytes.length;
};
let loops = null;
try {
  const exports = new WebAssembly.Instance(module, { env: { memory } }).exports;
  loops = parts.map((name) => exports[name]);
  Atomics.store(ctl, L.ready + index, 1);
} catch (e) {
  fail(e);
  Atomics.store(ctl, L.ready + index, 2);
}
Atomics.notify(ctl, L.ready + index);
for (let seen = 0; loops !== null; ) {
  Atomics.wait(ctl, L.wake, seen);
  seen = Atomics.load(ctl, L.wake);
  for (;;) {
    const left = Atomics.sub(ctl, L.left, 1);
    if (left <= 0) break;
    // A piece taken: its call lasts until the piece is done, so all read here is that call's.
    const pieces = ctl[L.pieces];
    const piece = pieces - left;
    const range = ctl[L.range];
    const args = Array.from(callArgs.subarray(0, ctl[L.argc]));
    args[range] = bounds[piece];
    args[range + 1] = bounds[piece + 1];
    try {
      loops[ctl[L.op]](...args);
    } catch (e) {
      fail(e);
    }
    if (Atomics.add(ctl, L.done, 1) + 1 === pieces) Atomics.notify(ctl, L.done);
  }
}
`;

/** Every pool started and not stopped, for releaseTrainThreads. */
const pools = new Set<TrainThreads>();

/** Main-thread polls of the done count before sleeping on it (a few microseconds). */
const SPIN = 2000;

export class TrainThreads {
  /** Why the pool is not used any more (a worker failed, or it was closed); null while it works. */
  private stopped: string | null = null;
  private readonly ctl: Int32Array;
  private readonly args: Float64Array;
  private readonly bounds: Float64Array;

  private constructor(
    private readonly workers: Worker[],
    private readonly control: SharedArrayBuffer,
    private readonly layout: Layout,
    private readonly main: TrainExports,
  ) {
    pools.add(this);
    this.ctl = new Int32Array(control, 0, layout.ready + layout.workers);
    this.args = new Float64Array(control, layout.argsAt, layout.maxArgs);
    this.bounds = new Float64Array(control, layout.boundsAt, layout.maxPieces + 1);
    workers.forEach((w, i) => {
      w.on("error", (e) => void this.stop(`thread ${i + 1} failed: ${e instanceof Error ? e.message : String(e)}`));
      w.on("exit", (code) => void this.stop(`thread ${i + 1} exited (code ${code})`));
    });
  }

  /**
   * `threads - 1` workers running `module` (train-shared.wasm) over `memory`, beside
   * `main`, the main thread's instance; or why not (the workers are then ended).
   */
  static start(module: object, memory: object, threads: number, main: TrainExports): TrainThreads | { failed: string } {
    const n = threads - 1;
    const layout = layoutFor(n);
    const control = new SharedArrayBuffer(layout.messageAt + layout.messageBytes);
    const ctl = new Int32Array(control, 0, layout.ready + n);
    const workers: Worker[] = [];
    const end = (failed: string): { failed: string } => {
      for (const w of workers) void w.terminate();
      return { failed };
    };
    try {
      for (let i = 0; i < n; i++) {
        const workerData = { module, memory, control, index: i, parts: PART_NAMES, L: layout };
        const w = new Worker(WORKER_SOURCE, { eval: true, workerData });
        // Like tfjs's pthreads: the main thread waits for each call's pieces, so an idle worker holds nothing.
        w.unref();
        workers.push(w);
      }
    } catch (e) {
      return end(`a thread could not start: ${e instanceof Error ? e.message : String(e)}`);
    }
    const deadline = performance.now() + trainThreading.startTimeoutMs;
    for (let i = 0; i < n; i++) {
      const ready = layout.ready + i;
      while (Atomics.load(ctl, ready) === 0) {
        const left = deadline - performance.now();
        if (left <= 0) return end(`thread ${i + 1} did not start within ${trainThreading.startTimeoutMs / 1000} s`);
        Atomics.wait(ctl, ready, 0, left);
      }
      if (Atomics.load(ctl, ready) === 2) return end(`thread ${i + 1} could not load train-shared.wasm: ${failure(control, layout)}`);
    }
    return new TrainThreads(workers, control, layout, main);
  }

  /** Threads a call can use, the main thread's included; 1 once the pool is stopped. */
  get threads(): number {
    return this.stopped === null ? this.workers.length + 1 : 1;
  }

  /** Why the loops went back to one thread, or null. */
  get reason(): string | null {
    return this.stopped;
  }

  /**
   * Runs `part` on `args` once per piece, its range argument pair set to
   * bounds[i], bounds[i + 1], on whichever thread takes the piece (this one too), and
   * returns when all are done. Throws the first failure once every taken piece is done,
   * or when a piece a worker took is not done in time (the pool then stops).
   */
  run(name: string, part: Part, args: number[], bounds: number[]): void {
    const { ctl, layout: L } = this;
    const range = PARTS[part];
    const pieces = bounds.length - 1;
    this.args.set(args);
    this.bounds.set(bounds);
    ctl[L.op] = PART_NAMES.indexOf(part);
    ctl[L.argc] = args.length;
    ctl[L.range] = range;
    ctl[L.pieces] = pieces;
    ctl[L.failedBy] = 0;
    Atomics.store(ctl, L.done, 0);
    // From here pieces can be taken; then the workers are woken.
    Atomics.store(ctl, L.left, pieces);
    Atomics.add(ctl, L.wake, 1);
    Atomics.notify(ctl, L.wake, Math.min(this.workers.length, pieces - 1));
    const loop = this.main[part] as (...a: number[]) => void;
    let error: unknown = null;
    for (;;) {
      const left = Atomics.sub(ctl, L.left, 1);
      if (left <= 0) break;
      const piece = pieces - left;
      args[range] = bounds[piece] as number;
      args[range + 1] = bounds[piece + 1] as number;
      try {
        loop(...args);
      } catch (e) {
        if (Atomics.compareExchange(ctl, L.failedBy, 0, -1) === 0) error = e;
      }
      Atomics.add(ctl, L.done, 1);
    }
    let done = Atomics.load(ctl, L.done);
    for (let s = 0; done !== pieces && s < SPIN; s++) done = Atomics.load(ctl, L.done);
    const deadline = performance.now() + trainThreading.callTimeoutMs;
    while (done !== pieces) {
      const wait = deadline - performance.now();
      if (wait <= 0) {
        const why = `${pieces - done} piece(s) of ${name} taken by other threads were not done within ${trainThreading.callTimeoutMs / 1000} s`;
        void this.stop(why);
        throw new Error(`our training loops: ${why}; they run on one thread from now on`);
      }
      Atomics.wait(ctl, L.done, done, wait);
      done = Atomics.load(ctl, L.done);
    }
    if (error !== null) throw error;
    const by = ctl[L.failedBy] as number;
    if (by > 0) throw new Error(`${name} (our training-loop thread ${by}): ${failure(this.control, L)}`);
  }

  /** Stops using the workers and ends them (once; later calls run on one thread). */
  private stop(reason: string): Promise<void> {
    pools.delete(this);
    if (this.stopped !== null) return Promise.resolve();
    this.stopped = reason;
    return Promise.all(this.workers.map((w) => w.terminate())).then(() => undefined);
  }

  /** Ends the workers; the kernels go on, on one thread. */
  close(): Promise<void> {
    return this.stop("released");
  }
}

/** The first failure's message, from the control block. */
function failure(control: SharedArrayBuffer, L: Layout): string {
  const length = new Int32Array(control, 0, L.ready)[L.messageLength] as number;
  // Copied: TextDecoder does not read shared memory.
  return new TextDecoder().decode(new Uint8Array(control, L.messageAt, length).slice());
}

/** Ends every pool's workers (releaseBackends). */
export async function releaseTrainThreads(): Promise<void> {
  await Promise.all([...pools].map((p) => p.close()));
}

/** Workers of pools not yet stopped (tests: none is left after releaseTrainThreads). */
export function liveTrainThreads(): number {
  let n = 0;
  for (const p of pools) n += p.threads - 1;
  return n;
}

/** `total` split into at most `parts` ranges at multiples of `grain`, as even as the grain allows. */
export function splitRange(total: number, parts: number, grain: number): Array<[number, number]> {
  const units = Math.ceil(total / grain);
  const n = Math.max(1, Math.min(parts, units));
  const at = (i: number): number => Math.min(total, grain * Math.round((i * units) / n));
  return Array.from({ length: n }, (_, i) => [at(i), at(i + 1)]);
}

/**
 * The kernels over `pool`, with the one-thread kernels' signatures: each call cut into
 * pieces for its threads, or run by `raw` alone when small (or the pool stopped).
 * Batch norm's sums are cut by channels, into channelPiecesPerThread runs per thread of
 * at least 16 channels (narrower runs read each row's cache lines several times: measured
 * slower); its per-element passes by rows, into piecesPerThread pieces per thread.
 */
export function threadedKernels(pool: TrainThreads, raw: TrainExports): TrainKernels {
  /** The bounds of a call's pieces, `total` units cut into `perThread` per thread at multiples of `grain`; null (run it here) below `min` floats. */
  const cut = (floats: number, min: number, total: number, grain: number, perThread = trainThreading.piecesPerThread): number[] | null => {
    const threads = pool.threads;
    if (threads <= 1 || floats < min) return null;
    const ranges = splitRange(total, Math.min(MAX_PIECES, threads * perThread), grain);
    return ranges.length <= 1 ? null : [0, ...ranges.map((r) => r[1])];
  };
  /** Channel runs for the sums: multiples of 16 (a cache line of each row) from 32 channels, else of 4 (an f64x2 pair). */
  const channels = (m: number, c: number): number[] | null =>
    cut(m * c, trainThreading.minFloats.batchNorm, c, c >= 32 ? 16 : 4, trainThreading.channelPiecesPerThread);
  const rows = (m: number, c: number): number[] | null => cut(m * c, trainThreading.minFloats.batchNorm, m, 1);
  return {
    channelMoments(x, m, c, mean, variance, scratch) {
      const b = channels(m, c);
      if (b === null) return raw.channelMoments(x, m, c, mean, variance, scratch);
      pool.run("channelMoments", "channelMomentsPart", [x, m, c, 0, 0, mean, variance, scratch], b);
    },
    normalize(x, m, c, mean, variance, scale, offset, eps, relu, y, scratch) {
      const b = rows(m, c);
      if (b === null) return raw.normalize(x, m, c, mean, variance, scale, offset, eps, relu, y, scratch);
      raw.normalizeScale(c, mean, variance, scale, offset, eps, scratch);
      pool.run("normalize", "normalizeRows", [x, c, 0, 0, relu, y, scratch], b);
    },
    normalizeGrad(dy, x, m, c, mean, variance, scale, eps, reluOut, dx, dscale, doffset, scratch) {
      const sums = channels(m, c);
      if (sums === null) raw.normalizeGradSums(dy, x, m, c, 0, c, mean, variance, scale, eps, reluOut, dscale, doffset, scratch);
      else pool.run("normalizeGrad", "normalizeGradSums", [dy, x, m, c, 0, 0, mean, variance, scale, eps, reluOut, dscale, doffset, scratch], sums);
      const b = rows(m, c);
      if (b === null) raw.normalizeGradRows(dy, x, c, 0, m, reluOut, dx, scratch);
      else pool.run("normalizeGrad", "normalizeGradRows", [dy, x, c, 0, 0, reluOut, dx, scratch], b);
    },
    im2colT(x, h, w, c, n0, count, kh, kw, sh, sw, pt, pl, oh, ow, out) {
      const b = cut(kh * kw * c * count * oh * ow, trainThreading.minFloats.im2colT, count * oh, 1);
      if (b === null) return raw.im2colT(x, h, w, c, n0, count, kh, kw, sh, sw, pt, pl, oh, ow, out);
      pool.run("im2colT", "im2colTPart", [x, h, w, c, n0, count, kh, kw, sh, sw, pt, pl, oh, ow, out, 0, 0], b);
    },
    accumulate(acc, add, length) {
      // Ranges at multiples of 16 floats: no two threads write one cache line.
      const b = cut(length, trainThreading.minFloats.accumulate, length, 16);
      if (b === null) return raw.accumulate(acc, add, length);
      pool.run("accumulate", "accumulatePart", [acc, add, 0, 0], b);
    },
  };
}
