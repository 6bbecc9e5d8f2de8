// Rename of a recipe, augmentation preset or dataset preset declared in a project file:
// its declaration and every use find-references finds (navigation.ts, over the files
// Workspace.searchFiles lists), each resolved as the compiler resolves it. Refused, with
// the reason: a builtin or a word of the language, a standard library declaration, a
// pipeline or a file; a new name the lexer does not read as one plain name; a new name
// that another declaration of the kind already has where the renamed one is seen.

import { chevrotain } from "../../grammar/chevrotain.js";
import { adainfLexer, Ident, Name } from "../../grammar/tokens.js";
import * as B from "../ir/builtins.js";
import type { Span } from "../ir/types.js";
import type { DeclRef, LoadedFile, Program } from "../resolve/program.js";
import { where } from "./hover.js";
import { calledBlock, keyPath, scopeOf, slotOf } from "./language.js";
import { referencesAcross, targetAt } from "./navigation.js";
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

const ONLY = "only recipes, augmentation presets and dataset presets declared in your files can be renamed";

/** What a rename at `offset` of `file` (whose text is `text`) renames, and the name written there; or why it cannot. */
export function renameTarget(program: Program, file: LoadedFile, text: string, offset: number): { ref: DeclRef; span: Span } | Refusal {
  const t = targetAt(program, file, offset);
  if (t?.target.kind === "file") return { refused: `this names the file ${where(t.target.file, program)}: files are not renamed (${ONLY})` };
  if (t?.target.kind === "decl") {
    const { ref } = t.target;
    const d = ref.decl;
    if (ref.file.isStd)
      return { refused: `${d.declKind} '${d.name.text}' is the standard library's (${where(ref.file, program)}): its names cannot be renamed` };
    if (d.declKind === "pipeline") return { refused: `'${d.name.text}' is a pipeline: ${ONLY}` };
    return { ref, span: namePart(t.span, d.name.text) };
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
  ref: DeclRef,
  newName: string,
): { edits: { file: LoadedFile; span: Span }[] } | Refusal {
  const problem = nameProblem(newName);
  if (problem) return { refused: problem };
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
