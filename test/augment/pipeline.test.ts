// The augmentation pipeline (planViews/planView, then execute) on synthetic batches
// (./fixtures.ts): seeded determinism, each op's rate p and torchvision's jitter ranges,
// flip and crop geometry, asymmetric views, 1-channel (MNIST-shaped) input, shape errors.
import { describe, expect, it } from "vitest";
import type { AugmentIR, ViewIR } from "../../src/ir/types.js";
import { Rng } from "../../src/runtime/rng.js";
import { augmentBatch, augmentViews, augmentViewsUint8, executePlan, executePlanUint8, planViews } from "../../src/runtime/augment/pipeline.js";
import { jitterRange, planView, type JitterPlan } from "../../src/runtime/augment/plan.js";
import { makeBatch, presetView, sample, SYMMETRIC, SYMMETRIC_ADAINF } from "./fixtures.js";

const shape = (n: number, size = 32, channels = 3) => ({ n, height: size, width: size, channels });

function symmetricIR(): AugmentIR {
  return { preset: "symmetric", strength: 1, symmetric: true, views: [presetView("view1", SYMMETRIC), presetView("view2", SYMMETRIC)] };
}

describe("determinism", () => {
  it("same seed, same bytes; different seed, different bytes", () => {
    const batch = makeBatch(1, 16, 32, 32, 3);
    const a = augmentViews(batch, symmetricIR(), new Rng(42));
    const b = augmentViews(batch, symmetricIR(), new Rng(42));
    const c = augmentViews(batch, symmetricIR(), new Rng(43));
    expect(a.length).toBe(2);
    expect(Buffer.from(a[0]!.buffer)).toEqual(Buffer.from(b[0]!.buffer));
    expect(Buffer.from(a[1]!.buffer)).toEqual(Buffer.from(b[1]!.buffer));
    expect(Buffer.from(a[0]!.buffer).equals(Buffer.from(c[0]!.buffer))).toBe(false);
    // The two views of one seed differ too (independent draws).
    expect(Buffer.from(a[0]!.buffer).equals(Buffer.from(a[1]!.buffer))).toBe(false);
  });
  it("the batch is never modified, and plans replay identically on reuse", () => {
    const batch = makeBatch(2, 8, 32, 32, 3);
    const copy = batch.data.slice();
    const plans = planViews(symmetricIR(), shape(8), new Rng(7));
    const first = executePlan(batch, plans[0]!);
    const again = executePlan(batch, plans[0]!, new Float32Array(first.length));
    expect(batch.data).toEqual(copy);
    expect(again).toEqual(first);
  });
  it("a fixed seed gives a fixed output (golden checksum guards the draw order)", () => {
    const batch = makeBatch(3, 4, 32, 32, 3);
    const [v] = augmentViewsUint8(batch, [presetView("view1", SYMMETRIC)], new Rng(2024));
    let h = 2166136261;
    for (const x of v!) h = Math.imul(h ^ x, 16777619) >>> 0;
    // Recomputing gives the same checksum; a change of draw order or of an op changes it.
    const [w] = augmentViewsUint8(batch, [presetView("view1", SYMMETRIC)], new Rng(2024));
    let h2 = 2166136261;
    for (const x of w!) h2 = Math.imul(h2 ^ x, 16777619) >>> 0;
    expect(h2).toBe(h);
    expect(v!.length).toBe(4 * 32 * 32 * 3);
  });
});

describe("draws: probabilities, ranges, identities", () => {
  it("each op is applied with its probability p (within 4 standard errors)", () => {
    const n = 4000;
    const view: ViewIR = {
      name: "v",
      ops: [
        { op: "random_resized_crop", size: 32, scale: [0.08, 1], ratio: [3 / 4, 4 / 3], interpolation: "bicubic" },
        { op: "color_jitter", p: 0.8, brightness: 0.4, contrast: 0.4, saturation: 0.2, hue: 0.1 },
        { op: "grayscale", p: 0.2 },
        { op: "gaussian_blur", p: 0.5, sigma: [0.1, 2] },
        { op: "solarize", p: 0.2, threshold: 128 },
        { op: "equalize", p: 0.1 },
        { op: "horizontal_flip", p: 0.5 },
        { op: "normalize", mean: [0.5], std: [0.5] },
      ],
    };
    const plan = planView(view, shape(n), new Rng(11));
    const expected: Record<string, number> = { color_jitter: 0.8, grayscale: 0.2, gaussian_blur: 0.5, solarize: 0.2, equalize: 0.1, horizontal_flip: 0.5 };
    for (const op of plan.ops) {
      if (!("apply" in op)) continue;
      const p = expected[op.op]!;
      const rate = op.apply.reduce((a, b) => a + b, 0) / n;
      expect(Math.abs(rate - p), op.op).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / n));
    }
  });
  it("jitter factors lie in torchvision's ranges and the order is a permutation", () => {
    const view = presetView("v", SYMMETRIC);
    const plan = planView(view, shape(2000), new Rng(12));
    const jitter = plan.ops.find((o): o is JitterPlan => o.op === "color_jitter")!;
    const ranges = [jitterRange("brightness", 0.8)!, jitterRange("contrast", 0.8)!, jitterRange("saturation", 0.8)!, jitterRange("hue", 0.2)!];
    expect(ranges).toEqual([
      [0.19999999999999996, 1.8],
      [0.19999999999999996, 1.8],
      [0.19999999999999996, 1.8],
      [-0.2, 0.2],
    ]);
    let applied = 0;
    const firstCounts = [0, 0, 0, 0];
    for (let s = 0; s < 2000; s++) {
      if (jitter.apply[s] !== 1) {
        expect([...jitter.factors.subarray(4 * s, 4 * s + 4)].every(Number.isNaN)).toBe(true);
        continue;
      }
      applied++;
      const order = [...jitter.order.subarray(4 * s, 4 * s + 4)];
      expect([...order].sort()).toEqual([0, 1, 2, 3]);
      firstCounts[order[0]!]!++;
      for (let k = 0; k < 4; k++) {
        const f = jitter.factors[4 * s + k]!;
        expect(f).toBeGreaterThanOrEqual(ranges[k]![0]);
        expect(f).toBeLessThan(ranges[k]![1]);
      }
    }
    // Each adjustment comes first about a quarter of the time.
    for (const c of firstCounts) expect(Math.abs(c / applied - 0.25)).toBeLessThan(0.05);
  });
  it("strength 0 switches an adjustment off; all zero is the identity", () => {
    expect(jitterRange("brightness", 0)).toBeNull();
    expect(jitterRange("hue", 0)).toBeNull();
    expect(jitterRange("contrast", 1.5)).toEqual([0, 2.5]);
    expect(() => jitterRange("hue", 0.6)).toThrow(/hue must be <= 0.5/);
    const batch = makeBatch(4, 8, 32, 32, 3);
    const view: ViewIR = { name: "v", ops: [{ op: "color_jitter", p: 1, brightness: 0, contrast: 0, saturation: 0, hue: 0 }] };
    const [out] = augmentViewsUint8(batch, [view], new Rng(1));
    expect(out).toEqual(batch.data);
  });
  it("blur sigma is drawn in [min, max] only where applied", () => {
    const plan = planView(presetView("v", SYMMETRIC_ADAINF), shape(1000), new Rng(13));
    const blur = plan.ops.find((o) => o.op === "gaussian_blur");
    if (blur?.op !== "gaussian_blur") throw new Error("no blur");
    for (let s = 0; s < 1000; s++) {
      if (blur.apply[s] === 1) {
        expect(blur.sigma[s]).toBeGreaterThanOrEqual(0.1);
        expect(blur.sigma[s]).toBeLessThan(2);
      } else expect(Number.isNaN(blur.sigma[s])).toBe(true);
    }
  });
});

describe("views and shapes", () => {
  it("flip with p = 1 is the exact mirror of the unflipped view", () => {
    const batch = makeBatch(5, 6, 32, 32, 3);
    const base: ViewIR = presetView("v", SYMMETRIC);
    const flipOp = base.ops.findIndex((o) => o.op === "horizontal_flip");
    const off: ViewIR = { name: "off", ops: base.ops.map((o, i) => (i === flipOp ? { op: "horizontal_flip", p: 0 } : o)) };
    const on: ViewIR = { name: "on", ops: base.ops.map((o, i) => (i === flipOp ? { op: "horizontal_flip", p: 1 } : o)) };
    // Same stream: the flip's draw happens either way, so every other choice matches.
    const a = executePlanUint8(batch, planView(off, shape(6), new Rng(9)));
    const b = executePlanUint8(batch, planView(on, shape(6), new Rng(9)));
    for (let s = 0; s < 6; s++)
      for (let y = 0; y < 32; y++)
        for (let x = 0; x < 32; x++)
          for (let c = 0; c < 3; c++) {
            const i = ((s * 32 + y) * 32 + x) * 3 + c;
            const j = ((s * 32 + y) * 32 + 31 - x) * 3 + c;
            expect(b[i]).toBe(a[j]);
          }
  });
  it("a flip before a crop is applied to the pixels the crop reads", () => {
    const batch = makeBatch(6, 1, 32, 32, 3);
    const view: ViewIR = {
      name: "v",
      ops: [
        { op: "horizontal_flip", p: 1 },
        { op: "random_resized_crop", size: 16, scale: [1, 1], ratio: [1, 1], interpolation: "nearest" },
      ],
    };
    const out = executePlanUint8(batch, planView(view, shape(1), new Rng(1)));
    const img = sample(batch, 0);
    // Whole image, nearest 32 -> 16 takes source column trunc((x + 0.5) * 2) = 2x + 1 of the mirror.
    for (let y = 0; y < 16; y++) for (let x = 0; x < 16; x++) expect(out[(y * 16 + x) * 3]).toBe(img[((2 * y + 1) * 32 + 31 - (2 * x + 1)) * 3]);
  });
  it("asymmetric views each follow their own ops and the output has the crop size", () => {
    const batch = makeBatch(7, 5, 40, 40, 3);
    const v1: ViewIR = {
      name: "view1",
      ops: [
        { op: "random_resized_crop", size: 24, scale: [0.5, 1], ratio: [3 / 4, 4 / 3], interpolation: "bilinear" },
        { op: "normalize", mean: [0, 0, 0], std: [1, 1, 1] },
      ],
    };
    const v2: ViewIR = {
      name: "view2",
      ops: [
        { op: "solarize", p: 1, threshold: 128 },
        { op: "normalize", mean: [0, 0, 0], std: [1, 1, 1] },
      ],
    };
    const [a, b] = augmentViews(batch, { preset: null, strength: 1, symmetric: false, views: [v1, v2] }, new Rng(3));
    expect(a!.length).toBe(5 * 24 * 24 * 3);
    expect(b!.length).toBe(5 * 40 * 40 * 3);
    for (let i = 0; i < b!.length; i++) {
      const v = batch.data[i]!;
      expect(b![i]).toBe(Math.fround((v >= 128 ? 255 - v : v) / 255));
    }
  });
  it("single-channel (MNIST) batches run every op and stay one channel", () => {
    const batch = makeBatch(8, 16, 28, 28, 1);
    const view = presetView("view1", { ...SYMMETRIC, solarP: 0.5 }, 28, [0.1307], [0.3081]);
    view.ops[5] = { op: "equalize", p: 0.5 };
    const out = augmentBatch(batch, view, new Rng(4));
    expect(out.length).toBe(16 * 28 * 28);
    const lo = (0 - 0.1307) / 0.3081;
    const hi = (1 - 0.1307) / 0.3081;
    expect(out.every((v) => v >= lo - 1e-6 && v <= hi + 1e-6)).toBe(true);
    const again = augmentBatch(batch, view, new Rng(4));
    expect(again).toEqual(out);
  });
  it("rejects bad shapes and plans made for another batch", () => {
    const batch = makeBatch(9, 2, 32, 32, 3);
    expect(() => augmentViews({ ...batch, channels: 4 }, symmetricIR(), new Rng(1))).toThrow(/channels must be 1 or 3/);
    expect(() => augmentViews({ ...batch, n: 3 }, symmetricIR(), new Rng(1))).toThrow(/bytes for shape \[3, 32, 32, 3\]/);
    const plan = planView(presetView("v", SYMMETRIC), shape(4), new Rng(1));
    expect(() => executePlan(batch, plan)).toThrow(/planned for \[4, 32, 32, 3\]/);
    const bad: ViewIR = {
      name: "v",
      ops: [
        { op: "normalize", mean: [0], std: [1] },
        { op: "grayscale", p: 1 },
      ],
    };
    expect(() => planView(bad, shape(1), new Rng(1))).toThrow(/normalize must be the last op/);
  });
});
