// The file-level work behind `adainfc lint` (the CLI finds the files, src/cli/files.ts):
// compile each through the front end, lint every pipeline (the points of a sweep
// together), and (for --fix) apply fixes safely: only edits in the pipeline's own file,
// verified to compile before the file is replaced atomically.
import fs from "node:fs";
import path from "node:path";
import type { Diagnostic } from "../check/diagnostic.js";
import { diagnosticKey, groupByPoint, type PointCoords } from "../check/points.js";
import { byPosition, lintPipeline, type PipelineLintResult } from "./engine.js";
import { stripBom } from "../syntax/bom.js";
import { applyEdits } from "./fix.js";
import type { FrontEnd } from "./frontend.js";
import type { SizeOf } from "./npz-size.js";
import type { SeverityOptions } from "./severity.js";

export interface LintFilesOptions extends SeverityOptions {
  cwd: string;
  /** `--set key=value` overrides passed to the front end. */
  overrides?: string[];
  sizeOf?: SizeOf;
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
    for (const runs of byDecl.values()) groupByPoint(runs).sort(byPosition).forEach(push);
  }
  return { diagnostics, results, compileErrors, sources };
}

export interface FixReport {
  /** Files rewritten, with how many edits each received. */
  fixed: { file: string; edits: number }[];
  /** Files whose fixes were not applied, and why. */
  refused: { file: string; reason: string }[];
}

/** Applies fixes file by file, up to `maxPasses` times each (a fix can enable another). */
export async function fixFiles(files: readonly string[], fe: FrontEnd, opts: LintFilesOptions, maxPasses = 5): Promise<FixReport> {
  const report: FixReport = { fixed: [], refused: [] };
  for (const file of files) {
    try {
      const edits = await fixFile(file, fe, opts, maxPasses, report);
      if (edits > 0) report.fixed.push({ file, edits });
    } catch (e) {
      // An unwritable file or directory: say so and go on with the others.
      report.refused.push({ file, reason: e instanceof Error ? e.message : String(e) });
    }
  }
  return report;
}

async function fixFile(file: string, fe: FrontEnd, opts: LintFilesOptions, maxPasses: number, report: FixReport): Promise<number> {
  const abs = path.resolve(opts.cwd, file);
  let edits = 0;
  for (let pass = 0; pass < maxPasses; pass++) {
    const { diagnostics, compileErrors } = await lintFiles([file], fe, opts);
    if (compileErrors) {
      if (pass === 0) report.refused.push({ file, reason: "it does not compile" });
      break;
    }
    const own = diagnostics.flatMap((d) => d.fix ?? []).filter((e) => path.resolve(opts.cwd, e.span.file) === abs);
    if (own.length === 0) break;
    const before = stripBom(fs.readFileSync(abs, "utf8")); // the spans count without it
    const { text, applied } = applyEdits(before, own);
    if (applied.length === 0) break;
    const formatted = fe.formatText(text, file);
    if (formatted.diagnostics.some((d) => d.severity === "error")) {
      report.refused.push({ file, reason: "the fixed text does not parse" });
      break;
    }
    const tmp = path.join(path.dirname(abs), `.${path.basename(abs, ".adainf")}.fix-${process.pid}.adainf`);
    fs.writeFileSync(tmp, formatted.text);
    try {
      const check = await fe.compileFile(path.relative(opts.cwd, tmp), { cwd: opts.cwd, overrides: opts.overrides ?? [] });
      if (check.diagnostics.some((d) => d.severity === "error")) {
        report.refused.push({ file, reason: "the fixed file would not compile" });
        break;
      }
      fs.renameSync(tmp, abs); // atomic: readers see the old file or the new one
    } finally {
      if (fs.existsSync(tmp)) fs.unlinkSync(tmp);
    }
    edits += applied.length;
    if (formatted.text === before) break;
  }
  return edits;
}
