// Per-op properties on known inputs (the parity test checks the same ops against
// torchvision/PIL when python is available; these run everywhere).

import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { boxRadiusForSigma, gaussianBlur } from "../../src/runtime/augment/blur.js";
import { adjustBrightness, adjustContrast, adjustHue, adjustSaturation, blendValue, hueShift, luma, toGrayscale } from "../../src/runtime/augment/color.js";
import { flipHorizontal } from "../../src/runtime/augment/flip.js";
import { normalization, normalizeTable, writeNormalized } from "../../src/runtime/augment/normalize.js";
import { axisCoefficients, resizeCrop } from "../../src/runtime/augment/resample.js";
import { equalize, solarize } from "../../src/runtime/augment/tone.js";
import { makeBatch, sample } from "./fixtures.js";

const rgb = makeBatch(21, 6, 32, 32, 3);

describe("grayscale", () => {
  it("equals PIL's L = R*299/1000 + G*587/1000 + B*114/1000 (fixed point, rounded) for every colour class", () => {
    let bad = 0;
    let worst = 0;
    for (let r = 0; r < 256; r += 5) {
      for (let g = 0; g < 256; g += 3) {
        for (let b = 0; b < 256; b += 7) {
          const l = luma(r, g, b);
          if (l !== (r * 19595 + g * 38470 + b * 7471 + 32768) >> 16) bad++;
          worst = Math.max(worst, Math.abs(l - (r * 299 + g * 587 + b * 114) / 1000));
        }
      }
    }
    expect(bad).toBe(0);
    expect(worst).toBeLessThanOrEqual(0.51); // the rounded form of the documented formula
  });
  it("replicates the luma to three channels and leaves one channel alone", () => {
    const img = sample(rgb, 0);
    const out = img.slice();
    toGrayscale(out, 1024, 3);
    for (let i = 0; i < 1024; i++) {
      const l = luma(img[3 * i]!, img[3 * i + 1]!, img[3 * i + 2]!);
      expect([out[3 * i], out[3 * i + 1], out[3 * i + 2]]).toEqual([l, l, l]);
    }
    const mono = new Uint8Array([1, 2, 3, 4]);
    toGrayscale(mono, 4, 1);
    expect([...mono]).toEqual([1, 2, 3, 4]);
  });
});

describe("colour jitter adjustments", () => {
  it("factor 1 is the identity for brightness, contrast and saturation; hue 0 keeps greys", () => {
    for (let s = 0; s < rgb.n; s++) {
      const img = sample(rgb, s);
      for (const fn of [adjustBrightness, adjustContrast, adjustSaturation]) {
        const out = img.slice();
        fn(out, 1024, 3, 1);
        expect(out).toEqual(img);
      }
    }
    const grey = new Uint8Array(3 * 256).map((_, i) => Math.floor(i / 3));
    const out = grey.slice();
    adjustHue(out, 256, 3, 0.37);
    expect(out).toEqual(grey);
  });
  it("brightness 0 is black, contrast 0 is the mean grey, saturation 0 is grayscale", () => {
    const img = sample(rgb, 1);
    const black = img.slice();
    adjustBrightness(black, 1024, 3, 0);
    expect(black.every((v) => v === 0)).toBe(true);
    const flat = img.slice();
    adjustContrast(flat, 1024, 3, 0);
    let sum = 0;
    for (let i = 0; i < 1024; i++) sum += luma(img[3 * i]!, img[3 * i + 1]!, img[3 * i + 2]!);
    expect(flat.every((v) => v === Math.trunc(sum / 1024 + 0.5))).toBe(true);
    const gray = img.slice();
    adjustSaturation(gray, 1024, 3, 0);
    const expected = img.slice();
    toGrayscale(expected, 1024, 3);
    expect(gray).toEqual(expected);
  });
  it("blend truncates and clamps like PIL's Image.blend", () => {
    expect(blendValue(0, 100, Math.fround(1.5))).toBe(150);
    expect(blendValue(0, 200, Math.fround(1.5))).toBe(255);
    expect(blendValue(100, 0, Math.fround(2))).toBe(0);
    expect(blendValue(0, 3, Math.fround(0.5))).toBe(1); // 1.5 truncated
  });
  it("the hue shift wraps like np.uint8(h * 255)", () => {
    expect(hueShift(0.3)).toBe(76);
    expect(hueShift(-0.1)).toBe(231);
    expect(hueShift(-0.5)).toBe(129);
    expect(hueShift(-0.001)).toBe(0);
  });
  it("saturation and hue are no-ops on one channel", () => {
    const mono = makeBatch(3, 1, 28, 28, 1);
    const img = sample(mono, 0);
    const out = img.slice();
    adjustSaturation(out, 784, 1, 0.2);
    adjustHue(out, 784, 1, 0.4);
    expect(out).toEqual(img);
  });
  it("a full hue turn (+0.5 then -0.5) keeps pure primaries", () => {
    const px = new Uint8Array([255, 0, 0, 0, 255, 0, 0, 0, 255]);
    const out = px.slice();
    adjustHue(out, 3, 3, 0.5);
    expect(out).not.toEqual(px);
    adjustHue(out, 3, 3, -0.5);
    // Two 8-bit hue steps of 127 and 129 make a full turn (256).
    expect(out).toEqual(px);
  });
});

describe("gaussian blur", () => {
  it("keeps constant images constant and roughly preserves the mean", () => {
    const flat = new Uint8Array(32 * 32 * 3).fill(77);
    gaussianBlur(flat, 32, 32, 3, 1.7);
    expect(flat.every((v) => v === 77)).toBe(true);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: rgb.n - 1 }), fc.double({ min: 0.1, max: 2, noNaN: true }), (s, sigma) => {
        const img = sample(rgb, s);
        const out = img.slice();
        gaussianBlur(out, 32, 32, 3, sigma);
        const mean = (a: Uint8Array): number => a.reduce((x, y) => x + y, 0) / a.length;
        // Six passes, each rounding to nearest: the mean moves by well under a level.
        expect(Math.abs(mean(out) - mean(img))).toBeLessThan(1);
      }),
      { seed: 17, numRuns: 60 },
    );
  });
  it("reduces variation, more for larger sigma", () => {
    const img = sample(rgb, 0); // noise
    const tv = (a: Uint8Array): number => {
      let t = 0;
      for (let i = 3; i < a.length; i++) t += Math.abs(a[i]! - a[i - 3]!);
      return t;
    };
    const small = img.slice();
    const large = img.slice();
    gaussianBlur(small, 32, 32, 3, 0.5);
    gaussianBlur(large, 32, 32, 3, 2);
    expect(tv(small)).toBeLessThan(tv(img));
    expect(tv(large)).toBeLessThan(tv(small));
  });
  it("PIL's extended box radius: 3 boxes of that radius have variance sigma^2", () => {
    for (const sigma of [0.1, 0.5, 1, 1.5, 2, 3.7]) {
      const r = boxRadiusForSigma(sigma);
      const l = Math.floor(r);
      const a = r - l;
      // Variance of an extended box (Gwosdek et al. eq. 12) times 3 passes.
      const L = 2 * l + 1 + 2 * a;
      const variance = (3 * (((2 * l + 1) * l * (l + 1)) / 3 + 2 * a * (l + 1) ** 2)) / L;
      expect(variance).toBeCloseTo(sigma * sigma, 4);
    }
  });
});

describe("solarize and equalize", () => {
  it("solarize inverts exactly the values >= threshold", () => {
    const img = Uint8Array.from({ length: 256 }, (_, i) => i);
    solarize(img, 256, 128);
    for (let i = 0; i < 256; i++) expect(img[i]).toBe(i < 128 ? i : 255 - i);
  });
  it("equalize maps a known histogram as ImageOps.equalize", () => {
    // 510 pixels: 255 of value 10, 255 of value 200 -> step = (510 - 255) // 255 = 1;
    // lut[v] = (0 + count below v) // 1: 10 -> 0, 200 -> 255.
    const img = new Uint8Array(510).map((_, i) => (i % 2 === 0 ? 10 : 200));
    equalize(img, 510, 1);
    expect(new Set(img)).toEqual(new Set([0, 255]));
    expect(img[0]).toBe(0);
    expect(img[1]).toBe(255);
    // A one-value image is left alone; a uniform ramp stays a ramp.
    const flat = new Uint8Array(100).fill(9);
    equalize(flat, 100, 1);
    expect(flat.every((v) => v === 9)).toBe(true);
    const ramp = Uint8Array.from({ length: 256 * 4 }, (_, i) => i >> 2);
    equalize(ramp, 1024, 1);
    // step = (1024 - 4) // 255 = 4, n starts at 2: lut[v] = (2 + 4v) // 4 = v.
    expect([...ramp]).toEqual(Array.from({ length: 1024 }, (_, i) => i >> 2));
  });
  it("equalize works per channel", () => {
    const img = new Uint8Array(3 * 510);
    for (let i = 0; i < 510; i++) img.set(i % 2 === 0 ? [10, 50, 7] : [200, 50, 9], 3 * i);
    equalize(img, 510, 3);
    expect([img[0], img[1], img[2], img[3], img[4], img[5]]).toEqual([0, 50, 0, 255, 50, 255]);
  });
});

describe("flip and normalize", () => {
  it("flip mirrors columns exactly and is an involution", () => {
    const img = sample(rgb, 2);
    const out = img.slice();
    flipHorizontal(out, 32, 32, 3);
    for (let y = 0; y < 32; y++)
      for (let x = 0; x < 32; x++) for (let c = 0; c < 3; c++) expect(out[(y * 32 + x) * 3 + c]).toBe(img[(y * 32 + 31 - x) * 3 + c]);
    flipHorizontal(out, 32, 32, 3);
    expect(out).toEqual(img);
  });
  it("normalize is (v / 255 - mean) / std in float32, mirrored on request", () => {
    const mean = [0.4914, 0.4822, 0.4465];
    const std = [0.247, 0.2435, 0.2616];
    const table = normalization(3, mean, std);
    const img = sample(rgb, 3);
    const out = new Float32Array(3072);
    const flipped = new Float32Array(3072);
    writeNormalized(img, 32, 32, 3, table, false, out, 0);
    writeNormalized(img, 32, 32, 3, table, true, flipped, 0);
    const f = Math.fround;
    for (let i = 0; i < 3072; i++) {
      const c = i % 3;
      expect(out[i]).toBe(f(f(f(img[i]! / 255) - f(mean[c]!)) / f(std[c]!)));
      const px = Math.floor(i / 3);
      const mirror = (Math.floor(px / 32) * 32 + 31 - (px % 32)) * 3 + c;
      expect(flipped[i]).toBe(out[mirror]);
    }
    expect(() => normalizeTable(3, [0.5, 0.5], [1, 1])).toThrow(/2 mean values for 3 channel/);
    expect(normalizeTable(1, [0.1307], [0.3081])[255]).toBe(f(f(1 - f(0.1307)) / f(0.3081)));
  });
});

describe("resize", () => {
  it("weights of every output pixel sum to 1 (fixed point, +-ksize rounding)", () => {
    for (const filter of ["bicubic", "bilinear", "nearest"] as const) {
      for (const [inSize, outSize] of [
        [7, 32],
        [32, 32],
        [32, 9],
        [5, 3],
        [1, 32],
      ]) {
        const c = axisCoefficients(inSize!, outSize!, filter);
        for (let x = 0; x < outSize!; x++) {
          let s = 0;
          for (let k = 0; k < c.bounds[2 * x + 1]!; k++) s += c.weights[x * c.ksize + k]!;
          expect(Math.abs(s - (1 << 22))).toBeLessThanOrEqual(c.ksize);
          expect(c.bounds[2 * x]!).toBeGreaterThanOrEqual(0);
          expect(c.bounds[2 * x]! + c.bounds[2 * x + 1]!).toBeLessThanOrEqual(inSize!);
        }
      }
    }
  });
  it("a full-size crop is the identity; a flat crop stays flat", () => {
    const img = sample(rgb, 4);
    const dst = new Uint8Array(3072);
    const tmp = new Uint8Array(3072);
    resizeCrop({ src: img, offset: 0, stride: 96, top: 0, left: 0, height: 32, width: 32 }, 3, 32, 32, "bicubic", dst, tmp);
    expect(dst).toEqual(img);
    const flat = new Uint8Array(3072).fill(201);
    resizeCrop({ src: flat, offset: 0, stride: 96, top: 5, left: 3, height: 11, width: 9 }, 3, 32, 32, "bicubic", dst, tmp);
    expect(dst.every((v) => v === 201)).toBe(true);
  });
  it("nearest upscaling by 2 repeats each crop pixel twice", () => {
    const img = sample(rgb, 5);
    const dst = new Uint8Array(3072);
    const tmp = new Uint8Array(3072);
    resizeCrop({ src: img, offset: 0, stride: 96, top: 8, left: 4, height: 16, width: 16 }, 3, 32, 32, "nearest", dst, tmp);
    for (let y = 0; y < 32; y++)
      for (let x = 0; x < 32; x++) for (let c = 0; c < 3; c++) expect(dst[(y * 32 + x) * 3 + c]).toBe(img[((8 + (y >> 1)) * 32 + 4 + (x >> 1)) * 3 + c]);
  });
});
