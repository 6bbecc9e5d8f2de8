// `adainfc compile --target solo-learn`: one pipeline's IR -> the files the AdaInf
// reference code reads. Pure (returns text); writeEmitted puts it on disk.
import { join } from "node:path";
import type { Diagnostic } from "../../check/diagnostic.js";
import type { PipelineIR, SpanMap } from "../../ir/types.js";
import { soloAugmentations } from "./augment.js";
import { augmentationName, buildConfig } from "./build.js";
import { configFileName, type SoloConfig } from "./config.js";
import { analyze, type SoloOptions } from "./expressible.js";
import { renderAugmentations, renderConfig } from "./render.js";
import { renderRunScript } from "./run-script.js";
import { writeFileAtomic } from "../../util/atomic-write.js";

export interface EmittedFile {
  /** Relative to the output folder. */
  path: string;
  text: string;
  executable?: boolean;
}

export interface SoloEmitResult {
  /** Empty when there are errors: a partial config would run the wrong experiment. */
  files: EmittedFile[];
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
  const files: EmittedFile[] = [
    { path: configName, text: renderConfig(config, ir.file, options.flavour) },
    { path: `augmentations/${augName}.yaml`, text: renderAugmentations(soloAugmentations(ir.augment, plan.real), augName) },
    { path: "run.sh", text: renderRunScript(config, configName, `${augName}.yaml`, ir.file, options.flavour), executable: true },
  ];
  return { files, diagnostics, config };
}

/** Writes every file atomically (temp file + rename), so a reader never sees half a config. */
export function writeEmitted(dir: string, files: EmittedFile[]): string[] {
  return files.map((f) => {
    const path = join(dir, f.path);
    writeFileAtomic(path, f.text, { mode: f.executable ? 0o755 : 0o644 });
    return path;
  });
}
