// Collects diagnostics and the pointer -> span map while one pipeline is resolved.
import type { Diagnostic } from "../check/diagnostic.js";
import { diagnostic, type Message } from "../check/registry.js";
import type { Span, SpanMap } from "../ir/types.js";

export class ResolveContext {
  readonly diagnostics: Diagnostic[] = [];
  readonly spans: SpanMap = {};
  /** The recipes the pipeline derives from (their declarations' spans). */
  private readonly recipes: Span[] = [];

  /** Report a registry message (src/check/registry.ts) at `span`; `hint` replaces its default hint. */
  report(m: Message, span: Span | null, hint?: string): void {
    this.diagnostics.push(diagnostic(m, span, hint));
  }
  /** Remember where the value at `pointer` was written. */
  at(pointer: string, span: Span | null | undefined): void {
    if (span) this.spans[pointer] = span;
  }
  /** Note a recipe of the chain, so that inherited() can tell its settings apart. */
  recipe(span: Span): void {
    this.recipes.push(span);
  }
  /** Whether `span` lies in a recipe the pipeline derives from (a setting it inherited). */
  inherited(span: Span): boolean {
    return this.recipes.some((r) => r.file === span.file && r.start <= span.start && span.end <= r.end);
  }
  get failed(): boolean {
    return this.diagnostics.some((d) => d.severity === "error");
  }
}

/** JSON Pointer segment escaping (RFC 6901). */
export function ptr(base: string, ...segments: (string | number)[]): string {
  return base + segments.map((s) => "/" + String(s).replace(/~/g, "~0").replace(/\//g, "~1")).join("");
}
