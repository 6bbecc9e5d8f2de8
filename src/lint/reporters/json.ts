// `--format json`: the diagnostics in render.ts's JSON shape plus each pipeline's
// quantities, for scripts and editors.
import type { Diagnostic } from "../../check/diagnostic.js";
import { diagnosticsToJson } from "../../check/render.js";
import type { PipelineLintResult } from "../engine.js";

export function renderJson(diagnostics: readonly Diagnostic[], results: readonly PipelineLintResult[]): string {
  const count = (s: Diagnostic["severity"]) => diagnostics.filter((d) => d.severity === s).length;
  const doc = {
    version: 1,
    pipelines: results.map((r) => ({
      name: r.pipeline,
      file: r.file,
      point: r.point,
      generatedShare: r.quantities.generatedShare,
      inflationFactor: r.quantities.inflationFactor,
      strength: r.quantities.strength,
      viewStrengths: r.quantities.viewStrengths,
      family: r.quantities.family,
      epochSize: r.quantities.epochSize,
      uniqueReal: r.quantities.uniqueReal,
      unknownSizes: r.quantities.unknownSizes,
      training: r.training,
    })),
    diagnostics: diagnosticsToJson(diagnostics),
    summary: { errors: count("error"), warnings: count("warning"), infos: count("info") },
  };
  return JSON.stringify(doc, null, 2) + "\n";
}
