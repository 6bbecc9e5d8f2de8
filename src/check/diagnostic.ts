// Every message a user sees from check, lint or data commands is a Diagnostic:
// a stable code, a severity, a span (when there is a place to point at), and an
// optional hint. Rendering (code frames, colours, JSON) lives in ./render.ts.
import type { Span } from "../ir/types.js";

export type Severity = "error" | "warning" | "info";

export interface TextEdit {
  /** Replace [span.start, span.end) of span.file with `text`. */
  span: Span;
  text: string;
}

export interface Diagnostic {
  /** Stable code: E0xx for compile errors, W0xx for compile warnings, D0xx for data check (all in ./registry.ts), or a lint rule id. */
  code: string;
  severity: Severity;
  message: string;
  span: Span | null;
  /** One line telling the user what to do about it. */
  hint?: string;
  /** Safe automatic fix (`adainfc lint --fix`). */
  fix?: TextEdit[];
  /**
   * The sweep points (axis -> value) the problem holds on, when it holds on some points
   * of a sweep but not all (./points.ts); absent otherwise.
   */
  points?: Record<string, string>[];
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === "error");
}
