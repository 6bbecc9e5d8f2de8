// `strength = s` on an augmentation: how it resolves (with, dotted, --set, sweeps,
// chains of presets), the IR values it gives, the lint's strength a computed from
// them, the digits presets, and located errors for a bad strength.
import { describe, expect, it } from "vitest";
import type { AugmentOpIR, PipelineIR } from "../../src/ir/types.js";
import { computeQuantities } from "../../src/lint/quantities.js";
import { strengthTerms } from "../../src/lint/strength.js";
import { cli, codes, compileText, project } from "../helpers.js";

function pipeline(augment: string, extra = ""): string {
  return `pipeline p from simclr {
  data {
    real = mnist(split = train, size = 1_000)
    eval = mnist(split = test)
  }
  augment = ${augment}
  model { backbone = convnet }
${extra}}
`;
}

function irOf(augment: string, overrides: string[] = []): PipelineIR {
  const out = compileText(pipeline(augment), overrides);
  expect(out.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return out.pipelines[0]!.ir;
}

function op<K extends AugmentOpIR["op"]>(ir: PipelineIR, name: K): Extract<AugmentOpIR, { op: K }> {
  const found = ir.augment.views[0]!.ops.find((o) => o.op === name);
  if (!found) throw new Error(`no ${name}`);
  return found as Extract<AugmentOpIR, { op: K }>;
}

describe("augmentation strength: resolve and IR values", () => {
  it("strength 1 is the preset unchanged; the IR records the strength", () => {
    const plain = irOf("symmetric");
    const one = irOf("symmetric with { strength = 1 }");
    expect(one.augment.views).toEqual(plain.augment.views);
    expect(plain.augment.strength).toBe(1);
    expect(irOf("symmetric with { strength = 0.5 }").augment.strength).toBe(0.5);
  });

  it("symmetric at 0.5 has AdaInf's weaker colour jitter and halves every probability; flip and normalize stay", () => {
    const base = irOf("symmetric");
    const half = irOf("symmetric with { strength = 0.5 }");
    const adainf = irOf("symmetric_adainf");
    expect(op(half, "color_jitter")).toEqual(op(adainf, "color_jitter"));
    expect(op(half, "grayscale").p).toBeCloseTo(op(base, "grayscale").p / 2, 12);
    expect(op(half, "gaussian_blur")).toEqual({ ...op(base, "gaussian_blur"), p: op(base, "gaussian_blur").p / 2 });
    expect(op(half, "horizontal_flip")).toEqual(op(base, "horizontal_flip"));
    expect(op(half, "normalize")).toEqual(op(base, "normalize"));
    // The crop's lower bound moves on a log scale: lint's crop term halves.
    expect(strengthTerms(half.augment.views[0]!).crop).toBeCloseTo(strengthTerms(base.augment.views[0]!).crop / 2, 12);
    expect(op(half, "random_resized_crop").scale[1]).toBe(1);
  });

  it("strength 0 is the identity-ish minimum: whole-image crops, nothing random fires", () => {
    const zero = irOf("symmetric with { strength = 0 }");
    expect(op(zero, "random_resized_crop").scale).toEqual([1, 1]);
    const j = op(zero, "color_jitter");
    expect([j.p, j.brightness, j.contrast, j.saturation, j.hue]).toEqual([0, 0, 0, 0, 0]);
    for (const name of ["grayscale", "gaussian_blur", "solarize", "equalize"] as const) expect(op(zero, name).p, name).toBe(0);
    expect(computeQuantities(zero).strength).toBe(0);
  });

  it("above 1 probabilities are capped at 1 and hue at 0.5", () => {
    const base = irOf("symmetric");
    const two = irOf("symmetric with { strength = 2 }");
    const j = op(two, "color_jitter");
    expect(j.p).toBe(1);
    expect(j.brightness).toBeCloseTo(2 * op(base, "color_jitter").brightness, 12);
    expect(j.hue).toBeLessThanOrEqual(0.5);
    expect(op(two, "random_resized_crop").scale[0]).toBeLessThan(op(base, "random_resized_crop").scale[0]);
  });

  it("the lint's a grows with s; its crop term is linear in s", () => {
    const levels = [0, 0.25, 0.5, 1, 1.5, 2];
    const a = levels.map((s) => computeQuantities(irOf(`digits with { strength = ${s} }`)).strength);
    for (let i = 1; i < a.length; i++) expect(a[i]!, `s = ${levels[i]}`).toBeGreaterThan(a[i - 1]!);
    const crop1 = strengthTerms(irOf("digits").augment.views[0]!).crop;
    for (const s of levels) expect(strengthTerms(irOf(`digits with { strength = ${s} }`).augment.views[0]!).crop).toBeCloseTo(s * crop1, 12);
    expect(a[3]).toBeCloseTo(computeQuantities(irOf("digits")).strength, 12);
  });

  it("strengths along a chain of presets multiply; later field overrides are scaled too", () => {
    const chained = irOf("digits_adainf with { strength = 0.5 }");
    expect(chained.augment.strength).toBe(0.25);
    expect(chained.augment.views).toEqual(irOf("digits with { strength = 0.25 }").augment.views);
    // Strength applies after the fields: p = 0.6 set in the same block becomes 0.3.
    expect(op(irOf("digits with { color_jitter.p = 0.6; strength = 0.5 }"), "color_jitter").p).toBeCloseTo(0.3, 12);
  });

  it("works as a dotted setting, with --set, and as a sweep axis", () => {
    const dotted = compileText(pipeline("digits", "  augment.strength = 0.5\n"));
    expect(dotted.diagnostics).toEqual([]);
    expect(dotted.pipelines[0]!.ir.augment.views).toEqual(irOf("digits_adainf").augment.views);
    expect(irOf("digits", ["augment.strength=0.5"]).augment.views).toEqual(irOf("digits_adainf").augment.views);
    const swept = compileText(pipeline("digits", "  sweep {\n    augment.strength = [0.5, 1, 1.5]\n  }\n"));
    expect(swept.diagnostics).toEqual([]);
    expect(swept.pipelines.map((p) => p.ir.sweep!.point)).toEqual([{ "augment.strength": "0.5" }, { "augment.strength": "1" }, { "augment.strength": "1.5" }]);
    expect(swept.pipelines.map((p) => p.ir.augment.strength)).toEqual([0.5, 1, 1.5]);
    const a = swept.pipelines.map((p) => computeQuantities(p.ir).strength);
    expect(a[0]!).toBeLessThan(a[1]!);
    expect(a[1]!).toBeLessThan(a[2]!);
  });

  it("a dotted strength is a setting: the last one written wins, times the preset chain's", () => {
    const strength = (augment: string, extra: string, overrides: string[] = []) =>
      compileText(pipeline(augment, extra), overrides).pipelines.map((p) => p.ir.augment.strength);
    // --set after the body, a repeated --set, a sweep point after the body: the later value.
    expect(strength("digits", "  augment.strength = 1.5\n", ["augment.strength=0.5"])).toEqual([0.5]);
    expect(strength("digits", "", ["augment.strength=0.5", "augment.strength=0.5"])).toEqual([0.5]);
    expect(strength("digits", "  augment.strength = 0.5\n  sweep {\n    augment.strength = [1, 1.5]\n  }\n")).toEqual([1, 1.5]);
    // A recipe's dotted strength is overridden by the pipeline's, as any recipe setting.
    const recipe = `recipe r from simclr {\n  augment = digits\n  augment.strength = 0.5\n}\n`;
    const out = compileText(`${recipe}${pipeline("digits", "  augment.strength = 1.5\n").replace("from simclr", "from r")}`);
    expect(out.pipelines.map((p) => p.ir.augment.strength)).toEqual([1.5]);
    // The preset chain's own strengths (digits_adainf is digits at 0.5) still multiply.
    expect(strength("digits_adainf", "  augment.strength = 0.5\n", ["augment.strength=1"])).toEqual([0.5]);
    expect(strength("digits_adainf with { strength = 0.5 }", "", ["augment.strength=2"])).toEqual([0.5]);
  });
});

describe("augmentation strength: errors", () => {
  it("an out-of-range strength is an E021 at the value", () => {
    const text = pipeline("digits with { strength = 2.5 }");
    const out = compileText(text);
    expect(codes(out)).toEqual(["E021"]);
    const d = out.diagnostics[0]!;
    expect(d.message).toMatch(/strength = 2.5 is out of range: it must be in \[0, 2\]/);
    expect(d.span!.line).toBe(6);
    expect(text.slice(d.span!.start, d.span!.end)).toBe("2.5");
    expect(d.hint).toMatch(/strength = 1 is the augmentation as written, 0 its weakest form/);
    expect(codes(compileText(pipeline("digits with { strength = -0.5 }")))).toContain("E021");
  });

  it("a strength that is not a number is an E020; strength on one op is an unknown field", () => {
    const out = compileText(pipeline("digits with { strength = strong }"));
    expect(codes(out)).toEqual(["E020"]);
    expect(out.diagnostics[0]!.message).toMatch(/augmentation strength expects a number/);
    expect(codes(compileText(pipeline("digits with { color_jitter.strength = 0.5 }")))).toEqual(["E011"]);
  });

  it("the CLI prints the location and a code frame, no stack trace", async () => {
    const dir = project({ "p.adainf": pipeline("digits with { strength = 3 }") });
    const r = await cli(["check", "p.adainf"], dir);
    expect(r.code).toBe(1);
    expect(r.err + r.out).toMatch(/p\.adainf:6:38: error\[E021\]: augmentation strength = 3 is out of range/);
    expect(r.err + r.out).not.toMatch(/\n\s+at /);
  });
});

describe("digits presets", () => {
  it("have no colour ops that do nothing on grey digits, no flip, and lint clean of noop-ops", async () => {
    for (const name of ["digits", "digits_adainf"]) {
      const ir = irOf(name);
      const ops = ir.augment.views[0]!.ops.map((o) => o.op);
      expect(ops).not.toContain("grayscale");
      expect(ops).not.toContain("solarize");
      expect(ops).not.toContain("horizontal_flip");
      const j = op(ir, "color_jitter");
      expect([j.saturation, j.hue]).toEqual([0, 0]);
      expect(j.brightness).toBeGreaterThan(0);
      expect(j.contrast).toBeGreaterThan(0);
    }
    const dir = project({ "p.adainf": pipeline("digits") });
    const r = await cli(["lint", "p.adainf", "--format", "json"], dir);
    expect(r.out).not.toContain("noop-ops");
  });

  it("digits_adainf is digits at half strength, and weaker by the lint's a", () => {
    const full = irOf("digits");
    const half = irOf("digits_adainf");
    expect(half.augment.views).toEqual(irOf("digits with { strength = 0.5 }").augment.views);
    expect(computeQuantities(half).strength).toBeLessThan(computeQuantities(full).strength);
    // Crops sized for digits: a larger minimum area than the CIFAR presets' 8 %.
    expect(op(full, "random_resized_crop").scale[0]).toBeGreaterThan(op(irOf("symmetric"), "random_resized_crop").scale[0]);
  });
});
