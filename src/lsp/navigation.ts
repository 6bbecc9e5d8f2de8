import { dirname, join, resolve } from "node:path";
import { SymbolKind, type DocumentSymbol } from "vscode-languageserver";
import { SOURCE_FORMATS } from "../ir/builtins.js";
import type { Span } from "../ir/types.js";
import { type DeclRef, type LoadedFile, localDecls, type Program } from "../resolve/program.js";
import type { CallExpr, Decl, DeclKind, Expr, SourceFile, Statement } from "../syntax/ast.js";
import { rangeOf } from "./positions.js";

// Names that refer to declarations, read from the syntax tree: a recipe after `from`, an
// augmentation preset after `augment =` (or in a sweep's list of them, or as the base of
// a derived preset), a dataset preset called in a `data` block, a declaration or module
// named by `use std...`, a file named by `use "..."`. Each is resolved the way the
// compiler resolves it (Program.lookup: own declarations, imports, then the stdlib), so
// go-to-definition and find-references agree with what compiles. Also the outline, whose
// top level (the declarations) is what workspace symbols lists of every file.

export type Ref =
  | { kind: DeclKind; name: string; span: Span }
  /** `use std.augment.symmetric`: the declaration `name` of module `module`. */
  | { kind: "stdDecl"; module: string; name: string; span: Span }
  /** `use std.augment` (the module) or `use "./common.adainf"` (the file). */
  | { kind: "file"; path: string; span: Span };

/** The target of a reference: a declaration, or a whole file. */
export type Target = { kind: "decl"; ref: DeclRef } | { kind: "file"; file: LoadedFile };

function calleeName(e: Expr): CallExpr | null {
  return e.kind === "call" ? e : null;
}

/** Every reference to a declaration or file written in `file`. */
function refsIn(ast: SourceFile, stdlibDir: string): Ref[] {
  const out: Ref[] = [];
  const augmentValue = (e: Expr | null): void => {
    if (!e) return;
    const c = calleeName(e);
    if (c && !c.args) out.push({ kind: "augment", name: c.callee.text, span: c.callee.span });
    if (e.kind === "list" || e.kind === "tuple") e.items.forEach(augmentValue);
  };
  const body = (stmts: readonly Statement[]): void => {
    for (const s of stmts) {
      const key = s.key.parts[0]!.text;
      if (key === "augment" && s.key.parts.length === 1) augmentValue(s.value);
      else if (key === "data" && s.block) {
        for (const d of s.block.statements) {
          const c = d.value && calleeName(d.value);
          if (c && c.callee.parts.length === 1 && !(c.callee.text in SOURCE_FORMATS)) out.push({ kind: "dataset", name: c.callee.text, span: c.callee.span });
        }
      } else if (key === "sweep" && s.block) {
        body(s.block.statements);
        for (const axis of s.block.statements)
          if (axis.key.text === "axis" && axis.block) for (const v of axis.block.statements) body(v.block?.statements ?? []);
      }
    }
  };
  for (const item of ast.items) {
    if (item.kind === "use") {
      if (item.file) out.push({ kind: "file", path: item.file.value, span: item.file.span });
      const parts = item.path?.parts ?? [];
      if (parts[0]?.text === "std" && parts[1]) {
        if (parts.length === 2) out.push({ kind: "file", path: join(stdlibDir, `${parts[1].text}.adainf`), span: item.path!.span });
        if (parts.length === 3) out.push({ kind: "stdDecl", module: parts[1].text, name: parts[2]!.text, span: parts[2]!.span });
      }
      continue;
    }
    if (item.base) out.push({ kind: "recipe", name: item.base.text, span: item.base.span });
    if (item.declKind === "augment") augmentValue(item.value);
    if ((item.declKind === "pipeline" || item.declKind === "recipe") && item.body) body(item.body.statements);
  }
  return out;
}

/** What a reference written in `file` resolves to, as the compiler resolves it. */
function resolveRef(program: Program, file: LoadedFile, ref: Ref): Target | null {
  if (ref.kind === "file") {
    const abs = resolve(dirname(file.abs), ref.path);
    const f = program.files.get(abs) ?? program.load(abs, null);
    return f ? { kind: "file", file: f } : null;
  }
  if (ref.kind === "stdDecl") {
    const f = program.files.get(join(program.stdlibDir, `${ref.module}.adainf`));
    const decl = f ? localDecls(f).find((d) => d.name.text === ref.name) : undefined;
    return f && decl ? { kind: "decl", ref: { decl, file: f } } : null;
  }
  const r = program.lookup(file, ref.kind, ref.name);
  return r ? { kind: "decl", ref: r } : null;
}

/** The declaration whose name is at `offset`, or the target of the reference there. */
export function targetAt(program: Program, file: LoadedFile, offset: number): { target: Target; span: Span } | null {
  const within = (s: Span) => s.start <= offset && offset <= s.end;
  for (const d of localDecls(file)) if (within(d.name.span)) return { target: { kind: "decl", ref: { decl: d, file } }, span: d.name.span };
  for (const ref of refsIn(file.ast, program.stdlibDir)) {
    if (!within(ref.span)) continue;
    const t = resolveRef(program, file, ref);
    return t ? { target: t, span: ref.span } : null;
  }
  return null;
}

function sameTarget(a: Target, b: Target): boolean {
  if (a.kind === "file" || b.kind === "file") return a.kind === b.kind && a.kind === "file" && b.kind === "file" && a.file.abs === b.file.abs;
  return a.ref.file.abs === b.ref.file.abs && a.ref.decl.name.text === b.ref.decl.name.text && a.ref.decl.declKind === b.ref.decl.declKind;
}

/** Where the references to `target` are in `file` (declarations not included). */
export function referencesIn(program: Program, file: LoadedFile, target: Target): Span[] {
  const out: Span[] = [];
  for (const ref of refsIn(file.ast, program.stdlibDir)) {
    if (target.kind === "decl" && ref.kind !== "stdDecl" && ref.kind !== target.ref.decl.declKind) continue;
    const t = resolveRef(program, file, ref);
    if (t && sameTarget(t, target)) out.push(ref.span);
  }
  return out;
}

/** Every reference to `target` in `files` (each loaded into `program` when it is not yet), in their order. */
export function referencesAcross(program: Program, files: Iterable<string>, target: Target): { file: LoadedFile; span: Span }[] {
  const out: { file: LoadedFile; span: Span }[] = [];
  for (const abs of files) {
    const f = program.files.get(abs) ?? program.load(abs, null);
    if (f) for (const span of referencesIn(program, f, target)) out.push({ file: f, span });
  }
  return out;
}

// ---------------------------------------------------------------- outline

const DECL_SYMBOL: Record<DeclKind, SymbolKind> = {
  pipeline: SymbolKind.Class,
  recipe: SymbolKind.Interface,
  augment: SymbolKind.Function,
  dataset: SymbolKind.Struct,
};

function statementSymbol(s: Statement, bom: number): DocumentSymbol {
  const name = s.label ? `${s.key.text} ${s.label.text}` : s.key.text;
  const children = s.block ? s.block.statements.map((x) => statementSymbol(x, bom)) : undefined;
  const symbol: DocumentSymbol = {
    name,
    kind: s.block ? SymbolKind.Namespace : s.args ? SymbolKind.Method : SymbolKind.Field,
    range: rangeOf(s.span, bom),
    selectionRange: rangeOf(s.key.span, bom),
  };
  if (children?.length) symbol.children = children;
  return symbol;
}

/** Declarations with their blocks and settings, for the editor's outline; `bom`: the document's characters before the compiler's first (positions.ts). */
export function documentSymbols(ast: SourceFile, bom = 0): DocumentSymbol[] {
  return ast.items
    .filter((i): i is Decl => i.kind === "decl")
    .map((d) => {
      const symbol: DocumentSymbol = {
        name: d.name.text,
        detail: d.base ? `${d.declKind} from ${d.base.text}` : d.declKind,
        kind: DECL_SYMBOL[d.declKind],
        range: rangeOf(d.span, bom),
        selectionRange: rangeOf(d.name.span, bom),
      };
      const children = d.body?.statements.map((s) => statementSymbol(s, bom));
      if (children?.length) symbol.children = children;
      return symbol;
    });
}

/** Whether `name` has the characters of `query` in order, in any case (`symada` matches `symmetric_adainf`). */
function matchesQuery(name: string, query: string): boolean {
  const n = name.toLowerCase();
  let at = 0;
  for (const ch of query.toLowerCase()) {
    at = n.indexOf(ch, at) + 1;
    if (at === 0) return false;
  }
  return true;
}

/**
 * The declarations of `files` (their outline's top level) whose names match `query`; all
 * of them for an empty query. `bomOf`: a file's characters before the compiler's first.
 */
export function workspaceSymbols(
  files: Iterable<LoadedFile>,
  query: string,
  bomOf: (file: LoadedFile) => number,
): { file: LoadedFile; symbol: DocumentSymbol }[] {
  const out: { file: LoadedFile; symbol: DocumentSymbol }[] = [];
  for (const file of files) for (const symbol of documentSymbols(file.ast, bomOf(file))) if (matchesQuery(symbol.name, query)) out.push({ file, symbol });
  return out;
}
