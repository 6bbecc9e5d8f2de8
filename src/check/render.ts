// Turns diagnostics into what a person reads (file:line:col, severity, code, message,
// a code frame with a caret under the span, a hint) or into JSON for tools.
import { Chalk, type ChalkInstance } from "chalk";
import { LineMap } from "../syntax/lines.js";
import type { Diagnostic, Severity } from "./diagnostic.js";

/** Gives the text of a source file by path, for code frames (null when unknown). */
export type SourceLookup = (file: string) => string | null;

export interface RenderOptions {
  color: boolean;
  /** Lines of context above the span. */
  contextLines?: number;
}

const LABEL: Record<Severity, string> = { error: "error", warning: "warning", info: "info" };

export function renderDiagnostic(d: Diagnostic, sources: SourceLookup, opts: RenderOptions): string {
  const c = new Chalk({ level: opts.color ? 1 : 0 });
  const paint = severityColor(c, d.severity);
  const where = d.span ? `${d.span.file}:${d.span.line}:${d.span.column}: ` : "";
  let text = `${c.bold(where)}${paint(LABEL[d.severity])}${c.dim(`[${d.code}]`)}: ${visible(d.message)}\n`;
  if (d.span) {
    const source = sources(d.span.file);
    if (source !== null) text += codeFrame(source, d, opts.contextLines ?? 1, c, paint);
  }
  if (d.hint) text += `  ${c.cyan("hint")}: ${visible(d.hint)}\n`;
  return text;
}

export function renderDiagnostics(diagnostics: readonly Diagnostic[], sources: SourceLookup, opts: RenderOptions): string {
  return diagnostics.map((d) => renderDiagnostic(d, sources, opts)).join("\n");
}

/** One line such as `2 errors, 1 warning`. */
export function summarize(diagnostics: readonly Diagnostic[]): string {
  const count = (s: Severity) => diagnostics.filter((d) => d.severity === s).length;
  const parts: string[] = [];
  const e = count("error");
  const w = count("warning");
  const i = count("info");
  if (e) parts.push(`${e} error${e === 1 ? "" : "s"}`);
  if (w) parts.push(`${w} warning${w === 1 ? "" : "s"}`);
  if (i) parts.push(`${i} info`);
  return parts.length ? parts.join(", ") : "no problems";
}

/**
 * Control characters from the source (an escape sequence that would retitle or clear the
 * user's terminal) shown as visible one-column symbols: C0 and DEL as Unicode's control
 * pictures (ESC is ␛), C1 as U+FFFD. Columns, and so the caret, stay aligned.
 */
export function visible(s: string): string {
  return s.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (ch) => {
    const code = ch.charCodeAt(0);
    if (code < 0x20) return String.fromCharCode(0x2400 + code);
    if (code === 0x7f) return "\u2421";
    return "\ufffd";
  });
}

function severityColor(c: ChalkInstance, s: Severity): ChalkInstance {
  return s === "error" ? c.red.bold : s === "warning" ? c.yellow.bold : c.blue.bold;
}

/** The last source's line map: a file's diagnostics come together, and making the map once per diagnostic made a file with 100,000 of them take minutes. */
let lastLines: { source: string; lines: LineMap } | null = null;

function lineMapOf(source: string): LineMap {
  if (lastLines?.source !== source) lastLines = { source, lines: new LineMap(source) };
  return lastLines.lines;
}

function codeFrame(source: string, d: Diagnostic, context: number, c: ChalkInstance, paint: ChalkInstance): string {
  const span = d.span!;
  const lines = lineMapOf(source);
  const first = Math.max(1, span.line - context);
  const last = Math.min(lines.lineCount, span.line);
  const width = String(Math.max(last, span.endLine)).length;
  let out = "";
  for (let n = first; n <= last; n++) {
    const line = visible(lines.lineText(n - 1).replace(/\t/g, " "));
    const marker = n === span.line ? paint(">") : " ";
    out += `${marker} ${c.dim(String(n).padStart(width))} ${c.dim("|")} ${line}\n`;
  }
  const line = lines.lineText(span.line - 1);
  const startCol = Math.max(1, span.column);
  // A span running onto later lines is underlined to the end of its first line.
  const endCol = span.endLine === span.line ? Math.max(startCol + 1, span.endColumn) : Math.max(startCol + 1, line.length + 1);
  const caret = " ".repeat(startCol - 1) + "^".repeat(endCol - startCol);
  out += `  ${" ".repeat(width)} ${c.dim("|")} ${paint(caret)}\n`;
  return out;
}

/** Plain objects for `--format json`. */
export function diagnosticsToJson(diagnostics: readonly Diagnostic[]): object[] {
  return diagnostics.map((d) => ({
    code: d.code,
    severity: d.severity,
    message: d.message,
    file: d.span?.file ?? null,
    line: d.span?.line ?? null,
    column: d.span?.column ?? null,
    endLine: d.span?.endLine ?? null,
    endColumn: d.span?.endColumn ?? null,
    hint: d.hint ?? null,
    fixable: Boolean(d.fix?.length),
    // The sweep points the problem holds on when not all of them (./points.ts), else null.
    points: d.points ?? null,
  }));
}
