// Our SIMD training loops on several threads (src/runtime/backend/wasm-kernels/train-threads.ts)
// over a shared memory of the test's own, against the one-thread kernels on the same
// memory, bit for bit: batch norm (channel counts that are and are not multiples of 4,
// one row to thousands, fused ReLU), the transposed im2col (fewer rows than threads too)
// and the chunk sum, on 2, 3 and 4 threads, every call cut (no size threshold). Also:
// a piece that throws on a worker or on the main thread, a worker that does not finish
// in time or cannot start, what trainKernelsInfo says, and releaseTrainThreads ending
// the workers.
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { im2colT as im2colTs, type Shape4 } from "../../../src/runtime/backend/wasm-kernels/layout.js";
import { liveTrainThreads, releaseTrainThreads, splitRange, trainThreading } from "../../../src/runtime/backend/wasm-kernels/train-threads.js";
import { instantiateTrainKernels, trainKernelsInfo, type TrainKernels } from "../../../src/runtime/backend/wasm-kernels/train-wasm.js";
import { Rng } from "../../../src/runtime/rng.js";

interface WasmMemory {
  buffer: ArrayBufferLike;
  grow(pages: number): number;
}
const WA = (globalThis as unknown as { WebAssembly: { Memory: new (d: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory } }).WebAssembly;

const saved = { ...trainThreading, minFloats: { ...trainThreading.minFloats } };
afterEach(() => Object.assign(trainThreading, saved, { minFloats: { ...saved.minFloats } }));

/** Every call cut into pieces, however small. */
function noThreshold(): void {
  trainThreading.minFloats = { batchNorm: 0, im2colT: 0, accumulate: 0 };
}
afterAll(() => releaseTrainThreads());

/** A shared memory with the one-thread kernels and the kernels on `threads` threads, and a bump allocator. */
class Heap {
  readonly memory = new WA.Memory({ initial: 64, maximum: 4096, shared: true });
  readonly one: TrainKernels;
  readonly many: TrainKernels;
  private next = 1024;
  constructor(threads: number) {
    const one = instantiateTrainKernels(this.memory);
    const many = instantiateTrainKernels(this.memory, threads);
    if (one === null || many === null) throw new Error("train kernels did not load (run `npm run build`)");
    this.one = one;
    this.many = many;
  }
  floats(n: number, from?: ArrayLike<number>): { at: number; view: Float32Array } {
    const at = Math.ceil(this.next / 16) * 16;
    this.next = at + 4 * n + 64;
    const short = this.next - this.memory.buffer.byteLength;
    if (short > 0) this.memory.grow(Math.ceil(short / 65536));
    const view = new Float32Array(this.memory.buffer, at, n);
    view.fill(Number.NaN);
    if (from !== undefined) view.set(from);
    return { at, view };
  }
}

function randomArray(rng: Rng, n: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = (rng.next() * 2 - 1) * 3;
  return a;
}

function hex(a: Float32Array): string {
  return Buffer.from(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength) as ArrayBuffer).toString("hex");
}

describe("splitRange", () => {
  it("splits at multiples of the grain, covering the range once", () => {
    expect(splitRange(64, 2, 16)).toEqual([
      [0, 32],
      [32, 64],
    ]);
    expect(splitRange(67, 3, 4)).toEqual([
      [0, 24],
      [24, 44],
      [44, 67],
    ]);
    expect(splitRange(3, 4, 4)).toEqual([[0, 3]]);
    expect(splitRange(5, 8, 1)).toHaveLength(5);
  });
});

describe.each([2, 3, 4])("on %i threads, every call split", (threads) => {
  const heap = new Heap(threads);

  it.each([
    [1, 1],
    [3, 7],
    [4, 1],
    [5, 33],
    [8, 2],
    [12, 300],
    [30, 5],
    [64, 3000],
    [67, 19],
    [130, 257],
    [512, 9],
  ])("batch norm, forward and gradient, gives the one thread's bits (c=%i, m=%i)", (c, m) => {
    noThreshold();
    const rng = new Rng(c * 7919 + m);
    for (const relu of [0, 1]) {
      const x = heap.floats(m * c, randomArray(rng, m * c));
      const dy = heap.floats(m * c, randomArray(rng, m * c));
      const scale = heap.floats(c, randomArray(rng, c));
      const offset = heap.floats(c, randomArray(rng, c));
      const out = (k: TrainKernels) => {
        const mean = heap.floats(c);
        const variance = heap.floats(c);
        const y = heap.floats(m * c);
        const dx = heap.floats(m * c);
        const dscale = heap.floats(c);
        const doffset = heap.floats(c);
        const scratch = heap.floats(10 * c);
        k.channelMoments(x.at, m, c, mean.at, variance.at, scratch.at);
        k.normalize(x.at, m, c, mean.at, variance.at, scale.at, offset.at, 1e-5, relu, y.at, scratch.at);
        k.normalizeGrad(dy.at, x.at, m, c, mean.at, variance.at, scale.at, 1e-5, relu ? y.at : 0, dx.at, dscale.at, doffset.at, scratch.at);
        return [mean, variance, y, dx, dscale, doffset].map((t) => hex(t.view));
      };
      expect(out(heap.many)).toEqual(out(heap.one));
    }
  });

  // [n, h, w, c], kernel, stride, pad top/left, n0, count
  it.each<{ shape: Shape4; k: [number, number]; s: [number, number]; pad: [number, number]; n0: number; count: number }>([
    { shape: [2, 8, 8, 4], k: [3, 3], s: [1, 1], pad: [1, 1], n0: 0, count: 2 },
    { shape: [3, 9, 7, 5], k: [3, 3], s: [2, 2], pad: [1, 1], n0: 1, count: 2 },
    { shape: [1, 2, 6, 3], k: [1, 1], s: [1, 1], pad: [0, 0], n0: 0, count: 1 },
    { shape: [1, 6, 6, 3], k: [7, 7], s: [2, 2], pad: [3, 3], n0: 0, count: 1 },
    { shape: [4, 16, 16, 64], k: [3, 3], s: [1, 1], pad: [1, 1], n0: 1, count: 3 },
  ])("im2colT gives the one thread's bits (and the TypeScript's) for $shape, kernel $k, stride $s", ({ shape, k, s, pad, n0, count }) => {
    noThreshold();
    const [n, h, w, c] = shape;
    const outH = Math.floor((h + 2 * pad[0] - k[0]) / s[0]) + 1;
    const outW = Math.floor((w + 2 * pad[1] - k[1]) / s[1]) + 1;
    const x = heap.floats(n * h * w * c, randomArray(new Rng(n * h * w * c), n * h * w * c));
    const size = k[0] * k[1] * c * count * outH * outW;
    const run = (kernels: TrainKernels) => {
      const out = heap.floats(size);
      kernels.im2colT(x.at, h, w, c, n0, count, k[0], k[1], s[0], s[1], pad[0], pad[1], outH, outW, out.at);
      return hex(out.view);
    };
    const want = new Float32Array(size);
    im2colTs(x.view, shape, { n0, count, kh: k[0], kw: k[1], strideH: s[0], strideW: s[1], padTop: pad[0], padLeft: pad[1], outH, outW }, want);
    expect(run(heap.many)).toBe(run(heap.one));
    expect(run(heap.many)).toBe(hex(want));
  });

  it.each([1, 15, 16, 23, 1000, 100_003])("accumulate gives the one thread's bits (length %i)", (length) => {
    noThreshold();
    const a = randomArray(new Rng(length), length);
    const b = randomArray(new Rng(length + 1), length);
    const run = (k: TrainKernels) => {
      const acc = heap.floats(length, a);
      k.accumulate(acc.at, heap.floats(length, b).at, length);
      return hex(acc.view);
    };
    expect(run(heap.many)).toBe(run(heap.one));
  });
});

describe("errors", () => {
  it("a piece that traps, on a worker or on this thread, makes the call throw; the threads go on", () => {
    noThreshold();
    const heap = new Heap(2);
    const length = 4 * 1024 * 1024;
    const add = heap.floats(length, new Float32Array(length).fill(1));
    // The memory's last floats, where the sum writes.
    heap.floats(length);
    // Its last 16 floats lie past the end of the memory: the last of its 8 pieces traps,
    // on whichever thread took it. Both are seen within some tries.
    const seen = { main: 0, worker: 0 };
    for (let i = 0; i < 300 && (seen.main === 0 || seen.worker === 0); i++) {
      const acc = heap.memory.buffer.byteLength - 4 * (length - 16);
      try {
        heap.many.accumulate(acc, add.at, length);
      } catch (e) {
        const text = String(e);
        expect(text).toMatch(/out of bounds/);
        if (/^Error: accumulate \(our training-loop thread 1\): /.test(text)) seen.worker++;
        else seen.main++;
        continue;
      }
      throw new Error("the call did not throw");
    }
    expect(seen.main).toBeGreaterThan(0);
    expect(seen.worker).toBeGreaterThan(0);
    const acc = heap.floats(length, new Float32Array(length));
    heap.many.accumulate(acc.at, add.at, length);
    expect(acc.view.every((v) => v === 1)).toBe(true);
  });

  it("a piece a worker does not finish in time makes the call throw, not wait; the loops then run on one thread", () => {
    noThreshold();
    const heap = new Heap(2);
    const length = 4 * 1024 * 1024;
    const acc = heap.floats(length, new Float32Array(length));
    const add = heap.floats(length, new Float32Array(length).fill(1));
    // No time at all: once this thread finds no piece left, a piece the worker took is
    // still running (when the worker woke in time to take one: on a busy machine, some tries).
    trainThreading.callTimeoutMs = 0;
    let error: unknown = null;
    for (let i = 0; i < 300 && error === null; i++) {
      try {
        heap.many.accumulate(acc.at, add.at, length);
      } catch (e) {
        error = e;
      }
    }
    expect(String(error)).toMatch(
      /^Error: our training loops: \d piece\(s\) of accumulate taken by other threads were not done within 0 s; they run on one thread from now on$/,
    );
    // The late worker is being ended (it may still write to acc); the kernels go on, on one thread.
    const acc2 = heap.floats(length, new Float32Array(length));
    heap.many.accumulate(acc2.at, add.at, length);
    expect(acc2.view.every((v) => v === 1)).toBe(true);
  });

  it("a worker that cannot start leaves the loops on one thread, and the backend's info says why", () => {
    trainThreading.startTimeoutMs = 0;
    const memory = new WA.Memory({ initial: 16, maximum: 64, shared: true });
    const info = trainKernelsInfo({ wasm: { wasmMemory: memory, tfjs: { getThreadsCount: () => 3 } } } as never);
    expect(info).toEqual({ kernels: "wasm", threads: 1, threadsReason: "thread 1 did not start within 0 s" });
  });
});

describe("the workers' lifetime", () => {
  it("the backend's heap gets as many threads as XNNPACK; releaseTrainThreads ends every worker, and the loops go on on one thread", async () => {
    const memory = new WA.Memory({ initial: 16, maximum: 64, shared: true });
    const backend = { wasm: { wasmMemory: memory, tfjs: { getThreadsCount: () => 3 } } } as never;
    expect(trainKernelsInfo(backend)).toEqual({ kernels: "wasm", threads: 3 });
    expect(liveTrainThreads()).toBeGreaterThanOrEqual(2);
    await releaseTrainThreads();
    expect(liveTrainThreads()).toBe(0);
    expect(trainKernelsInfo(backend)).toEqual({ kernels: "wasm", threads: 1, threadsReason: "released" });
  });
});
