// CST -> AST. The parser recovers from errors, so the CST may have holes; the
// builder skips incomplete nodes instead of failing, and the diagnostics say why.
// Text parsed inside a wrapper (a `--set` argument) can have its spans moved into the
// text the user wrote (ShownText).
import type { CstNode, IToken, IRecognitionException } from "chevrotain";
import { MAX_NESTING, parseText } from "../../grammar/parser.js";
import type { Span } from "../ir/types.js";
import type { Diagnostic } from "../check/diagnostic.js";
import type * as A from "./ast.js";
import { stripBom } from "./bom.js";
import { LineMap, makeSpan } from "./lines.js";
import { diag, diagnostic, type Message } from "../check/registry.js";

export interface ParseResult {
  ast: A.SourceFile;
  diagnostics: Diagnostic[];
}

type Children = Record<string, (CstNode | IToken)[]>;

/**
 * Spans in a text other than the one parsed: `--set train.steps=5` is parsed inside a
 * wrapper (`pipeline set { ... }`), but its spans point into what the user typed.
 */
export interface ShownText {
  text: string;
  /** The offset in `text` of an offset in the parsed text (clamped to `text`). */
  offset(at: number): number;
}

export function parseSource(text: string, file: string, shown?: ShownText): ParseResult {
  text = stripBom(text);
  const out = parseText(text);
  const diagnostics: Diagnostic[] = [];
  const lines = new LineMap(text);
  const spanAt = (start: number, end: number): Span => makeSpan(file, lines, start, end);

  for (const e of out.lexErrors) {
    // The whole character (code point): an emoji is two UTF-16 units, never named or underlined by half.
    const ch = String.fromCodePoint(text.codePointAt(e.offset) ?? 0xfffd);
    const m = (ch === '"' ? diag.E001.unterminatedString : diag.E001.unexpectedCharacter)({ char: JSON.stringify(ch) });
    diagnostics.push(diagnostic(m, spanAt(e.offset, e.offset + ch.length)));
  }
  if (out.tooDeep) {
    const t = out.tooDeep;
    diagnostics.push(diagnostic(diag.E003.tooDeep({ max: MAX_NESTING }), spanAt(t.startOffset, t.startOffset + 1)));
  }
  for (const t of out.tokens) {
    if (t.tokenType.name !== "StringLit") continue;
    for (const bad of badEscapes(t.image)) {
      const at = t.startOffset + bad.offset;
      const m = bad.why === undefined ? diag.E004.unknownEscape({ escape: bad.text }) : diag.E004.badEscape({ escape: bad.text, why: bad.why });
      diagnostics.push(diagnostic(m, spanAt(at, at + bad.text.length)));
    }
  }
  for (const t of out.tokens) {
    if (t.tokenType.name !== "NumberLit") continue;
    const bad = MISPLACED_SEPARATOR.exec(t.image);
    if (bad) diagnostics.push(diagnostic(diag.E001.badDigitSeparator({ number: t.image }), spanAt(t.startOffset + bad.index, t.startOffset + bad.index + 1)));
  }
  const seen = new Set<number>();
  for (const e of out.parseErrors) {
    const d = syntaxDiagnostic(e, text, spanAt, out.tokens, lines);
    const key = d.span?.start ?? -1;
    if (seen.has(key)) continue;
    seen.add(key);
    diagnostics.push(d);
  }

  const b = new Builder(spanAt);
  const items = b.items(out.cst);
  const comments = out.comments.map((t) => ({ text: t.image, span: spanAt(t.startOffset, t.startOffset + t.image.length) }));
  diagnostics.sort((x, y) => (x.span?.start ?? 0) - (y.span?.start ?? 0));
  // Moved once the tree is built: the builder makes spans from other spans' offsets.
  if (shown) moveSpans([items, comments, diagnostics], shown);
  return { ast: { file, text, items, comments }, diagnostics };
}

/** Every span below `root` (each object once), moved in place into `shown`'s text. */
function moveSpans(root: unknown, shown: ShownText): void {
  const lines = new LineMap(shown.text);
  const at = (n: number): number => Math.min(Math.max(0, shown.offset(n)), shown.text.length);
  const seen = new Set<object>();
  const walk = (x: unknown): void => {
    if (x === null || typeof x !== "object" || seen.has(x)) return;
    seen.add(x);
    const o = x as Record<string, unknown>;
    if (typeof o.file === "string" && typeof o.start === "number" && typeof o.end === "number" && typeof o.line === "number") {
      Object.assign(o, makeSpan(o.file, lines, at(o.start), at(o.end)));
      return;
    }
    for (const v of Object.values(o)) walk(v);
  };
  walk(root);
}

// ---------------------------------------------------------------- syntax errors

const TOKEN_TEXT: Record<string, string> = {
  LBrace: "'{'",
  RBrace: "'}'",
  LParen: "'('",
  RParen: "')'",
  LBracket: "'['",
  RBracket: "']'",
  Equals: "'='",
  Comma: "','",
  Semi: "';'",
  Dot: "'.'",
  Range: "'..'",
  Minus: "'-'",
  Times: "'x'",
  Name: "a name",
  Ident: "a name",
  NumberLit: "a number",
  StringLit: "a string",
  DeclKeyword: "'pipeline', 'recipe', 'augment' or 'dataset'",
  Unit: "a unit",
  EOF: "the end of the file",
};

/** What was found, as a message's {found}: "unexpected end of file", "but found end of file". */
function describeToken(t: IToken): string {
  if (t.tokenType.name === "EOF") return "end of file";
  return `'${t.image}'`;
}

function syntaxDiagnostic(e: IRecognitionException, text: string, spanAt: (s: number, e: number) => Span, toks: readonly IToken[], lines: LineMap): Diagnostic {
  const tok = e.token;
  const atEof = tok.tokenType.name === "EOF" || Number.isNaN(tok.startOffset);
  const start = atEof ? Math.max(0, text.trimEnd().length) : tok.startOffset;
  const end = atEof ? start + 1 : tok.startOffset + tok.image.length;
  const expected = expectedFrom(e.message);
  // At the end of the file, point at the '{' left open rather than at the end.
  const open = atEof && expected === "'}'" ? unclosedBrace(toks) : null;
  if (open) {
    const lineStart = lines.starts[lines.position(open.startOffset).line]!;
    const opener = text.slice(lineStart, open.startOffset + 1).trim();
    const m = diag.E002.unclosedBrace({ opener, end: lines.position(start).line + 1 });
    return diagnostic(m, spanAt(open.startOffset, open.startOffset + 1));
  }
  const rule = e.context?.ruleStack?.[e.context.ruleStack.length - 1];
  const found = describeToken(tok);
  let m: Message;
  if (rule === "block" && tok.tokenType.name === "With") {
    m = diag.E002.withStartsStatement();
  } else if (e.name === "MismatchedTokenException" && expected) {
    m = (expected === "'}'" ? diag.E002.expectedClosingBrace : diag.E002.expected)({ expected, found });
  } else if (e.name === "NoViableAltException") {
    const where = rule ? ` in ${ruleName(rule)}` : "";
    const unexpected =
      rule === "file" ? diag.E002.unexpectedAtTopLevel : rule === "value" || rule === "expr" ? diag.E002.unexpectedInValue : diag.E002.unexpected;
    m = unexpected({ found, where });
  } else if (e.name === "NotAllInputParsedException") {
    m = diag.E002.afterLastDeclaration({ found });
  } else {
    m = diag.E002.unexpected({ found, where: "" });
  }
  return diagnostic(m, spanAt(start, end));
}

/**
 * The '{' that the file most likely leaves open. Braces pair up innermost first, so a
 * block missing its '}' takes the '}' of the block around it; that shows as a pair whose
 * '}' starts a line indented less than the '{' line (the first such '{' is the one),
 * else the outermost '{' left open at the end.
 */
function unclosedBrace(toks: readonly IToken[]): IToken | null {
  const stack: { tok: IToken; indent: number }[] = [];
  let line = -1;
  let indent = 0;
  for (const t of toks) {
    const first = t.startLine !== line;
    if (first) indent = t.startColumn ?? 0;
    line = t.endLine ?? line;
    if (t.tokenType.name === "LBrace") stack.push({ tok: t, indent });
    else if (t.tokenType.name === "RBrace") {
      const o = stack.pop();
      if (o && first && (t.startColumn ?? 0) < o.indent) return o.tok;
    }
  }
  return stack[0]?.tok ?? null;
}

/** A `_` in a number that does not stand between two digits (`1__000`, `1_000_`). */
const MISPLACED_SEPARATOR = /(?<![0-9])_|_(?![0-9])/;

function expectedFrom(message: string): string | null {
  const m = /--> ([A-Za-z]+) <--/.exec(message);
  if (!m) return null;
  return TOKEN_TEXT[m[1]!] ?? m[1]!;
}

function ruleName(rule: string): string {
  const names: Record<string, string> = {
    file: "the file",
    decl: "a declaration",
    block: "a block",
    statement: "a statement",
    expr: "a value",
    value: "a value",
    args: "arguments",
    arg: "an argument",
    useDecl: "a `use` line",
  };
  return names[rule] ?? rule;
}

// ---------------------------------------------------------------- builder

function isToken(x: CstNode | IToken | undefined): x is IToken {
  return x !== undefined && "image" in x;
}

function tokens(c: Children, key: string): IToken[] {
  return (c[key] ?? []).filter(isToken).filter((t) => !Number.isNaN(t.startOffset) && !t.isInsertedInRecovery);
}
function nodes(c: Children, key: string): CstNode[] {
  return (c[key] ?? []).filter((x): x is CstNode => !isToken(x));
}

class Builder {
  constructor(private readonly spanAt: (s: number, e: number) => Span) {}

  private nodeSpan(n: CstNode): Span | null {
    const loc = n.location;
    if (!loc || Number.isNaN(loc.startOffset) || loc.endOffset === undefined || Number.isNaN(loc.endOffset)) return null;
    return this.spanAt(loc.startOffset, loc.endOffset + 1);
  }
  private tokSpan(t: IToken): Span {
    return this.spanAt(t.startOffset, t.startOffset + t.image.length);
  }
  private name(t: IToken): A.NameNode {
    return { text: t.image, span: this.tokSpan(t) };
  }

  items(cst: CstNode): A.TopLevel[] {
    const items: A.TopLevel[] = [];
    for (const u of nodes(cst.children, "useDecl")) {
      const x = this.useDecl(u);
      if (x) items.push(x);
    }
    for (const d of nodes(cst.children, "decl")) {
      const x = this.decl(d);
      if (x) items.push(x);
    }
    return items.sort((a, b) => a.span.start - b.span.start);
  }

  private useDecl(n: CstNode): A.UseDecl | null {
    const span = this.nodeSpan(n);
    if (!span) return null;
    const c = n.children;
    const p = nodes(c, "path")[0];
    const s = tokens(c, "StringLit")[0];
    const alias = tokens(c, "alias")[0];
    const path = p ? this.path(p) : null;
    if (!path && !s) return null;
    return {
      kind: "use",
      path,
      file: s ? { value: unquote(s.image), span: this.tokSpan(s) } : null,
      alias: alias ? this.name(alias) : null,
      span,
    };
  }

  private decl(n: CstNode): A.Decl | null {
    const span = this.nodeSpan(n);
    const c = n.children;
    const kind = tokens(c, "kind")[0];
    const name = tokens(c, "name")[0];
    if (!span || !kind || !name) return null;
    const baseNode = nodes(c, "base")[0];
    const base = baseNode ? this.path(baseNode) : null;
    if (baseNode && !base) return null;
    const blockNode = nodes(c, "block")[0];
    const exprNode = nodes(c, "expr")[0];
    const body = blockNode ? this.block(blockNode) : null;
    const value = exprNode ? this.expr(exprNode) : null;
    if (!body && !value) return null;
    return {
      kind: "decl",
      declKind: kind.image as A.DeclKind,
      name: this.name(name),
      base,
      body,
      value,
      span,
    };
  }

  private block(n: CstNode): A.Block | null {
    const span = this.nodeSpan(n);
    if (!span) return null;
    const statements: A.Statement[] = [];
    for (const s of nodes(n.children, "statement")) {
      const x = this.statement(s);
      if (x) statements.push(x);
    }
    return { statements, span };
  }

  private statement(n: CstNode): A.Statement | null {
    const span = this.nodeSpan(n);
    const c = n.children;
    const keyNode = nodes(c, "key")[0];
    const key = keyNode ? this.path(keyNode) : null;
    if (!span || !key) return null;
    const hasEquals = tokens(c, "Equals").length > 0;
    const exprNode = nodes(c, "expr")[0];
    const value = exprNode ? this.expr(exprNode) : null;
    if (hasEquals && !value) return null;
    const argsNode = nodes(c, "args")[0];
    const label = tokens(c, "label")[0];
    const countNode = nodes(c, "count")[0];
    const blockNode = nodes(c, "block")[0];
    const args = argsNode ? this.args(argsNode) : null;
    const count = countNode ? this.expr(countNode) : null;
    const block = blockNode ? this.block(blockNode) : null;
    if (argsNode && !args) return null;
    if (countNode && !count) return null;
    if (blockNode && !block) return null;
    return {
      key,
      value: hasEquals ? value : null,
      args,
      label: label ? { text: label.tokenType.name === "StringLit" ? unquote(label.image) : label.image, span: this.tokSpan(label) } : null,
      labelQuoted: label?.tokenType.name === "StringLit",
      count,
      block,
      span,
    };
  }

  private path(n: CstNode): A.PathNode | null {
    const parts = tokens(n.children, "Name").map((t) => this.name(t));
    if (parts.length === 0) return null;
    const first = parts[0]!.span;
    const last = parts[parts.length - 1]!.span;
    return { parts, text: parts.map((p) => p.text).join("."), span: this.spanAt(first.start, last.end) };
  }

  private args(n: CstNode): A.Args | null {
    const span = this.nodeSpan(n);
    if (!span) return null;
    const items: A.Arg[] = [];
    for (const a of nodes(n.children, "arg")) {
      const aspan = this.nodeSpan(a);
      const e = nodes(a.children, "expr")[0];
      const value = e ? this.expr(e) : null;
      if (!aspan || !value) return null;
      const nm = tokens(a.children, "argName")[0];
      items.push({ name: nm ? this.name(nm) : null, value, span: aspan });
    }
    return { items, span };
  }

  expr(n: CstNode): A.Expr | null {
    const span = this.nodeSpan(n);
    const c = n.children;
    const valueNode = nodes(c, "value")[0];
    if (!span || !valueNode) return null;
    const unitTok = tokens(c, "Unit")[0];
    const withNode = nodes(c, "block")[0];
    const withBlock = withNode ? this.block(withNode) : null;
    if (withNode && !withBlock) return null;
    const base = { unit: unitTok ? this.name(unitTok) : null, with: withBlock, span };
    const v = valueNode.children;
    const num = nodes(v, "number")[0];
    if (num) {
      const lo = nodes(num.children, "lo")[0];
      const hi = nodes(num.children, "hi")[0];
      const loV = lo ? this.signed(lo) : null;
      if (!loV) return null;
      if (hi) {
        const hiV = this.signed(hi);
        if (!hiV) return null;
        return { kind: "range", lo: loV, hi: hiV, ...base };
      }
      return { kind: "number", value: loV.value, raw: loV.raw, ...base };
    }
    const str = tokens(v, "StringLit")[0];
    if (str) return { kind: "string", value: unquote(str.image), raw: str.image, ...base };
    const call = nodes(v, "call")[0];
    if (call) {
      const p = nodes(call.children, "path")[0];
      const callee = p ? this.path(p) : null;
      const a = nodes(call.children, "args")[0];
      const args = a ? this.args(a) : null;
      if (!callee || (a && !args)) return null;
      return { kind: "call", callee, args, ...base };
    }
    const tuple = nodes(v, "tuple")[0] ?? nodes(v, "list")[0];
    if (tuple) {
      const items: A.Expr[] = [];
      for (const e of nodes(tuple.children, "expr")) {
        const x = this.expr(e);
        if (!x) return null;
        items.push(x);
      }
      return { kind: nodes(v, "tuple").length ? "tuple" : "list", items, ...base };
    }
    return null;
  }

  private signed(n: CstNode): { value: number; raw: string } | null {
    const num = tokens(n.children, "NumberLit")[0];
    if (!num) return null;
    const neg = tokens(n.children, "Minus").length > 0;
    const value = Number(num.image.replace(/_/g, ""));
    return { value: neg ? -value : value, raw: (neg ? "-" : "") + num.image };
  }
}

/** A string escape: a backslash and any character, or `\u{hex}` (the editor's grammar highlights these too). */
export const ESCAPE = /\\(u\{[0-9a-fA-F]+\}|.)/g;

/** The code point of a `\u{...}` escape's hex digits, or why it is none. */
function codePoint(hex: string): number | string {
  const digits = hex.replace(/^0+(?=.)/, "");
  if (digits.length > 6) return "above 10FFFF, the largest code point";
  const cp = parseInt(digits, 16);
  if (cp > 0x10ffff) return "above 10FFFF, the largest code point";
  if (cp >= 0xd800 && cp <= 0xdfff) return "a lone surrogate (D800 to DFFF)";
  return cp;
}

/** The escapes a string may hold besides `\u{...}` (docs/language.md; `quote` writes only these). */
const SIMPLE_ESCAPES = new Set(['"', "\\", "n", "r", "t"]);

/**
 * The escapes of a string literal that are errors, with their offsets in `raw`: an
 * unknown one (`\q`, `\u` without `{hex}`; no `why`) or a `\u{...}` that names no
 * character (`why` says how).
 */
export function badEscapes(raw: string): { offset: number; text: string; why?: string }[] {
  const out: { offset: number; text: string; why?: string }[] = [];
  for (const m of raw.matchAll(ESCAPE)) {
    const esc = m[1]!;
    if (esc.startsWith("u{")) {
      const cp = codePoint(esc.slice(2, -1));
      if (typeof cp === "string") out.push({ offset: m.index, text: m[0], why: cp });
    } else if (!SIMPLE_ESCAPES.has(esc)) {
      // `\u{zz}`: the whole malformed escape, up to its closing brace
      const braced = esc === "u" ? /^\{[^}"\\]*\}/.exec(raw.slice(m.index + 2)) : null;
      out.push({ offset: m.index, text: m[0] + (braced?.[0] ?? "") });
    }
  }
  return out;
}

/** The value of a string literal; a `\u{...}` naming no character becomes U+FFFD, an unknown escape its character (errors both, see badEscapes). */
export function unquote(raw: string): string {
  const body = raw.slice(1, -1);
  return body.replace(ESCAPE, (_, esc: string) => {
    if (esc.startsWith("u{")) {
      const cp = codePoint(esc.slice(2, -1));
      return typeof cp === "number" ? String.fromCodePoint(cp) : "\uFFFD";
    }
    switch (esc) {
      case "n":
        return "\n";
      case "t":
        return "\t";
      case "r":
        return "\r";
      default:
        return esc;
    }
  });
}

/** Quote a string so that `unquote(quote(s)) === s`. */
export function quote(s: string): string {
  return `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n").replace(/\r/g, "\\r").replace(/\t/g, "\\t")}"`;
}
