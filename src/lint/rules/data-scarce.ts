// The data-scarce setting (5,000 real CIFAR-10 images + 500,000 generated) is where
// AdaInf helps most; inflating so few real images without re-weighting them drowns them.
import { fmtCount, realReplicateFix, trainEntries } from "../rule-helpers.js";
import { pointer } from "../pointer.js";
import { ADAINF_DUP } from "./vanilla-inflation.js";
import type { LintRule } from "../types.js";

/** Fewer distinct real images than this counts as data-scarce. */
export const SCARCE_REAL = 10_000;

export const rule: LintRule = {
  meta: {
    id: "data-scarce",
    name: "DataScarceInflation",
    defaultSeverity: "warn",
    fixable: true,
    docs: {
      summary: "Few real images (< 10,000) inflated with generated data, with real replication below 10.",
      rationale:
        "In the paper's data-scarce setting (5,000 real CIFAR-10 images + 500,000 generated, FID 18.27) " +
        "AdaInf gives its largest gains: with so few real images the generated data outnumbers them 100:1 " +
        "unless the real data is replicated (dup = 10) and the augmentation weakened.",
      example:
        'real = cifar10("datasets/cifar10", split = train, size = 5_000)\ngenerated = npz("datasets/generated/cifar10-5k-500k-stf.npz", size = 500_000, fid = 18.27, channels = bgr)\ninflate {\n  real x 1\n  generated x 1\n}',
      fix: "Replicate the real data 10 times and use the _adainf preset. `--fix` sets the real replication to 10 when it is written in the pipeline's own file.",
    },
  },
  check(ctx) {
    const { q, ir } = ctx;
    if (!q.hasGenerated || q.uniqueReal === null || q.uniqueReal === 0) return;
    if (q.uniqueReal >= SCARCE_REAL || q.maxRealReplicate >= ADAINF_DUP) return;
    const real = trainEntries(ir).find((e) => e.source?.origin !== "generated");
    ctx.report({
      pointer: real ? pointer("data", "train", real.index, "replicate") : "/data/train",
      message: `data-scarce: only ${fmtCount(q.uniqueReal)} real images are inflated, replicated ${q.maxRealReplicate}x (AdaInf uses ${ADAINF_DUP}x)`,
      hint: `replicate the real data ${ADAINF_DUP}x and use the _adainf augmentation preset`,
      fix: realReplicateFix(ctx, ADAINF_DUP),
    });
  },
};
