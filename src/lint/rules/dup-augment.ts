// High real replication with default-strength augmentation: AdaInf's two halves are
// "replicate real data" and "weaken augmentation"; doing only the first is not AdaInf.
import { fmtStrength, presetSwitchFix, trainEntries, unmodifiedReferencePreset } from "../rule-helpers.js";
import { pointer } from "../pointer.js";
import { adainfPreset, defaultPreset, presetStrength } from "../reference-presets.js";
import type { LintRule } from "../types.js";

/** Replication from which the rule considers real data "well above 1". */
export const HIGH_DUP = 3;
/** Strength (relative to the family's default preset) counted as "default strength". */
export const DEFAULT_STRENGTH_SHARE = 0.9;

export const rule: LintRule = {
  meta: {
    id: "dup-augment",
    name: "ReplicationWithDefaultAugmentation",
    defaultSeverity: "warn",
    fixable: true,
    docs: {
      summary: "Real data replicated well above 1 alongside generated data, with default-strength augmentation.",
      rationale:
        "AdaInf replicates the real data 10 times AND weakens the augmentation: the replicated, inflated " +
        "dataset (30x the real images per epoch for CIFAR-10 + 1M) needs less augmentation to connect " +
        "samples of the same class. The paper's gains (e.g. SimCLR 91.56 -> 93.42) come from the pair; " +
        "replication alone keeps the default augmentation's over-strong views.",
      example: "inflate {\n  real x 10\n  generated x 1\n}\naugment = symmetric   // default strength, a = 1.00",
      fix: "Use the family's _adainf preset (symmetric_adainf or asymmetric_adainf). `--fix` switches an unmodified `symmetric`/`asymmetric` preset named in the pipeline's own file.",
    },
  },
  check(ctx) {
    const { q, ir } = ctx;
    if (!q.hasGenerated || q.maxRealReplicate < HIGH_DUP) return;
    const base = defaultPreset(q.family);
    if (q.strength < DEFAULT_STRENGTH_SHARE * presetStrength(base, q.channels)) return;
    const entry = trainEntries(ir).find((e) => e.source?.origin !== "generated" && e.replicate === q.maxRealReplicate)!;
    const target = adainfPreset(q.family).name;
    const current = unmodifiedReferencePreset(ctx);
    ctx.report({
      pointer: ctx.spanAt("/augment/preset") ? "/augment/preset" : pointer("data", "train", entry.index, "replicate"),
      message: `real data is replicated ${entry.replicate}x with generated data, but the augmentation keeps default strength (a = ${fmtStrength(q.strength)})`,
      hint: `pair replication with weaker augmentation: the ${target} preset (a = ${fmtStrength(presetStrength(adainfPreset(q.family), q.channels))})`,
      fix: (current && !current.adainf && presetSwitchFix(ctx, target)) || undefined,
    });
  },
};
