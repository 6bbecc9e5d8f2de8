// Presets declared in a file are checked on their own, so a mistake in a preset
// module (stdlib/ or a project's own) is reported even before a pipeline uses it; and a
// stdlib preset resolved on its own is the one source of its numbers for the linter.
import type { Diagnostic } from "../check/diagnostic.js";
import { join } from "node:path";
import type { AugmentIR } from "../ir/types.js";
import type { CallExpr, Decl, Statement } from "../syntax/ast.js";
import { resolveAugment, type AugmentDefaults } from "./augment.js";
import { collectSettings, interpretSettings } from "./calls.js";
import { ResolveContext } from "./context.js";
import type { StmtEntry } from "./merge.js";
import { findStdlibDir, localDecls, Program, type LoadedFile } from "./program.js";
import { DATASET_FIELDS } from "../ir/builtins.js";
import { diag } from "../check/registry.js";

/** Images a preset is checked for on its own: CIFAR-sized, neutral statistics. */
const CHECK_DEFAULTS: AugmentDefaults = { cropSize: 32, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] };

export function resolveAugmentDecls(file: LoadedFile, program: Program): Diagnostic[] {
  const ctx = new ResolveContext();
  for (const d of localDecls(file)) {
    if (d.declKind !== "augment") continue;
    resolveAugment(presetUse(d, file), program, ctx, CHECK_DEFAULTS);
  }
  return ctx.diagnostics;
}

/** `augment = <the declared preset>`, as a pipeline would write it. */
function presetUse(d: Decl, file: LoadedFile): StmtEntry {
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
  return { kind: "stmt", key: d.name, stmt, overrides: [], file };
}

/**
 * A preset of the standard library (stdlib/augment.adainf) resolved on its own, as a
 * pipeline that names it gets it (for CIFAR-sized images unless `defaults` says
 * otherwise): what the linter's reference table and the augmentation benchmarks are
 * derived from, so the presets' numbers live in the stdlib only. Null when the stdlib
 * has no such preset; a stdlib that does not resolve is a bug and throws.
 */
export function stdlibAugment(name: string, defaults: AugmentDefaults = CHECK_DEFAULTS): AugmentIR | null {
  const { program, file } = stdlibAugmentFile();
  const decl = file && localDecls(file).find((d) => d.declKind === "augment" && d.name.text === name);
  if (!file || !decl) return null;
  const ctx = new ResolveContext();
  const ir = resolveAugment(presetUse(decl, file), program, ctx, defaults);
  const problems = [...program.diagnostics, ...ctx.diagnostics].filter((d) => d.severity === "error");
  if (!ir || problems.length) throw new Error(`stdlib preset '${name}' does not resolve: ${problems[0]?.message ?? "no views"}`);
  return ir;
}

let stdlibAugmentLoaded: { program: Program; file: LoadedFile | null } | null = null;

/** stdlib/augment.adainf, found and read once for every stdlibAugment call (the linter asks for several presets). */
function stdlibAugmentFile(): { program: Program; file: LoadedFile | null } {
  if (!stdlibAugmentLoaded) {
    const dir = findStdlibDir();
    const program = new Program({ cwd: dir, stdlibDir: dir });
    stdlibAugmentLoaded = { program, file: program.load(join(dir, "augment.adainf"), null) };
  }
  return stdlibAugmentLoaded;
}

export function resolveDatasetDecls(file: LoadedFile, _program: Program): Diagnostic[] {
  const ctx = new ResolveContext();
  for (const d of localDecls(file)) {
    if (d.declKind !== "dataset") continue;
    if (!d.body) {
      ctx.report(diag.E020.datasetNeedsBody({ name: d.name.text }), d.span);
      continue;
    }
    // A dataset's settings are plain values: a dotted key (`train_size.x = 1`) is an error
    // at the dot's field (still read as its first part, so no follow-on "needs" error).
    const dotted = (s: Statement) => s.key.parts.length > 1;
    const args = {
      items: d.body.statements.filter((s) => s.value).map((s) => ({ name: s.key.parts[0]!, value: s.value!, span: s.span })),
      span: d.body.span,
    };
    for (const s of d.body.statements) {
      if (!s.value) ctx.report(diag.E020.writeValue({ key: s.key.text }), s.span);
      else if (dotted(s)) ctx.report(diag.E011.noFields({ name: s.key.parts[0]!.text }), s.key.parts[1]!.span);
    }
    const settings = collectSettings(DATASET_FIELDS, args, [], ctx, `dataset '${d.name.text}'`);
    if (settings) interpretSettings(DATASET_FIELDS, settings, ctx, `dataset '${d.name.text}'`, d.name.span);
  }
  return ctx.diagnostics;
}
