import { sourceNamed } from "../rule-helpers.js";
import type { LintRule } from "../types.js";

// Evaluating on images the encoder trained on overstates accuracy; the paper reports
// accuracy on the held-out test split.

export const rule: LintRule = {
  meta: {
    id: "eval-on-train",
    name: "EvaluationOnTrainingData",
    defaultSeverity: "warn",
    fixable: false,
    docs: {
      summary: "The evaluation source is (or reads the same data as) a training source.",
      rationale:
        "Linear and kNN accuracy on the training images measures memorisation as much as representation " +
        "quality; the paper's numbers (docs/paper.md §5) are on the CIFAR test split, which the encoder never saw.",
      example:
        "real = cifar10(\"datasets/cifar10\", split = train)\neval = cifar10(\"datasets/cifar10\", split = train)",
      fix: 'Evaluate on the test split: `eval = cifar10("datasets/cifar10", split = test)`.',
    },
  },
  check(ctx) {
    const { ir } = ctx;
    const ev = sourceNamed(ir, ir.data.eval);
    if (!ev || ev.origin === "generated") return; // generated-eval reports that case
    for (const e of ir.data.train) {
      const s = sourceNamed(ir, e.source);
      if (!s) continue;
      const same = s.name === ev.name || (s.format === ev.format && s.path === ev.path && s.split === ev.split);
      if (!same) continue;
      ctx.report({
        pointer: "/data/eval",
        message: `evaluation reads the same data as training source '${s.name}'${ev.split ? ` (split ${ev.split})` : ""}: accuracy would be measured on training images`,
        hint: "evaluate on the held-out test split",
      });
      return;
    }
  },
};
