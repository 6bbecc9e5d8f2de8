// The WebAssembly kernels (src/runtime/augment/kernels/assembly) against their
// TypeScript twins, which test/augment/parity.test.ts checks against Pillow: byte for
// byte on random images of many shapes, every op, 1 and 3 channels, small and large
// blur radii, upscaling and downscaling with all three filters; then whole views.
// Needs `npm run build` (dist/wasm/augment.wasm); `npm ci` runs it.

import { describe, expect, it, vi } from "vitest";
import { typescriptKernels, type Kernels } from "../../src/runtime/augment/kernels.js";
import { executePlan, executePlanUint8, planViews } from "../../src/runtime/augment/pipeline.js";
import type { ResampleFilter } from "../../src/runtime/augment/resample.js";
import { normalization } from "../../src/runtime/augment/normalize.js";
import { augmentKernelsInfo, wasmArena, type Arena } from "../../src/runtime/augment/wasm.js";
import { Rng } from "../../src/runtime/rng.js";
import { makeBatch, presetView, SYMMETRIC, SYMMETRIC_ADAINF } from "./fixtures.js";

const MAX_SIDE = 64;

function arena(): Arena {
  const a = wasmArena({
    batch: MAX_SIDE * MAX_SIDE * 3,
    image: MAX_SIDE * MAX_SIDE * 3,
    line: (MAX_SIDE + 2 * 40) * 3,
    coefficients: 4 * (2 * MAX_SIDE + MAX_SIDE * 200),
    output: 0,
  });
  if (a === null) throw new Error(`WebAssembly kernels not available: ${augmentKernelsInfo().reason ?? "?"}`);
  return a;
}

/** Random images: noise, smooth ramps, or black/white (saturating cases). */
function image(rng: Rng, length: number): Uint8Array {
  const img = new Uint8Array(length);
  const kind = rng.int(3);
  for (let i = 0; i < length; i++) img[i] = kind === 0 ? rng.int(256) : kind === 1 ? (i * 3 + rng.int(16)) & 255 : rng.int(2) * 255;
  return img;
}

/** Runs `op` on a copy in WebAssembly memory and on a plain copy; returns both results. */
function both(a: Arena, src: Uint8Array, op: (k: Kernels, img: Uint8Array) => void): [Uint8Array, Uint8Array] {
  const inWasm = a.a.subarray(0, src.length);
  inWasm.set(src);
  op(a.kernels, inWasm);
  const plain = src.slice();
  op(typescriptKernels, plain);
  return [inWasm.slice(), plain];
}

describe("WebAssembly kernels equal the TypeScript kernels", () => {
  it("are the ones in use after a build", () => {
    expect(augmentKernelsInfo()).toEqual({ kernels: "wasm" });
  });

  it("give way to the TypeScript kernels when ADAINF_AUGMENT_KERNELS=typescript", async () => {
    vi.resetModules();
    process.env.ADAINF_AUGMENT_KERNELS = "typescript";
    try {
      const fresh = await import("../../src/runtime/augment/wasm.js");
      expect(fresh.augmentKernelsInfo()).toEqual({ kernels: "typescript", reason: "ADAINF_AUGMENT_KERNELS=typescript" });
      expect(fresh.wasmArena({ batch: 1, image: 1, line: 1, coefficients: 1, output: 1 })).toBeNull();
    } finally {
      delete process.env.ADAINF_AUGMENT_KERNELS;
      vi.resetModules();
    }
  });

  it("colour, tone, blur and flip on 600 random images", () => {
    const a = arena();
    const rng = new Rng(1);
    let checked = 0;
    for (let t = 0; t < 600; t++) {
      const C = rng.next() < 0.3 ? 1 : 3;
      const h = 1 + rng.int(48);
      const w = 1 + rng.int(48);
      const src = image(rng, h * w * C);
      const px = h * w;
      const f = rng.uniform(0, 2);
      const threshold = 1 + rng.int(255);
      // Mostly the presets' sigma range (radius 0-1), sometimes radii up to ~25.
      const sigma = rng.next() < 0.8 ? rng.uniform(0.1, 2) : rng.uniform(2, 30);
      const ops: [string, (k: Kernels, img: Uint8Array) => void][] = [
        ["brightness", (k, img) => k.brightness(img, px, C, f)],
        ["contrast", (k, img) => k.contrast(img, px, C, f)],
        ["saturation", (k, img) => k.saturation(img, px, C, f)],
        ["hue", (k, img) => k.hue(img, px, C, f - 1)],
        ["grayscale", (k, img) => k.grayscale(img, px, C)],
        ["solarize", (k, img) => k.solarize(img, px * C, threshold)],
        ["equalize", (k, img) => k.equalize(img, px, C)],
        ["flip", (k, img) => k.flip(img, h, w, C)],
        ["blur", (k, img) => k.blur(img, h, w, C, sigma)],
      ];
      for (const [name, op] of ops) {
        const [x, y] = both(a, src, op);
        if (!Buffer.from(x).equals(Buffer.from(y))) throw new Error(`${name} differs on ${h}x${w}x${C} (case ${t}, factor ${f}, sigma ${sigma})`);
        checked++;
      }
    }
    expect(checked).toBe(600 * 9);
  });

  it("crop + resize with every filter, up and down, on 400 random crops", () => {
    const a = arena();
    const rng = new Rng(2);
    const filters: ResampleFilter[] = ["bicubic", "bilinear", "nearest"];
    for (let t = 0; t < 400; t++) {
      const C = rng.next() < 0.3 ? 1 : 3;
      const H = 1 + rng.int(MAX_SIDE);
      const W = 1 + rng.int(MAX_SIDE);
      const src = image(rng, H * W * C);
      const top = rng.int(H);
      const left = rng.int(W);
      const box = { top, left, height: 1 + rng.int(H - top), width: 1 + rng.int(W - left) };
      const out = 1 + rng.int(48);
      for (const filter of filters) {
        a.batch.set(src);
        const dstW = a.b.subarray(0, out * out * C);
        a.kernels.resizeCrop({ src: a.batch, offset: 0, stride: W * C, ...box }, C, out, out, filter, dstW, a.tmp);
        const dstT = new Uint8Array(out * out * C);
        typescriptKernels.resizeCrop({ src, offset: 0, stride: W * C, ...box }, C, out, out, filter, dstT, new Uint8Array(H * out * C));
        if (!Buffer.from(dstW).equals(Buffer.from(dstT))) throw new Error(`${filter} differs: ${JSON.stringify(box)} of ${H}x${W}x${C} -> ${out}`);
      }
    }
  });

  it("ToTensor/Normalize output (SIMD arithmetic vs the table), plain and mirrored, 1 to 4 channels", () => {
    const rng = new Rng(3);
    for (let t = 0; t < 40; t++) {
      const C = 1 + (t % 4);
      const h = 1 + rng.int(40);
      const w = 1 + rng.int(40);
      const src = image(rng, h * w * C);
      const mean = Array.from({ length: C }, () => rng.uniform(-1, 1));
      const std = Array.from({ length: C }, () => rng.uniform(0.01, 2));
      const norm = normalization(C, mean, std);
      const region = wasmArena({ batch: 0, image: src.length, line: w * C, coefficients: 0, output: 4 * (src.length + 5) })!;
      region.a.set(src);
      region.table.set(norm.table);
      const inWasm = { ...norm, table: region.table.subarray(0, norm.table.length) };
      const out = new Float32Array(region.output.buffer, region.output.byteOffset, src.length + 5);
      for (const mirrored of [false, true]) {
        const expected = new Float32Array(src.length + 5);
        typescriptKernels.writeNormalized(src, h, w, C, norm, mirrored, expected, 5);
        out.fill(0);
        region.kernels.writeNormalized(region.a.subarray(0, src.length), h, w, C, inWasm, mirrored, out, 5);
        if (!Buffer.from(out.buffer, out.byteOffset, out.byteLength).equals(Buffer.from(expected.buffer))) {
          throw new Error(`normalize differs: ${h}x${w}x${C}, mirrored ${mirrored}, mean ${mean}, std ${std}`);
        }
      }
    }
  });
});

describe("whole views: WebAssembly and TypeScript give the same bytes", () => {
  for (const [name, preset] of [
    ["symmetric", SYMMETRIC],
    ["symmetric_adainf", SYMMETRIC_ADAINF],
  ] as const) {
    for (const channels of [3, 1]) {
      it(`${name}, ${channels} channel(s), float and uint8 outputs`, () => {
        const batch = makeBatch(5, 24, 32, 32, channels);
        const [mean, std] = channels === 3 ? [undefined, undefined] : [[0.1307], [0.3081]];
        const views = [presetView("view1", preset, 32, mean, std), presetView("view2", preset, 32, mean, std)];
        const plans = planViews(views, { n: 24, height: 32, width: 32, channels }, new Rng(11));
        for (const plan of plans) {
          const w = executePlan(batch, plan);
          const t = executePlan(batch, plan, undefined, { kernels: "typescript" });
          expect(Buffer.from(w.buffer).equals(Buffer.from(t.buffer))).toBe(true);
          const wu = executePlanUint8(batch, plan);
          const tu = executePlanUint8(batch, plan, undefined, { kernels: "typescript" });
          expect(Buffer.from(wu).equals(Buffer.from(tu))).toBe(true);
        }
      });
    }
  }
});
