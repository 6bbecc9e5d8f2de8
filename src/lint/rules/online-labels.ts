// The online linear probe trains on the training batch's labels, skipping -1; with no
// labelled real source in the mixture it never receives a label.
import type { LintRule } from "../types.js";

export const rule: LintRule = {
  meta: {
    id: "online-labels",
    name: "OnlineEvaluationWithoutLabels",
    defaultSeverity: "warn",
    fixable: false,
    docs: {
      summary: "Online linear evaluation is on, but no labelled real source is in the training mixture.",
      rationale:
        "The online linear classifier (solo-learn) is trained on the detached features of the training " +
        "batch with the batch's labels; generated images carry label -1 and are skipped. If every training " +
        "source is generated or unlabelled, the classifier is never trained and its accuracy is chance.",
      example: "inflate {\n  generated x 1   // the only training source: labels -1\n}\nevaluate {\n  online_linear(every = 200 steps)\n}",
      fix: "Add the labelled real training set to the mixture, or drop the online probe and use an offline linear probe.",
    },
  },
  check(ctx) {
    const { ir } = ctx;
    if (!ir.evaluate.onlineLinear || ir.data.train.length === 0) return;
    const labelled = ir.data.train.some((e) => {
      const s = ir.data.sources.find((x) => x.name === e.source);
      return s !== undefined && s.origin === "real" && s.classes !== null;
    });
    if (labelled) return;
    ctx.report({
      pointer: "/evaluate/onlineLinear",
      message: "the online linear probe never sees a label: no labelled real source is in the training mixture (generated labels are -1)",
      hint: "mix in the labelled real training set, or use an offline linear probe",
    });
  },
};
