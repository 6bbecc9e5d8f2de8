// A batch larger than the epoch repeats samples inside one batch: for contrastive
// losses a sample then meets its own copy as a negative.
import { fmtCount } from "../rule-helpers.js";
import type { LintRule } from "../types.js";

export const rule: LintRule = {
  meta: {
    id: "batch-size",
    name: "BatchLargerThanTrainingSet",
    defaultSeverity: "warn",
    fixable: false,
    docs: {
      summary: "The batch is larger than the training set (samples repeat within a batch).",
      rationale:
        "Contrastive losses use the other samples of the batch as negatives (SimCLR) or estimate batch " +
        "statistics (Barlow Twins' cross-correlation). When the batch exceeds the epoch, copies of the same " +
        "image land in one batch and count as negatives of themselves. The paper's runs use a 512-image batch (2 GPUs x 256) on " +
        "50,000+ images.",
      example: 'real = cifar10("datasets/cifar10", split = train, size = 100)\ntrain {\n  batch_size = 256\n}',
      fix: "Use a batch smaller than the training set, or more data.",
    },
  },
  check(ctx) {
    const n = ctx.q.epochSize;
    if (n === null || ctx.ir.train.batchSize <= n) return;
    ctx.report({
      pointer: "/train/batchSize",
      message: `batch size ${fmtCount(ctx.ir.train.batchSize)} is larger than the ${fmtCount(n)} training samples per epoch`,
      hint: `use a batch of at most ${fmtCount(n)} samples`,
    });
  },
};
