// Applying lint fixes to one file's text. A fix (one finding's edits) is applied whole or
// not at all: identical edits (two rules proposing the same fix) count once, and a fix
// with an edit overlapping one already taken is left out, for the next pass, as ESLint
// does. planFixes is what `adainfc lint --fix` and the language server's fix-all both
// ask: which fixes to keep so that the fixed file still compiles.
import type { TextEdit } from "../check/diagnostic.js";
import { pushAll } from "../util/push-all.js";

export interface ApplyResult {
  text: string;
  applied: TextEdit[];
  skipped: TextEdit[];
  /** The indexes of the fixes applied (each with all its edits). */
  kept: number[];
}

/** Applies edits one by one: each edit is its own fix. */
export function applyEdits(text: string, edits: readonly TextEdit[]): ApplyResult {
  return applyFixes(
    text,
    edits.map((e) => [e]),
  );
}

/** Applies fixes in order, each with all its edits or none (earlier fixes win an overlap: rules run in priority order). */
export function applyFixes(text: string, fixes: readonly (readonly TextEdit[])[]): ApplyResult {
  const applied: TextEdit[] = [];
  const skipped: TextEdit[] = [];
  const kept: number[] = [];
  const keys = new Set<string>();
  const keyOf = (e: TextEdit) => `${e.span.start}:${e.span.end}:${e.text}`;
  for (const [i, fix] of fixes.entries()) {
    const fresh: TextEdit[] = [];
    const freshKeys = new Set<string>();
    let ok = true;
    for (const e of fix) {
      const key = keyOf(e);
      if (keys.has(key) || freshKeys.has(key)) continue; // the same edit, taken already
      const invalid = e.span.start < 0 || e.span.end > text.length || e.span.end < e.span.start;
      if (invalid || applied.some((a) => overlaps(a, e)) || fresh.some((a) => overlaps(a, e))) ok = false;
      freshKeys.add(key);
      fresh.push(e);
    }
    if (!ok) {
      pushAll(skipped, fresh);
      continue;
    }
    for (const e of fresh) {
      keys.add(keyOf(e));
      applied.push(e);
    }
    kept.push(i);
  }
  const ordered = [...applied].sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end);
  let out = text;
  for (let i = ordered.length - 1; i >= 0; i--) {
    const e = ordered[i]!;
    out = out.slice(0, e.span.start) + e.text + out.slice(e.span.end);
  }
  return { text: out, applied: ordered, skipped, kept };
}

/** Ranges overlap, or two insertions (empty ranges) compete for the same offset. */
function overlaps(a: TextEdit, b: TextEdit): boolean {
  if (a.span.start === b.span.start && (a.span.start === a.span.end || b.span.start === b.span.end)) return true;
  return a.span.start < b.span.end && b.span.start < a.span.end;
}

/** What a fixed text comes to: its final form (formatted, say), or the first error it would have. */
export type FixAttempt = (fixed: string) => Promise<{ text: string } | { error: string }>;

export interface FixPlan<F> {
  /** The fixed text as `attempt` returned it (`before` when no fix is kept). */
  text: string;
  /** Edits applied. */
  applied: number;
  kept: F[];
  /** Fixes that would make the file fail `attempt`, with its error. */
  refused: { fix: F; cause: string }[];
}

/**
 * Which fixes to apply to `before`: every fix when the fixed text passes `attempt`;
 * otherwise each fix in turn, kept when the text still passes with it and those kept
 * before, so one fix that breaks the file (a sweep point made equal to another) holds
 * back only itself. A fix overlapping one kept is neither kept nor refused (next pass).
 */
export async function planFixes<F extends { edits: readonly TextEdit[] }>(before: string, fixes: readonly F[], attempt: FixAttempt): Promise<FixPlan<F>> {
  const all = applyFixes(
    before,
    fixes.map((f) => f.edits),
  );
  const whole = await attempt(all.text);
  if ("text" in whole) return { text: whole.text, applied: all.applied.length, kept: all.kept.map((i) => fixes[i]!), refused: [] };
  const kept: F[] = [];
  const refused: FixPlan<F>["refused"] = [];
  let best = { text: before, applied: 0 };
  for (const f of fixes) {
    const tried = applyFixes(before, [...kept.map((k) => k.edits), f.edits]);
    if (!tried.kept.includes(kept.length)) continue; // overlaps a kept fix: for the next pass
    const r = await attempt(tried.text);
    if ("error" in r) refused.push({ fix: f, cause: r.error });
    else {
      kept.push(f);
      best = { text: r.text, applied: tried.applied.length };
    }
  }
  return { ...best, kept, refused };
}
