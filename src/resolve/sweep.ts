// `sweep { ... }` in a pipeline declares a grid. Each axis is either a setting with
// a list of values,
//     seed = [0, 1, 2]
//     augment = [symmetric, symmetric_adainf]
// or named alternatives, each a fragment of pipeline body,
//     axis inflation {
//       none { inflate { real x 1 } }
//       adainf { inflate { real x 10; generated x 1 } }
//     }
// A point of the grid is the pipeline with one value of every axis merged after its
// body (like --set), so every point is checked and linted as a pipeline of its own.
// Values of one axis must make distinct points: a value written twice, two values whose
// run folders would be one (pointDir), and (src/driver.ts) two values that resolve to
// the same settings (`[1, 1.0]`) are errors at the second; `output.dir` is no axis.
import { pointName } from "../check/points.js";
import type { Decl, Expr, Statement } from "../syntax/ast.js";
import type { Span } from "../ir/types.js";
import type { ResolveContext } from "./context.js";
import type { LoadedFile } from "./program.js";
import { diag } from "../check/registry.js";

export const MAX_POINTS = 1000;

export interface SweepAxis {
  name: string;
  /** `span`: where the value is written (a diagnostic about it goes there). */
  values: { name: string; statements: Statement[]; span: Span }[];
}

export interface SweepPoint {
  /** `inflation=none,seed=0` */
  name: string;
  coords: Record<string, string>;
  statements: Statement[];
}

export function sweepOf(decl: Decl): Statement | null {
  return decl.body?.statements.find((s) => s.key.text === "sweep" && s.block) ?? null;
}

export function sweepAxes(sweep: Statement, file: LoadedFile, ctx: ResolveContext): SweepAxis[] {
  const axes: SweepAxis[] = [];
  const text = file.ast.text;
  for (const s of sweep.block!.statements) {
    // Where each value and the axis's name are written: a duplicate is reported at the second.
    let valueSpans: Span[];
    let nameSpan: Span;
    if (s.key.text === "axis" && s.label && s.block) {
      const values = s.block.statements.map((v) => {
        if (!v.block || v.value || v.args || v.key.parts.length !== 1) {
          ctx.report(diag.E020.axisValueForm({ axis: s.label!.text, value: v.key.text }), v.span);
        }
        return { name: v.key.text, statements: v.block?.statements ?? [], span: v.key.span };
      });
      valueSpans = s.block.statements.map((v) => v.key.span);
      nameSpan = s.label.span;
      axes.push({ name: s.label.text, values });
    } else if (s.value && (s.value.kind === "list" || s.value.kind === "tuple") && !s.value.with) {
      const values = s.value.items.map((item: Expr) => ({
        name: text.slice(item.span.start, item.span.end).replace(/^"|"$/g, ""),
        statements: [{ ...s, value: item }],
        span: item.span,
      }));
      valueSpans = s.value.items.map((item: Expr) => item.span);
      nameSpan = s.key.span;
      axes.push({ name: s.key.text, values });
    } else {
      ctx.report(diag.E020.axisForm(), s.span);
      continue;
    }
    const last = axes[axes.length - 1]!;
    if (last.values.length === 0) ctx.report(diag.E022.axisNoValues({ axis: last.name }), s.span);
    const seen = new Set<string>();
    const folders = new Map<string, string>();
    for (const [i, v] of last.values.entries()) {
      const folder = pointDir(pointName({ [last.name]: v.name }));
      const other = folders.get(folder);
      if (seen.has(v.name)) ctx.report(diag.E012.axisValueTwice({ axis: last.name, value: v.name }), valueSpans[i] ?? s.span);
      else if (other !== undefined)
        ctx.report(diag.E012.axisValueSameFolder({ axis: last.name, value: v.name, first: other, folder }), valueSpans[i] ?? s.span);
      seen.add(v.name);
      folders.set(folder, v.name);
    }
    const outputDir = last.values.flatMap((v) => v.statements.filter((st) => statementKeys(st, "").some((k) => k === "output" || k === "output.dir")));
    if (outputDir.length) ctx.report(diag.E020.outputDirAxis({ axis: last.name }), outputDir[0]!.key.span);
    if (axes.filter((a) => a.name === last.name).length > 1) ctx.report(diag.E012.axisTwice({ axis: last.name }), nameSpan);
  }
  return axes;
}

export function sweepPoints(axes: SweepAxis[], ctx: ResolveContext, span: Statement["span"]): SweepPoint[] {
  const total = axes.reduce((n, a) => n * a.values.length, 1);
  if (total > MAX_POINTS) {
    ctx.report(diag.E021.tooManyPoints({ points: total, max: MAX_POINTS }), span);
    return [];
  }
  let points: SweepPoint[] = [{ name: "", coords: {}, statements: [] }];
  for (const axis of axes) {
    points = points.flatMap((p) =>
      axis.values.map((v) => {
        const coords = { ...p.coords, [axis.name]: v.name };
        return { name: pointName(coords), coords, statements: [...p.statements, ...v.statements] };
      }),
    );
  }
  return points;
}

/**
 * The dotted keys a statement sets: `train.steps`, or for a block of settings each of
 * its own (`train { steps = 4 }` gives `train.steps`), after `prefix`.
 */
export function statementKeys(s: Statement, prefix: string): string[] {
  const key = prefix ? `${prefix}.${s.key.text}` : s.key.text;
  return s.block && s.value === null && s.args === null && s.label === null && s.count === null
    ? s.block.statements.flatMap((b) => statementKeys(b, key))
    : [key];
}

/** A point's name made safe as one folder name. */
export function pointDir(name: string): string {
  return name.replace(/[^A-Za-z0-9_.=,+-]/g, "_");
}
