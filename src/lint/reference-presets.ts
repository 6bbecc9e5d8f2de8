import type { AugmentOpIR, ViewIR } from "../ir/types.js";
import { pipelineStrength } from "./strength.js";
import type { ViewFamily } from "./types.js";

// The paper's augmentation presets (docs/paper.md §2), kept here as data so the lint
// rules can (a) anchor the recommended strength on them and (b) know which preset a
// `--fix` may switch to. The stdlib defines the same presets in the language; the
// lint tests check that the two agree once the front end compiles them.

/** The numbers of one view of a reference preset. */
export interface ViewParams {
  cropMin: number;
  jitterP: number;
  brightness: number;
  contrast: number;
  saturation: number;
  hue: number;
  grayP: number;
  blurP: number;
  solarP: number;
  flipP: number;
}

export const CIFAR10_MEAN: readonly number[] = [0.4914, 0.4822, 0.4465];
export const CIFAR10_STD: readonly number[] = [0.247, 0.2435, 0.2616];

/**
 * A view in the reference order (crop, jitter, gray, blur, solarize, equalize, flip,
 * normalize); CIFAR's 32x32 crop and mean/std unless given.
 */
export function referenceView(name: string, v: ViewParams, size = 32, mean: readonly number[] = CIFAR10_MEAN, std: readonly number[] = CIFAR10_STD): ViewIR {
  const ops: AugmentOpIR[] = [
    { op: "random_resized_crop", size, scale: [v.cropMin, 1], ratio: [3 / 4, 4 / 3], interpolation: "bicubic" },
    { op: "color_jitter", p: v.jitterP, brightness: v.brightness, contrast: v.contrast, saturation: v.saturation, hue: v.hue },
    { op: "grayscale", p: v.grayP },
    { op: "gaussian_blur", p: v.blurP, sigma: [0.1, 2.0] },
    { op: "solarize", p: v.solarP, threshold: 128 },
    { op: "equalize", p: 0 },
    { op: "horizontal_flip", p: v.flipP },
    { op: "normalize", mean: [...mean], std: [...std] },
  ];
  return { name, ops };
}

const base = { grayP: 0.2, flipP: 0.5 };
export const SYMMETRIC: ViewParams = { ...base, cropMin: 0.08, jitterP: 0.8, brightness: 0.8, contrast: 0.8, saturation: 0.8, hue: 0.2, blurP: 0.5, solarP: 0 };
const SYMMETRIC_WEAK: ViewParams = { ...SYMMETRIC, brightness: 0.4, contrast: 0.4, saturation: 0.4, hue: 0.1 };
export const SYMMETRIC_ADAINF: ViewParams = { ...SYMMETRIC_WEAK, cropMin: 0.2, jitterP: 0.4 };
const ASYM_1: ViewParams = { ...base, cropMin: 0.08, jitterP: 0.8, brightness: 0.4, contrast: 0.4, saturation: 0.2, hue: 0.1, blurP: 0, solarP: 0 };
const ASYM_2: ViewParams = { ...ASYM_1, solarP: 0.2 };
const ASYM_ADAINF_1: ViewParams = { ...ASYM_1, cropMin: 0.2, jitterP: 0.4 };
const ASYM_ADAINF_2: ViewParams = { ...ASYM_ADAINF_1, solarP: 0.2 };

export interface ReferencePreset {
  name: string;
  family: ViewFamily;
  /** True for the presets AdaInf pairs with inflation. */
  adainf: boolean;
  views: ViewIR[];
  /** Pipeline strength a of the preset. */
  strength: number;
}

function preset(name: string, family: ViewFamily, adainf: boolean, views: ViewIR[]): ReferencePreset {
  return { name, family, adainf, views, strength: pipelineStrength(views) };
}

export const REFERENCE_PRESETS: readonly ReferencePreset[] = [
  preset("symmetric", "symmetric", false, [referenceView("view1", SYMMETRIC), referenceView("view2", SYMMETRIC)]),
  preset("symmetric_weak", "symmetric", false, [referenceView("view1", SYMMETRIC_WEAK), referenceView("view2", SYMMETRIC_WEAK)]),
  preset("symmetric_adainf", "symmetric", true, [referenceView("view1", SYMMETRIC_ADAINF), referenceView("view2", SYMMETRIC_ADAINF)]),
  preset("asymmetric", "asymmetric", false, [referenceView("view1", ASYM_1), referenceView("view2", ASYM_2)]),
  preset("asymmetric_adainf", "asymmetric", true, [referenceView("view1", ASYM_ADAINF_1), referenceView("view2", ASYM_ADAINF_2)]),
];

/** The preset's bare name: `std.augment.symmetric` and `symmetric` both give `symmetric`. */
export function presetBaseName(name: string): string {
  const i = name.lastIndexOf(".");
  return i < 0 ? name : name.slice(i + 1);
}

export function findReferencePreset(name: string | null): ReferencePreset | null {
  if (name === null) return null;
  const bare = presetBaseName(name);
  return REFERENCE_PRESETS.find((p) => p.name === bare) ?? null;
}

/** A preset's strength a as measured on training data with `channels` channels (strength.ts). */
export function presetStrength(p: ReferencePreset, channels: number): number {
  return channels === 3 ? p.strength : pipelineStrength(p.views, channels);
}

/** The default-strength preset of a family (the `g = 0` anchor of the balance rule). */
export function defaultPreset(family: ViewFamily): ReferencePreset {
  return findReferencePreset(family)!;
}

/** The AdaInf preset of a family (the `g = 2/3` anchor of the balance rule). */
export function adainfPreset(family: ViewFamily): ReferencePreset {
  return findReferencePreset(`${family}_adainf`)!;
}
