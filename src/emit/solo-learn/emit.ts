// `adainfc compile --target solo-learn`: one pipeline's IR -> the files the AdaInf
// reference code reads. Pure (returns text); ../own-files.ts marks and writes it.
import type { Diagnostic } from "../../check/diagnostic.js";
import { groupByPoint, type PointCoords } from "../../check/points.js";
import type { PipelineIR, SpanMap } from "../../ir/types.js";
import { soloAugmentations } from "./augment.js";
import { augmentationName, buildConfig } from "./build.js";
import { configFileName, type SoloConfig } from "./config.js";
import { analyze, type SoloOptions } from "./expressible.js";
import { renderAugmentations, renderConfig } from "./render.js";
import { renderRunScript } from "./run-script.js";
import type { CompiledFile } from "../own-files.js";

export interface SoloEmitResult {
  /** Empty when there are errors: a partial config would run the wrong experiment. */
  files: CompiledFile[];
  diagnostics: Diagnostic[];
  /** The config as written (for tools and tests); null on errors. */
  config: SoloConfig | null;
}

export function emitSoloLearn(ir: PipelineIR, spans: SpanMap, opts: Partial<SoloOptions> = {}): SoloEmitResult {
  // The pipeline's own train.devices, unless the command line spreads the batch otherwise.
  const options: SoloOptions = { devices: opts.devices ?? ir.train.devices, flavour: opts.flavour ?? "adainf" };
  const { diagnostics, plan } = analyze(ir, spans, options);
  if (!plan) return { files: [], diagnostics, config: null };
  const config = buildConfig(ir, plan, options);
  const augName = augmentationName(ir);
  const configName = configFileName(ir.model.method.name);
  const files: CompiledFile[] = [
    { path: configName, text: renderConfig(config, ir.file, options.flavour) },
    { path: `augmentations/${augName}.yaml`, text: renderAugmentations(soloAugmentations(ir.augment, plan.real), augName) },
    { path: "run.sh", text: renderRunScript(config, configName, `${augName}.yaml`, ir.file, options.flavour), executable: true },
  ];
  return { files, diagnostics, config };
}

/**
 * The diagnostics of several emitted pipelines, as `check` and `lint` report a sweep's:
 * the points of one sweep grouped, a problem every point has once as it is, one only
 * some points have once, labelled with them (`[augment=symmetric] ...`).
 */
export function soloDiagnostics(results: ReadonlyArray<{ ir: PipelineIR; diagnostics: readonly Diagnostic[] }>): Diagnostic[] {
  const groups = new Map<string, { point: PointCoords | null; diagnostics: readonly Diagnostic[] }[]>();
  for (const [i, { ir, diagnostics }] of results.entries()) {
    // A sweep's points by their base pipeline; any other pipeline alone.
    const key = ir.sweep ? `sweep:${ir.sweep.base}` : `pipeline:${i}`;
    const runs = groups.get(key) ?? [];
    runs.push({ point: ir.sweep?.point ?? null, diagnostics });
    groups.set(key, runs);
  }
  return [...groups.values()].flatMap(groupByPoint);
}
