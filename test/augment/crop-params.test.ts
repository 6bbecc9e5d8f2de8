// RandomResizedCrop's box sampling (sampleCropBox) and pyRound, Python's ties-to-even
// round: over many seeded draws boxes stay inside the image with area and aspect ratio in
// range, the mean area fraction follows U(scale), and the clamped centre-crop fallback.
import { describe, expect, it } from "vitest";
import { Rng } from "../../src/runtime/rng.js";
import { pyRound, sampleCropBox } from "../../src/runtime/augment/crop-params.js";

describe("pyRound (Python's round, ties to even)", () => {
  it("rounds ties to the even neighbour and everything else to nearest", () => {
    expect([0.5, 1.5, 2.5, 3.5, -0.5, -1.5, -2.5].map(pyRound)).toEqual([0, 2, 2, 4, -0, -2, -2]);
    expect([0.49, 0.51, 2.4999, 7.6].map(pyRound)).toEqual([0, 1, 2, 8]);
  });
});

describe("RandomResizedCrop box sampling", () => {
  it("boxes lie inside the image, with area and aspect ratio in range when not a fallback", () => {
    const rng = new Rng(3);
    for (const [h, w, lo] of [
      [32, 32, 0.08],
      [32, 32, 0.2],
      [28, 28, 0.08],
      [40, 24, 0.5],
      [17, 31, 0.02],
    ] as const) {
      for (let i = 0; i < 2000; i++) {
        const b = sampleCropBox(rng, h, w, [lo, 1], [3 / 4, 4 / 3]);
        expect(b.top).toBeGreaterThanOrEqual(0);
        expect(b.left).toBeGreaterThanOrEqual(0);
        expect(b.height).toBeGreaterThan(0);
        expect(b.width).toBeGreaterThan(0);
        expect(b.top + b.height).toBeLessThanOrEqual(h);
        expect(b.left + b.width).toBeLessThanOrEqual(w);
        if (!b.fallback) {
          // Sides are rounded from the continuous draw: allow half a pixel per side.
          const area = b.height * b.width;
          expect(area).toBeLessThanOrEqual((Math.sqrt(h * w) + 1) ** 2);
          const minArea = (Math.sqrt(lo * h * w * (3 / 4)) - 0.5) * (Math.sqrt((lo * h * w) / (4 / 3)) - 0.5);
          expect(area).toBeGreaterThanOrEqual(Math.floor(minArea));
          const ratio = b.width / b.height;
          expect(ratio).toBeGreaterThanOrEqual((Math.sqrt(lo * h * w * 0.75) - 0.5) / (Math.sqrt((lo * h * w) / 0.75) + 0.5) - 1e-9);
          expect(ratio).toBeLessThanOrEqual((Math.sqrt((lo * h * w) / 0.75) + 0.5) / (Math.sqrt(lo * h * w * 0.75) - 0.5) + 1e-9);
        }
      }
    }
  });

  it("the empirical area fraction follows U(scale) (mean within 2%)", () => {
    const rng = new Rng(4);
    let sum = 0;
    const n = 20000;
    for (let i = 0; i < n; i++) {
      // A large image makes rounding negligible and every try fit.
      const b = sampleCropBox(rng, 1000, 1000, [0.2, 0.6], [1, 1]);
      sum += (b.height * b.width) / 1e6;
    }
    expect(Math.abs(sum / n - 0.4)).toBeLessThan(0.008);
  });

  it("takes the centre-crop fallback when no box can fit, clamped to the ratio", () => {
    const rng = new Rng(5);
    // A 10x100 image cannot hold a box of ratio <= 4/3 with area >= 50%: fallback.
    const b = sampleCropBox(rng, 10, 100, [0.5, 1], [3 / 4, 4 / 3]);
    expect(b.fallback).toBe(true);
    // in_ratio 10 > 4/3: h = 10, w = round(10 * 4/3) = 13, centred.
    expect(b).toEqual({ top: 0, left: Math.floor((100 - 13) / 2), height: 10, width: 13, fallback: true });
    // Tall image: w = width, h = round(w / (3/4)).
    const t = sampleCropBox(rng, 100, 10, [0.5, 1], [3 / 4, 4 / 3]);
    expect(t).toEqual({ top: Math.floor((100 - 13) / 2), left: 0, height: 13, width: 10, fallback: true });
    // Scale above 1 can never fit a square image: the whole image.
    const s = sampleCropBox(rng, 32, 32, [1.5, 2], [3 / 4, 4 / 3]);
    expect(s).toEqual({ top: 0, left: 0, height: 32, width: 32, fallback: true });
  });

  it("scale [1, 1] and ratio [1, 1] give the whole image without a fallback", () => {
    const b = sampleCropBox(new Rng(1), 32, 32, [1, 1], [1, 1]);
    expect(b).toEqual({ top: 0, left: 0, height: 32, width: 32, fallback: false });
  });
});
