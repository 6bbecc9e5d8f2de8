// MoCo's queue of negatives: solo-learn requires its size to be a multiple of the batch
// size, and a queue longer than an epoch holds stale keys of the very images it is
// contrasting against.
import { fmtCount } from "../rule-helpers.js";
import type { LintRule } from "../types.js";

export const rule: LintRule = {
  meta: {
    id: "moco-queue",
    name: "MocoQueueSize",
    defaultSeverity: "warn",
    fixable: false,
    docs: {
      summary: "MoCo's queue is not a multiple of the batch size, or is longer than an epoch.",
      rationale:
        "The queue is filled one batch of keys at a time (solo-learn asserts queue_size % batch_size == 0). " +
        "A queue longer than the epoch keeps older keys of the same images as negatives, so a sample is " +
        "pushed away from its own earlier embedding. The reference uses 32,768 keys with a 512-image batch (2 GPUs x 256) on 50,000+ " +
        "images.",
      example: "model {\n  method = mocov2plus(queue_size = 65_000)   // not a multiple of 256, and longer than 50,000\n}",
      fix: "Use a queue that is a multiple of the batch size and shorter than an epoch.",
    },
  },
  check(ctx) {
    const { ir, q } = ctx;
    const m = ir.model.method;
    if (m.name !== "mocov2plus") return;
    const batch = ir.train.batchSize;
    if (m.queueSize % batch !== 0) {
      ctx.report({
        pointer: "/model/method/queueSize",
        message: `MoCo queue of ${fmtCount(m.queueSize)} keys is not a multiple of the batch size ${fmtCount(batch)}`,
        hint: `use a multiple of ${batch}, e.g. ${fmtCount(Math.max(batch, Math.round(m.queueSize / batch) * batch))}`,
      });
    }
    if (q.epochSize !== null && m.queueSize > q.epochSize) {
      ctx.report({
        pointer: "/model/method/queueSize",
        message: `MoCo queue of ${fmtCount(m.queueSize)} keys is longer than an epoch (${fmtCount(q.epochSize)} samples): it holds stale keys of the same images`,
        hint: "use a queue shorter than the epoch",
      });
    }
  },
};
