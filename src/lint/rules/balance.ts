// The paper's "complementary roles": stronger inflation should come with weaker
// augmentation, and weaker inflation with stronger augmentation. The recommended
// strength r(g) falls linearly from the family's default preset at g = 0 to its _adainf
// preset at g = 2/3 and stays there beyond (quantities.ts); the rule fires when a is off
// by more than TOLERANCE. Message and hint say what is true at the pipeline's g.
import { fmtShare, fmtStrength, presetSwitchFix, unmodifiedReferencePreset } from "../rule-helpers.js";
import { ADAINF_SHARE, recommendedStrength } from "../quantities.js";
import { defaultPreset, presetBaseName, presetStrength, referencePresets, type ReferencePreset } from "../reference-presets.js";
import type { LintRule, RuleContext } from "../types.js";

/** How far (as a ratio) a may stray from r(g) before the rule fires. */
export const TOLERANCE = 1.3;
/**
 * Generated share below which inflation counts as little: r(g) is still nearer the
 * default preset than the _adainf one (half-way to the AdaInf share).
 */
export const LITTLE_SHARE = ADAINF_SHARE / 2;

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
        "presets; no inflation goes with the default presets. Beyond g = 0.667 the recommendation stays at " +
        "the _adainf preset: the paper's data-scarce AdaInf (g = 0.909) uses it and gains the most there.",
      example:
        "pipeline simclr_vanilla from simclr {   // recipe: augment = symmetric (a = 1.00)\n  inflate {\n    real x 1\n    generated x 1                         // g = 0.952: recommended a = 0.55\n  }\n}",
      fix:
        "Move the augmentation strength towards the recommended one (printed in the message): the hint names " +
        "the family's reference preset closest to it when that is closer than the current augmentation and " +
        "within the tolerance, else asks to weaken or strengthen the current one (its `strength`). `--fix` " +
        "switches an unmodified reference preset to that preset.",
    },
  },
  check(ctx) {
    const { q } = ctx;
    const g = q.generatedShare;
    if (g === null || ctx.ir.augment.views.length === 0) return;
    const r = recommendedStrength(g, q.family, q.channels);
    const a = q.strength;
    const ratio = a / r;
    if (ratio <= TOLERANCE && ratio >= 1 / TOLERANCE) return;
    const high = ratio > TOLERANCE;
    const better = betterPreset(ctx, r);
    const towards = better
      ? `use ${high ? "weaker" : "stronger"} augmentation: the ${better.name} preset has a = ${fmtStrength(presetStrength(better, q.channels))}`
      : `${high ? "weaken" : "strengthen"} the augmentation towards a = ${fmtStrength(r)} (e.g. ${high ? "lower" : "raise"} its \`strength\`, docs/language.md)`;
    const head = `${presetLabel(ctx)}strength a = ${a.toFixed(2)} is well ${high ? "above" : "below"} the ${r.toFixed(2)} recommended at generated share g = ${fmtShare(g)}; `;
    const fix = betterPresetFix(ctx, better);
    if (high) {
      const base = defaultPreset(q.family);
      const why =
        g === 0
          ? `it is stronger than the ${base.name} preset (a = ${fmtStrength(presetStrength(base, q.channels))}), which the paper pairs with real data alone`
          : g < LITTLE_SHARE
            ? "inflation with generated data wants weaker augmentation"
            : "strong inflation wants weaker augmentation";
      ctx.report({ pointer: "/augment/preset", message: head + why, hint: g > 0 ? `${towards}, or use less generated data` : towards, fix });
    } else {
      const why =
        g === 0
          ? "without inflation, weak augmentation alone leaves views of the same class too weakly connected"
          : g < LITTLE_SHARE
            ? "with little inflation, weak augmentation leaves views of the same class too weakly connected"
            : "augmentation weaker than recommended for this share leaves views of the same class too weakly connected";
      const more = g === 0 ? ", or inflate with generated data" : g < LITTLE_SHARE ? ", or inflate with more generated data" : "";
      ctx.report({ pointer: "/augment/preset", message: head + why, hint: towards + more, fix });
    }
  },
};

function presetLabel(ctx: RuleContext): string {
  const { preset, strength } = ctx.ir.augment;
  const at = strength === 1 ? "" : ` at strength ${strength}`;
  return preset ? `augmentation '${preset}'${at}: ` : `augmentation${at}: `;
}

/**
 * The reference preset to point to at recommended strength r, for the hint and `--fix`
 * alike: the family's reference preset whose strength is closest to r (log scale), when it
 * is closer than the current augmentation, is not the preset in use, and is itself within
 * TOLERANCE of r (following the advice never trips the rule, on either side). Else null.
 */
function betterPreset(ctx: RuleContext, r: number): ReferencePreset | null {
  const { q } = ctx;
  const distance = (a: number) => Math.abs(Math.log(a / r));
  const strength = (p: ReferencePreset) => presetStrength(p, q.channels);
  let best: ReferencePreset | null = null;
  for (const p of referencePresets()) {
    if (p.family === q.family && (best === null || distance(strength(p)) < distance(strength(best)))) best = p;
  }
  if (best === null || distance(strength(best)) >= distance(q.strength)) return null;
  if (distance(strength(best)) > Math.log(TOLERANCE)) return null;
  const inUse = ctx.ir.augment.preset;
  if (inUse !== null && presetBaseName(inUse) === best.name) return null;
  return best;
}

/** Switches an unmodified reference preset to `better` (betterPreset), when there is one. */
function betterPresetFix(ctx: RuleContext, better: ReferencePreset | null) {
  if (better === null || !unmodifiedReferencePreset(ctx)) return undefined;
  return presetSwitchFix(ctx, better.name) ?? undefined;
}
