// Augmentation strength `a`: one number per view, calibrated so that a view of the
// reference `symmetric` preset (docs/paper.md §2) scores exactly 1.0.
//
//   a(view) = 0.4 * crop + 0.4 * jitter + 0.1 * gray + 0.1 * blur + 0.1 * solar + 0.1 * equalize
//
//   crop     = ln(1 / scale_min) / ln(1 / 0.08)              (0 when crops keep the whole image)
//   jitter   = p * (brightness + contrast + saturation + 2 * hue) / (0.8 * 2.8)
//   gray     = p / 0.2
//   blur     = p * (sigma_max / 2.0) / 0.5
//   solar    = p * ((256 - threshold) / 128) / 0.2
//   equalize = p / 0.2
//
// Each term is its knob divided by the knob's value in `symmetric` (solarize and equalize,
// absent there, are scaled by the asymmetric preset's solarize p = 0.2), so each term is
// 1 at the reference and the weights on the terms `symmetric` uses sum to 1. Every term is
// non-decreasing in every knob made "stronger" (smaller crop, higher probability, larger
// magnitude, wider blur, lower solarize threshold), so `a` is monotone. Hue counts twice
// because its range is [0, 0.5] where the other magnitudes reach 1. Flip, crop max scale,
// aspect ratio and interpolation are not counted: the presets never vary them, and a
// horizontal flip barely changes a CIFAR image's content. Repeated ops add up.
//
// Only what acts on the data counts: on single-channel (grey) training data saturation,
// hue and grayscale are the identity, so `channels = 1` drops them (jitter keeps its
// brightness and contrast, gray is 0). Every comparison with a reference preset measures
// the preset on the same channel count (presetStrength), so setting those knobs to 0,
// as `noop-ops` asks, changes nothing the lint reports.
import type { AugmentOpIR, PipelineIR, ViewIR } from "../ir/types.js";

export const STRENGTH_WEIGHTS = {
  crop: 0.4,
  jitter: 0.4,
  gray: 0.1,
  blur: 0.1,
  solar: 0.1,
  equalize: 0.1,
} as const;

export type StrengthTerm = keyof typeof STRENGTH_WEIGHTS;

const REF_CROP_MIN = 0.08;
const REF_JITTER = 0.8 * (0.8 + 0.8 + 0.8 + 2 * 0.2);
const REF_GRAY_P = 0.2;
const REF_BLUR_P = 0.5;
const REF_SIGMA_MAX = 2.0;
const REF_SOLAR_P = 0.2;
const REF_EQUALIZE_P = 0.2;

/** The normalised terms of one view (each 1.0 at the `symmetric` preset's value). */
export function strengthTerms(view: ViewIR, channels = 3): Record<StrengthTerm, number> {
  const t: Record<StrengthTerm, number> = { crop: 0, jitter: 0, gray: 0, blur: 0, solar: 0, equalize: 0 };
  for (const op of view.ops) addTerm(t, channels === 1 ? withoutColour(op) : op);
  return t;
}

/** The op as it acts on single-channel data: its colour knobs at 0. */
function withoutColour(op: AugmentOpIR): AugmentOpIR {
  if (op.op === "color_jitter") return { ...op, saturation: 0, hue: 0 };
  if (op.op === "grayscale") return { ...op, p: 0 };
  return op;
}

/**
 * The channel count the training images have: 1 when every training source is known to be
 * single-channel, else 3 (colour, or unknown: then every op is assumed to act).
 */
export function trainingChannels(ir: PipelineIR): 1 | 3 {
  const train = ir.data.train.map((e) => ir.data.sources.find((s) => s.name === e.source));
  return train.length > 0 && train.every((s) => s !== undefined && s.shape[2] === 1) ? 1 : 3;
}

function addTerm(t: Record<StrengthTerm, number>, op: AugmentOpIR): void {
  switch (op.op) {
    case "random_resized_crop": {
      const min = Math.min(1, Math.max(op.scale[0], 1e-6));
      t.crop += Math.log(1 / min) / Math.log(1 / REF_CROP_MIN);
      return;
    }
    case "color_jitter":
      t.jitter += (op.p * (op.brightness + op.contrast + op.saturation + 2 * op.hue)) / REF_JITTER;
      return;
    case "grayscale":
      t.gray += op.p / REF_GRAY_P;
      return;
    case "gaussian_blur":
      t.blur += (op.p * (Math.max(0, op.sigma[1]) / REF_SIGMA_MAX)) / REF_BLUR_P;
      return;
    case "solarize":
      t.solar += (op.p * (Math.max(0, 256 - op.threshold) / 128)) / REF_SOLAR_P;
      return;
    case "equalize":
      t.equalize += op.p / REF_EQUALIZE_P;
      return;
    case "horizontal_flip":
    case "normalize":
      return;
  }
}

export function viewStrength(view: ViewIR, channels = 3): number {
  const t = strengthTerms(view, channels);
  let a = 0;
  for (const k of Object.keys(STRENGTH_WEIGHTS) as StrengthTerm[]) a += STRENGTH_WEIGHTS[k] * t[k];
  return a;
}

/** Strength of a pipeline: the mean over its views (0 for a pipeline without views). */
export function pipelineStrength(views: readonly ViewIR[], channels = 3): number {
  if (views.length === 0) return 0;
  return views.reduce((s, v) => s + viewStrength(v, channels), 0) / views.length;
}
