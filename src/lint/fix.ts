// Applies text edits to one file's text: identical edits (two rules proposing the same
// fix) count once; an edit overlapping one taken earlier is skipped and left for the
// next pass, as ESLint does. Edits are applied back to front so offsets stay valid.
import type { TextEdit } from "../check/diagnostic.js";

export interface ApplyResult {
  text: string;
  applied: TextEdit[];
  skipped: TextEdit[];
}

export function applyEdits(text: string, edits: readonly TextEdit[]): ApplyResult {
  const unique: TextEdit[] = [];
  const keys = new Set<string>();
  for (const e of edits) {
    const key = `${e.span.start}:${e.span.end}:${e.text}`;
    if (keys.has(key)) continue;
    keys.add(key);
    unique.push(e);
  }
  // Earlier edits win an overlap (rules run in priority order); then apply by position.
  const applied: TextEdit[] = [];
  const skipped: TextEdit[] = [];
  for (const e of unique) {
    const invalid = e.span.start < 0 || e.span.end > text.length || e.span.end < e.span.start;
    if (invalid || applied.some((a) => overlaps(a, e))) skipped.push(e);
    else applied.push(e);
  }
  applied.sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end);
  let out = text;
  for (let i = applied.length - 1; i >= 0; i--) {
    const e = applied[i]!;
    out = out.slice(0, e.span.start) + e.text + out.slice(e.span.end);
  }
  return { text: out, applied, skipped };
}

/** Ranges overlap, or two insertions (empty ranges) compete for the same offset. */
function overlaps(a: TextEdit, b: TextEdit): boolean {
  if (a.span.start === b.span.start && (a.span.start === a.span.end || b.span.start === b.span.end)) return true;
  return a.span.start < b.span.end && b.span.start < a.span.end;
}
