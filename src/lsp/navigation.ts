// Names that refer to declarations, read from the syntax tree: a recipe after `from`, an
// augmentation preset after `augment =` (or in a sweep's list of them, or as the base of
// a derived preset), a dataset preset called in a `data` block, a declaration or module
// named by `use std...`, a file named by `use "..."`. Each is resolved the way the
// compiler resolves it (Program.lookup: own declarations, imports, then the stdlib), so
// go-to-definition and find-references agree with what compiles. Also the outline, whose
// top level (the declarations) is what workspace symbols lists of every file.
// Data sources too: a name of a pipeline's or recipe's `data` block, used in `inflate`,
// `evaluate { source = ... }`, dotted keys (`data.real.size`, `inflate.real`) and sweep
// axes. A body is merged along its `from` chain, so a source belongs to the deepest
// declaration of the chain that declares it (its owner): a derived pipeline's `real = ...`
// is an override of the recipe's `real` and is found, and renamed, with it.

import { dirname, join, resolve } from "node:path";
import { SymbolKind, type DocumentSymbol } from "vscode-languageserver";
import { SOURCE_FORMATS } from "../ir/builtins.js";
import type { Span } from "../ir/types.js";
import { type DeclRef, type LoadedFile, localDecls, type Program } from "../resolve/program.js";
import type { CallExpr, Decl, DeclKind, Expr, NameNode, SourceFile, Statement } from "../syntax/ast.js";
import { type EditorPositions, positionsOf } from "./positions.js";

export type Ref =
  | { kind: DeclKind; name: string; span: Span }
  /** `use std.augment.symmetric`: the declaration `name` of module `module`. */
  | { kind: "stdDecl"; module: string; name: string; span: Span }
  /** `use std.augment` (the module) or `use "./common.adainf"` (the file). */
  | { kind: "file"; path: string; span: Span };

/** A data source: `name` of the `data` of `owner` (the deepest of a `from` chain that declares it), declared at `span` of owner's file. */
export interface SourceTarget {
  kind: "source";
  owner: DeclRef;
  name: string;
  span: Span;
  /** The declaration that wins the merge where the reference is (its own or the nearest recipe's): where go-to-definition goes. */
  nearest: { file: LoadedFile; span: Span };
}

/** The target of a reference: a declaration, a data source, or a whole file. */
export type Target = { kind: "decl"; ref: DeclRef } | SourceTarget | { kind: "file"; file: LoadedFile };

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

// ---------------------------------------------------------------- data sources

/** A data source's name written in a body: `declares` in `data` (a declaration or an override), else a use. */
interface SourceName {
  node: NameNode;
  declares: boolean;
}

/** Names of data sources written in `stmts` (a pipeline's or recipe's body, a sweep alternative's fragment), in order. */
function sourceNames(stmts: readonly Statement[], out: SourceName[] = []): SourceName[] {
  const values = (e: Expr | null): void => {
    if (e?.kind === "call" && !e.args && e.callee.parts.length === 1) out.push({ node: e.callee.parts[0]!, declares: false });
    if (e?.kind === "list" || e?.kind === "tuple") e.items.forEach(values);
  };
  for (const s of stmts) {
    const [head, second] = s.key.parts;
    const inner = s.block?.statements ?? [];
    if (head!.text === "data") {
      if (second) out.push({ node: second, declares: true });
      else for (const d of inner) out.push({ node: d.key.parts[0]!, declares: true });
    } else if (head!.text === "inflate") {
      if (second) out.push({ node: second, declares: false });
      else for (const d of inner) out.push({ node: d.key.parts[0]!, declares: false });
    } else if (head!.text === "evaluate") {
      if (second?.text === "source" && s.key.parts.length === 2) values(s.value);
      else if (!second) for (const d of inner) if (d.key.text === "source") values(d.value);
    } else if (head!.text === "sweep" && !second) {
      for (const axis of inner) {
        if (axis.key.text === "axis") for (const v of axis.block?.statements ?? []) sourceNames(v.block?.statements ?? [], out);
        else sourceNames([axis], out);
      }
    }
  }
  return out;
}

/** Whether two references name the same declaration (by file, kind and name: the same in every Program). */
const sameDecl = (a: DeclRef, b: DeclRef): boolean => a.file.abs === b.file.abs && a.decl.declKind === b.decl.declKind && a.decl.name.text === b.decl.name.text;

const hasBody = (d: Decl): boolean => (d.declKind === "pipeline" || d.declKind === "recipe") && d.body !== null;

/** `ref` and the recipes it derives from (`from`), nearest first, as the compiler resolves them (a cycle ends it). */
export function chainOf(program: Program, ref: DeclRef): DeclRef[] {
  const out = [ref];
  for (let r = ref; r.decl.base; ) {
    const next = program.lookup(r.file, "recipe", r.decl.base.text);
    if (!next || out.some((x) => sameDecl(x, next))) break;
    out.push(next);
    r = next;
  }
  return out;
}

/** The first declaration of source `name` in `ref`'s body, if it declares it. */
function declarationIn(ref: DeclRef, name: string): NameNode | undefined {
  return sourceNames(ref.decl.body?.statements ?? []).find((n) => n.declares && n.node.text === name)?.node;
}

/** What the source `name` written in the body of `ref` is: its owner along the `from` chain (`chain`), and the declaration nearest to it. */
function resolveSource(program: Program, ref: DeclRef, name: string, chain = chainOf(program, ref)): SourceTarget | null {
  const declaring = chain.flatMap((r) => {
    const node = declarationIn(r, name);
    return node ? [{ owner: r, span: node.span }] : [];
  });
  const first = declaring[0];
  const last = declaring[declaring.length - 1];
  return first && last ? { kind: "source", owner: last.owner, name, span: last.span, nearest: { file: first.owner.file, span: first.span } } : null;
}

/** Every source name of `ref`'s `from` chain: what a pipeline (or recipe) built on it could name. */
export function sourcesSeenBy(program: Program, ref: DeclRef): Map<string, SourceTarget> {
  const out = new Map<string, SourceTarget>();
  // The chain once, not once per name (a file of many declarations calls this for each).
  const chain = chainOf(program, ref);
  for (const r of chain)
    for (const n of sourceNames(r.decl.body?.statements ?? []))
      if (n.declares && !out.has(n.node.text)) out.set(n.node.text, resolveSource(program, ref, n.node.text, chain)!);
  return out;
}

/** The pipelines and recipes of `file` built on `owner` (itself included): where its sources are seen. */
export function declsSeeing(program: Program, file: LoadedFile, owner: DeclRef): DeclRef[] {
  return localDecls(file)
    .filter(hasBody)
    .map((decl) => ({ decl, file }))
    .filter((r) => chainOf(program, r).some((x) => sameDecl(x, owner)));
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
  for (const decl of localDecls(file).filter(hasBody)) {
    if (!within(decl.span)) continue;
    const n = sourceNames(decl.body!.statements).find((x) => within(x.node.span));
    const t = n && resolveSource(program, { decl, file }, n.node.text);
    return t ? { target: t, span: n!.node.span } : null;
  }
  return null;
}

function sameTarget(a: Target, b: Target): boolean {
  if (a.kind === "source" || b.kind === "source") return a.kind === "source" && b.kind === "source" && sameDecl(a.owner, b.owner) && a.name === b.name;
  if (a.kind === "file" || b.kind === "file") return a.kind === b.kind && a.kind === "file" && b.kind === "file" && a.file.abs === b.file.abs;
  return a.ref.file.abs === b.ref.file.abs && a.ref.decl.name.text === b.ref.decl.name.text && a.ref.decl.declKind === b.ref.decl.declKind;
}

/** Where the references to `target` are in `file` (declarations not included). */
export function referencesIn(program: Program, file: LoadedFile, target: Target): Span[] {
  const out: Span[] = [];
  if (target.kind === "source") {
    for (const r of declsSeeing(program, file, target.owner))
      for (const n of sourceNames(r.decl.body!.statements))
        if (n.node.text === target.name && !(file.abs === target.owner.file.abs && n.node.span.start === target.span.start)) out.push(n.node.span);
    return out;
  }
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

function statementSymbol(s: Statement, positions: EditorPositions, bom: number): DocumentSymbol {
  const name = s.label ? `${s.key.text} ${s.label.text}` : s.key.text;
  const children = s.block ? s.block.statements.map((x) => statementSymbol(x, positions, bom)) : undefined;
  const symbol: DocumentSymbol = {
    name,
    kind: s.block ? SymbolKind.Namespace : s.args ? SymbolKind.Method : SymbolKind.Field,
    range: positions.rangeOf(s.span, bom),
    selectionRange: positions.rangeOf(s.key.span, bom),
  };
  if (children?.length) symbol.children = children;
  return symbol;
}

/** Declarations with their blocks and settings, for the editor's outline; `bom`: the document's characters before the compiler's first (positions.ts). */
export function documentSymbols(ast: SourceFile, bom = 0): DocumentSymbol[] {
  const positions = positionsOf(ast);
  return ast.items
    .filter((i): i is Decl => i.kind === "decl")
    .map((d) => {
      const symbol: DocumentSymbol = {
        name: d.name.text,
        detail: d.base ? `${d.declKind} from ${d.base.text}` : d.declKind,
        kind: DECL_SYMBOL[d.declKind],
        range: positions.rangeOf(d.span, bom),
        selectionRange: positions.rangeOf(d.name.span, bom),
      };
      const children = d.body?.statements.map((s) => statementSymbol(s, positions, bom));
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
