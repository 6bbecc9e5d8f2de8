// The stdlib's augmentation presets (stdlib/augment.adainf, the one source the code uses:
// pipelines, the linter's reference table, the benchmarks) checked against the paper's
// values as docs/paper.md (§2) states them (../reference-presets.ts): an independent copy
// on purpose, so a change to either is caught here.
import { describe, expect, it } from "vitest";
import { stdlibAugment } from "../../src/resolve/presets.js";
import { referencePresets } from "../../src/lint/reference-presets.js";
import { CIFAR10_MEAN, CIFAR10_STD, PRESET_VIEWS, presetView } from "../reference-presets.js";

describe("stdlib augmentation presets", () => {
  it.each(Object.keys(PRESET_VIEWS))("%s has the paper's views", (name) => {
    const ir = stdlibAugment(name, { cropSize: 32, mean: [...CIFAR10_MEAN], std: [...CIFAR10_STD] });
    expect(ir).not.toBeNull();
    const want = PRESET_VIEWS[name]!.map((v, i) => presetView(`view${i + 1}`, v));
    expect(ir!.views.map((v) => v.ops)).toEqual(want.map((v) => v.ops));
  });

  it("the linter's reference table is the stdlib's presets", () => {
    for (const p of referencePresets()) expect(p.views.map((v) => v.ops.slice(0, -1))).toEqual(stdlibAugment(p.name)!.views.map((v) => v.ops.slice(0, -1)));
    expect(stdlibAugment("no_such_preset")).toBeNull();
  });
});
