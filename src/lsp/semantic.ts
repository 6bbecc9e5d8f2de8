// Semantic tokens (textDocument/semanticTokens/full, /full/delta and /range): every name of a file
// classified by one pass over its syntax tree (walk.ts), plus the lexer's keywords the
// tree does not hold (`pipeline`, `from`, `with`, `use`, `as`). Numbers, strings and
// comments are left to the TextMate grammar, which colours them from the same tokens
// (with string escapes, which a semantic token over the whole string would hide). A name
// the walk knows nothing of (a typo, an unknown preset) gets no token, so it keeps the
// grammar's colour and stands out. The legend is the protocol's standard types and
// modifiers, so editors colour them without a theme of ours; what each kind of name
// becomes is TYPE_OF and modifiersOf below, tabled in docs/editor.md.

import { chevrotain } from "../../grammar/chevrotain.js";
import { adainfLexer, Ident, Name } from "../../grammar/tokens.js";
import type { Position } from "vscode-languageserver";
import type { LoadedFile, Program } from "../resolve/program.js";
import { type Meaning, type NameKind, walkFile } from "./walk.js";

const TOKEN_TYPES = ["namespace", "type", "class", "enum", "struct", "parameter", "variable", "property", "enumMember", "function", "keyword"] as const;
const TOKEN_MODIFIERS = ["declaration", "defaultLibrary", "abstract", "modification"] as const;
export type TokenType = (typeof TOKEN_TYPES)[number];
export type TokenModifier = (typeof TOKEN_MODIFIERS)[number];

export const LEGEND = { tokenTypes: [...TOKEN_TYPES], tokenModifiers: [...TOKEN_MODIFIERS] };

const TYPE_OF: Record<NameKind, TokenType> = {
  builtin: "function",
  param: "parameter",
  field: "property",
  keyword: "keyword",
  value: "enumMember",
  pipeline: "class",
  recipe: "class",
  augment: "type",
  dataset: "struct",
  source: "variable",
  view: "variable",
  axis: "enum",
  alternative: "enumMember",
  rule: "enumMember",
  module: "namespace",
};

/** One classified name, at a compiler offset (the editor's line and character come from the document: encodeTokens). */
export interface SemanticToken {
  start: number;
  length: number;
  type: TokenType;
  modifiers: TokenModifier[];
}

function modifiersOf(m: Meaning): TokenModifier[] {
  const out: TokenModifier[] = [];
  if (m.declaration) out.push("declaration");
  if (m.std) out.push("defaultLibrary");
  if (m.kind === "recipe") out.push("abstract");
  if (m.override) out.push("modification");
  return out;
}

const tokenAt = (start: number, end: number, type: TokenType, modifiers: TokenModifier[]): SemanticToken => ({ start, length: end - start, type, modifiers });

/** The file's classified names and keywords, in the order of the text. */
export function semanticTokens(file: LoadedFile, program: Program): SemanticToken[] {
  const out: SemanticToken[] = [];
  /** Offsets of the names the tree holds (classified or not): the lexer's keywords are the others. */
  const named = new Set<number>();
  walkFile(file, program, {
    name(node, m) {
      named.add(node.span.start);
      if (m) out.push(tokenAt(node.span.start, node.span.end, TYPE_OF[m.kind], modifiersOf(m)));
    },
  });
  for (const t of adainfLexer.tokenize(file.ast.text).tokens) {
    if (t.tokenType === Ident || !chevrotain.tokenMatcher(t, Name) || named.has(t.startOffset)) continue;
    out.push(tokenAt(t.startOffset, t.startOffset + t.image.length, "keyword", []));
  }
  // One token per place (the protocol allows no overlaps).
  return out.sort((a, b) => a.start - b.start).filter((t, i, all) => i === 0 || all[i - 1]!.start !== t.start);
}

/**
 * The protocol's encoding of `tokens` (sorted): five numbers per token, its line and
 * character relative to the previous token's, its length, type and modifier bits.
 * `positionAt`: the document's position of a compiler offset (positions.ts SourceView:
 * the editor's lines, which a lone CR ends too, and a byte order mark counted).
 * `lines`: only the tokens on these (0-based, inclusive) lines.
 */
export function encodeTokens(tokens: readonly SemanticToken[], positionAt: (offset: number) => Position, lines?: { from: number; to: number }): number[] {
  const data: number[] = [];
  let line = 0;
  let character = 0;
  for (const t of tokens) {
    const { line: l, character: c } = positionAt(t.start);
    if (lines && (l < lines.from || l > lines.to)) continue;
    data.push(
      l - line,
      l === line ? c - character : c,
      t.length,
      TOKEN_TYPES.indexOf(t.type),
      t.modifiers.reduce((bits, m) => bits | (1 << TOKEN_MODIFIERS.indexOf(m)), 0),
    );
    line = l;
    character = c;
  }
  return data;
}

/** One edit of encoded tokens (the protocol's SemanticTokensEdit). */
export interface TokenEdit {
  start: number;
  deleteCount: number;
  data: number[];
}

/**
 * The edits that make the encoded tokens `before` into `after`: one replacement of whole
 * tokens between what they share at the start and at the end (an edit of the text moves
 * only the tokens after it, and with the relative encoding only the first of those
 * changes); none when they are the same.
 */
export function tokenEdits(before: readonly number[], after: readonly number[]): TokenEdit[] {
  const shorter = Math.min(before.length, after.length);
  let start = 0;
  while (start < shorter && before[start] === after[start]) start++;
  if (start === before.length && start === after.length) return [];
  start -= start % 5;
  let end = 0;
  while (end < shorter - start && before[before.length - 1 - end] === after[after.length - 1 - end]) end++;
  end -= end % 5;
  return [{ start, deleteCount: before.length - start - end, data: after.slice(start, after.length - end) }];
}
