// The canonical form of .adainf files (like gofmt: no options). Two-space indents,
// one statement per line, `x` for counts, one blank line between declarations,
// blank lines between statements kept (at most one), literals kept as written
// (`100_000` stays), every comment kept in source order (one inside or after a statement
// stays on its line; one among a call's arguments written over lines stays at its argument,
// the call over lines). Formatting twice changes nothing.
import type { Diagnostic } from "../check/diagnostic.js";
import type * as A from "./ast.js";
import { BLANK_LINE, LINE_END } from "./lines.js";
import { parseSource } from "./parse.js";
import { pushAll } from "../util/push-all.js";

const MAX_WIDTH = 100;

export interface FormatResult {
  text: string;
  diagnostics: Diagnostic[];
}

/** Format source text; a file with syntax errors is returned unchanged with its errors. */
export function formatText(text: string, file: string): FormatResult {
  const parsed = parseSource(text, file);
  if (parsed.diagnostics.some((d) => d.severity === "error")) return { text, diagnostics: parsed.diagnostics };
  return { text: new Printer(parsed.ast).print(), diagnostics: [] };
}

class Printer {
  private out: string[] = [];
  private readonly comments: A.Comment[];
  private next = 0;

  constructor(private readonly ast: A.SourceFile) {
    this.comments = [...ast.comments].sort((a, b) => a.span.start - b.span.start);
  }

  print(): string {
    let prev: A.TopLevel | null = null;
    for (const item of this.ast.items) {
      const blank = prev !== null && (prev.kind === "decl" || item.kind === "decl" || this.blankBetween(prev.span.end, this.firstStart(item.span.start)));
      const before = this.out.length;
      this.leading(item.span.start, "", prev === null ? false : blank);
      if (this.out.length === before && prev !== null && blank && !this.justWroteBlank()) this.out.push("");
      const line = item.kind === "use" ? this.use(item) : this.decl(item, "");
      this.emitLines(line, item.span.end, "");
      prev = item;
    }
    // Comments after the last item.
    if (this.next < this.comments.length) {
      if (this.out.length) this.out.push("");
      this.leading(Infinity, "", false);
    }
    while (this.out.length && this.out[this.out.length - 1] === "") this.out.pop();
    return this.out.join("\n") + "\n";
  }

  // ------------------------------------------------------------ comments

  /** Where the first thing of a node (its first leading comment, or itself) starts. */
  private firstStart(start: number): number {
    const c = this.comments[this.next];
    return c && c.span.start < start ? c.span.start : start;
  }

  private blankBetween(from: number, to: number): boolean {
    return BLANK_LINE.test(this.ast.text.slice(from, to));
  }

  private justWroteBlank(): boolean {
    return this.out.length > 0 && this.out[this.out.length - 1] === "";
  }

  /** Emit every comment that starts before `offset`, each on its own line. */
  private leading(offset: number, indent: string, blankBefore: boolean): void {
    let first = true;
    while (this.next < this.comments.length && this.comments[this.next]!.span.start < offset) {
      const c = this.comments[this.next++]!;
      if (first && blankBefore && this.out.length && !this.justWroteBlank()) this.out.push("");
      first = false;
      // A block comment's later lines stay as written: indenting them would indent them again at every run.
      c.text.split(LINE_END).forEach((l, i) => this.out.push((i === 0 ? indent : "") + l.trimEnd()));
      const after = this.comments[this.next];
      const nextStart = after && after.span.start < offset ? after.span.start : offset;
      if (nextStart !== Infinity && this.blankBetween(c.span.end, nextStart)) this.out.push("");
    }
  }

  /**
   * The comments that stay on the line of the node ending at `end`: those inside it
   * that nothing printed yet (a comment among a one-line call's arguments; a block's own
   * are printed with the block), then those after it on its line with only spaces, `;` or
   * `,` between (`seed = 1 // why`, not a comment after a `}` that closes a block
   * around the node), none from `limit` on. In source order: a `//` comment ends the line,
   * so any taken after it goes on a line of its own below, at `indent`. A comment
   * spanning lines is left for the lines below.
   */
  private trailing(end: number, indent: string, limit = Infinity): string {
    let out = "";
    let lineEnded = false;
    let from = end;
    for (let c = this.comments[this.next]; c && c.span.start < limit && !LINE_END.test(c.text); c = this.comments[this.next]) {
      if (c.span.start >= end && !/^[ \t;,]*$/.test(this.ast.text.slice(from, c.span.start))) break;
      // Trailing spaces of a `//` comment go, as on a comment's own line: the canonical form ends no line in them.
      out += `${lineEnded ? `\n${indent}` : " "}${c.text.trimEnd()}`;
      if (c.text.startsWith("//")) lineEnded = true;
      this.next++;
      from = Math.max(from, c.span.end);
    }
    return out;
  }

  private emitLines(text: string, end: number, indent: string): void {
    const lines = text.split("\n");
    lines[lines.length - 1] += this.trailing(end, indent);
    pushAll(this.out, lines);
  }

  // ------------------------------------------------------------ nodes

  private use(u: A.UseDecl): string {
    const target = u.path ? u.path.text : this.ast.text.slice(u.file!.span.start, u.file!.span.end);
    return `use ${target}${u.alias ? ` as ${u.alias.text}` : ""}`;
  }

  private decl(d: A.Decl, indent: string): string {
    const head = `${d.declKind} ${d.name.text}${d.base ? ` from ${d.base.text}` : ""}`;
    if (d.body) return `${head} ${this.block(d.body, indent)}`;
    return `${head} = ${this.expr(d.value!, indent, head.length + 3)}`;
  }

  private block(b: A.Block, indent: string): string {
    const inner = indent + "  ";
    const saved = this.out;
    this.out = [];
    let prevEnd: number | null = null;
    for (const s of b.statements) {
      const blank = prevEnd !== null && this.blankBetween(prevEnd, this.firstStart(s.span.start));
      const before = this.out.length;
      this.leading(s.span.start, inner, blank);
      if (this.out.length === before && blank && !this.justWroteBlank()) this.out.push("");
      this.emitLines(inner + this.statement(s, inner), s.span.end, inner);
      prevEnd = s.span.end;
    }
    // Comments left before the closing brace stay inside the block.
    this.leading(b.span.end - 1, inner, prevEnd !== null && this.blankBetween(prevEnd, this.firstStart(b.span.end - 1)));
    const body = this.out;
    this.out = saved;
    if (body.length === 0) return "{}";
    return `{\n${body.join("\n")}\n${indent}}`;
  }

  private statement(s: A.Statement, indent: string): string {
    let text = s.key.text;
    if (s.value) return `${text} = ${this.expr(s.value, indent, indent.length + text.length + 3)}`;
    if (s.args) text += this.args(s.args, indent, indent.length + text.length);
    if (s.label) text += ` ${s.labelQuoted ? this.ast.text.slice(s.label.span.start, s.label.span.end) : s.label.text}`;
    // `x` is only a count before a digit (grammar/tokens.ts); anything else (-1, a name) keeps the `*` form.
    if (s.count) {
      const count = this.expr(s.count, indent, indent.length + text.length + 3);
      text += ` ${/^[0-9]/.test(count) ? "x" : "*"} ${count}`;
    }
    if (s.block) text += ` ${this.block(s.block, indent)}`;
    return text;
  }

  private expr(e: A.Expr, indent: string, column: number): string {
    let text: string;
    switch (e.kind) {
      case "number":
        text = e.raw;
        break;
      case "range":
        text = `${e.lo.raw}..${e.hi.raw}`;
        break;
      case "string":
        text = e.raw;
        break;
      case "call":
        text = e.callee.text + (e.args ? this.args(e.args, indent, column + e.callee.text.length) : "");
        break;
      case "tuple":
        text = `(${e.items.map((x) => this.expr(x, indent, column)).join(", ")})`;
        break;
      case "list":
        text = `[${e.items.map((x) => this.expr(x, indent, column)).join(", ")}]`;
        break;
    }
    if (e.unit) text += ` ${e.unit.text}`;
    if (e.with) text += ` with ${this.withBlock(e.with, indent, column + text.length + 6)}`;
    return text;
  }

  /** `with { a = 1 }` stays on one line when it is a single short setting without comments. */
  private withBlock(b: A.Block, indent: string, column: number): string {
    const hasComments = this.comments.slice(this.next).some((c) => c.span.start > b.span.start && c.span.start < b.span.end);
    if (b.statements.length === 1 && !hasComments) {
      const s = b.statements[0]!;
      const one = `{ ${this.statement(s, indent)} }`;
      if (!one.includes("\n") && column + one.length <= MAX_WIDTH) return one;
    }
    return this.block(b, indent);
  }

  private args(a: A.Args, indent: string, column: number): string {
    if (this.hasCommentsIn(a.span) && LINE_END.test(this.ast.text.slice(a.span.start, a.span.end))) return this.argsWithComments(a, indent);
    const parts = a.items.map((x) => (x.name ? `${x.name.text} = ` : "") + this.expr(x.value, indent + "  ", column));
    const one = `(${parts.join(", ")})`;
    if (column + one.length <= MAX_WIDTH && !one.includes("\n")) return one;
    const inner = indent + "  ";
    return `(\n${parts.map((p) => `${inner}${p},`).join("\n")}\n${indent})`;
  }

  /** Whether a comment not printed yet lies inside `span`. */
  private hasCommentsIn(span: { start: number; end: number }): boolean {
    for (let i = this.next; i < this.comments.length && this.comments[i]!.span.start < span.end; i++)
      if (this.comments[i]!.span.start > span.start) return true;
    return false;
  }

  /**
   * An argument list written over lines with comments among its arguments: one argument
   * a line, each comment where it was (on its own line before an argument, or after one
   * on its line), so the list stays over lines and its comments in place and order.
   */
  private argsWithComments(a: A.Args, indent: string): string {
    const inner = indent + "  ";
    const saved = this.out;
    this.out = [];
    a.items.forEach((x, i) => {
      this.leading(x.span.start, inner, false);
      const lines = (inner + (x.name ? `${x.name.text} = ` : "") + this.expr(x.value, inner, inner.length) + ",").split("\n");
      lines[lines.length - 1] += this.trailing(x.span.end, inner, a.items[i + 1]?.span.start ?? a.span.end - 1);
      pushAll(this.out, lines);
    });
    this.leading(a.span.end - 1, inner, false);
    const body = this.out;
    this.out = saved;
    return `(\n${body.join("\n")}\n${indent})`;
  }
}
