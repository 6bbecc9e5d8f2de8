// Runs every rule over one compiled pipeline, at the severity the file and the command
// line ask for, and returns the diagnostics with the quantities. Pure apart from the
// optional `sizeOf` callback, which the report uses to read sizes from npz headers (a run's
// ir.json may lack them; the compiler fills them in when it finds the file).
import type { Diagnostic, TextEdit } from "../check/diagnostic.js";
import { effectiveTraining, type EffectiveTraining } from "../ir/train-summary.js";
import type { DataSourceIR, PipelineIR, Span, SpanMap } from "../ir/types.js";
import { spanInFile } from "./pointer.js";
import { computeQuantities } from "./quantities.js";
import { ALL_RULES } from "./rules/index.js";
import { effectiveSeverity, toDiagnosticSeverity, type SeverityOptions } from "./severity.js";
import { LINT_CONFIG_CODE, lintConfigMessage } from "../check/registry.js";
import type { LintRule, Quantities, Report, RuleContext } from "./types.js";

export interface LintInput {
  ir: PipelineIR;
  spans: SpanMap;
}

export interface LintOptions extends SeverityOptions {
  /** Size of a training source the IR leaves unknown (e.g. from an npz header); null = unknown. */
  sizeOf?: (source: DataSourceIR, ir: PipelineIR) => number | null | Promise<number | null>;
  /** Source text by file, so rules can shape their fixes (`use` lines, qualified names). */
  source?: (file: string) => string | null;
  /** The rules to run (default: all of them); tests pass one at a time. */
  ruleSet?: readonly LintRule[];
}

export interface PipelineLintResult {
  pipeline: string;
  file: string;
  /** The sweep point (axis -> value) this pipeline is, or null without a sweep. */
  point: Record<string, string> | null;
  quantities: Quantities;
  /** The effective batch and learning rates (src/ir/train-summary.ts). */
  training: EffectiveTraining;
  diagnostics: Diagnostic[];
}

export async function lintPipeline(input: LintInput, opts: LintOptions = {}): Promise<PipelineLintResult> {
  const extra: Record<string, number | null> = {};
  if (opts.sizeOf) {
    for (const entry of input.ir.data.train) {
      const src = input.ir.data.sources.find((s) => s.name === entry.source);
      if (src && src.size === null) extra[src.name] = await opts.sizeOf(src, input.ir);
    }
  }
  return lintWithSizes(input, extra, opts);
}

/** The synchronous core: sizes the IR lacks are given up front. */
export function lintWithSizes(input: LintInput, extraSizes: Record<string, number | null>, opts: LintOptions = {}): PipelineLintResult {
  const { ir, spans } = input;
  const q = computeQuantities(ir, extraSizes);
  const rules = opts.ruleSet ?? ALL_RULES;
  const diagnostics: Diagnostic[] = [];
  const fallback: Span = spans[""] ?? { file: ir.file, line: 1, column: 1, endLine: 1, endColumn: 1, start: 0, end: 0 };
  const where = (p: string) => spanInFile(spans, p, ir.file) ?? fallback;
  const source = opts.source ?? (() => null);

  for (const id of Object.keys(ir.lint.rules)) {
    if (ALL_RULES.some((r) => r.meta.id === id)) continue;
    const severity = opts.denyWarnings ? "error" : "warning";
    const { message, hint } = lintConfigMessage(id === LINT_CONFIG_CODE ? "notARule" : "unknownRule", id);
    diagnostics.push({ code: LINT_CONFIG_CODE, severity, message, span: where(`/lint/rules/${escapeToken(id)}`), hint });
  }

  for (const rule of rules) {
    const sev = effectiveSeverity(rule.meta.id, rule.meta.defaultSeverity, ir.lint.rules, opts);
    if (sev === "off") continue;
    const severity = toDiagnosticSeverity(sev);
    const ctx: RuleContext = {
      ir,
      spans,
      q,
      source,
      spanAt: (p) => spans[p] ?? null,
      editAt: (p, text) => {
        const s = spans[p];
        return s && s.file === ir.file ? { span: s, text } : null;
      },
      report: (r: Report) => {
        const d: Diagnostic = {
          code: rule.meta.id,
          severity,
          message: r.message,
          span: where(r.pointer),
        };
        if (r.hint) d.hint = r.hint;
        const fix = r.fix?.filter((e): e is TextEdit => e !== null);
        if (fix?.length) d.fix = fix;
        diagnostics.push(d);
      },
    };
    try {
      rule.check(ctx);
    } catch (e) {
      // A bug in one rule must not hide the others' findings, nor print a stack trace.
      diagnostics.push({
        code: rule.meta.id,
        severity: "error",
        message: `internal error in lint rule '${rule.meta.id}': ${e instanceof Error ? e.message : String(e)}`,
        span: fallback,
      });
    }
  }
  diagnostics.sort(byPosition);
  return { pipeline: ir.name, file: ir.file, point: ir.sweep?.point ?? null, quantities: q, training: effectiveTraining(ir), diagnostics };
}

function escapeToken(t: string): string {
  return t.replace(/~/g, "~0").replace(/\//g, "~1");
}

/** Diagnostics by file, then offset, then code. */
export function byPosition(a: Diagnostic, b: Diagnostic): number {
  const sa = a.span;
  const sb = b.span;
  if (sa && sb) {
    if (sa.file !== sb.file) return sa.file < sb.file ? -1 : 1;
    if (sa.start !== sb.start) return sa.start - sb.start;
  }
  return a.code < b.code ? -1 : a.code > b.code ? 1 : 0;
}
