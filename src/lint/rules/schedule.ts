// Intervals and lengths that cannot do what they say within the run's steps.
import { fmtCount } from "../rule-helpers.js";
import type { LintRule } from "../types.js";

export const rule: LintRule = {
  meta: {
    id: "schedule",
    name: "ScheduleLongerThanTraining",
    defaultSeverity: "warn",
    fixable: false,
    docs: {
      summary: "Warm-up not shorter than training, or an evaluation / checkpoint interval longer than training.",
      rationale:
        "The reference schedule is a linear warm-up then a cosine decay over 100,000 steps; a warm-up as " +
        "long as the run never reaches the peak learning rate nor decays. An evaluation interval beyond the " +
        "last step means no curve to watch (the paper validates every 200 steps), and a checkpoint interval " +
        "beyond it means a crash loses the whole run. These usually come from shortening `steps` for a " +
        "quick run (`--set train.steps=500`) and forgetting the intervals.",
      example: "train {\n  steps = 500\n  schedule = warmup_cosine(warmup = 1_000 steps)\n}",
      fix: "Shorten the warm-up (about 1-10% of training) and the intervals, or train longer.",
    },
  },
  check(ctx) {
    const { ir } = ctx;
    const steps = ir.train.steps;
    const s = ir.train.schedule;
    if (s.name === "warmup_cosine" && s.warmupSteps >= steps) {
      ctx.report({
        pointer: "/train/schedule/warmupSteps",
        message: `warm-up (${fmtCount(s.warmupSteps)} steps) is not shorter than training (${fmtCount(steps)} steps): the learning rate never decays`,
        hint: "use a warm-up of about 1-10% of the steps",
      });
    }
    const ol = ir.evaluate.onlineLinear;
    if (ol && ol.every > steps) {
      ctx.report({
        pointer: "/evaluate/onlineLinear/every",
        message: `online linear evaluation every ${fmtCount(ol.every)} steps never runs within ${fmtCount(steps)} training steps`,
        hint: "evaluate more often than the run is long",
      });
    }
    const knn = ir.evaluate.knn;
    if (knn && knn.every !== null && knn.every > steps) {
      ctx.report({
        pointer: "/evaluate/knn/every",
        message: `kNN evaluation every ${fmtCount(knn.every)} steps never runs within ${fmtCount(steps)} training steps`,
        hint: "evaluate more often than the run is long",
      });
    }
    const ck = ir.output.checkpointEvery;
    if (ck !== null && ck > steps) {
      ctx.report({
        pointer: "/output/checkpointEvery",
        message: `checkpoint interval (${fmtCount(ck)} steps) is never reached within ${fmtCount(steps)} steps: only the final state is saved`,
        hint: "checkpoint more often than the run is long",
      });
    }
  },
};
