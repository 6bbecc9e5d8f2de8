// JSON pointers (RFC 6901) into the IR, and the span lookup that falls back to the
// nearest ancestor: a value without its own span came from a default, so the best place
// to point at is the construct that holds it.
import type { Span, SpanMap } from "../ir/types.js";

export function pointer(...tokens: (string | number)[]): string {
  return tokens.map((t) => "/" + String(t).replace(/~/g, "~0").replace(/\//g, "~1")).join("");
}

/** The value `p` points at in `root`; undefined when there is none. */
export function valueAtPointer(root: unknown, p: string): unknown {
  let cur = root;
  for (const token of p.split("/").slice(1)) {
    if (typeof cur !== "object" || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[token.replace(/~1/g, "/").replace(/~0/g, "~")];
  }
  return cur;
}

export function parentPointer(p: string): string | null {
  if (p === "") return null;
  const i = p.lastIndexOf("/");
  return i <= 0 ? "" : p.slice(0, i);
}

/** The span of `p` or of its nearest ancestor that has one; null when none does. */
export function spanFor(spans: SpanMap, p: string): Span | null {
  for (let cur: string | null = p; cur !== null; cur = parentPointer(cur)) {
    const s = spans[cur];
    if (s) return s;
  }
  return null;
}

/**
 * Like spanFor, but only spans in `file`: a finding about a pipeline is shown in the
 * pipeline's file even when the value came from a recipe or preset in the stdlib (the
 * user can change it there, and SARIF must not point outside the repository).
 */
export function spanInFile(spans: SpanMap, p: string, file: string): Span | null {
  for (let cur: string | null = p; cur !== null; cur = parentPointer(cur)) {
    const s = spans[cur];
    if (s && s.file === file) return s;
  }
  return null;
}
