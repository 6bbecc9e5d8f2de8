// Generated images carry label -1 (docs/paper.md §1): evaluating a classifier on them
// measures nothing, and a loader that does not skip -1 crashes or corrupts the metric.
// A real npz that declares no classes is unlabelled too: the message says to declare them.
import { sourceNamed } from "../rule-helpers.js";
import type { LintRule } from "../types.js";

export const rule: LintRule = {
  meta: {
    id: "generated-eval",
    name: "EvaluationOnGeneratedData",
    defaultSeverity: "error",
    fixable: false,
    docs: {
      summary: "The evaluation source is generated (labels -1) or unlabelled, yet linear or kNN evaluation is on.",
      rationale:
        "Generated images carry label -1 in the reference format; the online linear probe, the kNN " +
        "classifier and the offline linear probe all need true labels. Accuracy on generated data says " +
        "nothing about the encoder (the paper reports accuracy on the real test split).",
      example: 'eval = npz("datasets/generated/cifar10-stf-1m.npz", channels = bgr)\n...\nevaluate {\n  online_linear(every = 200 steps)\n}',
      fix: 'Evaluate on a labelled real test split, e.g. `eval = cifar10("datasets/cifar10", split = test)`.',
    },
  },
  check(ctx) {
    const { ir } = ctx;
    const ev = ir.evaluate;
    if (!ev.onlineLinear && !ev.knn && !ev.linearProbe) return;
    const src = sourceNamed(ir, ir.data.eval);
    if (!src) return;
    if (src.origin === "generated") {
      ctx.report({
        pointer: "/data/eval",
        message: `evaluation uses generated source '${src.name}', whose labels are all -1`,
        hint: "evaluate on a labelled real test split (e.g. cifar10 split = test)",
      });
    } else if (src.classes === null && src.format === "npz") {
      // Its file may hold a label array: what is missing is the declaration.
      ctx.report({
        pointer: "/data/eval",
        message: `evaluation uses source '${src.name}', which declares no classes: an npz's labels are used only with classes = N`,
        hint: "declare classes = N when the file holds a label array, or evaluate on a labelled real test split",
      });
    } else if (src.classes === null) {
      ctx.report({
        pointer: "/data/eval",
        message: `evaluation uses source '${src.name}', which has no labels`,
        hint: "evaluate on a labelled real test split",
      });
    }
  },
};
