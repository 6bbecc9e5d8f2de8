// Evaluating on images the encoder trained on overstates accuracy; the paper reports
// accuracy on the held-out test split. This rule is the one finding for it (the
// compiler reports nothing, so it can be allowed like any rule); it points at the side
// that is wrong: an evaluation source on the train split, or a training entry or
// source that takes in the held-out evaluation data.
import { pointer } from "../pointer.js";
import { sourceIndex, sourceNamed, trainEntries } from "../rule-helpers.js";
import type { LintRule } from "../types.js";

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
      example: 'real = cifar10("datasets/cifar10", split = train)\neval = cifar10("datasets/cifar10", split = train)',
      fix: 'Evaluate on the test split: `eval = cifar10("datasets/cifar10", split = test)`.',
    },
  },
  check(ctx) {
    const { ir } = ctx;
    const ev = sourceNamed(ir, ir.data.eval);
    if (!ev || ev.origin === "generated") return; // generated-eval reports that case
    for (const e of trainEntries(ir)) {
      const s = e.source;
      if (!s) continue;
      const same = s.name === ev.name || (s.format === ev.format && s.path === ev.path && s.split === ev.split);
      if (!same) continue;
      if (ev.split === "train") {
        // The evaluation source is training data: evaluate elsewhere.
        ctx.report({
          pointer: "/data/eval",
          message: `evaluation reads the same data as training source '${s.name}' (split train): accuracy would be measured on training images`,
          hint: "evaluate on the held-out test split",
        });
      } else if (s.name === ev.name) {
        // Held-out data listed in inflate: the inflate entry is the mistake.
        ctx.report({
          pointer: pointer("data", "train", e.index),
          message: `the evaluation source '${ev.name}' is also trained on: accuracy would be measured on training images`,
          hint: `remove '${ev.name} x ${e.replicate}' from inflate: the evaluation source stays out of training`,
        });
      } else if (ev.split === "test") {
        // Another training source reads the held-out test split.
        ctx.report({
          pointer: pointer("data", "sources", sourceIndex(ir, s.name)),
          message: `evaluation reads the same data as training source '${s.name}' (split test): accuracy would be measured on training images`,
          hint: `train '${s.name}' on split = train: the test split is held out for evaluation`,
        });
      } else {
        // Two names for one file (npz, folder): which one is meant to be held out is the user's call.
        ctx.report({
          pointer: "/data/eval",
          message: `evaluation reads the same data as training source '${s.name}': accuracy would be measured on training images`,
          hint: "evaluate on held-out data that no training source reads",
        });
      }
      return;
    }
  },
};
