// Normalize needs the training data's per-channel mean and std. Dataset presets carry
// them (CIFAR, MNIST); an npz or folder declared without `mean`/`std` leaves them empty
// in the IR. The trainer then measures them on the real training data (up to 10,000
// evenly spaced images) and runs with - and records in ir.json - the completed IR.
import type { NormalizeIR, PipelineIR } from "../../ir/types.js";
import { channelStats, type ImageSource } from "../data/index.js";

const STATS_SAMPLES = 10_000;

/** The IR with every empty normalize mean/std filled in; `note` says what was measured. */
export function completeNormalization(ir: PipelineIR, sources: ReadonlyMap<string, ImageSource>): { ir: PipelineIR; note: string | null } {
  const incomplete = (op: NormalizeIR): boolean => op.mean.length === 0 || op.std.length === 0;
  const needs = ir.augment.views.some((v) => v.ops.some((op) => op.op === "normalize" && incomplete(op)));
  if (!needs) return { ir, note: null };
  const entry = ir.data.train.find((t) => sources.get(t.source)?.origin === "real") ?? ir.data.train[0];
  const source = entry ? sources.get(entry.source) : undefined;
  if (!source) return { ir, note: null };
  const stats = channelStats(source, STATS_SAMPLES);
  const round = (xs: number[]): number[] => xs.map((x) => Math.round(x * 1e4) / 1e4);
  const mean = round(stats.mean);
  const std = round(stats.std).map((s) => (s > 0 ? s : 1));
  const copy = structuredClone(ir);
  for (const v of copy.augment.views) {
    for (const op of v.ops) {
      if (op.op !== "normalize" || !incomplete(op)) continue;
      if (op.mean.length === 0) op.mean = mean;
      if (op.std.length === 0) op.std = std;
    }
  }
  return {
    ir: copy,
    note: `normalize: no mean/std declared; measured on ${stats.sampled} images of '${source.name}': mean (${mean.join(", ")}), std (${std.join(", ")})`,
  };
}
