// Small pieces several rules share: finding sources, formatting numbers the way the
// messages print them, and the two safe fixes (set a replication, switch a preset).
import type { TextEdit } from "../check/diagnostic.js";
import type { DataSourceIR, PipelineIR } from "../ir/types.js";
import { LineMap, makeSpan } from "../syntax/lines.js";
import { pointer } from "./pointer.js";
import { findReferencePreset, presetBaseName, type ReferencePreset } from "./reference-presets.js";
import { pipelineStrength } from "./strength.js";
import type { RuleContext } from "./types.js";
import { pushAll } from "../util/push-all.js";

export function sourceIndex(ir: PipelineIR, name: string): number {
  return ir.data.sources.findIndex((s) => s.name === name);
}

export function sourceNamed(ir: PipelineIR, name: string | null): DataSourceIR | null {
  if (name === null) return null;
  return ir.data.sources.find((s) => s.name === name) ?? null;
}

/** Training entries with their source and index in `data.train`. */
export function trainEntries(ir: PipelineIR): { index: number; replicate: number; source: DataSourceIR | null }[] {
  return ir.data.train.map((e, index) => ({ index, replicate: e.replicate, source: sourceNamed(ir, e.source) }));
}

export function fmtShare(g: number): string {
  return g.toFixed(3);
}

/** Augmentation strengths always with two decimals (1.00, 0.55). */
export function fmtStrength(a: number): string {
  return a.toFixed(2);
}

export function fmtCount(n: number): string {
  return n.toLocaleString("en-US");
}

/** Edits setting the replication of every real source in the mixture to `dup`. */
export function realReplicateFix(ctx: RuleContext, dup: number): TextEdit[] {
  const edits: TextEdit[] = [];
  for (const e of trainEntries(ctx.ir)) {
    if (e.source?.origin === "generated" || e.replicate === dup) continue;
    const edit = ctx.editAt(pointer("data", "train", e.index, "replicate"), String(dup));
    if (!edit) return []; // all or nothing: a half-applied mix would be a new, unintended one
    edits.push(edit);
  }
  return edits;
}

/**
 * The reference preset the pipeline uses unchanged (named, and with the named preset's
 * strength, so no `with { ... }` override altered it), or null.
 */
export function unmodifiedReferencePreset(ctx: RuleContext): ReferencePreset | null {
  const ref = findReferencePreset(ctx.ir.augment.preset);
  if (!ref) return null;
  if (ref.views.length !== ctx.ir.augment.views.length) return null;
  if (Math.abs(pipelineStrength(ctx.ir.augment.views) - ref.strength) > 1e-9) return null;
  return ref;
}

/**
 * Edits that make the pipeline use preset `target` instead of its current one. Where the
 * pipeline's own file names the preset (`augment = symmetric`), that name is replaced
 * (keeping a qualification such as `std.augment.`) and the file's `use` lines follow;
 * where the preset is inherited (`pipeline p from simclr`), an `augment = target`
 * statement is inserted after the pipeline's `inflate` (or `data`) block. Null when
 * neither is possible; `--fix` re-compiles the result before writing it.
 */
export function presetSwitchFix(ctx: RuleContext, target: string): TextEdit[] | null {
  const current = ctx.ir.augment.preset;
  if (current === null) return null;
  const span = ctx.spanAt("/augment/preset");
  if (!span) return null;
  if (span.file !== ctx.ir.file) return insertAugmentFix(ctx, target);
  const old = presetBaseName(current);
  const text = ctx.source(span.file);
  const written = text === null ? null : text.slice(span.start, span.end);
  const edits: TextEdit[] = [];
  if (written !== null) {
    if (!written.endsWith(old)) return null;
    edits.push({ span: { ...span, start: span.end - old.length, column: span.endColumn - old.length }, text: target });
  } else if (span.end - span.start === old.length) {
    edits.push({ span, text: target });
  } else {
    return null;
  }
  if (text !== null) pushAll(edits, useLineEdits(text, span.file, old, target));
  return edits;
}

/** Inserts `augment = target` on its own line after the block holding the mixture. */
function insertAugmentFix(ctx: RuleContext, target: string): TextEdit[] | null {
  const file = ctx.ir.file;
  const text = ctx.source(file);
  if (text === null) return null;
  const lastEnd = (prefix: string, count: number) => {
    let end = -1;
    for (let i = 0; i < count; i++) {
      const s = ctx.spans[pointer(...prefix.split("/").filter(Boolean), i)];
      if (s && s.file === file) end = Math.max(end, s.end);
    }
    return end;
  };
  const after = Math.max(lastEnd("data/train", ctx.ir.data.train.length), lastEnd("data/sources", ctx.ir.data.sources.length));
  if (after < 0) return null;
  const close = closingBrace(text, after);
  if (close < 0) return null;
  const lines = new LineMap(text);
  const line = lines.position(close).line;
  const indent = /^[ \t]*/.exec(lines.lineText(line))![0];
  // the new line ends as the brace's line does (CRLF, LF or a lone CR)
  const eol = text.slice(lines.lineEnd(line), lines.starts[line + 1] ?? text.length) || "\n";
  const at = close + 1;
  return [
    {
      span: makeSpan(file, lines, at, at),
      text: `${eol}${indent}augment = ${target}`,
    },
  ];
}

/** Offset of the `}` closing the block that is open at `from`, skipping comments and strings. */
function closingBrace(text: string, from: number): number {
  let depth = 0;
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (c === "/" && text[i + 1] === "/") {
      const nl = text.indexOf("\n", i);
      if (nl < 0) return -1;
      i = nl;
    } else if (c === "/" && text[i + 1] === "*") {
      const end = text.indexOf("*/", i + 2);
      if (end < 0) return -1;
      i = end + 1;
    } else if (c === '"') {
      const q = text.indexOf('"', i + 1);
      if (q < 0) return -1;
      i = q;
    } else if (c === "{") depth++;
    else if (c === "}") {
      if (depth === 0) return i;
      depth--;
    }
  }
  return -1;
}

const USE_LINE = /^[ \t]*(use|import)\b.*$/gm;

function useLineEdits(text: string, file: string, old: string, target: string): TextEdit[] {
  const lines = [...text.matchAll(USE_LINE)];
  const word = (w: string) => new RegExp(`(?<![\\w])${w}(?![\\w])`, "g");
  if (lines.some((m) => word(target).test(m[0]))) return [];
  const edits: TextEdit[] = [];
  const map = new LineMap(text);
  for (const m of lines) {
    for (const w of m[0].matchAll(word(old))) {
      const start = m.index! + w.index!;
      edits.push({ span: makeSpan(file, map, start, start + old.length), text: target });
    }
  }
  return edits;
}
