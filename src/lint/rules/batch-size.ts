// A batch larger than the epoch: no batch can be drawn (batches never span epochs), so
// `adainfc run` refuses the pipeline (E021 at batch_size); `adainfc lint` warns here
// first (`check` runs no lint rules).
import { batchOverEpoch } from "../../ir/train-summary.js";
import { fmtCount } from "../rule-helpers.js";
import type { LintRule } from "../types.js";

export const rule: LintRule = {
  meta: {
    id: "batch-size",
    name: "BatchLargerThanTrainingSet",
    defaultSeverity: "warn",
    fixable: false,
    docs: {
      summary: "The batch is larger than one epoch of the training set: no batch can be drawn, and `adainfc run` refuses it.",
      rationale:
        "Batches never span two epochs (the last partial batch of an epoch is dropped, as solo-learn's loader does), " +
        "so a batch larger than the epoch is never filled: `adainfc run` refuses the pipeline before training, with an " +
        "E021 error at batch_size. The paper's runs use a 512-image batch (2 GPUs x 256) on 50,000+ images.",
      example: 'real = cifar10("datasets/cifar10", split = train, size = 100)\ntrain {\n  batch_size = 256\n}',
      fix: "Use a batch smaller than the training set, or more data.",
    },
  },
  check(ctx) {
    const n = ctx.q.epochSize;
    if (n === null || !batchOverEpoch(ctx.ir.train.batchSize, n)) return;
    ctx.report({
      pointer: "/train/batchSize",
      message: `batch size ${fmtCount(ctx.ir.train.batchSize)} is larger than the ${fmtCount(n)} training samples per epoch: adainfc run cannot draw a batch`,
      hint: `use a batch of at most ${fmtCount(n)} samples`,
    });
  },
};
