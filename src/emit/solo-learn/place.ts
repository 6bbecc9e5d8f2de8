// Where to point a diagnostic about an IR value. The span map is keyed by JSON
// Pointer; a value without its own span came from a default, so the nearest ancestor
// that has one is the best place. Spans in the pipeline's own file win over spans in
// the stdlib (the user edits their file, not the prelude).
import type { Span, SpanMap } from "../../ir/types.js";

function parent(p: string): string | null {
  if (p === "") return null;
  const i = p.lastIndexOf("/");
  return i <= 0 ? "" : p.slice(0, i);
}

export function placeOf(spans: SpanMap, pointer: string, file: string): Span | null {
  let fallback: Span | null = null;
  for (let cur: string | null = pointer; cur !== null; cur = parent(cur)) {
    const s = spans[cur];
    if (!s) continue;
    if (s.file === file) return s;
    fallback ??= s;
  }
  return fallback ?? spans["/name"] ?? null;
}
