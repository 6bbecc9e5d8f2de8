// Executes view plans over a uint8 batch: one fused pass per sample that keeps the image
// in two small uint8 buffers (crop + resize, then each op in place) and writes the float
// output (ToTensor/Normalize). No tensors, no per-op allocation: at 32x32 the cost of a
// tfjs op call exceeds the arithmetic (docs/augmentation.md, "Why not tfjs ops"). The pixel work goes through a
// Kernels object: WebAssembly SIMD when dist/wasm/augment.wasm is there (the batch is
// copied into its memory and the views copied out), else the TypeScript kernels; both
// give the same bytes.

import type { AugmentIR, ViewIR } from "../../ir/types.js";
import type { Rng } from "../rng.js";
import { checkBatch, type ImageBatch } from "./batch.js";
import { boxRadiusForSigma } from "./blur.js";
import { typescriptKernels, type Kernels } from "./kernels.js";
import { normalization, writeUint8, type Normalization } from "./normalize.js";
import { planView, type BatchShape, type ViewPlan } from "./plan.js";
import type { CropSource } from "./resample.js";
import { wasmArena, type ArenaRequest } from "./wasm.js";

/** Where one executePlan call works: kernels, the batch they read, scratch images. */
interface Work {
  kernels: Kernels;
  /** The batch's pixels (the caller's array, or its copy in WebAssembly memory). */
  data: Uint8Array;
  a: Uint8Array;
  b: Uint8Array;
  tmp: Uint8Array;
}

/** Bytes of the largest image a plan holds at any step (and of the resize scratch). */
function largestImage(plan: ViewPlan): { height: number; width: number; bytes: number } {
  const { height, width, channels } = plan.input;
  let maxH = height;
  let maxW = width;
  for (const op of plan.ops) {
    if (op.op === "random_resized_crop") {
      maxH = Math.max(maxH, op.size);
      maxW = Math.max(maxW, op.size);
    }
  }
  return { height: maxH, width: maxW, bytes: maxH * maxW * channels };
}

function typescriptWork(batch: ImageBatch, plan: ViewPlan): Work {
  const bytes = largestImage(plan).bytes;
  return { kernels: typescriptKernels, data: batch.data, a: new Uint8Array(bytes), b: new Uint8Array(bytes), tmp: new Uint8Array(bytes) };
}

/** What the WebAssembly arena must hold for this plan (see wasm.ts). */
function arenaRequest(batch: ImageBatch, plan: ViewPlan, outputBytes: number): ArenaRequest {
  const C = plan.input.channels;
  const largest = largestImage(plan);
  let radius = 0;
  let coefficients = 0;
  let side = Math.max(plan.input.height, plan.input.width);
  for (const op of plan.ops) {
    if (op.op === "gaussian_blur") {
      for (const sigma of op.sigma) if (!Number.isNaN(sigma)) radius = Math.max(radius, Math.trunc(boxRadiusForSigma(sigma, 3)));
    } else if (op.op === "random_resized_crop") {
      // Pillow's taps per output pixel: 2 * ceil(support) + 1, support <= 2 * max(1, in / out).
      const ksize = 2 * Math.ceil(2 * Math.max(1, side / op.size)) + 1;
      coefficients = Math.max(coefficients, 4 * (2 * op.size + op.size * ksize));
      side = op.size;
    }
  }
  return {
    batch: batch.data.length,
    image: largest.bytes,
    line: (largest.width + 2 * (radius + 1)) * C,
    coefficients,
    output: outputBytes,
  };
}

function checkShape(batch: ImageBatch, plan: ViewPlan): void {
  checkBatch(batch);
  const s = plan.input;
  if (batch.n !== s.n || batch.height !== s.height || batch.width !== s.width || batch.channels !== s.channels) {
    throw new RangeError(
      `view ${plan.name}: planned for [${s.n}, ${s.height}, ${s.width}, ${s.channels}], ` +
        `got a batch of [${batch.n}, ${batch.height}, ${batch.width}, ${batch.channels}]`,
    );
  }
}

interface SampleResult {
  img: Uint8Array;
  height: number;
  width: number;
  mirrored: boolean;
}

/** Runs every op but normalize on sample `s`; the batch itself is never written. */
function runSample(batch: ImageBatch, s: number, plan: ViewPlan, work: Work): SampleResult {
  const C = batch.channels;
  const k = work.kernels;
  const data = work.data;
  const srcOffset = s * batch.height * batch.width * C;
  let h = batch.height;
  let w = batch.width;
  // null while the image is still the untouched sample inside the batch.
  let cur: Uint8Array | null = null;
  let spare = work.a;
  let mirrored = false;
  const own = (): Uint8Array => {
    if (cur === null) {
      spare.set(data.subarray(srcOffset, srcOffset + h * w * C));
      cur = spare;
      spare = cur === work.a ? work.b : work.a;
    }
    return cur;
  };
  for (const op of plan.ops) {
    switch (op.op) {
      case "random_resized_crop": {
        let crop: CropSource;
        const box = { top: op.top[s]!, left: op.left[s]!, height: op.height[s]!, width: op.width[s]! };
        // A crop is the one op that does not commute with a pending mirror.
        if (mirrored) {
          k.flip(own(), h, w, C);
          mirrored = false;
        }
        if (cur === null) {
          crop = { src: data, offset: srcOffset, stride: w * C, ...box };
        } else {
          crop = { src: cur, offset: 0, stride: w * C, ...box };
        }
        const dst = spare;
        k.resizeCrop(crop, C, op.size, op.size, op.interpolation, dst, work.tmp);
        spare = cur === null ? (dst === work.a ? work.b : work.a) : cur;
        cur = dst;
        h = w = op.size;
        break;
      }
      case "color_jitter": {
        if (op.apply[s] !== 1) break;
        const img = own();
        const pixels = h * w;
        for (let j = 0; j < 4; j++) {
          const fn = op.order[4 * s + j]!;
          const factor = op.factors[4 * s + fn]!;
          if (Number.isNaN(factor)) continue;
          if (fn === 0) k.brightness(img, pixels, C, factor);
          else if (fn === 1) k.contrast(img, pixels, C, factor);
          else if (fn === 2) k.saturation(img, pixels, C, factor);
          else k.hue(img, pixels, C, factor);
        }
        break;
      }
      case "grayscale":
        if (op.apply[s] === 1 && C === 3) k.grayscale(own(), h * w, C);
        break;
      case "gaussian_blur":
        if (op.apply[s] === 1) k.blur(own(), h, w, C, op.sigma[s]!);
        break;
      case "solarize":
        if (op.apply[s] === 1) k.solarize(own(), h * w * C, op.threshold);
        break;
      case "equalize":
        if (op.apply[s] === 1) k.equalize(own(), h * w, C);
        break;
      case "horizontal_flip":
        if (op.apply[s] === 1) mirrored = !mirrored;
        break;
      case "normalize":
        break;
    }
  }
  const img = cur ?? data.subarray(srcOffset, srcOffset + h * w * C);
  return { img, height: h, width: w, mirrored };
}

function normalizationFor(plan: ViewPlan): Normalization {
  const norm = plan.ops.find((o) => o.op === "normalize");
  const C = plan.input.channels;
  return norm && norm.op === "normalize" ? normalization(C, norm.mean, norm.std) : normalization(C);
}

/** Elements of one view's output: n * outHeight * outWidth * channels. */
export function viewOutputLength(plan: ViewPlan): number {
  return plan.input.n * plan.outHeight * plan.outWidth * plan.input.channels;
}

/** Which kernels to run: WebAssembly when available (the default), or TypeScript. */
export interface ExecuteOptions {
  kernels?: "auto" | "typescript";
}

function arenaFor(batch: ImageBatch, plan: ViewPlan, outputBytes: number, options: ExecuteOptions | undefined): ReturnType<typeof wasmArena> {
  return options?.kernels === "typescript" ? null : wasmArena(arenaRequest(batch, plan, outputBytes));
}

/**
 * Runs a plan: float32 NHWC [n, outHeight, outWidth, channels], normalised, ready to
 * become a tensor. `out` (optional) is filled instead of a new array. Both kernel sets
 * give the same bytes; WebAssembly is faster.
 */
export function executePlan(batch: ImageBatch, plan: ViewPlan, out?: Float32Array, options?: ExecuteOptions): Float32Array {
  checkShape(batch, plan);
  const length = viewOutputLength(plan);
  const result = out ?? new Float32Array(length);
  if (result.length !== length) throw new RangeError(`view ${plan.name}: output buffer holds ${result.length}, needs ${length}`);
  const C = plan.input.channels;
  const per = plan.outHeight * plan.outWidth * C;
  const arena = arenaFor(batch, plan, 4 * length, options);
  if (arena === null) {
    const work = typescriptWork(batch, plan);
    const norm = normalizationFor(plan);
    for (let s = 0; s < batch.n; s++) {
      const r = runSample(batch, s, plan, work);
      work.kernels.writeNormalized(r.img, r.height, r.width, C, norm, r.mirrored, result, s * per);
    }
    return result;
  }
  // WebAssembly: the batch is copied into the module's memory, the views are written
  // there, then copied out in one block.
  arena.batch.set(batch.data);
  const plain = normalizationFor(plan);
  arena.table.set(plain.table);
  const norm: Normalization = { ...plain, table: arena.table.subarray(0, plain.table.length) };
  const output = new Float32Array(arena.output.buffer, arena.output.byteOffset, length);
  const work: Work = { kernels: arena.kernels, data: arena.batch, a: arena.a, b: arena.b, tmp: arena.tmp };
  for (let s = 0; s < batch.n; s++) {
    const r = runSample(batch, s, plan, work);
    work.kernels.writeNormalized(r.img, r.height, r.width, C, norm, r.mirrored, output, s * per);
  }
  result.set(output);
  return result;
}

/** Runs a plan without ToTensor/Normalize: the uint8 views (for previews and tests). */
export function executePlanUint8(batch: ImageBatch, plan: ViewPlan, out?: Uint8Array, options?: ExecuteOptions): Uint8Array {
  checkShape(batch, plan);
  const length = viewOutputLength(plan);
  const result = out ?? new Uint8Array(length);
  if (result.length !== length) throw new RangeError(`view ${plan.name}: output buffer holds ${result.length}, needs ${length}`);
  const arena = arenaFor(batch, plan, 0, options);
  let work: Work;
  if (arena === null) {
    work = typescriptWork(batch, plan);
  } else {
    arena.batch.set(batch.data);
    work = { kernels: arena.kernels, data: arena.batch, a: arena.a, b: arena.b, tmp: arena.tmp };
  }
  const per = plan.outHeight * plan.outWidth * plan.input.channels;
  for (let s = 0; s < batch.n; s++) {
    const r = runSample(batch, s, plan, work);
    writeUint8(r.img, r.height, r.width, plan.input.channels, r.mirrored, result, s * per);
  }
  return result;
}

function viewsOf(augment: AugmentIR | readonly ViewIR[]): readonly ViewIR[] {
  return "views" in augment ? augment.views : augment;
}

/** Draws the plans of every view, view after view (the documented draw order). */
export function planViews(augment: AugmentIR | readonly ViewIR[], shape: BatchShape, rng: Rng): ViewPlan[] {
  return viewsOf(augment).map((view) => planView(view, shape, rng));
}

function shapeOf(batch: ImageBatch): BatchShape {
  return { n: batch.n, height: batch.height, width: batch.width, channels: batch.channels };
}

/** One view of a batch: plan + execute on this thread. */
export function augmentBatch(batch: ImageBatch, view: ViewIR, rng: Rng): Float32Array {
  checkBatch(batch);
  return executePlan(batch, planView(view, shapeOf(batch), rng));
}

/**
 * Every view of the IR (two for the paper's presets), one float32 NHWC array each.
 * `outputs` (optional, one per view) are filled instead of new arrays: reusing them
 * saves allocating and zeroing megabytes per step.
 */
export function augmentViews(batch: ImageBatch, augment: AugmentIR | readonly ViewIR[], rng: Rng, outputs?: Float32Array[]): Float32Array[] {
  checkBatch(batch);
  return planViews(augment, shapeOf(batch), rng).map((plan, i) => executePlan(batch, plan, outputs?.[i]));
}

/** Every view as uint8 images (no normalisation), e.g. for `adainfc preview`. */
export function augmentViewsUint8(batch: ImageBatch, augment: AugmentIR | readonly ViewIR[], rng: Rng): Uint8Array[] {
  checkBatch(batch);
  return planViews(augment, shapeOf(batch), rng).map((plan) => executePlanUint8(batch, plan));
}
