// The effective training numbers of a pipeline in one place, for every place a user
// looks (check --explain, the lint's per-pipeline line, run's start line, the report):
// the total batch and its split over devices, and the learning rates trained with,
// with how they follow from the written ones under train.lr_scaling.
import type { PipelineIR } from "./types.js";

export interface EffectiveTraining {
  /** Images per view per step over all devices. */
  batch: number;
  devices: number;
  batchPerDevice: number;
  /** The optimizer's rate trained with (after lr scaling). */
  lr: number;
  /** The online classifier's rate trained with; null without one. */
  classifierLr: number | null;
  /** `none`, or `linear` with the factor the written rates were multiplied by. */
  lrScaling: PipelineIR["train"]["lrScaling"];
}

export function effectiveTraining(ir: PipelineIR): EffectiveTraining {
  const t = ir.train;
  return {
    batch: t.batchSize,
    devices: t.devices,
    batchPerDevice: t.batchPerDevice,
    lr: t.optimizer.lr,
    classifierLr: ir.evaluate.onlineLinear?.lr ?? null,
    lrScaling: t.lrScaling,
  };
}

/** A rate without float noise: 0.30000000000000004 -> "0.3". */
function rate(x: number): string {
  return String(Number(x.toPrecision(12)));
}

/** "batch 512 (2 devices x 256)" or "batch 64". */
export function batchText(e: EffectiveTraining): string {
  return e.devices > 1 ? `batch ${e.batch} (${e.devices} devices x ${e.batchPerDevice})` : `batch ${e.batch}`;
}

/** "lr 0.4, classifier lr 0.1", with "= 0.2 x 512/256" after each when scaled linearly. */
export function lrText(e: EffectiveTraining): string {
  const f = e.lrScaling.factor;
  const how = (x: number) => (e.lrScaling.rule === "linear" ? ` (= ${rate(x / f)} x ${e.batch}/256)` : "");
  const parts = [`lr ${rate(e.lr)}${how(e.lr)}`];
  if (e.classifierLr !== null) parts.push(`classifier lr ${rate(e.classifierLr)}${how(e.classifierLr)}`);
  return parts.join(", ");
}

/** One line: "batch 512 (2 devices x 256), lr 0.4, classifier lr 0.1". */
export function trainingLine(ir: PipelineIR): string {
  const e = effectiveTraining(ir);
  return `${batchText(e)}, ${lrText(e)}`;
}

/**
 * Whether no batch can be drawn: a batch larger than one epoch of the training mixture
 * (batches never span epochs: the sampler drops an epoch's last partial batch, as
 * solo-learn's loader does). False while the epoch size is unknown.
 */
export function batchOverEpoch(batchSize: number, epochSize: number | null): boolean {
  return epochSize !== null && batchSize > epochSize;
}
