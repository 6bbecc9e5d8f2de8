import type { Diagnostic } from "../check/diagnostic.js";
import type { CallExpr } from "../syntax/ast.js";
import { resolveAugment } from "./augment.js";
import { collectSettings, interpretSettings } from "./calls.js";
import { ResolveContext } from "./context.js";
import { localDecls, type LoadedFile, type Program } from "./program.js";
import { DATASET_FIELDS } from "../ir/builtins.js";
import { diag } from "../check/registry.js";

// Presets declared in a file are checked on their own, so a mistake in a preset
// module (stdlib/ or a project's own) is reported even before a pipeline uses it.

export function resolveAugmentDecls(file: LoadedFile, program: Program): Diagnostic[] {
  const ctx = new ResolveContext();
  for (const d of localDecls(file)) {
    if (d.declKind !== "augment") continue;
    const expr: CallExpr = {
      kind: "call",
      callee: { parts: [d.name], text: d.name.text, span: d.name.span },
      args: null,
      unit: null,
      with: null,
      span: d.name.span,
    };
    const stmt = {
      key: { parts: [d.name], text: "augment", span: d.name.span },
      value: expr,
      args: null,
      label: null,
      labelQuoted: false,
      count: null,
      block: null,
      span: d.span,
    };
    resolveAugment({ kind: "stmt", key: d.name, stmt, overrides: [], file }, program, ctx, { cropSize: 32, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] });
  }
  return ctx.diagnostics;
}

export function resolveDatasetDecls(file: LoadedFile, _program: Program): Diagnostic[] {
  const ctx = new ResolveContext();
  for (const d of localDecls(file)) {
    if (d.declKind !== "dataset") continue;
    if (!d.body) {
      ctx.report(diag.E020.datasetNeedsBody({ name: d.name.text }), d.span);
      continue;
    }
    const args = {
      items: d.body.statements.filter((s) => s.value).map((s) => ({ name: s.key.parts[0]!, value: s.value!, span: s.span })),
      span: d.body.span,
    };
    for (const s of d.body.statements) if (!s.value) ctx.report(diag.E020.writeValue({ key: s.key.text }), s.span);
    const settings = collectSettings(DATASET_FIELDS, args, [], ctx, `dataset '${d.name.text}'`);
    if (settings) interpretSettings(DATASET_FIELDS, settings, ctx, `dataset '${d.name.text}'`, d.name.span);
  }
  return ctx.diagnostics;
}
