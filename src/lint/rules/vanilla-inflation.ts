// Vanilla inflation: generated data dominates the mixture and real data is not
// re-weighted. The reference results show this can lose accuracy (SimCLR 91.56 -> 91.38, docs/paper.md §5).
import { fmtShare, realReplicateFix } from "../rule-helpers.js";
import { pointer } from "../pointer.js";
import type { LintRule } from "../types.js";

/** Real replication AdaInf uses (docs/paper.md §1). */
export const ADAINF_DUP = 10;

export const rule: LintRule = {
  meta: {
    id: "vanilla-inflation",
    name: "VanillaInflation",
    defaultSeverity: "warn",
    fixable: true,
    docs: {
      summary: "Generated data makes up most of the mixture while real data is not replicated.",
      rationale:
        "The paper finds that vanilla inflation (real data once + generated data) can hurt contrastive " +
        "learning: with CIFAR-10 and 1M generated images the mixture is 95.2% generated, and the gap " +
        "between the generated and real distributions dominates. Replicating the real data (dup = 10 in " +
        "AdaInf) re-weights it and brings the generated share down to 66.7%.",
      example: "inflate {\n  real x 1         // 50,000 CIFAR-10 images\n  generated x 1    // 1,000,000 generated: g = 0.952\n}",
      fix: "Replicate the real data, as AdaInf does: `real x 10`. `--fix` sets every real source's replication to 10 when it is written in the pipeline's own file.",
    },
  },
  check(ctx) {
    const { q, ir } = ctx;
    if (!q.hasGenerated || q.generatedShare === null || q.generatedShare <= 0.5) return;
    if (q.maxRealReplicate !== 1) return;
    const first = ir.data.train.findIndex((e) => ir.data.sources.find((s) => s.name === e.source)?.origin !== "generated");
    ctx.report({
      pointer: first >= 0 ? pointer("data", "train", first, "replicate") : "/data/train",
      message: `vanilla inflation: ${(q.generatedShare * 100).toFixed(1)}% of the training samples are generated (g = ${fmtShare(q.generatedShare)}) and real data is not replicated`,
      hint: `replicate the real data (\`x ${ADAINF_DUP}\`, as AdaInf does) and pair it with the _adainf augmentation preset`,
      fix: realReplicateFix(ctx, ADAINF_DUP),
    });
  },
};
