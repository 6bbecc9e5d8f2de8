// Rename of a recipe, augmentation preset or dataset preset declared in a project file,
// or of a data source of a pipeline or recipe: its declaration and every use
// find-references finds (navigation.ts, over the files Workspace.searchFiles lists), each
// resolved as the compiler resolves it (a source: along the `from` chain, so a derived
// pipeline's override is renamed with the recipe's source). Refused, with the reason: a
// builtin or a word of the language, a standard library declaration, a pipeline or a
// file; a new name the lexer does not read as one plain name; a new name that another
// declaration of the kind already has where the renamed one is seen (for a source:
// another source of a pipeline or recipe that sees it).
import { chevrotain } from "../../grammar/chevrotain.js";
import { adainfLexer, Ident, Name } from "../../grammar/tokens.js";
import * as B from "../ir/builtins.js";
import type { Span } from "../ir/types.js";
import type { DeclRef, LoadedFile, Program } from "../resolve/program.js";
import { where } from "./hover.js";
import { calledBlock, keyPath, scopeOf, slotOf } from "./language.js";
import { declsSeeing, referencesAcross, type SourceTarget, sourcesSeenBy, targetAt } from "./navigation.js";
import { cursorAt, equalsAt, names } from "./scan.js";

export interface Refusal {
  refused: string;
}

/** The part of a reference that names the declaration: `weak` in `common.weak` (an aliased import). */
function namePart(span: Span, name: string): Span {
  return { ...span, line: span.endLine, column: span.endColumn - name.length, start: span.end - name.length };
}

/** The builtin the word at `offset` calls or names (`lars` in `optimizer = lars(...)`, `knn`, `npz`), read as hover reads it. */
function builtinAt(text: string, offset: number): string | null {
  const c = cursorAt(text, offset);
  if (!c.word) return null;
  const scope = scopeOf(c.frames);
  const w = c.word.image;
  const eq = equalsAt(c.stmt);
  const slot = slotOf(scope, eq < 0 ? [...names(c.stmt), w] : keyPath(c.stmt));
  if (eq < 0 && (slot?.kind === "op" || slot?.kind === "evaluator")) return slot.block.name;
  const b = calledBlock(scope, eq < 0 ? null : slot, w);
  return b && b !== B.DATASET_CALL ? b.name : null;
}

const ONLY = "only recipes, augmentation presets, dataset presets and data sources declared in your files can be renamed";

/** What a rename renames: a declaration, or a data source. */
export type Renamed = { kind: "decl"; ref: DeclRef } | SourceTarget;

/** The name a rename changes. */
export const renamedName = (r: Renamed): string => (r.kind === "decl" ? r.ref.decl.name.text : r.name);

/** What a rename at `offset` of `file` (whose text is `text`) renames, and the name written there; or why it cannot. */
export function renameTarget(program: Program, file: LoadedFile, text: string, offset: number): { target: Renamed; span: Span } | Refusal {
  const t = targetAt(program, file, offset);
  if (t?.target.kind === "file") return { refused: `this names the file ${where(t.target.file, program)}: files are not renamed (${ONLY})` };
  if (t?.target.kind === "decl") {
    const { ref } = t.target;
    const d = ref.decl;
    if (ref.file.isStd)
      return { refused: `${d.declKind} '${d.name.text}' is the standard library's (${where(ref.file, program)}): its names cannot be renamed` };
    if (d.declKind === "pipeline") return { refused: `'${d.name.text}' is a pipeline: ${ONLY}` };
    return { target: t.target, span: namePart(t.span, d.name.text) };
  }
  if (t?.target.kind === "source") {
    const { owner, name } = t.target;
    if (owner.file.isStd)
      return {
        refused: `data source '${name}' is declared by the standard library's ${owner.decl.declKind} '${owner.decl.name.text}' (${where(owner.file, program)}): it cannot be renamed`,
      };
    return { target: t.target, span: t.span };
  }
  const word = cursorAt(text, offset).word?.image;
  if (word === undefined) return { refused: `nothing to rename here: ${ONLY}` };
  const builtin = builtinAt(text, offset);
  if (builtin) return { refused: `'${word}' is a builtin of the language (${builtin}): builtins cannot be renamed` };
  return { refused: `'${word}' is not a declaration visible from this file: ${ONLY}` };
}

/** Why `name` cannot name a declaration (the lexer must read it as one identifier, not a keyword); null when it can. */
function nameProblem(name: string): string | null {
  const { tokens, errors } = adainfLexer.tokenize(name);
  const t = tokens.length === 1 && errors.length === 0 && tokens[0]!.image === name ? tokens[0]! : null;
  if (t && t.tokenType === Ident) return null;
  if (t && chevrotain.tokenMatcher(t, Name)) return `'${name}' is a keyword of the language`;
  return `'${name}' is not a name (a name matches ${Ident.PATTERN})`;
}

/**
 * The edits that rename the declaration `ref` to `newName`: its name and every use in
 * `files`, each a span to replace with `newName`; or why the rename is refused. A file
 * that sees the declaration (it declares it, uses it, or sees it through an import) must
 * see no other declaration of its kind under the new name: the rename would change what
 * a name there means.
 */
export function renameEdits(
  program: Program,
  files: readonly string[],
  target: Renamed,
  newName: string,
): { edits: { file: LoadedFile; span: Span }[] } | Refusal {
  const problem = nameProblem(newName);
  if (problem) return { refused: problem };
  if (target.kind === "source") return renameSource(program, files, target, newName);
  const { ref } = target;
  const { declKind: kind, name } = ref.decl;
  const old = name.text;
  if (kind === "dataset" && newName in B.SOURCE_FORMATS)
    return { refused: `'${newName}' is a builtin data source: a dataset preset of that name could not be called` };
  const uses = referencesAcross(program, files, { kind: "decl", ref });
  // Each file that sees the declaration, with the names it is written by there (`weak`, `common.weak`).
  const seen = new Map<LoadedFile, Set<string>>([[ref.file, new Set([old])]]);
  const see = (f: LoadedFile, written: string): void => {
    const s = seen.get(f) ?? new Set<string>();
    seen.set(f, s.add(written));
  };
  for (const u of uses) see(u.file, u.file.ast.text.slice(u.span.start, u.span.end).replace(/\s+/g, ""));
  for (const abs of files) {
    const f = program.files.get(abs);
    if (f && program.lookup(f, kind, old)?.decl === ref.decl) see(f, old);
  }
  for (const [f, written] of seen) {
    for (const w of written) {
      const renamed = w.slice(0, w.length - old.length) + newName;
      const other = program.lookup(f, kind, renamed);
      if (other && other.decl !== ref.decl)
        return {
          refused: `${kind} '${renamed}' already exists (${where(other.file, program)}:${other.decl.name.span.line}) and ${f.display} sees both: renaming '${old}' to '${newName}' would change what '${renamed}' means there`,
        };
    }
  }
  return { edits: [{ file: ref.file, span: name.span }, ...uses.map((u) => ({ file: u.file, span: namePart(u.span, old) }))] };
}

/**
 * The edits that rename the data source `source` to `newName`: its declaration and every
 * name of it (uses, overrides in derived pipelines) in `files`. Every pipeline or recipe
 * that sees it (its owner and what derives from it) must have no other source of the new
 * name along its `from` chain: the two would become one.
 */
function renameSource(
  program: Program,
  files: readonly string[],
  source: SourceTarget,
  newName: string,
): { edits: { file: LoadedFile; span: Span }[] } | Refusal {
  for (const abs of files) {
    const f = program.files.get(abs) ?? program.load(abs, null);
    for (const r of f ? declsSeeing(program, f, source.owner) : []) {
      const other = sourcesSeenBy(program, r).get(newName);
      if (other && newName !== source.name)
        return {
          refused: `data source '${newName}' already exists (${where(other.owner.file, program)}:${other.span.line}) and ${r.decl.declKind} '${r.decl.name.text}' sees both: renaming '${source.name}' to '${newName}' would make them one source`,
        };
    }
  }
  const uses = referencesAcross(program, files, source);
  return { edits: [{ file: source.owner.file, span: source.span }, ...uses] };
}
