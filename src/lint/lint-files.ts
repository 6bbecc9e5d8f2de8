// The file-level work behind `adainfc lint` (the CLI finds the files, src/cli/files.ts):
// compile each through the front end, lint every pipeline (the points of a sweep
// together), and (for --fix) apply fixes safely: only edits in the pipeline's own file,
// each kept only when the fixed file still compiles (the others are named with the error
// they would cause), written as an editor saves (src/util/rewrite-source.ts).
import path from "node:path";
import type { Diagnostic, TextEdit } from "../check/diagnostic.js";
import { diagnosticKey, groupByPoint, type PointCoords } from "../check/points.js";
import { byPosition, lintPipeline, type PipelineLintResult } from "./engine.js";
import { stripBom, withBomOf } from "../syntax/bom.js";
import { readPipelineText } from "../syntax/utf8.js";
import { RewriteRefused, rewriteSourceFile } from "../util/rewrite-source.js";
import { type FixAttempt, type FixPlan, planFixes } from "./fix.js";
import type { FrontEnd } from "./frontend.js";
import type { SizeOf } from "./npz-size.js";
import type { SeverityOptions } from "./severity.js";

export interface LintFilesOptions extends SeverityOptions {
  cwd: string;
  /** `--set key=value` overrides passed to the front end. */
  overrides?: string[];
  sizeOf?: SizeOf;
  /**
   * Offer (keep `fix` on) only the fixes `--fix` would apply: a fix that would stop the
   * file compiling loses it (`adainfc lint`'s reports; costs a compile per file with fixes).
   */
  verifyFixes?: boolean;
}

export interface LintFilesResult {
  /** Compile and lint diagnostics, deduplicated, in file order. */
  diagnostics: Diagnostic[];
  results: PipelineLintResult[];
  /** True when the front end reported an error (the file is not fixed then). */
  compileErrors: boolean;
  /** file -> text, for code frames. */
  sources: Map<string, string>;
}

export async function lintFiles(files: readonly string[], fe: FrontEnd, opts: LintFilesOptions): Promise<LintFilesResult> {
  const diagnostics: Diagnostic[] = [];
  const results: PipelineLintResult[] = [];
  const sources = new Map<string, string>();
  const seenDiag = new Set<string>();
  const seenPipeline = new Set<string>();
  let compileErrors = false;
  const push = (d: Diagnostic) => {
    const key = diagnosticKey(d);
    if (seenDiag.has(key)) return; // a module imported by several files reports once
    seenDiag.add(key);
    diagnostics.push(d);
  };
  for (const file of files) {
    const out = await fe.compileFile(file, { cwd: opts.cwd, overrides: opts.overrides ?? [] });
    for (const [f, t] of out.sources) sources.set(f, t);
    out.diagnostics.forEach(push);
    if (out.diagnostics.some((d) => d.severity === "error")) compileErrors = true;
    // The points of one sweep are linted together, so that a finding is reported once
    // and names the points it holds on when not all of them (src/check/points.ts).
    const byDecl = new Map<string, { point: PointCoords | null; diagnostics: Diagnostic[] }[]>();
    for (const p of out.pipelines) {
      const key = `${p.ir.file}#${p.ir.name}`;
      if (seenPipeline.has(key)) continue;
      seenPipeline.add(key);
      const r = await lintPipeline(p, { ...opts, source: (f) => out.sources.get(f) ?? null });
      results.push(r);
      const decl = p.ir.sweep ? `${p.ir.file}#${p.ir.sweep.base}` : key;
      byDecl.set(decl, [...(byDecl.get(decl) ?? []), { point: p.ir.sweep?.point ?? null, diagnostics: r.diagnostics }]);
    }
    const found: Diagnostic[] = [];
    for (const runs of byDecl.values()) for (const d of groupByPoint(runs).sort(byPosition)) found.push(d);
    found.forEach(push);
    if (opts.verifyFixes && !out.diagnostics.some((d) => d.severity === "error")) await dropRefusedFixes(file, found, fe, opts);
  }
  return { diagnostics, results, compileErrors, sources };
}

export interface FixReport {
  /** Files rewritten, with how many edits each received. */
  fixed: { file: string; edits: number }[];
  /** Files not fixed at all, and why (it does not compile, cannot be read or written). */
  refused: { file: string; reason: string }[];
  /** Single fixes left out because the file would not compile with them; the others were applied. */
  skipped: SkippedFix[];
}

export interface SkippedFix {
  /** `file:line:col` of the finding, in the file as saved. */
  at: string;
  rule: string;
  /** The first error the fixed text would have: `error[E012]: ...`. */
  cause: string;
}

/** Applies fixes file by file, up to `maxPasses` times each (a fix can enable another). */
export async function fixFiles(files: readonly string[], fe: FrontEnd, opts: LintFilesOptions, maxPasses = 5): Promise<FixReport> {
  const report: FixReport = { fixed: [], refused: [], skipped: [] };
  for (const file of files) {
    try {
      const edits = await fixFile(file, fe, opts, maxPasses, report);
      if (edits > 0) report.fixed.push({ file, edits });
    } catch (e) {
      // An unwritable file or folder: say so (the cause, never a temporary file) and go on.
      if (!(e instanceof RewriteRefused)) throw e;
      report.refused.push({ file, reason: e.message });
    }
  }
  return report;
}

/** The findings whose fixes have edits in `abs` (the file being fixed), with just those edits. */
interface OwnFix {
  finding: Diagnostic;
  edits: TextEdit[];
}

function ownFixes(diagnostics: readonly Diagnostic[], abs: string, cwd: string): OwnFix[] {
  return diagnostics
    .map((finding) => ({ finding, edits: (finding.fix ?? []).filter((e) => path.resolve(cwd, e.span.file) === abs) }))
    .filter((f) => f.edits.length > 0);
}

/** What --fix asks of a fixed text (src/lint/fix.ts planFixes): formatted, it compiles with no error. */
function fixAttempt(file: string, abs: string, fe: FrontEnd, opts: LintFilesOptions): FixAttempt {
  const cause = (d: Diagnostic) => `error[${d.code}]: ${d.message}`;
  return async (fixed) => {
    const formatted = fe.formatText(fixed, file);
    const parseError = formatted.diagnostics.find((d) => d.severity === "error");
    if (parseError) return { error: cause(parseError) };
    const out = await fe.compileFile(file, { cwd: opts.cwd, overrides: opts.overrides ?? [], overlay: new Map([[abs, formatted.text]]) });
    const error = out.diagnostics.find((d) => d.severity === "error");
    return error ? { error: cause(error) } : { text: formatted.text };
  };
}

/** Removes the fix of each finding that --fix would not apply (planFixes). */
async function dropRefusedFixes(file: string, found: readonly Diagnostic[], fe: FrontEnd, opts: LintFilesOptions): Promise<void> {
  const abs = path.resolve(opts.cwd, file);
  const own = ownFixes(found, abs, opts.cwd);
  if (own.length === 0) return;
  const read = readPipelineText(abs, file);
  if ("diagnostic" in read) return;
  const plan = await planFixes(stripBom(read.text), own, fixAttempt(file, abs, fe, opts));
  for (const r of plan.refused) delete r.fix.finding.fix;
}

async function fixFile(file: string, fe: FrontEnd, opts: LintFilesOptions, maxPasses: number, report: FixReport): Promise<number> {
  const abs = path.resolve(opts.cwd, file);
  let edits = 0;
  // The fixes not applied are those the last pass refused, at their places in the file as
  // saved: after the last pass that wrote it, one more lints it (and writes nothing).
  let refused: FixPlan<OwnFix>["refused"] = [];
  for (let pass = 0; pass <= maxPasses; pass++) {
    const { diagnostics, compileErrors } = await lintFiles([file], fe, { ...opts, verifyFixes: false }); // planFixes below decides
    if (compileErrors) {
      if (pass === 0) report.refused.push({ file, reason: "it does not compile (adainfc check shows why)" });
      break;
    }
    const own = ownFixes(diagnostics, abs, opts.cwd);
    refused = [];
    if (own.length === 0) break;
    const read = readPipelineText(abs, file);
    if ("diagnostic" in read) {
      report.refused.push({ file, reason: read.diagnostic.message });
      break;
    }
    const before = stripBom(read.text); // the spans count without it
    const plan = await planFixes(before, own, fixAttempt(file, abs, fe, opts));
    refused = plan.refused;
    if (plan.applied === 0 || pass === maxPasses) break;
    rewriteSourceFile(abs, withBomOf(read.text, plan.text)); // follows a symlink, keeps the mode and a BOM, atomic
    edits += plan.applied;
    if (plan.text === before) break;
  }
  const seen = new Set<string>();
  for (const r of refused) {
    const at = r.fix.finding.span ? `${r.fix.finding.span.file}:${r.fix.finding.span.line}:${r.fix.finding.span.column}` : file;
    const key = `${r.fix.finding.code}|${r.cause}`;
    if (seen.has(key)) continue;
    seen.add(key);
    report.skipped.push({ at, rule: r.fix.finding.code, cause: r.cause });
  }
  return edits;
}
