// `adainfc compile --target solo-learn`: one pipeline's IR -> the files the AdaInf
// reference code reads. Pure (returns text); ../own-files.ts marks and writes it.
import type { Diagnostic } from "../../check/diagnostic.js";
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
