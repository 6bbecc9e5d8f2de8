// Checks one written value against its parameter type and converts it to its IR
// form. On a mismatch it reports (E020 type, E021 range, E024 unit) and returns
// INVALID so the caller can go on and report further problems in the same run.
import type { Expr } from "../syntax/ast.js";
import { didYouMean } from "../check/suggest.js";
import type { ResolveContext } from "./context.js";
import type { Duration, ParamType } from "../ir/define.js";
import { diag } from "../check/registry.js";

export const INVALID = Symbol("invalid");
export type Invalid = typeof INVALID;

export function describeType(t: ParamType): string {
  switch (t.kind) {
    case "number":
      if (t.min === 0 && t.max === 1) return "a probability (a number in [0, 1])";
      return "a number";
    case "int":
      return t.min === 1 ? "a positive whole number" : "a whole number";
    case "bool":
      return "true or false";
    case "string":
      return "a string";
    case "enum":
      return `one of ${t.values.join(", ")}`;
    case "range":
      return "a range such as 0.08..1.0";
    case "duration":
      return "a number of steps or epochs (e.g. `200 steps`, `10 epochs`)";
    case "numbers":
      return t.length ? `${t.length} numbers in parentheses` : "numbers in parentheses, e.g. (0.5, 0.5, 0.5)";
  }
}

function describeExpr(e: Expr): string {
  switch (e.kind) {
    case "number":
      return `the number ${e.raw}`;
    case "range":
      return `the range ${e.lo.raw}..${e.hi.raw}`;
    case "string":
      return `the string ${e.raw}`;
    case "call":
      return e.args ? `a call to '${e.callee.text}'` : `the name '${e.callee.text}'`;
    case "tuple":
    case "list":
      return "a list";
  }
}

function bounds(t: { min?: number; max?: number; minExclusive?: boolean; maxExclusive?: boolean }): string {
  const lo = t.min === undefined ? "" : `${t.minExclusive ? ">" : ">="} ${t.min}`;
  const hi = t.max === undefined ? "" : `${t.maxExclusive ? "<" : "<="} ${t.max}`;
  if (t.min !== undefined && t.max !== undefined && !t.minExclusive && !t.maxExclusive) return `in [${t.min}, ${t.max}]`;
  return [lo, hi].filter(Boolean).join(" and ");
}

function inBounds(v: number, t: { min?: number; max?: number; minExclusive?: boolean; maxExclusive?: boolean }): boolean {
  if (t.min !== undefined && (t.minExclusive ? v <= t.min : v < t.min)) return false;
  if (t.max !== undefined && (t.maxExclusive ? v >= t.max : v > t.max)) return false;
  return true;
}

function noExtras(e: Expr, ctx: ResolveContext, what: string, allowUnit = false): boolean {
  if (e.with) {
    ctx.report(diag.E020.withNotAllowed({ expr: describeExpr(e), what }), e.with.span);
    return false;
  }
  if (e.unit && !allowUnit) {
    ctx.report(diag.E024.noUnit({ what, unit: e.unit.text }), e.unit.span);
    return false;
  }
  return true;
}

/** A bare name such as `cifar`, `true` or `off`; null when the expression is something else. */
export function bareName(e: Expr): string | null {
  return e.kind === "call" && !e.args && e.callee.parts.length === 1 ? e.callee.text : null;
}

/**
 * Beyond 2^53 a whole-number literal reads as a neighbouring number (seed
 * 9007199254740993 as ...992): refused at its span, never silently changed.
 */
function inexactWhole(e: Expr & { kind: "number" }, ctx: ResolveContext, what: string): boolean {
  if (!Number.isFinite(e.value) || Number.isSafeInteger(e.value)) return false;
  ctx.report(diag.E021.notExactWhole({ what, raw: e.raw }), e.span);
  return true;
}

export function interpretValue(e: Expr, t: ParamType, ctx: ResolveContext, what: string): unknown {
  const mismatch = (): Invalid => {
    ctx.report(diag.E020.typeMismatch({ what, expected: describeType(t), found: describeExpr(e) }), e.span);
    return INVALID;
  };
  switch (t.kind) {
    case "number":
    case "int": {
      if (e.kind !== "number" || !noExtras(e, ctx, what)) return e.kind === "number" ? INVALID : mismatch();
      if (t.kind === "int" && !Number.isInteger(e.value)) {
        ctx.report(diag.E020.notWholeNumber({ what, raw: e.raw }), e.span);
        return INVALID;
      }
      if (t.kind === "int" && inexactWhole(e, ctx, what)) return INVALID;
      if (!Number.isFinite(e.value) || !inBounds(e.value, t)) {
        ctx.report(diag.E021.outOfRange({ what, raw: e.raw, bounds: bounds(t) }), e.span);
        return INVALID;
      }
      return e.value;
    }
    case "bool": {
      const n = bareName(e);
      if (n === "true" || n === "false") return noExtras(e, ctx, what) ? n === "true" : INVALID;
      return mismatch();
    }
    case "string":
      // `--set output.dir=out`: a bare word typed on the command line is a string here.
      if (e.kind === "call" && e.setWord !== undefined) return e.setWord;
      if (e.kind !== "string") return mismatch();
      return noExtras(e, ctx, what) ? e.value : INVALID;
    case "enum": {
      const n = bareName(e) ?? (e.kind === "string" ? e.value : null);
      if (n === null) return mismatch();
      if (!t.values.includes(n)) {
        ctx.report(diag.E021.notAChoice({ what, value: n }), e.span, didYouMean(n, t.values));
        return INVALID;
      }
      return noExtras(e, ctx, what) ? n : INVALID;
    }
    case "range": {
      if (e.kind !== "range") {
        if (e.kind === "number") {
          ctx.report(diag.E020.notARange({ what, raw: e.raw }), e.span);
          return INVALID;
        }
        return mismatch();
      }
      if (!noExtras(e, ctx, what)) return INVALID;
      const { lo, hi } = e;
      if (lo.value > hi.value) {
        ctx.report(diag.E021.emptyRange({ what, lo: lo.raw, hi: hi.raw }), e.span);
        return INVALID;
      }
      if (!inBounds(lo.value, t) || !inBounds(hi.value, t)) {
        ctx.report(diag.E021.rangeOutOfRange({ what, lo: lo.raw, hi: hi.raw, bounds: bounds(t) }), e.span);
        return INVALID;
      }
      return [lo.value, hi.value];
    }
    case "duration": {
      const n = bareName(e);
      if (t.allowNone && (n === "none" || n === "off")) return null;
      if (e.kind !== "number") return mismatch();
      if (!noExtras(e, ctx, what, true)) return INVALID;
      // A fraction (`1.5 epochs`) is the wrong type, as for any whole number: E020. 0 is no
      // interval (the IR has none): `none` says "never" for the settings that allow it.
      if (!Number.isInteger(e.value)) {
        ctx.report(diag.E020.notWholeNumber({ what, raw: e.raw }), e.span);
        return INVALID;
      }
      if (e.value <= 0) {
        ctx.report((t.allowNone ? diag.E021.notPositiveWholeOrNone : diag.E021.notPositiveWhole)({ what, raw: e.raw }), e.span);
        return INVALID;
      }
      if (inexactWhole(e, ctx, what)) return INVALID;
      const u = e.unit?.text ?? "steps";
      const unit = u.startsWith("epoch") ? "epochs" : "steps";
      return { value: e.value, unit } satisfies Duration;
    }
    case "numbers": {
      const items = e.kind === "tuple" || e.kind === "list" ? e.items : e.kind === "number" ? [e] : null;
      if (!items) return mismatch();
      if (!noExtras(e, ctx, what)) return INVALID;
      const out: number[] = [];
      for (const item of items) {
        if (item.kind !== "number") {
          ctx.report(diag.E020.notNumbers({ what, found: describeExpr(item) }), item.span);
          return INVALID;
        }
        if ((t.integer && !Number.isInteger(item.value)) || !inBounds(item.value, t)) {
          ctx.report(diag.E021.itemOutOfRange({ what, raw: item.raw, bounds: `${t.integer ? "a whole number " : ""}${bounds(t)}` }), item.span);
          return INVALID;
        }
        out.push(item.value);
      }
      if (t.length !== undefined && out.length !== t.length) {
        ctx.report(diag.E021.wrongLength({ what, length: t.length, found: out.length }), e.span);
        return INVALID;
      }
      return out;
    }
  }
}
