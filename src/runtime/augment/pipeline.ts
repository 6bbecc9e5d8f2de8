// Executes view plans over a uint8 batch: one fused pass per sample that keeps the image
// in two small uint8 buffers (crop + resize, then each op in place) and writes the float
// output through the ToTensor/Normalize table. No tensors, no per-op allocation: at
// 32x32 the cost of a tfjs op call exceeds the arithmetic (reference.md §6).

import type { AugmentIR, ViewIR } from "../../ir/types.js";
import type { Rng } from "../rng.js";
import { checkBatch, type ImageBatch } from "./batch.js";
import { gaussianBlur } from "./blur.js";
import { adjustBrightness, adjustContrast, adjustHue, adjustSaturation, toGrayscale } from "./color.js";
import { flipHorizontal } from "./flip.js";
import { normalizeTable, writeNormalized, writeUint8 } from "./normalize.js";
import { planView, type BatchShape, type ViewPlan } from "./plan.js";
import { resizeCrop, type CropSource } from "./resample.js";
import { equalize, solarize } from "./tone.js";

/** Scratch buffers sized for the largest image a plan produces at any step. */
interface Work {
  a: Uint8Array;
  b: Uint8Array;
  tmp: Uint8Array;
}

function workFor(plan: ViewPlan): Work {
  const { height, width, channels } = plan.input;
  let maxH = height;
  let maxW = width;
  for (const op of plan.ops) {
    if (op.op === "random_resized_crop") {
      maxH = Math.max(maxH, op.size);
      maxW = Math.max(maxW, op.size);
    }
  }
  const bytes = maxH * maxW * channels;
  return { a: new Uint8Array(bytes), b: new Uint8Array(bytes), tmp: new Uint8Array(bytes) };
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
  const srcOffset = s * batch.height * batch.width * C;
  let h = batch.height;
  let w = batch.width;
  // null while the image is still the untouched sample inside the batch.
  let cur: Uint8Array | null = null;
  let spare = work.a;
  let mirrored = false;
  const own = (): Uint8Array => {
    if (cur === null) {
      spare.set(batch.data.subarray(srcOffset, srcOffset + h * w * C));
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
          flipHorizontal(own(), h, w, C);
          mirrored = false;
        }
        if (cur === null) {
          crop = { src: batch.data, offset: srcOffset, stride: w * C, ...box };
        } else {
          crop = { src: cur, offset: 0, stride: w * C, ...box };
        }
        const dst = spare;
        resizeCrop(crop, C, op.size, op.size, op.interpolation, dst, work.tmp);
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
          if (fn === 0) adjustBrightness(img, pixels, C, factor);
          else if (fn === 1) adjustContrast(img, pixels, C, factor);
          else if (fn === 2) adjustSaturation(img, pixels, C, factor);
          else adjustHue(img, pixels, C, factor);
        }
        break;
      }
      case "grayscale":
        if (op.apply[s] === 1 && C === 3) toGrayscale(own(), h * w, C);
        break;
      case "gaussian_blur":
        if (op.apply[s] === 1) gaussianBlur(own(), h, w, C, op.sigma[s]!);
        break;
      case "solarize":
        if (op.apply[s] === 1) solarize(own(), h * w * C, op.threshold);
        break;
      case "equalize":
        if (op.apply[s] === 1) equalize(own(), h * w, C);
        break;
      case "horizontal_flip":
        if (op.apply[s] === 1) mirrored = !mirrored;
        break;
      case "normalize":
        break;
    }
  }
  const img = cur ?? batch.data.subarray(srcOffset, srcOffset + h * w * C);
  return { img, height: h, width: w, mirrored };
}

function tableFor(plan: ViewPlan): Float32Array {
  const norm = plan.ops.find((o) => o.op === "normalize");
  const C = plan.input.channels;
  return norm && norm.op === "normalize" ? normalizeTable(C, norm.mean, norm.std) : normalizeTable(C);
}

/** Elements of one view's output: n * outHeight * outWidth * channels. */
export function viewOutputLength(plan: ViewPlan): number {
  return plan.input.n * plan.outHeight * plan.outWidth * plan.input.channels;
}

/**
 * Runs a plan: float32 NHWC [n, outHeight, outWidth, channels], normalised, ready to
 * become a tensor. `out` (optional) is filled instead of a new array.
 */
export function executePlan(batch: ImageBatch, plan: ViewPlan, out?: Float32Array): Float32Array {
  checkShape(batch, plan);
  const length = viewOutputLength(plan);
  const result = out ?? new Float32Array(length);
  if (result.length !== length) throw new RangeError(`view ${plan.name}: output buffer holds ${result.length}, needs ${length}`);
  const table = tableFor(plan);
  const work = workFor(plan);
  const per = plan.outHeight * plan.outWidth * plan.input.channels;
  for (let s = 0; s < batch.n; s++) {
    const r = runSample(batch, s, plan, work);
    writeNormalized(r.img, r.height, r.width, plan.input.channels, table, r.mirrored, result, s * per);
  }
  return result;
}

/** Runs a plan without ToTensor/Normalize: the uint8 views (for previews and tests). */
export function executePlanUint8(batch: ImageBatch, plan: ViewPlan, out?: Uint8Array): Uint8Array {
  checkShape(batch, plan);
  const length = viewOutputLength(plan);
  const result = out ?? new Uint8Array(length);
  if (result.length !== length) throw new RangeError(`view ${plan.name}: output buffer holds ${result.length}, needs ${length}`);
  const work = workFor(plan);
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
