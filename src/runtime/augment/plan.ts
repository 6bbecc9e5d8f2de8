// A view's random choices for a whole batch, drawn up front from the seeded Rng. The plan
// is plain data (typed arrays), so it can be drawn on the training thread and executed
// anywhere (this thread, a worker) with the same result; and since every number is drawn
// here in JS, the views are the same bytes on every backend.
//
// Draw order (documented in docs/augmentation.md; changing it changes every run's views):
// for each sample of the batch in order, for each op of the view in order:
//   random_resized_crop: per try (at most 10) area fraction, log aspect ratio;
//                        then top, left of the accepted try (nothing on fallback)
//   color_jitter:        u (applied when u < p); if applied: the order of the four
//                        adjustments (Fisher-Yates, 3 draws), then one factor each for
//                        brightness, contrast, saturation, hue, skipping those of strength 0
//   grayscale, solarize, equalize, horizontal_flip: u (applied when u < p)
//   gaussian_blur:       u (applied when u < p); if applied: sigma ~ U[min, max]
//   normalize:           nothing

import type { AugmentOpIR, ViewIR } from "../../ir/types.js";
import type { Rng } from "../rng.js";
import { sampleCropBox } from "./crop-params.js";
import type { ResampleFilter } from "./resample.js";

export interface CropPlan {
  op: "random_resized_crop";
  size: number;
  interpolation: ResampleFilter;
  top: Int32Array;
  left: Int32Array;
  height: Int32Array;
  width: Int32Array;
  /** 1 where the centre-crop fallback was taken. */
  fallback: Uint8Array;
}

/** Index of each adjustment in JitterPlan.order / factors (torchvision's fn_idx). */
export const JITTER_BRIGHTNESS = 0;
export const JITTER_CONTRAST = 1;
export const JITTER_SATURATION = 2;
export const JITTER_HUE = 3;

export interface JitterPlan {
  op: "color_jitter";
  apply: Uint8Array;
  /** 4 per sample: the order in which the adjustments run. */
  order: Uint8Array;
  /** 4 per sample: brightness, contrast, saturation, hue factor; NaN = not applied. */
  factors: Float64Array;
}

export interface ChancePlan {
  op: "grayscale" | "equalize" | "horizontal_flip";
  apply: Uint8Array;
}

export interface SolarizePlan {
  op: "solarize";
  apply: Uint8Array;
  threshold: number;
}

export interface BlurPlan {
  op: "gaussian_blur";
  apply: Uint8Array;
  /** Per sample; NaN where not applied. */
  sigma: Float64Array;
}

export interface NormalizePlan {
  op: "normalize";
  mean: number[];
  std: number[];
}

export type OpPlan = CropPlan | JitterPlan | ChancePlan | SolarizePlan | BlurPlan | NormalizePlan;

export interface BatchShape {
  n: number;
  height: number;
  width: number;
  channels: number;
}

export interface ViewPlan {
  name: string;
  input: BatchShape;
  /** Output image side lengths (the last crop's size, or the input's). */
  outHeight: number;
  outWidth: number;
  ops: OpPlan[];
}

/** torchvision ColorJitter's factor range for a strength (null = adjustment off). */
export function jitterRange(kind: "brightness" | "contrast" | "saturation" | "hue", strength: number): [number, number] | null {
  if (!(strength >= 0)) throw new RangeError(`color_jitter: ${kind} must be >= 0, got ${strength}`);
  if (kind === "hue") {
    if (strength > 0.5) throw new RangeError(`color_jitter: hue must be <= 0.5, got ${strength}`);
    return strength === 0 ? null : [-strength, strength];
  }
  return strength === 0 ? null : [Math.max(0, 1 - strength), 1 + strength];
}

function checkProbability(op: AugmentOpIR & { p: number }): void {
  if (!(op.p >= 0 && op.p <= 1)) throw new RangeError(`${op.op}: p must be in [0, 1], got ${op.p}`);
}

function emptyPlan(op: AugmentOpIR, n: number): OpPlan {
  switch (op.op) {
    case "random_resized_crop": {
      if (!(Number.isInteger(op.size) && op.size > 0)) throw new RangeError(`random_resized_crop: size must be a positive integer, got ${op.size}`);
      if (!(op.scale[0] > 0 && op.scale[0] <= op.scale[1])) throw new RangeError(`random_resized_crop: bad scale [${op.scale.join(", ")}]`);
      if (!(op.ratio[0] > 0 && op.ratio[0] <= op.ratio[1])) throw new RangeError(`random_resized_crop: bad ratio [${op.ratio.join(", ")}]`);
      return {
        op: op.op,
        size: op.size,
        interpolation: op.interpolation,
        top: new Int32Array(n),
        left: new Int32Array(n),
        height: new Int32Array(n),
        width: new Int32Array(n),
        fallback: new Uint8Array(n),
      };
    }
    case "color_jitter":
      checkProbability(op);
      return { op: op.op, apply: new Uint8Array(n), order: new Uint8Array(4 * n), factors: new Float64Array(4 * n).fill(NaN) };
    case "gaussian_blur":
      checkProbability(op);
      if (!(op.sigma[0] > 0 && op.sigma[0] <= op.sigma[1])) throw new RangeError(`gaussian_blur: bad sigma [${op.sigma.join(", ")}]`);
      return { op: op.op, apply: new Uint8Array(n), sigma: new Float64Array(n).fill(NaN) };
    case "solarize":
      checkProbability(op);
      return { op: op.op, apply: new Uint8Array(n), threshold: op.threshold };
    case "grayscale":
    case "equalize":
    case "horizontal_flip":
      checkProbability(op);
      return { op: op.op, apply: new Uint8Array(n) };
    case "normalize":
      return { op: op.op, mean: [...op.mean], std: [...op.std] };
  }
}

const order4 = new Uint8Array(4);

/** Draws every random choice of one view for a batch of the given shape. */
export function planView(view: ViewIR, shape: BatchShape, rng: Rng): ViewPlan {
  const { n } = shape;
  view.ops.forEach((op, i) => {
    if (op.op === "normalize" && i !== view.ops.length - 1) {
      throw new RangeError(`view ${view.name}: normalize must be the last op`);
    }
  });
  const plans = view.ops.map((op) => emptyPlan(op, n));
  const ranges = view.ops.map((op) =>
    op.op === "color_jitter"
      ? [jitterRange("brightness", op.brightness), jitterRange("contrast", op.contrast), jitterRange("saturation", op.saturation), jitterRange("hue", op.hue)]
      : null,
  );
  let outHeight = shape.height;
  let outWidth = shape.width;
  for (const plan of plans) if (plan.op === "random_resized_crop") outHeight = outWidth = plan.size;
  for (let s = 0; s < n; s++) {
    let h = shape.height;
    let w = shape.width;
    for (let k = 0; k < view.ops.length; k++) {
      const op = view.ops[k]!;
      const plan = plans[k]!;
      switch (plan.op) {
        case "random_resized_crop": {
          const ir = op as Extract<AugmentOpIR, { op: "random_resized_crop" }>;
          const box = sampleCropBox(rng, h, w, ir.scale, ir.ratio);
          plan.top[s] = box.top;
          plan.left[s] = box.left;
          plan.height[s] = box.height;
          plan.width[s] = box.width;
          plan.fallback[s] = box.fallback ? 1 : 0;
          h = w = plan.size;
          break;
        }
        case "color_jitter": {
          const p = (op as { p: number }).p;
          if (!(rng.next() < p)) break;
          plan.apply[s] = 1;
          order4.set([0, 1, 2, 3]);
          rng.shuffle(order4);
          plan.order.set(order4, 4 * s);
          const r = ranges[k]!;
          for (let j = 0; j < 4; j++) {
            const range = r[j];
            if (range) plan.factors[4 * s + j] = rng.uniform(range[0], range[1]);
          }
          break;
        }
        case "gaussian_blur": {
          const ir = op as Extract<AugmentOpIR, { op: "gaussian_blur" }>;
          if (!(rng.next() < ir.p)) break;
          plan.apply[s] = 1;
          plan.sigma[s] = rng.uniform(ir.sigma[0], ir.sigma[1]);
          break;
        }
        case "grayscale":
        case "equalize":
        case "horizontal_flip":
        case "solarize":
          if (rng.next() < (op as { p: number }).p) plan.apply[s] = 1;
          break;
        case "normalize":
          break;
      }
    }
  }
  return { name: view.name, input: { ...shape }, outHeight, outWidth, ops: plans };
}

/**
 * The part of a plan for samples [start, end) (copies, so a worker can be sent just
 * that): executing it on those samples gives exactly those samples of the whole plan.
 */
export function slicePlan(plan: ViewPlan, start: number, end: number): ViewPlan {
  if (!(Number.isInteger(start) && Number.isInteger(end) && start >= 0 && start < end && end <= plan.input.n)) {
    throw new RangeError(`slicePlan: bad range [${start}, ${end}) of ${plan.input.n} samples`);
  }
  const cut = <T extends Uint8Array | Int32Array | Float64Array>(a: T, per = 1): T => a.slice(start * per, end * per) as T;
  const ops = plan.ops.map((op): OpPlan => {
    switch (op.op) {
      case "random_resized_crop":
        return { ...op, top: cut(op.top), left: cut(op.left), height: cut(op.height), width: cut(op.width), fallback: cut(op.fallback) };
      case "color_jitter":
        return { ...op, apply: cut(op.apply), order: cut(op.order, 4), factors: cut(op.factors, 4) };
      case "gaussian_blur":
        return { ...op, apply: cut(op.apply), sigma: cut(op.sigma) };
      case "grayscale":
      case "equalize":
      case "horizontal_flip":
      case "solarize":
        return { ...op, apply: cut(op.apply) };
      case "normalize":
        return op;
    }
  });
  return { ...plan, input: { ...plan.input, n: end - start }, ops };
}
