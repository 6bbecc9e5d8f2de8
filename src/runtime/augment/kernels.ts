// The pixel kernels a view plan runs, behind one interface so the pipeline (pipeline.ts)
// does not care where they execute: the TypeScript kernels below (the readable Pillow
// transcriptions, and the fallback), or their WebAssembly twins (wasm.ts), which give
// the same bytes faster. Every image argument is a tightly packed HWC uint8 image that
// the kernel may change in place.

import { gaussianBlur } from "./blur.js";
import { adjustBrightness, adjustContrast, adjustHue, adjustSaturation, toGrayscale } from "./color.js";
import { flipHorizontal } from "./flip.js";
import { writeNormalized, type Normalization } from "./normalize.js";
import { resizeCrop, type CropSource, type ResampleFilter } from "./resample.js";
import { equalize, solarize } from "./tone.js";

export interface Kernels {
  readonly name: "wasm" | "typescript";
  /** Resize a crop to outH x outW into `dst`; `tmp` holds crop.height * outW * channels. */
  resizeCrop(crop: CropSource, channels: number, outH: number, outW: number, filter: ResampleFilter, dst: Uint8Array, tmp: Uint8Array): void;
  brightness(img: Uint8Array, pixels: number, channels: number, factor: number): void;
  contrast(img: Uint8Array, pixels: number, channels: number, factor: number): void;
  saturation(img: Uint8Array, pixels: number, channels: number, factor: number): void;
  hue(img: Uint8Array, pixels: number, channels: number, factor: number): void;
  grayscale(img: Uint8Array, pixels: number, channels: number): void;
  blur(img: Uint8Array, height: number, width: number, channels: number, sigma: number): void;
  solarize(img: Uint8Array, length: number, threshold: number): void;
  equalize(img: Uint8Array, pixels: number, channels: number): void;
  flip(img: Uint8Array, height: number, width: number, channels: number): void;
  /** ToTensor/Normalize into out[offset...], mirrored if asked. */
  writeNormalized(
    img: Uint8Array,
    height: number,
    width: number,
    channels: number,
    norm: Normalization,
    mirrored: boolean,
    out: Float32Array,
    offset: number,
  ): void;
}

export const typescriptKernels: Kernels = {
  name: "typescript",
  resizeCrop,
  brightness: adjustBrightness,
  contrast: adjustContrast,
  saturation: adjustSaturation,
  hue: adjustHue,
  grayscale: toGrayscale,
  blur: gaussianBlur,
  solarize,
  equalize,
  flip: flipHorizontal,
  writeNormalized,
};
