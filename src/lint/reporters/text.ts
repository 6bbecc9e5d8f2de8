// Text for people: every diagnostic with its code frame (render.ts), then one line per
// pipeline placing it on the paper's map (g, f, a) with its effective batch and learning
// rates, then a summary.
import type { Diagnostic } from "../../check/diagnostic.js";
import { renderDiagnostics, summarize, type SourceLookup } from "../../check/render.js";
import type { PipelineLintResult } from "../engine.js";
import type { Quantities } from "../types.js";
import { batchText, lrText, type EffectiveTraining } from "../../ir/train-summary.js";

export function quantitiesLine(name: string, q: Quantities, training?: EffectiveTraining): string {
  const g = q.generatedShare === null ? "?" : q.generatedShare.toFixed(3);
  const f = q.inflationFactor === null ? "?" : trim(q.inflationFactor.toFixed(1));
  const views = q.viewStrengths.map((a) => a.toFixed(2)).join(" / ");
  const train = training ? `; ${batchText(training)}, ${lrText(training)}` : "";
  return `${name}: g = ${g}, f = ${f}, a = ${q.strength.toFixed(2)} (${q.family}${views ? `: ${views}` : ""})${train}`;
}

function trim(s: string): string {
  return s.endsWith(".0") ? s.slice(0, -2) : s;
}

export function renderText(diagnostics: readonly Diagnostic[], results: readonly PipelineLintResult[], sources: SourceLookup, color: boolean): string {
  let out = "";
  if (diagnostics.length) out += renderDiagnostics(diagnostics, sources, { color }) + "\n";
  for (const r of results) out += quantitiesLine(r.pipeline, r.quantities, r.training) + "\n";
  out += `${summarize(diagnostics)} (${results.length} pipeline${results.length === 1 ? "" : "s"})\n`;
  return out;
}
