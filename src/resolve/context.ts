import type { Diagnostic, Severity } from "../check/diagnostic.js";
import type { Span, SpanMap } from "../ir/types.js";

// Collects diagnostics and the pointer -> span map while one pipeline is resolved.

export class ResolveContext {
  readonly diagnostics: Diagnostic[] = [];
  readonly spans: SpanMap = {};

  report(severity: Severity, code: string, message: string, span: Span | null, hint?: string): void {
    const d: Diagnostic = { code, severity, message, span };
    if (hint) d.hint = hint;
    this.diagnostics.push(d);
  }
  error(code: string, message: string, span: Span | null, hint?: string): void {
    this.report("error", code, message, span, hint);
  }
  warn(code: string, message: string, span: Span | null, hint?: string): void {
    this.report("warning", code, message, span, hint);
  }
  /** Remember where the value at `pointer` was written. */
  at(pointer: string, span: Span | null | undefined): void {
    if (span) this.spans[pointer] = span;
  }
  get failed(): boolean {
    return this.diagnostics.some((d) => d.severity === "error");
  }
}

/** JSON Pointer segment escaping (RFC 6901). */
export function ptr(base: string, ...segments: (string | number)[]): string {
  return base + segments.map((s) => "/" + String(s).replace(/~/g, "~0").replace(/\//g, "~1")).join("");
}
