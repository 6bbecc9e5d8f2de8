// Augmentation presets: `augment symmetric { view x 2 { ops } }`, derived presets
// (`augment weak = symmetric with { color_jitter.p = 0.4 }`), and the pipeline's
// `augment = ...`. Views are expanded (a symmetric preset lists each view), every
// op is checked against its spec, and Normalize with the dataset's statistics is
// appended to every view, as the reference pipeline ends. `strength = s` (in a
// `with` block, as a dotted `augment.strength = s`, in a sweep or --set) scales the
// ops last, after every field override (ir/augment-strength.ts); strengths written
// along a chain of presets multiply, and the last dotted `augment.strength` multiplies them.

import type { Block, Decl, Expr, NameNode, Statement } from "../syntax/ast.js";
import type { AugmentIR, AugmentOpIR, Span, ViewIR } from "../ir/types.js";
import { didYouMean } from "../check/suggest.js";
import { interpretCall, type Override } from "./calls.js";
import { ptr, type ResolveContext } from "./context.js";
import type { StmtEntry } from "./merge.js";
import type { LoadedFile, Program } from "./program.js";
import { AUGMENT, AUGMENT_OPS } from "../ir/builtins.js";
import { byName, nodeOf } from "../ir/define.js";
import { recordSpans } from "./entries.js";
import { bareName, INVALID, interpretValue } from "./values.js";
import { scaleOp } from "../ir/augment-strength.js";
import { diag } from "../check/registry.js";

interface OpDraft {
  name: NameNode;
  stmt: Statement;
  overrides: Override[];
}
interface ViewDraft {
  name: string;
  span: Span;
  ops: OpDraft[];
}
interface AugmentDraft {
  preset: string | null;
  presetSpan: Span | null;
  views: ViewDraft[];
  /** Product of the strength settings so far (1: none). */
  strength: number;
  /** Where the last strength was written. */
  strengthSpan: Span | null;
}

export interface AugmentDefaults {
  cropSize: number;
  mean: number[];
  std: number[];
}

export function resolveAugment(entry: StmtEntry, program: Program, ctx: ResolveContext, defaults: AugmentDefaults): AugmentIR | null {
  let draft: AugmentDraft | null;
  if (entry.stmt.value) draft = fromExpr(entry.stmt.value, entry.file, program, ctx, []);
  else if (entry.stmt.block) draft = newDraft(null, null, viewsFromBody(entry.stmt.block, ctx) ?? []);
  else {
    ctx.report(diag.E020.augmentNeedsPresetOrViews(), entry.stmt.span);
    return null;
  }
  if (!draft) return null;
  // A dotted `augment.strength` (the recipe chain, the body, a sweep point, --set) is a
  // setting like any other: the last one written wins. It then multiplies the strength
  // of the preset chain (`with` blocks), as a `with { strength = s }` on the expression.
  let strengthSetting: Override | null = null;
  for (const o of entry.overrides) {
    if (isStrength(o)) strengthSetting = o;
    else applyOverride(draft, o, ctx);
  }
  if (strengthSetting) applyOverride(draft, strengthSetting, ctx);
  if (draft.views.length === 0) {
    ctx.report(diag.E022.noViews(), entry.stmt.span);
    return null;
  }
  if (draft.preset) ctx.at("/augment/preset", draft.presetSpan);
  ctx.at("/augment/strength", draft.strengthSpan);
  const views: ViewIR[] = [];
  draft.views.forEach((v, vi) => {
    const ops: AugmentOpIR[] = [];
    v.ops.forEach((op, oi) => {
      const spec = byName(AUGMENT_OPS, op.name.text);
      const r = spec && interpretCall(spec, op.stmt.args, op.overrides, ctx, op.stmt.span);
      if (!spec || !r) return;
      const base = ptr("/augment/views", vi, "ops", oi);
      ctx.at(base, op.stmt.span);
      recordSpans(ctx, base, r.spans);
      ops.push(scaleOp(withCropSize(nodeOf(spec, r.values), defaults.cropSize), draft.strength));
    });
    ops.push({ op: "normalize", mean: [...defaults.mean], std: [...defaults.std] });
    ctx.at(ptr("/augment/views", vi), v.span);
    views.push({ name: v.name, ops });
  });
  const first = JSON.stringify(views[0]?.ops);
  return { preset: draft.preset, strength: draft.strength, symmetric: views.every((v) => JSON.stringify(v.ops) === first), views };
}

function newDraft(preset: string | null, presetSpan: Span | null, views: ViewDraft[]): AugmentDraft {
  return { preset, presetSpan, views, strength: 1, strengthSpan: null };
}

/** A crop without `size` takes the dataset's image size (the definition's filledIn field). */
function withCropSize(op: AugmentOpIR, cropSize: number): AugmentOpIR {
  return op.op === "random_resized_crop" ? { ...op, size: op.size ?? cropSize } : op;
}

/** A preset being expanded, for finding cycles: `<file>#<name>`, its declaration and file. */
interface Visit {
  key: string;
  decl: Decl;
  file: LoadedFile;
}

function fromExpr(e: Expr, file: LoadedFile, program: Program, ctx: ResolveContext, stack: Visit[]): AugmentDraft | null {
  const name = bareName(e) ?? (e.kind === "call" && !e.args ? e.callee.text : null);
  if (e.kind !== "call" || e.args || name === null) {
    ctx.report(diag.E020.augmentExpectsPreset(), e.span);
    return null;
  }
  const ref = program.lookup(file, "augment", name);
  if (!ref) {
    ctx.report(diag.E010.unknownName({ what: "augmentation preset", name }), e.callee.span, didYouMean(name, program.visibleNames(file, "augment")));
    return null;
  }
  const key = `${ref.file.abs}#${name}`;
  const from = stack.findIndex((v) => v.key === key);
  if (from >= 0) {
    reportCycle(stack.slice(from), ctx);
    return null;
  }
  const d = ref.decl;
  let draft: AugmentDraft | null;
  if (d.body) draft = newDraft(name, e.callee.span, viewsFromBody(d.body, ctx) ?? []);
  else {
    draft = fromExpr(d.value!, ref.file, program, ctx, [...stack, { key, decl: d, file: ref.file }]);
    if (draft) {
      draft.preset = name;
      draft.presetSpan = e.callee.span;
    }
  }
  if (draft && e.with) applyWith(draft, e.with, ctx);
  return draft;
}

/**
 * A cycle of presets, reported the same way whichever of them it was entered from (each
 * preset of a file is checked on its own, and a pipeline may name any of them): it starts
 * at the first declared and is shown at the reference that closes it, so it is one E014.
 */
function reportCycle(cycle: Visit[], ctx: ResolveContext): void {
  const order = (v: Visit): [string, number] => [v.file.abs, v.decl.span.start];
  const first = cycle.reduce((best, v, i) => {
    const [fa, sa] = order(v);
    const [fb, sb] = order(cycle[best]!);
    return fa < fb || (fa === fb && sa < sb) ? i : best;
  }, 0);
  const chain = [...cycle.slice(first), ...cycle.slice(0, first)];
  const closing = chain[chain.length - 1]!.decl.value!;
  const names = chain.map((v) => v.decl.name.text);
  ctx.report(diag.E014.presetCycle({ chain: [...names, names[0]].join(" -> ") }), closing.span);
}

function applyWith(draft: AugmentDraft, block: Block, ctx: ResolveContext): void {
  for (const s of block.statements) {
    if (!s.value) {
      ctx.report(diag.E020.writeValueInWith({ key: s.key.text }), s.span);
      continue;
    }
    applyOverride(draft, { path: s.key.parts, expr: s.value, span: s.span }, ctx);
  }
}

function viewsFromBody(body: Block, ctx: ResolveContext): ViewDraft[] | null {
  const views: ViewDraft[] = [];
  for (const s of body.statements) {
    if (s.key.text !== "view" || !s.block || s.value || s.args) {
      ctx.report(diag.E020.onlyViews({ key: s.key.text }), s.key.span);
      continue;
    }
    const ops: OpDraft[] = [];
    for (const o of s.block.statements) {
      if (o.key.parts.length !== 1 || o.value || o.block || o.count || o.label) {
        ctx.report(diag.E020.viewListsOps({ key: o.key.text }), o.span);
        continue;
      }
      if (!byName(AUGMENT_OPS, o.key.text)) {
        ctx.report(diag.E010.unknownName({ what: "augmentation op", name: o.key.text }), o.key.span, didYouMean(o.key.text, Object.keys(AUGMENT_OPS)));
        continue;
      }
      if (ops.some((x) => x.name.text === o.key.text)) {
        ctx.report(diag.E012.opTwice({ op: o.key.text }), o.key.span);
        continue;
      }
      ops.push({ name: o.key.parts[0]!, stmt: o, overrides: [] });
    }
    const count = viewCount(s.count);
    if (count === null) ctx.report(diag.E021.viewCount(), s.count!.span);
    for (const name of viewNames(s.label?.text, count ?? 1, views.length)) {
      // Dotted keys and `with` address a view by its name: two of one name would be ambiguous.
      const first = views.find((v) => v.name === name);
      if (first) {
        const at = `${first.span.file}:${first.span.line}:${first.span.column}`;
        ctx.report(diag.E012.alreadyDefined({ kind: "view", name, at }), s.label?.span ?? s.key.span);
        continue;
      }
      views.push({ name, span: s.span, ops: ops.map((o) => ({ ...o, overrides: [...o.overrides] })) });
    }
  }
  return views;
}

/** How many views `view x N { ... }` adds: N, a whole number from 1 to 16 (1 without a count); null when N is not one. */
export function viewCount(count: Expr | null): number | null {
  if (!count) return 1;
  return count.kind === "number" && Number.isInteger(count.value) && count.value >= 1 && count.value <= 16 ? count.value : null;
}

/**
 * The names of the `count` views a `view` statement adds after `before` views: its label
 * (`view v1 { ... }`), else `view<n>` (`<label><n>` for a labelled `view v x 2`), numbered
 * over the whole preset: the names dotted keys (`augment.view1.color_jitter.p`) address.
 */
export function viewNames(label: string | undefined, count: number, before: number): string[] {
  return Array.from({ length: count }, (_, i) => (label && count === 1 ? label : `${label ?? "view"}${before + i + 1}`));
}

/** `strength = s` (not a field of one op). */
function isStrength(o: Override): boolean {
  return o.path.length === 1 && o.path[0]!.text === "strength";
}

function applyOverride(draft: AugmentDraft, o: Override, ctx: ResolveContext): void {
  const names = o.path.map((p) => p.text);
  if (isStrength(o)) {
    const before = ctx.diagnostics.length;
    const v = interpretValue(o.expr, AUGMENT.fields.strength.type, ctx, "augmentation strength");
    if (v === INVALID || typeof v !== "number") {
      const d = ctx.diagnostics[before];
      // The meaning of the scale says more than a default hint (the message gives the bound).
      if (d) d.hint = "strength = 1 is the augmentation as written, 0 its weakest form, 2 twice as strong (docs/language.md)";
      return;
    }
    draft.strength *= v;
    draft.strengthSpan = o.expr.span;
    return;
  }
  const view = draft.views.find((v) => v.name === names[0]);
  const [targets, opName, field] = view ? [[view], o.path[1], o.path.slice(2)] : [draft.views, o.path[0], o.path.slice(1)];
  if (!opName || field.length !== 1) {
    ctx.report(diag.E011.notOnAugmentation({ path: names.join(".") }), o.path[0]!.span);
    return;
  }
  const hits = targets.flatMap((v) => v.ops.filter((x) => x.name.text === opName.text));
  if (hits.length === 0) {
    const known = [...new Set(draft.views.flatMap((v) => [v.name, ...v.ops.map((x) => x.name.text)]))];
    ctx.report(
      diag.E011.noViewHasOp({ view: view ? `'${view.name}' ` : "", op: opName.text }),
      opName.span,
      byName(AUGMENT_OPS, opName.text) ? `add ${opName.text}(...) to a view` : didYouMean(opName.text, known),
    );
    return;
  }
  for (const h of hits) h.overrides.push({ path: field, expr: o.expr, span: o.span });
}
