// Our SIMD training loops (src/runtime/backend/wasm-kernels/assembly/train.ts) on one
// thread and split over N (train-threads.ts), on a shared memory of their own: each loop
// at the sizes of a ResNet-18 step with 2x32 views (batch norm's three passes per
// layer width, the filter gradient's im2col chunks and chunk sum), then the cost of one
// threaded call on a tiny tensor and the one/N-thread times over a range of sizes (where
// trainThreading.minFloats comes from). One and N threads alternate call by call; the
// ResNet-18 sizes run with the thresholds as they are (a call below one stays on one thread).
// Prints numbers; asserts nothing.
//
//   npm run build && node dist/bench/train-loops.js [--threads 2] [--repeats 20]

import { releaseTrainThreads, trainThreading } from "../src/runtime/backend/wasm-kernels/train-threads.js";
import { instantiateTrainKernels, type TrainKernels } from "../src/runtime/backend/wasm-kernels/train-wasm.js";
import { Rng } from "../src/runtime/rng.js";

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const threads = arg("--threads", 2);
const repeats = arg("--repeats", 20);

interface WasmMemory {
  buffer: ArrayBufferLike;
}
const WA = (globalThis as unknown as { WebAssembly: { Memory: new (d: { initial: number; maximum: number; shared: boolean }) => WasmMemory } }).WebAssembly;
// 256 MiB: the largest case is batch norm's four 4M-float tensors of the 32x32 layers.
const memory = new WA.Memory({ initial: 4096, maximum: 4096, shared: true });
function kernels(n: number): TrainKernels {
  const k = instantiateTrainKernels(memory, n);
  if (k === null) throw new Error("dist/wasm/train-shared.wasm did not load (run `npm run build`)");
  return k;
}
const one = kernels(1);
const many = kernels(threads);

let next = 1024;
function floats(n: number): number {
  const at = Math.ceil(next / 64) * 64;
  next = at + 4 * n;
  if (next > memory.buffer.byteLength) throw new Error("bench train-loops: out of memory");
  const rng = new Rng(at);
  const v = new Float32Array(memory.buffer, at, n);
  for (let i = 0; i < n; i++) v[i] = rng.next() * 2 - 1;
  return at;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1] as number;
}

/** Median ms of `call` with one thread and with `threads`, alternating. */
function time(call: (k: TrainKernels) => void, n = repeats): [number, number] {
  call(one);
  call(many);
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < n; i++) {
    let t = performance.now();
    call(one);
    a.push(performance.now() - t);
    t = performance.now();
    call(many);
    b.push(performance.now() - t);
  }
  return [median(a), median(b)];
}

const rows: Array<{ loop: string; shape: string; perStep: number; ms1: number; msN: number }> = [];
function row(loop: string, shape: string, perStep: number, [ms1, msN]: [number, number]): void {
  rows.push({ loop, shape, perStep, ms1, msN });
  console.log(
    `${loop.padEnd(16)} ${shape.padEnd(34)} x${String(perStep).padStart(3)}/step  1 thread ${ms1.toFixed(3).padStart(8)} ms  ${threads} threads ${msN.toFixed(3).padStart(8)} ms  (${(ms1 / msN).toFixed(2)}x)`,
  );
}

console.log(`threads ${threads}, ${repeats} repeats, median ms per call`);

// Batch norm: ResNet-18 (CIFAR stem) at batch 64 has 5 layers of each width.
for (const [side, c] of [
  [32, 64],
  [16, 128],
  [8, 256],
  [4, 512],
] as const) {
  const m = 64 * side * side;
  const x = floats(m * c);
  const dy = floats(m * c);
  const y = floats(m * c);
  const dx = floats(m * c);
  const [mean, variance, scale, offset, dscale, doffset] = [0, 1, 2, 3, 4, 5].map(() => floats(c)) as number[];
  const scratch = floats(10 * c);
  const shape = `[64, ${side}, ${side}, ${c}]`;
  row(
    "channelMoments",
    shape,
    5,
    time((k) => k.channelMoments(x, m, c, mean!, variance!, scratch)),
  );
  row(
    "normalize+relu",
    shape,
    5,
    time((k) => k.normalize(x, m, c, mean!, variance!, scale!, offset!, 1e-5, 1, y, scratch)),
  );
  row(
    "normalizeGrad",
    shape,
    5,
    time((k) => k.normalizeGrad(dy, x, m, c, mean!, variance!, scale!, 1e-5, y, dx, dscale!, doffset!, scratch)),
  );
  next = 1024;
}

// The filter gradient's im2col, 3x3 stride 1, chunks of at most 4,096 columns (filterGradChunking).
for (const [side, c, count, chunks] of [
  [32, 64, 4, 16],
  [16, 128, 16, 4],
  [8, 256, 64, 1],
  [4, 512, 64, 1],
] as const) {
  const x = floats(64 * side * side * c);
  const out = floats(9 * c * count * side * side);
  row(
    "im2colT",
    `[64, ${side}, ${side}, ${c}] 3x3, ${count} items`,
    4 * chunks,
    time((k) => k.im2colT(x, side, side, c, 0, count, 3, 3, 1, 1, 1, 1, side, side, out)),
  );
  next = 1024;
}

// The chunks' sum: one per chunk after the first.
for (const [c, chunks] of [
  [64, 16],
  [128, 4],
] as const) {
  const length = 9 * c * c;
  const acc = floats(length);
  const add = floats(length);
  row(
    "accumulate",
    `3x3x${c}x${c} (${length} floats)`,
    4 * (chunks - 1),
    time((k) => k.accumulate(acc, add, length)),
  );
  next = 1024;
}

const total1 = rows.reduce((s, r) => s + r.perStep * r.ms1, 0);
const totalN = rows.reduce((s, r) => s + r.perStep * r.msN, 0);
console.log(`per step (calls x median): 1 thread ${total1.toFixed(1)} ms, ${threads} threads ${totalN.toFixed(1)} ms`);

// One threaded call on a tiny tensor (every call cut: no threshold).
const saved = trainThreading.minFloats;
trainThreading.minFloats = { batchNorm: 0, im2colT: 0, accumulate: 0 };
{
  const x = floats(16);
  const [mean, variance, scratch] = [floats(8), floats(8), floats(32)] as [number, number, number];
  const [a, b] = time((k) => k.channelMoments(x, 2, 8, mean, variance, scratch), 20_000);
  console.log(`one tiny call (channelMoments, 2x8 floats, cut anyway): 1 thread ${(a * 1000).toFixed(1)} us, ${threads} threads ${(b * 1000).toFixed(1)} us`);
  next = 1024;
}

// Where cutting starts to pay: each loop over a range of sizes (c = 64; the im2col 3x3 of 4-channel 8x8 items).
const us = ([a, b]: [number, number]): string => `${(a * 1000).toFixed(0)} / ${(b * 1000).toFixed(0)}`;
for (const size of [16384, 65536, 131072, 262144, 524288, 1048576]) {
  const c = 64;
  const m = size / c;
  const x = floats(size);
  const y = floats(size);
  const dy = floats(size);
  const [mean, variance, scale, offset, dscale, doffset] = [0, 1, 2, 3, 4, 5].map(() => floats(c)) as number[];
  const scratch = floats(10 * c);
  const n = 100;
  const forward = time((k) => {
    k.channelMoments(x, m, c, mean!, variance!, scratch);
    k.normalize(x, m, c, mean!, variance!, scale!, offset!, 1e-5, 1, y, scratch);
  }, n);
  const grad = time((k) => k.normalizeGrad(dy, x, m, c, mean!, variance!, scale!, 1e-5, y, dy, dscale!, doffset!, scratch), n);
  // 3x3x4 rows of count*64 columns: size floats from size / 36 / 64 items of 8x8x4.
  const items = Math.max(1, Math.round(size / 36 / 64));
  const im = floats(items * 64 * 4);
  const imOut = floats(36 * items * 64);
  const col = time((k) => k.im2colT(im, 8, 8, 4, 0, items, 3, 3, 1, 1, 1, 1, 8, 8, imOut), n);
  const sum = time((k) => k.accumulate(y, x, size), n);
  console.log(
    `${String(size).padStart(8)} floats, cut anyway, us (1 / ${threads} threads): batch norm forward ${us(forward)}, gradient ${us(grad)}, im2colT ${us(col)}, accumulate ${us(sum)}`,
  );
  next = 1024;
}
trainThreading.minFloats = saved;
await releaseTrainThreads();
