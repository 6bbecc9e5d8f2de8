// The three numbers that say where a pipeline sits on the paper's map (docs/lint.md):
//
//   g = sum(n_i * dup_i, generated i) / sum(n_i * dup_i, all i)     generated share
//   f = sum(n_i * dup_i, all i) / sum(n_i, distinct real i)         inflation factor
//   a = mean over views of a(view)                                  augmentation strength (./strength.ts)
//
// n_i comes from the IR (a dataset preset or a declared size) or, when the IR has none,
// from `sizes` (the CLI fills it from npz headers). A size that stays unknown makes g and
// f unknown, unless they do not depend on it (no generated data: g = 0).
import type { DataSourceIR, PipelineIR } from "../ir/types.js";
import { adainfPreset, defaultPreset, presetStrength } from "./reference-presets.js";
import { pipelineStrength, trainingChannels, viewStrength } from "./strength.js";
import type { Quantities, ViewFamily } from "./types.js";

/** The share of generated data at which the paper pairs inflation with the `_adainf` preset. */
export const ADAINF_SHARE = 2 / 3;

export function computeQuantities(ir: PipelineIR, extraSizes: Record<string, number | null> = {}): Quantities {
  const byName = new Map<string, DataSourceIR>(ir.data.sources.map((s) => [s.name, s]));
  const sizes: Record<string, number | null> = {};
  let hasGenerated = false;
  let maxRealReplicate = 0;
  for (const entry of ir.data.train) {
    const src = byName.get(entry.source);
    sizes[entry.source] = src?.size ?? extraSizes[entry.source] ?? null;
    if (src?.origin === "generated") hasGenerated = true;
    else maxRealReplicate = Math.max(maxRealReplicate, entry.replicate);
  }
  const unknownSizes = Object.keys(sizes).filter((k) => sizes[k] === null);

  let epochSize: number | null = null;
  let uniqueReal: number | null = null;
  let generatedShare: number | null = hasGenerated ? null : 0;
  let inflationFactor: number | null = null;
  if (unknownSizes.length === 0) {
    let total = 0;
    let generated = 0;
    const real = new Map<string, number>();
    for (const entry of ir.data.train) {
      const n = sizes[entry.source]!;
      total += n * entry.replicate;
      if (byName.get(entry.source)?.origin === "generated") generated += n * entry.replicate;
      else real.set(entry.source, n);
    }
    epochSize = total;
    uniqueReal = [...real.values()].reduce((a, b) => a + b, 0);
    generatedShare = total > 0 ? generated / total : 0;
    inflationFactor = uniqueReal > 0 ? total / uniqueReal : null;
  } else if (!hasGenerated) {
    // Only real data: f is the replication itself when every real source shares it.
    const dups = new Set(ir.data.train.map((e) => e.replicate));
    if (dups.size === 1) inflationFactor = [...dups][0]!;
  }

  const family: ViewFamily = ir.augment.symmetric ? "symmetric" : "asymmetric";
  const channels = trainingChannels(ir);
  return {
    sizes,
    unknownSizes,
    epochSize,
    uniqueReal,
    generatedShare,
    inflationFactor,
    channels,
    viewStrengths: ir.augment.views.map((v) => viewStrength(v, channels)),
    strength: pipelineStrength(ir.augment.views, channels),
    family,
    hasGenerated,
    maxRealReplicate,
  };
}

/**
 * The augmentation strength the paper's findings recommend at generated share g:
 * linear through (0, a(default preset)) and (2/3, a(_adainf preset)) of the view family,
 * so stronger inflation asks for weaker augmentation, and flat at a(_adainf preset) beyond
 * g = 2/3. The paper has no weaker pairing past that point: its data-scarce setting
 * (g = 0.909, docs/paper.md §1) uses the _adainf preset and is where AdaInf helps the most,
 * so extrapolating the line below a(_adainf) would warn on the paper's best recipe.
 * The presets are measured on `channels`-channel data, like a.
 */
export function recommendedStrength(g: number, family: ViewFamily, channels = 3): number {
  const a0 = presetStrength(defaultPreset(family), channels);
  const a1 = presetStrength(adainfPreset(family), channels);
  return a0 + ((a1 - a0) * Math.min(g, ADAINF_SHARE)) / ADAINF_SHARE;
}
