// Rather than guess a size, say that g and f could not be computed, so that a clean
// lint run is not mistaken for a checked balance.
import { sourceIndex } from "../rule-helpers.js";
import { pointer } from "../pointer.js";
import type { LintRule } from "../types.js";

export const rule: LintRule = {
  meta: {
    id: "unknown-size",
    name: "UnknownSourceSize",
    defaultSeverity: "info",
    fixable: false,
    docs: {
      summary: "The size of a training source is unknown, so the generated share and inflation factor are not computed.",
      rationale:
        "The balance, vanilla-inflation, generated-quality and data-scarce rules all depend on the generated " +
        "share g, which needs the number of images in every source. Dataset presets know theirs; for an npz " +
        "file the CLI reads the count from the file's header (never the pixels); a missing file or a folder " +
        "source leaves it unknown, and the lint says so instead of guessing.",
      example: 'generated = folder("datasets/generated/samples")   // size unknown until the images are counted',
      fix: "Declare the size (`size = 1_000_000`) or make the npz file available where the pipeline says it is.",
    },
  },
  check(ctx) {
    for (const name of ctx.q.unknownSizes) {
      ctx.report({
        pointer: pointer("data", "sources", sourceIndex(ctx.ir, name)),
        message: `the size of '${name}' is unknown (not declared, and no npz header to read it from): g and f are not computed`,
        hint: "declare `size = ...` or make the file available",
      });
    }
  },
};
