// A pipeline's body is the merge of its recipe chain (`from`), its own statements
// and command-line `--set`s, in that order; later wins. Blocks merge key by key;
// `a.b.c = v` walks into blocks and, past a value, becomes an override of that
// value's fields (`train.optimizer.lr = 0.1`).
import type { NameNode, Statement } from "../syntax/ast.js";
import type { Override } from "./calls.js";
import type { ResolveContext } from "./context.js";
import type { LoadedFile } from "./program.js";
import { diag } from "../check/registry.js";

export interface BlockEntry {
  kind: "block";
  key: NameNode;
  entries: Map<string, Entry>;
}

export interface StmtEntry {
  kind: "stmt";
  key: NameNode;
  stmt: Statement;
  overrides: Override[];
  file: LoadedFile;
}

/** Statements kept as a list, in order, across merges (`lint { allow(...) }`). */
export interface ListEntry {
  kind: "list";
  key: NameNode;
  items: { stmt: Statement; file: LoadedFile }[];
}

export type Entry = BlockEntry | StmtEntry | ListEntry;

/** Keys whose block is taken whole rather than merged key by key. */
const OPAQUE = new Set(["augment"]);
const LISTS = new Set(["lint"]);

export function emptyBlock(key: NameNode): BlockEntry {
  return { kind: "block", key, entries: new Map() };
}

export function mergeStatements(
  target: BlockEntry,
  statements: readonly Statement[],
  file: LoadedFile,
  ctx: ResolveContext,
  opts: { once?: boolean } = {},
): void {
  // Within one block of a source file a key is given once (E012); across the recipe
  // chain, and among --set overrides (`once: false`), later wins. `a.b = 1` beside
  // `a { c = 2 }` are different keys.
  const once = opts.once ?? true;
  const seen = new Map<string, Statement>();
  for (const s of statements) {
    const full = s.label ? `${s.key.text}:${s.label.text}` : s.key.text;
    const first = seen.get(full);
    if (once && first && !LISTS.has(s.key.parts[0]!.text)) {
      const key = full.replace(":", " ");
      ctx.report(
        s.block && first.block ? diag.E012.blockTwice({ key, block: s.key.text }) : diag.E012.settingTwice({ key, line: first.span.line }),
        s.key.span,
      );
      continue;
    }
    seen.set(full, s);
    mergeOne(target, s, s.key.parts, file, ctx, opts);
  }
}

function entryKey(s: Statement, head: NameNode, rest: readonly NameNode[]): string {
  return rest.length === 0 && s.label ? `${head.text}:${s.label.text}` : head.text;
}

function mergeOne(target: BlockEntry, s: Statement, path: readonly NameNode[], file: LoadedFile, ctx: ResolveContext, opts: { once?: boolean } = {}): void {
  const head = path[0]!;
  const rest = path.slice(1);
  const key = entryKey(s, head, rest);
  const existing = target.entries.get(key);

  if (rest.length > 0) {
    if (!existing) {
      const block = emptyBlock(head);
      target.entries.set(key, block);
      mergeOne(block, s, rest, file, ctx, opts);
    } else if (existing.kind === "block") {
      mergeOne(existing, s, rest, file, ctx, opts);
    } else if (existing.kind === "stmt") {
      if (!s.value) {
        ctx.report(diag.E020.needsValueWrite({ key: s.key.text }), s.span);
        return;
      }
      existing.overrides.push({ path: [...rest], expr: s.value, span: s.span });
    } else {
      ctx.report(diag.E020.listOfStatements({ key: s.key.text, head: head.text }), s.span);
    }
    return;
  }

  if (LISTS.has(head.text) && s.block) {
    const list: ListEntry = existing?.kind === "list" ? existing : { kind: "list", key: head, items: [] };
    for (const item of s.block.statements) list.items.push({ stmt: item, file });
    target.entries.set(key, list);
    return;
  }
  if (s.block && !s.args && !s.value && !s.count && !OPAQUE.has(head.text)) {
    const block = existing?.kind === "block" ? existing : emptyBlock(head);
    target.entries.set(key, block);
    mergeStatements(block, s.block.statements, file, ctx, opts);
    return;
  }
  // Map.set on an existing key keeps its place: a recipe's order of sources survives.
  target.entries.set(key, { kind: "stmt", key: head, stmt: s, overrides: [], file });
}
