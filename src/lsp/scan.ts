// Where a position is, read from the language's own tokens (grammar/tokens.ts) rather
// than from the syntax tree: while a user types, the statement under the cursor is
// usually incomplete, and the parser's recovery drops it. The brackets open at the
// position (each with the tokens of the statement that opened it: `train {`,
// `optimizer = lars(`) and the tokens of the statement being written are enough for
// completion, hover and signature help to know the block, the key, the call and the
// arguments written before the cursor. A statement ends where the parser ends it: at a
// line end (LF, CRLF or a lone CR), at `;`, or where a new key or block follows a written
// value on the same line. Comments are kept apart, so that a position in one is known.
import type { IToken } from "chevrotain";
import { chevrotain } from "../../grammar/chevrotain.js";
import { adainfLexer, Name, Unit } from "../../grammar/tokens.js";

export interface Frame {
  open: "{" | "(" | "[";
  /** The tokens of the statement before the bracket (`optimizer`, `=`, `lars`). */
  header: IToken[];
  /** Inside parentheses or brackets: the tokens of each argument before the current one (a nested bracket's tokens left out). */
  args: IToken[][];
}

export interface Cursor {
  /** The brackets open at the position, outermost first. */
  frames: Frame[];
  /** Tokens of the current statement (or argument, inside parentheses) before `word`. */
  stmt: IToken[];
  /** The name the position is in or right after; null between tokens. */
  word: IToken | null;
  /** The first token after `word` (or after the position). */
  next: IToken | null;
}

/** Tokens of `text`, comments left out (kept apart); cached for the last text (hover and completion come in bursts). */
let last: { text: string; tokens: IToken[]; comments: IToken[] } | null = null;
function lexed(text: string): { tokens: IToken[]; comments: IToken[] } {
  if (last?.text !== text) {
    const out = adainfLexer.tokenize(text);
    last = { text, tokens: out.tokens, comments: out.groups.comments ?? [] };
  }
  return last;
}
function tokensOf(text: string): IToken[] {
  return lexed(text).tokens;
}

/** Whether `offset` is inside a comment (after its `//` or `/*`; a line comment runs to its line's end). */
export function inComment(text: string, offset: number): boolean {
  return lexed(text).comments.some((c) => c.startOffset < offset && offset <= c.endOffset! + (c.image.startsWith("//") ? 1 : 0));
}

/** A line end (LF, CRLF or a lone CR: src/syntax/lines.ts) somewhere in a piece of text. */
const HAS_LINE_END = /[\n\r]/;

/** Whether `t` can end a value (`1`, `"d"`, `cifar`, `lars(...)`, `[1, 2]`). */
function endsValue(t: IToken | undefined): boolean {
  if (!t) return false;
  if (t.image === ")" || t.image === "]") return true;
  const type = t.tokenType.name;
  return type === "NumberLit" || type === "StringLit" || (isName(t) && t.image !== "with");
}

/**
 * Where each statement's first `=` is, as far as its tokens were looked at: a statement
 * only grows (push) while it is read, so each token is looked at once, and a long
 * statement without `=` costs no more than its length (not its length squared).
 */
const firstEquals = new WeakMap<readonly IToken[], { seen: number; eq: number }>();

/** Whether a statement's tokens hold a key, `=` and a value that could be complete (`devices = 1`). */
function valueDone(stmt: readonly IToken[]): boolean {
  let known = firstEquals.get(stmt);
  if (!known) firstEquals.set(stmt, (known = { seen: 0, eq: -1 }));
  for (; known.eq < 0 && known.seen < stmt.length; known.seen++) if (stmt[known.seen]!.image === "=") known.eq = known.seen;
  return known.eq >= 0 && known.eq < stmt.length - 1 && endsValue(stmt[stmt.length - 1]);
}

/** The most segments a dotted key is looked ahead for (`a.b.c = 1`): keys have a few. */
const MAX_KEY_SEGMENTS = 16;

/**
 * Whether the name `tokens[i]` begins a new statement on the line of one whose value is
 * written (`train { devices = 1 batch_size = 256 }`, which parses): a key (`a` or
 * `a.b.c`) followed by `=`, or a block's name followed by `{` (not `with {`).
 */
function beginsStatement(tokens: readonly IToken[], i: number, stmt: readonly IToken[]): boolean {
  const t = tokens[i];
  if (!isName(t) || !valueDone(stmt)) return false;
  let j = i + 1;
  for (let n = 1; n < MAX_KEY_SEGMENTS && tokens[j]?.image === "." && isName(tokens[j + 1]); n++) j += 2;
  const next = tokens[j]?.image;
  return next === "=" || (next === "{" && j === i + 1 && t.image !== "with");
}

/** Whether the word `w` after a written value is part of it: a unit after a number (`10 epochs`), or `with`. */
function continuesValue(w: IToken, stmt: readonly IToken[]): boolean {
  return w.image === "with" || (chevrotain.tokenMatcher(w, Unit) && stmt[stmt.length - 1]?.tokenType.name === "NumberLit");
}

function isName(t: IToken | null | undefined): t is IToken {
  return t !== null && t !== undefined && chevrotain.tokenMatcher(t, Name);
}

const CLOSE: Record<string, Frame["open"]> = { "}": "{", ")": "(", "]": "[" };

/** The context of `offset` in `text`. */
export function cursorAt(text: string, offset: number): Cursor {
  const tokens = tokensOf(text);
  const word = tokens.find((t) => isName(t) && t.startOffset <= offset && offset <= t.endOffset! + 1) ?? null;
  const until = word ? word.startOffset : offset;
  const frames: Frame[] = [];
  let stmt: IToken[] = [];
  let prevEnd = -1;
  for (const [i, t] of tokens.entries()) {
    if (t.startOffset >= until) break;
    const top = frames[frames.length - 1];
    // Statements of a block are separated by line breaks (or `;`), or follow one whose value
    // is written on the same line; inside brackets they are not.
    if ((!top || top.open === "{") && ((prevEnd >= 0 && HAS_LINE_END.test(text.slice(prevEnd, t.startOffset))) || beginsStatement(tokens, i, stmt))) stmt = [];
    prevEnd = t.endOffset! + 1;
    const img = t.image;
    if (img === "{" || img === "(" || img === "[") {
      frames.push({ open: img, header: stmt, args: [] });
      stmt = [];
    } else if (img in CLOSE) {
      const want = CLOSE[img];
      let f: Frame | undefined;
      while (frames.length && (f = frames.pop())?.open !== want);
      // After `)` or `]` the statement goes on (`= lars(...) with { ... }`); after `}` it is done.
      // (The closed frame's header is its own: it grows in place, not copied, so `f()()()...` stays linear.)
      if (img === "}" || !f) stmt = [];
      else {
        f.header.push(t);
        stmt = f.header;
      }
    } else if (img === ";" && (!top || top.open === "{")) stmt = [];
    else if (img === "," && top && top.open !== "{") {
      top.args.push(stmt);
      stmt = [];
    } else stmt.push(t);
  }
  // A line break between the last token and the position starts a new statement too; so
  // does the word at the position when it begins one, and, in a block, a space after a
  // value (`devices = 1 |`: the next setting comes), with or without a word being typed
  // there (`devices = 1 b|`), unless that word goes on the value (`10 epochs`, `with`).
  const top = frames[frames.length - 1];
  const between = prevEnd >= 0 ? text.slice(prevEnd, until) : "";
  if (!top || top.open === "{") {
    if (HAS_LINE_END.test(between)) stmt = [];
    else if (word && beginsStatement(tokens, tokens.indexOf(word), stmt)) stmt = [];
    else if (top && /\s/.test(between) && valueDone(stmt) && !(word && continuesValue(word, stmt))) stmt = [];
  }
  const after = word ? word.endOffset! + 1 : offset;
  const next = tokens.find((t) => t.startOffset >= after) ?? null;
  return { frames, stmt, word, next };
}

/** The names of a dotted path among `tokens` (`train . steps` -> train, steps). */
export function names(tokens: readonly IToken[]): string[] {
  return tokens.filter(isName).map((t) => t.image);
}

/** Where `=` is in `tokens`, or -1. */
export function equalsAt(tokens: readonly IToken[]): number {
  return tokens.findIndex((t) => t.image === "=");
}

/** The dotted name just before the end of `tokens` (the callee before `(`): `a.b` or null. */
export function trailingPath(tokens: readonly IToken[]): string | null {
  const parts: string[] = [];
  for (let i = tokens.length - 1; i >= 0; i--) {
    const t = tokens[i]!;
    if (isName(t) && (parts.length === 0 || tokens[i + 1]?.image === ".")) parts.unshift(t.image);
    else if (t.image !== "." || parts.length === 0) break;
  }
  return parts.length ? parts.join(".") : null;
}

/**
 * The data sources (`NAME = ...` in the `data { ... }` block) of the declaration that
 * holds `offset`, read from the tokens: the declaration is often unfinished while typing.
 */
export function dataSourcesAt(text: string, offset: number): string[] {
  const tokens = tokensOf(text);
  let depth = 0;
  let declStart = 0;
  tokens.forEach((t, i) => {
    if (t.startOffset >= offset) return;
    if (depth === 0 && isName(t) && ["pipeline", "recipe", "augment", "dataset"].includes(t.image)) declStart = i;
    if (t.image === "{") depth++;
    else if (t.image === "}") depth = Math.max(0, depth - 1);
  });
  const out: string[] = [];
  depth = 0;
  let inData = -1;
  let parens = 0;
  for (let i = declStart; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.image === "(" || t.image === "[") parens++;
    else if (t.image === ")" || t.image === "]") parens = Math.max(0, parens - 1);
    else if (t.image === "{") {
      if (depth === 1 && tokens[i - 1]?.image === "data") inData = depth + 1;
      depth++;
    } else if (t.image === "}") {
      if (depth === inData) inData = -1;
      depth--;
      if (depth <= 0) break;
    } else if (depth === inData && parens === 0 && isName(t) && tokens[i + 1]?.image === "=") out.push(t.image);
  }
  return out;
}

/** The pipeline whose body the position is in (`pipeline p ... {`), from the outermost bracket's header. */
export function enclosingPipeline(frames: readonly Frame[]): string | null {
  const header = frames[0]?.header ?? [];
  return frames[0]?.open === "{" && header[0]?.image === "pipeline" && isName(header[1]) ? header[1].image : null;
}
