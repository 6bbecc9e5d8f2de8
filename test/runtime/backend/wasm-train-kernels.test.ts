// The SIMD training kernels (dist/wasm/train.wasm, train-shared.wasm) against their
// TypeScript twins, bit for bit: batch-norm statistics, output and gradient (with and
// without the fused ReLU, odd channel counts, NaN, infinities, -0 and a large mean),
// the filter gradient's transposed im2col over many geometries, and the chunk sum.
// Each runs over a memory of the test's own, plain and shared (the threaded build's),
// at aligned and unaligned addresses. Also: the wasm backend really uses them, and says
// why not for each heap where they do not load.
import { describe, expect, it } from "vitest";
import { channelMoments, normalize, normalizeGrad } from "../../../src/runtime/backend/wasm-kernels/batch-norm-math.js";
import { im2colT, type Shape4 } from "../../../src/runtime/backend/wasm-kernels/layout.js";
import { instantiateTrainKernels, type TrainKernels } from "../../../src/runtime/backend/wasm-kernels/train-wasm.js";
import { Rng } from "../../../src/runtime/rng.js";

interface WasmMemory {
  buffer: ArrayBufferLike;
}
const WA = (globalThis as unknown as { WebAssembly: { Memory: new (d: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory } }).WebAssembly;

/** A bump allocator over a fresh memory; `skew` bytes (0 or 4) unalign every block. */
class Heap {
  readonly memory: WasmMemory;
  readonly k: TrainKernels;
  private next = 1024;
  constructor(
    shared: boolean,
    private readonly skew: number,
  ) {
    this.memory = shared ? new WA.Memory({ initial: 512, maximum: 1024, shared: true }) : new WA.Memory({ initial: 512 });
    const k = instantiateTrainKernels(this.memory);
    if (k === null) throw new Error("train kernels did not load (run `npm run build`)");
    this.k = k;
  }
  floats(n: number, from?: ArrayLike<number>): { at: number; view: Float32Array } {
    const at = Math.ceil(this.next / 16) * 16 + this.skew;
    this.next = at + 4 * n + 64;
    const view = new Float32Array(this.memory.buffer, at, n);
    view.fill(Number.NaN); // outputs must all be written
    if (from !== undefined) view.set(from);
    return { at, view };
  }
}

function randomArray(rng: Rng, n: number, shift = 0): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = shift + (rng.next() * 2 - 1) * 3;
  return a;
}

function bits(a: Float32Array): string[] {
  return Array.from(new Uint32Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength) as ArrayBuffer), (u) => u.toString(16));
}

const flavours = [
  { name: "plain memory, aligned", shared: false, skew: 0 },
  { name: "shared memory, unaligned", shared: true, skew: 4 },
];

describe.each(flavours)("train.wasm on $name", ({ shared, skew }) => {
  const channelCases: Array<[number, number]> = [
    [1, 7],
    [3, 5],
    [4, 300],
    [5, 33],
    [8, 129],
    [64, 70],
    [67, 19],
    [512, 9],
  ];

  it.each(channelCases)("batch norm forward and gradient equal the TypeScript's bits (c=%i, m=%i)", (c, m) => {
    const rng = new Rng(c * 1000 + m);
    for (const relu of [false, true]) {
      for (const shift of [0, 1e4]) {
        const heap = new Heap(shared, skew);
        const x = randomArray(rng, m * c, shift);
        const dyValues = randomArray(rng, m * c);
        if (m * c > 10) {
          dyValues[3] = -0;
          dyValues[5] = Number.NaN;
          x[7] = -0;
        }
        const scale = randomArray(rng, c);
        const offset = randomArray(rng, c);
        const eps = 1e-5;

        // TypeScript
        const mean = new Float32Array(c);
        const variance = new Float32Array(c);
        channelMoments(x, c, mean, variance);
        const y = new Float32Array(m * c);
        normalize(x, c, mean, variance, scale, offset, eps, relu, y);
        const dx = new Float32Array(m * c);
        const dscale = new Float32Array(c);
        const doffset = new Float32Array(c);
        normalizeGrad(dyValues, x, c, mean, variance, scale, eps, relu ? y : null, dx, dscale, doffset);

        // WebAssembly
        const wx = heap.floats(m * c, x);
        const wdy = heap.floats(m * c, dyValues);
        const wscale = heap.floats(c, scale);
        const woffset = heap.floats(c, offset);
        const wmean = heap.floats(c);
        const wvar = heap.floats(c);
        const wy = heap.floats(m * c);
        const wdx = heap.floats(m * c);
        const wdscale = heap.floats(c);
        const wdoffset = heap.floats(c);
        const scratch = heap.floats(10 * c);
        heap.k.channelMoments(wx.at, m, c, wmean.at, wvar.at, scratch.at);
        heap.k.normalize(wx.at, m, c, wmean.at, wvar.at, wscale.at, woffset.at, eps, relu ? 1 : 0, wy.at, scratch.at);
        heap.k.normalizeGrad(wdy.at, wx.at, m, c, wmean.at, wvar.at, wscale.at, eps, relu ? wy.at : 0, wdx.at, wdscale.at, wdoffset.at, scratch.at);

        expect(bits(wmean.view)).toEqual(bits(mean));
        expect(bits(wvar.view)).toEqual(bits(variance));
        expect(bits(wy.view)).toEqual(bits(y));
        expect(bits(wdx.view)).toEqual(bits(dx));
        expect(bits(wdscale.view)).toEqual(bits(dscale));
        expect(bits(wdoffset.view)).toEqual(bits(doffset));
      }
    }
  });

  it("batch norm with infinities gives the TypeScript's bits (NaN where it does)", () => {
    const heap = new Heap(shared, skew);
    const c = 6;
    const m = 8;
    const x = randomArray(new Rng(5), m * c);
    x[2] = Number.POSITIVE_INFINITY;
    x[9] = Number.NEGATIVE_INFINITY;
    const mean = new Float32Array(c);
    const variance = new Float32Array(c);
    channelMoments(x, c, mean, variance);
    const wx = heap.floats(m * c, x);
    const wmean = heap.floats(c);
    const wvar = heap.floats(c);
    const scratch = heap.floats(4 * c);
    heap.k.channelMoments(wx.at, m, c, wmean.at, wvar.at, scratch.at);
    expect(Array.from(wmean.view).map(String)).toEqual(Array.from(mean).map(String));
    expect(Array.from(wvar.view).map(String)).toEqual(Array.from(variance).map(String));
  });

  // [n, h, w, c], kernel, stride, pad top/left, n0, count
  const geometries: Array<{ shape: Shape4; k: [number, number]; s: [number, number]; pad: [number, number]; n0: number; count: number }> = [
    { shape: [2, 8, 8, 4], k: [3, 3], s: [1, 1], pad: [1, 1], n0: 0, count: 2 },
    { shape: [3, 9, 7, 5], k: [3, 3], s: [2, 2], pad: [1, 1], n0: 1, count: 2 },
    { shape: [1, 6, 6, 3], k: [7, 7], s: [2, 2], pad: [3, 3], n0: 0, count: 1 },
    { shape: [2, 5, 11, 8], k: [1, 1], s: [2, 2], pad: [0, 0], n0: 1, count: 1 },
    { shape: [2, 4, 4, 12], k: [5, 3], s: [1, 2], pad: [2, 0], n0: 0, count: 2 },
    { shape: [1, 3, 3, 2], k: [5, 5], s: [1, 1], pad: [2, 2], n0: 0, count: 1 },
    { shape: [2, 16, 16, 64], k: [3, 3], s: [1, 1], pad: [1, 1], n0: 0, count: 2 },
    { shape: [1, 10, 10, 7], k: [2, 4], s: [3, 1], pad: [0, 2], n0: 0, count: 1 },
  ];

  it.each(geometries)("im2colT equals the TypeScript's for $shape, kernel $k, stride $s, pad $pad", ({ shape, k, s, pad, n0, count }) => {
    const heap = new Heap(shared, skew);
    const [n, h, w, c] = shape;
    const outH = Math.floor((h + 2 * pad[0] - k[0]) / s[0]) + 1;
    const outW = Math.floor((w + 2 * pad[1] - k[1]) / s[1]) + 1;
    const spec = { n0, count, kh: k[0], kw: k[1], strideH: s[0], strideW: s[1], padTop: pad[0], padLeft: pad[1], outH, outW };
    const x = randomArray(new Rng(n * h * w * c), n * h * w * c);
    const rows = k[0] * k[1] * c;
    const p = count * outH * outW;
    const want = new Float32Array(rows * p);
    im2colT(x, shape, spec, want);
    const wx = heap.floats(x.length, x);
    const out = heap.floats(rows * p);
    heap.k.im2colT(wx.at, h, w, c, n0, count, k[0], k[1], s[0], s[1], pad[0], pad[1], outH, outW, out.at);
    expect(bits(out.view)).toEqual(bits(want));
  });

  it("accumulate adds as float32, with a tail", () => {
    const heap = new Heap(shared, skew);
    const a = randomArray(new Rng(1), 23);
    const b = randomArray(new Rng(2), 23);
    const want = new Float32Array(23);
    for (let i = 0; i < 23; i++) want[i] = (a[i] as number) + (b[i] as number);
    const wa = heap.floats(23, a);
    const wb = heap.floats(23, b);
    heap.k.accumulate(wa.at, wb.at, 23);
    expect(bits(wa.view)).toEqual(bits(want));
  });
});

describe("trainKernelsInfo", () => {
  it("says each heap's own reason, whatever another heap's kernels did since", async () => {
    const { trainKernelsInfo } = await import("../../../src/runtime/backend/wasm-kernels/train-wasm.js");
    const backendOf = (memory: WasmMemory) => ({ wasm: { wasmMemory: memory } }) as never;
    // Not a WebAssembly.Memory: instantiating over it fails.
    const broken = { buffer: new ArrayBuffer(65536) };
    const first = trainKernelsInfo(backendOf(broken));
    expect(first).toMatchObject({ kernels: "typescript", reason: expect.stringMatching(/^train\.wasm could not be loaded: /) });
    expect(trainKernelsInfo(backendOf(new WA.Memory({ initial: 1 })))).toEqual({ kernels: "wasm", threads: 1 });
    expect(trainKernelsInfo(backendOf(broken))).toEqual(first);
  });
});

describe("the wasm backend", () => {
  it("runs the WebAssembly training kernels on its own heap", async () => {
    const { selectBackend } = await import("../../../src/runtime/backend/select.js");
    const { trainKernelsInfo } = await import("../../../src/runtime/backend/wasm-kernels/train-wasm.js");
    const selected = await selectBackend("wasm");
    const tf = await import("@tensorflow/tfjs-core");
    expect(tf.getBackend()).toBe("wasm");
    expect(trainKernelsInfo(tf.backend() as never)).toEqual({ kernels: "wasm", threads: 1 });
    expect(selected.description).toContain("SIMD training loops");
  });

  it("says in `adainfc backends` whether the loops are WebAssembly, and why not", async () => {
    const { backendStatuses } = await import("../../../src/runtime/backend/select.js");
    const wasmLine = async (): Promise<string> => (await backendStatuses()).statuses.find((s) => s.name === "wasm")?.detail ?? "";
    expect(await wasmLine()).toContain("(their loops SIMD WebAssembly)");
    process.env.ADAINF_TRAIN_KERNELS = "typescript";
    try {
      expect(await wasmLine()).toContain("(their loops in TypeScript: ADAINF_TRAIN_KERNELS=typescript)");
    } finally {
      delete process.env.ADAINF_TRAIN_KERNELS;
    }
  });
});
