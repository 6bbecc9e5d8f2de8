// Every lint rule, in the order their docs list them: the paper's findings first,
// then the data checks, then what a careful reviewer adds.
import type { LintRule } from "../types.js";
import { rule as balance } from "./balance.js";
import { rule as batchSize } from "./batch-size.js";
import { rule as channelOrder } from "./channel-order.js";
import { rule as dataScarce } from "./data-scarce.js";
import { rule as dupAugment } from "./dup-augment.js";
import { rule as dupWithoutGenerated } from "./dup-without-generated.js";
import { rule as evalOnTrain } from "./eval-on-train.js";
import { rule as generatedEval } from "./generated-eval.js";
import { rule as generatedQuality } from "./generated-quality.js";
import { rule as methodAugment } from "./method-augment.js";
import { rule as mocoQueue } from "./moco-queue.js";
import { rule as noopOps } from "./noop-ops.js";
import { rule as onlineLabels } from "./online-labels.js";
import { rule as schedule } from "./schedule.js";
import { rule as unknownSize } from "./unknown-size.js";
import { rule as vanillaInflation } from "./vanilla-inflation.js";

export const ALL_RULES: readonly LintRule[] = [
  vanillaInflation,
  balance,
  dupAugment,
  dupWithoutGenerated,
  methodAugment,
  generatedQuality,
  dataScarce,
  channelOrder,
  generatedEval,
  noopOps,
  schedule,
  batchSize,
  mocoQueue,
  onlineLabels,
  evalOnTrain,
  unknownSize,
];

export const RULE_IDS: readonly string[] = ALL_RULES.map((r) => r.meta.id);

export function findRule(id: string): LintRule | undefined {
  return ALL_RULES.find((r) => r.meta.id === id);
}
