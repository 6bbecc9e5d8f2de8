// solo-learn (and the paper) pair SimCLR and MoCo with symmetric views, BYOL and Barlow
// Twins with asymmetric ones (different blur / solarisation per view).
import { presetSwitchFix, unmodifiedReferencePreset } from "../rule-helpers.js";
import { findReferencePreset } from "../reference-presets.js";
import type { MethodName } from "../../ir/types.js";
import type { LintRule, ViewFamily } from "../types.js";

export const METHOD_FAMILY: Record<MethodName, ViewFamily> = {
  simclr: "symmetric",
  mocov2plus: "symmetric",
  byol: "asymmetric",
  barlow: "asymmetric",
};

const METHOD_LABEL: Record<MethodName, string> = {
  simclr: "SimCLR",
  mocov2plus: "MoCo v2+",
  byol: "BYOL",
  barlow: "Barlow Twins",
};

export const rule: LintRule = {
  meta: {
    id: "method-augment",
    name: "MethodAugmentationFamily",
    defaultSeverity: "warn",
    fixable: true,
    docs: {
      summary: "The method's usual augmentation family is not the one used (symmetric vs asymmetric views).",
      rationale:
        "The paper (following solo-learn) uses the symmetric presets with SimCLR and MoCo v2 and the " +
        "asymmetric presets with BYOL and Barlow Twins; its accuracies (docs/paper.md §5) are measured with " +
        "those pairings, and AdaInf's advice is to pick symmetric_adainf or asymmetric_adainf accordingly.",
      example: "pipeline byol_weak from byol {\n  augment = symmetric_adainf   // BYOL goes with asymmetric_adainf\n}",
      fix: "Use the preset of the method's family. `--fix` switches symmetric <-> asymmetric (and the _adainf variants) when the preset is unmodified and named in the pipeline's own file.",
    },
  },
  check(ctx) {
    const { ir, q } = ctx;
    if (ir.augment.views.length < 2) return;
    const method = ir.model.method.name;
    const want = METHOD_FAMILY[method];
    if (q.family === want) return;
    const current = unmodifiedReferencePreset(ctx);
    const target = current ? findReferencePreset(current.adainf ? `${want}_adainf` : want) : null;
    ctx.report({
      pointer: "/augment/preset",
      message: `${METHOD_LABEL[method]} is usually trained with ${want} views, but this augmentation is ${q.family}`,
      hint: `use the ${target?.name ?? `${want} or ${want}_adainf`} preset`,
      fix: (target && presetSwitchFix(ctx, target.name)) || undefined,
    });
  },
};
