// Small helpers for reading a merged pipeline body (merge.ts) by key.
import type { Args } from "../syntax/ast.js";
import type { Span } from "../ir/types.js";
import { didYouMean } from "../check/suggest.js";
import type { Block, Duration, LangValues } from "../ir/define.js";
import { collectSettings, interpretSettings, type Family, type Interpreted, type Override } from "./calls.js";
import { ptr, type ResolveContext } from "./context.js";
import type { BlockEntry, StmtEntry } from "./merge.js";
import type { NameNode } from "../syntax/ast.js";
import { diag } from "../check/registry.js";

export function stmtEntry(block: BlockEntry | undefined, key: string): StmtEntry | undefined {
  const e = block?.entries.get(key);
  return e?.kind === "stmt" ? e : undefined;
}

export function blockEntry(root: BlockEntry, key: string, ctx: ResolveContext): BlockEntry | undefined {
  const e = root.entries.get(key);
  if (!e) return undefined;
  if (e.kind !== "block") {
    ctx.report(diag.E020.isBlock({ key }), e.key.span);
    return undefined;
  }
  return e;
}

export function checkKeys(block: BlockEntry, allowed: readonly string[], ctx: ResolveContext, where: string): void {
  for (const [k, e] of block.entries) {
    const name = k.split(":")[0]!;
    if (!allowed.includes(name)) {
      ctx.report(diag.E011.noSetting({ where, name }), e.key.span, didYouMean(name, allowed) || `it takes ${allowed.join(", ")}`);
    }
  }
}

/** `optimizer = lars(lr = 0.2)` -> (spec, call args, overrides). */
export function callOf(
  e: StmtEntry,
  table: Family,
  ctx: ResolveContext,
  what: string,
): { name: NameNode; args: Args | null; overrides: Override[]; span: Span } | null {
  const v = e.stmt.value;
  if (!v) {
    ctx.report(diag.E020.needsValue({ key: e.key.text }), e.stmt.span);
    return null;
  }
  if (v.kind !== "call" || v.callee.parts.length !== 1) {
    ctx.report(diag.E020.expectsCall({ what, example: Object.keys(table)[0]! }), v.span);
    return null;
  }
  const withOverrides: Override[] = (v.with?.statements ?? []).flatMap((s) => (s.value ? [{ path: s.key.parts, expr: s.value, span: s.span }] : []));
  return { name: v.callee.parts[0]!, args: v.args, overrides: [...withOverrides, ...e.overrides], span: v.span };
}

/** Record where each value was written, under `base` (spans are keyed by their path of field keys). */
export function recordSpans(ctx: ResolveContext, base: string, spans: Record<string, Span>): void {
  for (const [k, s] of Object.entries(spans)) ctx.at(ptr(base, ...k.split("/")), s);
}

/** A length written in epochs or steps, made steps once the epoch size is known (pipeline.ts). */
export interface PendingDuration {
  d: Duration;
  span: Span | null;
  assign: (steps: number) => void;
  what: string;
}

/** nodeOf's `steps` for the resolver: every length waits in `pending`; 0 holds its place. */
export function pendingSteps(pending: PendingDuration[], spans: Record<string, Span>) {
  return (d: Duration, assign: (n: number) => void, what: string, path: readonly string[]): number => {
    pending.push({ d, span: spans[path.join("/")] ?? null, assign, what });
    return 0;
  };
}

/**
 * A block of `key = value` fields (`train { ... }`) by its definition; spans recorded under
 * `base`. A key that is neither a field nor one of `others` (read by the caller, such as
 * train's optimizer) is an E011 with a "did you mean", as is a field written as a block
 * (`output.keep.x = 1`): nothing written in the block is dropped unread.
 */
export function fieldsOf<B extends Block>(
  block: BlockEntry,
  spec: B,
  ctx: ResolveContext,
  base: string,
  others: readonly string[] = [],
): Interpreted<LangValues<B["fields"]>> | null {
  checkKeys(block, [...Object.keys(spec.call.params), ...others], ctx, spec.name);
  for (const e of block.entries.values()) {
    if (e.kind !== "stmt" && e.key.text in spec.call.params) {
      const inner = e.kind === "block" ? [...e.entries.values()][0]?.key.span : undefined;
      ctx.report(diag.E011.noFields({ name: e.key.text }), inner ?? e.key.span);
    }
  }
  const stmts = [...block.entries.values()].filter((e): e is StmtEntry => e.kind === "stmt" && e.key.text in spec.call.params);
  for (const e of stmts) {
    if (!e.stmt.value) ctx.report(diag.E020.writeValue({ key: e.key.text }), e.stmt.span);
  }
  const args = {
    items: stmts.filter((e) => e.stmt.value).map((e) => ({ name: e.key, value: e.stmt.value!, span: e.stmt.span })),
    span: block.key.span,
  };
  const settings = collectSettings(spec, args, [], ctx, spec.name);
  if (!settings) return null;
  const r = interpretSettings(spec, settings, ctx, spec.name, block.key.span);
  if (!r) return null;
  recordSpans(ctx, base, r.spans);
  for (const e of stmts) if (e.overrides.length) ctx.report(diag.E011.noFields({ name: e.key.text }), e.overrides[0]!.span);
  return r;
}
