// Operations that do nothing on the data do not count towards the strength a: on grey
// training data, zeroing saturation, hue and grayscale (what `noop-ops` asks for) leaves
// a, and every other rule's verdict, unchanged; the AdaInf preset on grey data with the
// paper's g = 2/3 stays balanced either way.
import { describe, expect, it } from "vitest";
import type { PipelineIR } from "../../src/ir/types.js";
import { lintWithSizes } from "../../src/lint/engine.js";
import { pipelineStrength, trainingChannels } from "../../src/lint/strength.js";
import { cifar10, paperPipeline, variant } from "./fixtures.js";

const grey = (p: PipelineIR): void => {
  for (const s of p.data.sources) s.shape = [28, 28, 1];
};
const zeroColour = (p: PipelineIR): void => {
  for (const v of p.augment.views)
    for (const o of v.ops) {
      if (o.op === "color_jitter") o.saturation = o.hue = 0;
      if (o.op === "grayscale") o.p = 0;
    }
};
const lint = (ir: PipelineIR) => lintWithSizes({ ir, spans: {} }, {});
const ids = (ir: PipelineIR) =>
  lint(ir)
    .diagnostics.map((d) => d.code)
    .sort();

describe("strength counts only ops that act on the data", () => {
  for (const mode of ["none", "vanilla", "adainf"] as const) {
    it(`simclr ${mode} on grey data: noop-ops fires, and its fix changes neither a nor any other rule`, () => {
      const before = variant(paperPipeline("simclr", mode), grey);
      const after = variant(before, zeroColour);
      expect(trainingChannels(before)).toBe(1);
      expect(ids(before)).toContain("noop-ops");
      expect(ids(after)).not.toContain("noop-ops");
      expect(lint(after).quantities.strength).toBeCloseTo(lint(before).quantities.strength, 12);
      expect(ids(after)).toEqual(ids(before).filter((c) => c !== "noop-ops"));
    });
  }

  it("the AdaInf pairing on grey data (symmetric_adainf at g = 2/3) is balanced before and after the fix", () => {
    const before = variant(paperPipeline("simclr", "adainf"), grey);
    expect(ids(before)).not.toContain("balance");
    expect(ids(variant(before, zeroColour))).not.toContain("balance");
  });

  it("on colour data the colour ops count, and grey a is smaller than colour a", () => {
    const colour = paperPipeline("simclr", "none");
    expect(trainingChannels(colour)).toBe(3);
    const a3 = pipelineStrength(colour.augment.views, 3);
    const a1 = pipelineStrength(colour.augment.views, 1);
    expect(a3).toBeCloseTo(1, 12);
    expect(a1).toBeLessThan(a3);
    expect(pipelineStrength(variant(colour, zeroColour).augment.views, 3)).toBeCloseTo(a1, 12);
  });

  it("one colour source in the mixture makes every op count", () => {
    const mixed = variant(paperPipeline("simclr", "adainf"), (p) => {
      grey(p);
      p.data.sources[0] = { ...cifar10("real", "train") };
    });
    expect(trainingChannels(mixed)).toBe(3);
  });
});
