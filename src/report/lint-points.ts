// Each point's lint findings and quantities (g, f, a), from the IR the run trained
// (its ir.json), so the page shows what `adainfc lint` says next to what the run
// measured. Sizes the IR leaves open are read from npz headers as `lint` does.
import type { Diagnostic, Severity } from "../check/diagnostic.js";
import { groupByPoint, type PointCoords } from "../check/points.js";
import { lintPipeline } from "../lint/engine.js";
import { npzSizeOf } from "../lint/npz-size.js";
import type { Quantities } from "../lint/types.js";
import type { ReportPoint } from "./load-runs.js";
import { SEED_AXIS } from "../formats/results.js";

export interface Finding {
  code: string;
  severity: Severity;
  message: string;
  hint: string | null;
}

export interface PointLint {
  /** The point's coordinates (its IR's sweep point), or null for a run without a sweep. */
  point: PointCoords | null;
  quantities: Quantities;
  findings: Finding[];
}

export async function lintPoints(points: readonly ReportPoint[]): Promise<PointLint[]> {
  const sizeOfBy = new Map<string, ReturnType<typeof npzSizeOf>>();
  const out: PointLint[] = [];
  for (const p of points) {
    const sizeOf = sizeOfBy.get(p.projectDir) ?? npzSizeOf(p.projectDir);
    sizeOfBy.set(p.projectDir, sizeOf);
    // No spans: ir.json has none, and the page shows messages, not code frames.
    const r = await lintPipeline({ ir: p.ir, spans: {} }, { sizeOf });
    out.push({
      point: p.ir.sweep?.point ?? null,
      quantities: r.quantities,
      findings: r.diagnostics.map((d) => ({ code: d.code, severity: d.severity, message: d.message, hint: d.hint ?? null })),
    });
  }
  return out;
}

const SEVERITY_ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/**
 * The findings of several points (the seeds of one row), each once, worst first; one
 * that only some of them have names those seeds as `check` and `lint` name points
 * (src/check/points.ts).
 */
export function mergeFindings(points: readonly PointLint[]): Finding[] {
  const runs = points.map((p) => {
    const seed = p.point?.[SEED_AXIS];
    return {
      point: seed === undefined ? null : { [SEED_AXIS]: seed },
      diagnostics: p.findings.map(
        (f): Diagnostic => ({ code: f.code, severity: f.severity, message: f.message, span: null, ...(f.hint !== null ? { hint: f.hint } : {}) }),
      ),
    };
  });
  return groupByPoint(runs)
    .map((d) => ({ code: d.code, severity: d.severity, message: d.message, hint: d.hint ?? null }))
    .sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity]);
}
