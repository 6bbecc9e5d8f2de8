// Interpretation of a call (`lars(lr = 0.2)`) or of a block of `key = value` fields by
// its definition (ir/builtins.ts): unknown names get a "did you mean", every value is
// checked against its type, defaults are filled in, and later settings (`with { ... }`,
// dotted assignments, `--set`) override earlier ones.
import type { Args, Expr, NameNode } from "../syntax/ast.js";
import type { Span } from "../ir/types.js";
import { didYouMean } from "../check/suggest.js";
import type { ResolveContext } from "./context.js";
import { byName, fieldValues, type Block, type LangValues } from "../ir/define.js";
import { INVALID, interpretValue } from "./values.js";
import { diag } from "../check/registry.js";

/** A later setting of one field: `with { lr = 0.1 }`, `train.optimizer.lr = 0.1`. */
export interface Override {
  path: NameNode[];
  expr: Expr;
  span: Span;
}

export interface Setting {
  expr: Expr;
  /** Where the name was written, for "unknown parameter" errors. */
  nameSpan: Span;
}

/** A family of builtins (ops, methods, ...), keyed by name. */
export type Family<B extends Block = Block> = Readonly<Record<string, B>>;

export interface Interpreted<V> {
  /** Keyed by the fields' keys (the IR's names), groups nested. */
  values: V;
  /** Where each value was written (absent for defaults), keyed by its path of field keys (`momentum/base`). */
  spans: Record<string, Span>;
}

/** Collect positional and named arguments, then overrides, into one map of settings. */
export function collectSettings(
  block: Block,
  args: Args | null,
  overrides: readonly Override[],
  ctx: ResolveContext,
  what: string,
  siblings?: Family,
): Map<string, Setting> | null {
  const spec = block.call;
  const settings = new Map<string, Setting>();
  const positional = Object.entries(spec.params)
    .filter(([, p]) => p.position !== undefined)
    .sort((a, b) => a[1].position! - b[1].position!)
    .map(([n]) => n);
  let ok = true;
  let index = 0;
  const set = (name: string, nameSpan: Span, expr: Expr, isOverride: boolean): void => {
    if (!(name in spec.params)) {
      ok = false;
      reportUnknown(name, nameSpan, block, ctx, what, siblings);
      return;
    }
    if (!isOverride && settings.has(name)) {
      ok = false;
      ctx.report(diag.E012.argumentTwice({ what, name }), nameSpan);
      return;
    }
    settings.set(name, { expr, nameSpan });
  };
  for (const a of args?.items ?? []) {
    if (a.name) {
      set(a.name.text, a.name.span, a.value, false);
    } else {
      const name = positional[index++];
      if (name === undefined) {
        ok = false;
        ctx.report(
          diag.E020.tooManyPositional({
            what,
            allowed:
              positional.length === 0 ? "no positional arguments" : `at most ${positional.length} positional argument${positional.length > 1 ? "s" : ""}`,
            examples: Object.keys(spec.params)
              .slice(0, 3)
              .map((n) => `${n} = ...`)
              .join(", "),
          }),
          a.span,
        );
        continue;
      }
      set(name, a.span, a.value, false);
    }
  }
  for (const o of overrides) {
    const head = o.path[0]!;
    if (o.path.length > 1) {
      ok = false;
      ctx.report(diag.E011.noFieldsIn({ what, name: head.text, path: o.path.map((p) => p.text).join(".") }), o.path[1]!.span);
      continue;
    }
    set(head.text, head.span, o.expr, true);
  }
  return ok ? settings : null;
}

function reportUnknown(name: string, span: Span, spec: Block, ctx: ResolveContext, what: string, siblings?: Family): void {
  const known = Object.keys(spec.call.params);
  const takers = siblings
    ? Object.values(siblings)
        .filter((s) => s !== spec && name in s.call.params)
        .map((s) => s.name)
    : [];
  if (takers.length > 0) {
    ctx.report(diag.E023.notTaken({ what, name, takers: takers.join(", "), builtin: spec.name, known: known.join(", ") }), span);
    return;
  }
  const hint = known.length === 0 ? `${spec.name} takes no parameters: write ${spec.name}()` : didYouMean(name, known) || `it takes ${known.join(", ")}`;
  ctx.report(diag.E011.noParameter({ what, name }), span, hint);
}

/** Check every setting against its field and fill in defaults. */
export function interpretSettings<B extends Block>(
  spec: B,
  settings: Map<string, Setting>,
  ctx: ResolveContext,
  what: string,
  anchor: Span,
): Interpreted<LangValues<B["fields"]>> | null {
  const spans: Record<string, Span> = {};
  let ok = true;
  const values = fieldValues(spec.fields, (field, path, name) => {
    const s = name === null ? undefined : settings.get(name);
    if (!s) {
      if (field.default === undefined) {
        ok = false;
        ctx.report(diag.E022.needsParameter({ what, name: name ?? path.join("."), doc: field.doc }), anchor);
      }
      return structuredClone(field.default);
    }
    const v = interpretValue(s.expr, field.type, ctx, `${spec.name}.${name}`);
    if (v === INVALID) ok = false;
    else spans[path.join("/")] = s.expr.span;
    return v;
  });
  return ok ? { values, spans } : null;
}

export function interpretCall<B extends Block>(
  spec: B,
  args: Args | null,
  overrides: readonly Override[],
  ctx: ResolveContext,
  anchor: Span,
  siblings?: Family,
): Interpreted<LangValues<B["fields"]>> | null {
  const what = spec.name;
  const settings = collectSettings(spec, args, overrides, ctx, what, siblings);
  if (!settings) return null;
  return interpretSettings(spec, settings, ctx, what, anchor);
}

/** Find a builtin by name, reporting an unknown one with a "did you mean". */
export function lookupSpec<B extends Block>(table: Family<B>, name: NameNode, ctx: ResolveContext, what: string, extraNames: readonly string[] = []): B | null {
  const spec = byName(table, name.text);
  if (spec) return spec;
  const names = [...Object.keys(table), ...extraNames];
  ctx.report(diag.E010.unknownName({ what, name: name.text }), name.span, didYouMean(name.text, names) || `known: ${names.join(", ")}`);
  return null;
}
