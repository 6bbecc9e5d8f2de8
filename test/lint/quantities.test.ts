// The lint's quantities against docs/paper.md: generated share g and inflation factor f
// (unknown sizes stay unknown; sizeOf fills them), augmentation strength a (1.0 for
// symmetric, monotone in every knob by fast-check), and the recommended strength curve.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ViewIR } from "../../src/ir/types.js";
import { lintPipeline } from "../../src/lint/engine.js";
import { computeQuantities, recommendedStrength } from "../../src/lint/quantities.js";
import { referencePresets } from "../../src/lint/reference-presets.js";
import { pipelineStrength, viewStrength } from "../../src/lint/strength.js";
import { paperPipeline, presetAugment, variant, view } from "./fixtures.js";

describe("generated share g and inflation factor f", () => {
  it("match docs/paper.md §1 for CIFAR-10 + 1M generated", () => {
    const none = computeQuantities(paperPipeline("simclr", "none"));
    expect(none.generatedShare).toBe(0);
    expect(none.inflationFactor).toBe(1);
    const vanilla = computeQuantities(paperPipeline("simclr", "vanilla"));
    expect(vanilla.generatedShare).toBeCloseTo(0.952, 3);
    expect(vanilla.inflationFactor).toBe(21);
    expect(vanilla.epochSize).toBe(1_050_000);
    const adainf = computeQuantities(paperPipeline("simclr", "adainf"));
    expect(adainf.generatedShare).toBeCloseTo(0.667, 3);
    expect(adainf.inflationFactor).toBe(30);
    expect(adainf.uniqueReal).toBe(50_000);
    expect(adainf.maxRealReplicate).toBe(10);
  });

  it("counts replication of the generated data too", () => {
    const ir = variant(paperPipeline("simclr", "vanilla"), (p) => (p.data.train[1]!.replicate = 2));
    const q = computeQuantities(ir);
    expect(q.generatedShare).toBeCloseTo(2e6 / 2.05e6, 9);
    expect(q.inflationFactor).toBe(41);
  });

  it("data-scarce 5k + 500k with AdaInf: g = 0.909, f = 110", () => {
    const ir = variant(paperPipeline("simclr", "adainf"), (p) => {
      p.data.sources[0]!.size = 5_000;
      p.data.sources.find((s) => s.name === "generated")!.size = 500_000;
    });
    const q = computeQuantities(ir);
    expect(q.generatedShare).toBeCloseTo(500_000 / 550_000, 9);
    expect(q.inflationFactor).toBe(110);
  });

  it("stays unknown rather than guessed when a size is unknown", () => {
    const ir = variant(paperPipeline("simclr", "vanilla"), (p) => (p.data.sources.find((s) => s.name === "generated")!.size = null));
    const q = computeQuantities(ir);
    expect(q.generatedShare).toBeNull();
    expect(q.inflationFactor).toBeNull();
    expect(q.unknownSizes).toEqual(["generated"]);
  });

  it("knows g = 0 and f = dup without sizes when there is no generated data", () => {
    const ir = variant(paperPipeline("simclr", "none"), (p) => {
      p.data.sources[0]!.size = null;
      p.data.train[0]!.replicate = 3;
    });
    const q = computeQuantities(ir);
    expect(q.generatedShare).toBe(0);
    expect(q.inflationFactor).toBe(3);
  });

  it("takes missing sizes from the sizeOf callback (e.g. an npz header)", async () => {
    const ir = variant(paperPipeline("simclr", "adainf"), (p) => (p.data.sources.find((s) => s.name === "generated")!.size = null));
    const asked: string[] = [];
    const r = await lintPipeline(
      { ir, spans: {} },
      {
        sizeOf: (s) => {
          asked.push(s.name);
          return 1_000_000;
        },
      },
    );
    expect(asked).toEqual(["generated"]);
    expect(r.quantities.generatedShare).toBeCloseTo(0.667, 3);
    expect(r.diagnostics.filter((d) => d.code === "unknown-size")).toEqual([]);
    const unknown = await lintPipeline({ ir, spans: {} }, { sizeOf: () => null });
    expect(unknown.diagnostics.map((d) => d.code)).toContain("unknown-size");
  });
});

describe("augmentation strength a", () => {
  const strengthOf = (name: string) => pipelineStrength(presetAugment(name).views);

  it("is 1.0 for symmetric and ordered as the presets' intent", () => {
    expect(strengthOf("symmetric")).toBeCloseTo(1, 12);
    expect(strengthOf("symmetric_weak")).toBeLessThan(1);
    expect(strengthOf("symmetric_adainf")).toBeLessThan(strengthOf("symmetric_weak"));
    expect(strengthOf("asymmetric_adainf")).toBeLessThan(strengthOf("asymmetric"));
    expect(strengthOf("symmetric_adainf")).toBeCloseTo(0.555, 2);
  });

  it("the built-in reference presets agree with an independent copy of docs/paper.md §2", () => {
    for (const p of referencePresets()) expect(p.strength).toBeCloseTo(strengthOf(p.name), 12);
  });

  it("is monotone in every knob", () => {
    type Knob = (v: ViewIR, x: number) => void;
    const knobs: Record<string, Knob> = {
      cropMin: (v, x) => (op(v, "random_resized_crop").scale[0] = 1 - x * 0.99),
      jitterP: (v, x) => (op(v, "color_jitter").p = x),
      brightness: (v, x) => (op(v, "color_jitter").brightness = x),
      contrast: (v, x) => (op(v, "color_jitter").contrast = x),
      saturation: (v, x) => (op(v, "color_jitter").saturation = x),
      hue: (v, x) => (op(v, "color_jitter").hue = x / 2),
      grayP: (v, x) => (op(v, "grayscale").p = x),
      blurP: (v, x) => (op(v, "gaussian_blur").p = x),
      blurSigma: (v, x) => (op(v, "gaussian_blur").sigma = [0.1, 0.1 + 3 * x]),
      solarP: (v, x) => (op(v, "solarize").p = x),
      solarThreshold: (v, x) => (op(v, "solarize").threshold = 255 - 255 * x),
      equalizeP: (v, x) => (op(v, "equalize").p = x),
    };
    const unit = fc.double({ min: 0, max: 1, noNaN: true });
    const row = fc.record({
      cropMin: unit,
      jitterP: unit,
      brightness: unit,
      contrast: unit,
      saturation: unit,
      hue: unit,
      grayP: unit,
      blurP: unit,
      solarP: unit,
      flipP: unit,
    });
    fc.assert(
      fc.property(row, fc.constantFrom(...Object.keys(knobs)), unit, unit, (r, knob, x1, x2) => {
        const [lo, hi] = x1 <= x2 ? [x1, x2] : [x2, x1];
        const weak = view("v", { ...r, cropMin: Math.max(r.cropMin, 0.01), hue: r.hue / 2 });
        const strong = structuredClone(weak);
        knobs[knob]!(weak, lo);
        knobs[knob]!(strong, hi);
        return viewStrength(strong) >= viewStrength(weak) - 1e-12;
      }),
      { seed: 42, numRuns: 2000 },
    );
  });
});

describe("recommended strength", () => {
  it("falls with g and hits the anchors", () => {
    expect(recommendedStrength(0, "symmetric")).toBeCloseTo(1, 12);
    expect(recommendedStrength(2 / 3, "symmetric")).toBeCloseTo(referencePresets().find((p) => p.name === "symmetric_adainf")!.strength, 12);
    expect(recommendedStrength(0.5, "asymmetric")).toBeLessThan(recommendedStrength(0.2, "asymmetric"));
  });

  it("stays at the _adainf preset beyond g = 2/3 (the paper's data-scarce AdaInf, g = 0.909, uses it)", () => {
    for (const family of ["symmetric", "asymmetric"] as const) {
      const a1 = referencePresets().find((p) => p.name === `${family}_adainf`)!.strength;
      for (const g of [2 / 3, 0.909, 0.952, 1]) expect(recommendedStrength(g, family)).toBeCloseTo(a1, 12);
    }
  });
});

function op<K extends ViewIR["ops"][number]["op"]>(v: ViewIR, name: K): Extract<ViewIR["ops"][number], { op: K }> {
  return v.ops.find((o) => o.op === name) as Extract<ViewIR["ops"][number], { op: K }>;
}
