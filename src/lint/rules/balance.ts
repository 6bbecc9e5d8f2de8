// The paper's "complementary roles": stronger inflation should come with weaker
// augmentation, and weaker inflation with stronger augmentation. The recommended
// strength r(g) falls linearly from the family's default preset at g = 0 to its _adainf
// preset at g = 2/3 (quantities.ts); the rule fires when a is off by more than TOLERANCE.
import { fmtShare, fmtStrength, presetSwitchFix, unmodifiedReferencePreset } from "../rule-helpers.js";
import { recommendedStrength } from "../quantities.js";
import { adainfPreset, defaultPreset, presetStrength, referencePresets, type ReferencePreset } from "../reference-presets.js";
import type { LintRule, RuleContext } from "../types.js";

/** How far (as a ratio) a may stray from r(g) before the rule fires. */
export const TOLERANCE = 1.3;

export const rule: LintRule = {
  meta: {
    id: "balance",
    name: "AugmentationInflationBalance",
    defaultSeverity: "warn",
    fixable: true,
    docs: {
      summary: "Augmentation strength does not match the amount of inflation (either side).",
      rationale:
        "The paper reveals complementary roles of inflation and augmentation: inflation enlarges the data " +
        "(fewer gaps to bridge), so strong augmentation on top of strong inflation over-shoots, and weak " +
        "augmentation without inflation under-shoots. AdaInf pairs g = 0.667 with the weaker _adainf " +
        "presets; no inflation goes with the default presets.",
      example:
        "pipeline simclr_vanilla from simclr {   // recipe: augment = symmetric (a = 1.00)\n  inflate {\n    real x 1\n    generated x 1                         // g = 0.952: recommended a = 0.36\n  }\n}",
      fix:
        "Move the augmentation strength towards the recommended one (printed in the message). `--fix` " +
        "switches an unmodified reference preset to the reference preset of the same family closest to the " +
        "recommendation, when that is closer than the current one.",
    },
  },
  check(ctx) {
    const { q } = ctx;
    const g = q.generatedShare;
    if (g === null || ctx.ir.augment.views.length === 0) return;
    const r = recommendedStrength(g, q.family, q.channels);
    const a = q.strength;
    const ratio = a / r;
    if (ratio > TOLERANCE) {
      ctx.report({
        pointer: "/augment/preset",
        message: `${presetLabel(ctx)}strength a = ${a.toFixed(2)} is well above the ${r.toFixed(2)} recommended at generated share g = ${fmtShare(g)}; strong inflation wants weaker augmentation`,
        hint: `use weaker augmentation (the ${q.family}_adainf preset has a = ${fmtStrength(presetStrength(adainfPreset(q.family), q.channels))}) or less generated data`,
        fix: closerPresetFix(ctx, r) ?? undefined,
      });
    } else if (ratio < 1 / TOLERANCE) {
      ctx.report({
        pointer: "/augment/preset",
        message: `${presetLabel(ctx)}strength a = ${a.toFixed(2)} is well below the ${r.toFixed(2)} recommended at generated share g = ${fmtShare(g)}; ${g < 0.1 ? "without inflation" : "with little inflation"}, weak augmentation alone leaves views of the same class too weakly connected`,
        hint: `use stronger augmentation (the ${q.family} preset has a = ${fmtStrength(presetStrength(defaultPreset(q.family), q.channels))}) or inflate with generated data`,
        fix: closerPresetFix(ctx, r) ?? undefined,
      });
    }
  },
};

function presetLabel(ctx: RuleContext): string {
  const { preset, strength } = ctx.ir.augment;
  const at = strength === 1 ? "" : ` at strength ${strength}`;
  return preset ? `augmentation '${preset}'${at}: ` : `augmentation${at}: `;
}

/** Switch to the reference preset of the same family whose strength is closest to r. */
function closerPresetFix(ctx: RuleContext, r: number) {
  const current = unmodifiedReferencePreset(ctx);
  if (!current) return null;
  const distance = (p: ReferencePreset) => Math.abs(Math.log(presetStrength(p, ctx.q.channels) / r));
  let best = current;
  for (const p of referencePresets()) {
    if (p.family === current.family && distance(p) < distance(best)) best = p;
  }
  return best === current ? null : presetSwitchFix(ctx, best.name);
}
