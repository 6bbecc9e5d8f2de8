// What the augmentation strength knob `strength = s` does to each op (docs/language.md,
// "Augmentation strength"): the one definition, used by the resolver to scale a
// preset's ops. s = 1 leaves the ops unchanged; s = 0 is the weakest form of each op
// (crops keep the whole image, no jitter, no random colour or blur op fires);
// between and above, each parameter moves as follows:
//
//   random_resized_crop  scale lo..hi  -> min(hi, lo^s)..hi   (lint's crop term times s)
//   color_jitter         p             -> min(1, s p)
//                        brightness, contrast, saturation x -> s x
//                        hue h         -> min(0.5, s h)
//   grayscale, gaussian_blur, solarize, equalize: p -> min(1, s p)
//   horizontal_flip, normalize, crop size/ratio/interpolation, blur sigma,
//   solarize threshold: unchanged
//
// So `symmetric` at s = 0.5 has AdaInf's weaker colour jitter exactly (p 0.4,
// magnitudes 0.4, hue 0.1) and crops from 0.08^0.5 = 0.28 (AdaInf: 0.2).
import type { AugmentOpIR } from "./types.js";

/** The knob's range (`strength` in ir/builtins.ts reads these). */
export const STRENGTH_MIN = 0;
export const STRENGTH_MAX = 2;

const prob = (p: number, s: number): number => Math.min(1, s * p);

/** One op at strength s (a copy; the input is not changed). */
export function scaleOp(op: AugmentOpIR, s: number): AugmentOpIR {
  switch (op.op) {
    case "random_resized_crop": {
      const [lo, hi] = op.scale;
      return { ...op, scale: [Math.min(hi, lo ** s), hi] };
    }
    case "color_jitter":
      return {
        ...op,
        p: prob(op.p, s),
        brightness: s * op.brightness,
        contrast: s * op.contrast,
        saturation: s * op.saturation,
        hue: Math.min(0.5, s * op.hue),
      };
    case "grayscale":
    case "gaussian_blur":
    case "solarize":
    case "equalize":
      return { ...op, p: prob(op.p, s) };
    case "horizontal_flip":
    case "normalize":
      return { ...op };
  }
}
