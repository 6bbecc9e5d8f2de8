// Replicating real data only re-weights it against generated data; with none, every
// sample keeps the same weight and the epoch just gets longer.
import { trainEntries } from "../rule-helpers.js";
import { pointer } from "../pointer.js";
import type { LintRule } from "../types.js";

export const rule: LintRule = {
  meta: {
    id: "dup-without-generated",
    name: "ReplicationWithoutGeneratedData",
    defaultSeverity: "info",
    fixable: false,
    docs: {
      summary: "Real data is replicated but there is no generated data to re-weight it against.",
      rationale:
        "In the reference code replication (`dup`) builds `[real] * dup + [generated]`; its purpose is to " +
        "raise the weight of real data relative to generated data. Without generated data the mixture is " +
        "the same distribution, only each epoch is `dup` times longer (epoch-based schedules stretch too).",
      example: "inflate {\n  real x 10   // and no generated source\n}",
      fix: "Add the generated source to the mixture, or set the replication back to 1 (`real x 1`).",
    },
  },
  check(ctx) {
    if (ctx.q.hasGenerated) return;
    for (const e of trainEntries(ctx.ir)) {
      if (e.replicate <= 1) continue;
      ctx.report({
        pointer: pointer("data", "train", e.index, "replicate"),
        message: `'${ctx.ir.data.train[e.index]!.source}' is replicated ${e.replicate}x but no generated data is mixed in: it only lengthens the epoch`,
        hint: "add the generated source to `inflate`, or replicate x 1",
      });
    }
  },
};
