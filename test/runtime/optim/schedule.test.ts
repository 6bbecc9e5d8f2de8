// Learning-rate schedules at known steps.
import { describe, expect, it } from "vitest";
import { learningRateAt } from "../../../src/runtime/optim/schedule.js";
import type { WarmupCosineIR } from "../../../src/ir/types.js";

const wc: WarmupCosineIR = { name: "warmup_cosine", warmupSteps: 10, warmupStartLr: 0.1, minLr: 0 };

describe("warmup cosine (LinearWarmupCosineAnnealingLR per step)", () => {
  it("rises linearly from warmupStartLr to lr over the warm-up, reaching lr at step W - 1", () => {
    expect(learningRateAt(wc, 1, 0, 110)).toBeCloseTo(0.1, 12);
    expect(learningRateAt(wc, 1, 3, 110)).toBeCloseTo(0.1 + (3 * 0.9) / 9, 12);
    expect(learningRateAt(wc, 1, 9, 110)).toBeCloseTo(1, 12);
    expect(learningRateAt(wc, 1, 10, 110)).toBeCloseTo(1, 12);
  });

  it("follows a half cosine to minLr at step totalSteps", () => {
    expect(learningRateAt(wc, 1, 60, 110)).toBeCloseTo(0.5, 12);
    expect(learningRateAt(wc, 1, 35, 110)).toBeCloseTo((1 + Math.cos(Math.PI / 4)) / 2, 12);
    expect(learningRateAt(wc, 1, 110, 110)).toBeCloseTo(0, 12);
    const withMin = { ...wc, minLr: 0.2 };
    expect(learningRateAt(withMin, 1, 60, 110)).toBeCloseTo(0.6, 12);
    expect(learningRateAt(withMin, 1, 110, 110)).toBeCloseTo(0.2, 12);
    expect(learningRateAt(withMin, 1, 500, 110)).toBeCloseTo(0.2, 12);
  });

  it("the reference CIFAR run: lr 0.2, 1000 warm-up steps from 3e-5, 100k steps", () => {
    const ref: WarmupCosineIR = { name: "warmup_cosine", warmupSteps: 1000, warmupStartLr: 3e-5, minLr: 0 };
    expect(learningRateAt(ref, 0.2, 0, 100_000)).toBeCloseTo(3e-5, 12);
    expect(learningRateAt(ref, 0.2, 999, 100_000)).toBeCloseTo(0.2, 12);
    expect(learningRateAt(ref, 0.2, 50_500, 100_000)).toBeCloseTo(0.1, 12);
    const last = learningRateAt(ref, 0.2, 99_999, 100_000);
    expect(last).toBeGreaterThan(0);
    expect(last).toBeLessThan(1e-9);
  });

  it("without warm-up starts at lr", () => {
    const none = { ...wc, warmupSteps: 0 };
    expect(learningRateAt(none, 0.5, 0, 100)).toBeCloseTo(0.5, 12);
    expect(learningRateAt(none, 0.5, 50, 100)).toBeCloseTo(0.25, 12);
  });
});

describe("constant", () => {
  it("is the base lr at every step", () => {
    for (const s of [0, 1, 999, 1e6]) expect(learningRateAt({ name: "constant" }, 0.3, s, 1000)).toBe(0.3);
  });
});
