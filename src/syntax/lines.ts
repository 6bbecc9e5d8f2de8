// A text's lines as editors count them (the Language Server Protocol's rule): LF, CRLF
// and a lone CR (old Mac files) each end a line. The one place lines are counted: the
// compiler's spans (parse.ts), the CLI's code frames and SARIF regions, lint's fix edits,
// the formatter's blank lines and comments, and the language server's positions all ask here. Columns count UTF-16 code units, as
// JavaScript's strings and the protocol do.
import type { Span } from "../ir/types.js";

/** A 0-based line and character, the protocol's `Position`. */
export interface LinePosition {
  line: number;
  character: number;
}

/** The line ends, longest first: what SARIF calls a run's `newlineSequences`. */
export const LINE_ENDS: readonly string[] = ["\r\n", "\n", "\r"];

/** One line end as a regular expression: CRLF, a lone CR or LF (the CR of a CRLF ends no line of its own). */
export const LINE_END = /\r\n|\r(?!\n)|\n/;

/** A blank line: two line ends with only spaces and tabs between them. */
export const BLANK_LINE = new RegExp(`(?:${LINE_END.source})[ \\t]*(?:${LINE_END.source})`);

const LF = 10;
const CR = 13;

/** The lines of one text: where each starts, and the line and column of an offset. */
export class LineMap {
  /** The offset of each line's first character; the first is 0. */
  readonly starts: number[];

  constructor(readonly text: string) {
    const starts = [0];
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === CR && text.charCodeAt(i + 1) === LF) i++;
      if (c === LF || c === CR) starts.push(i + 1);
    }
    this.starts = starts;
  }

  get lineCount(): number {
    return this.starts.length;
  }

  /**
   * The 0-based line and character of an offset, clamped to the text. An offset between
   * a CRLF's two characters is the CR's place (no cursor stands between them), as the
   * protocol's text documents place it.
   */
  position(offset: number): LinePosition {
    let at = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= at) lo = mid;
      else hi = mid - 1;
    }
    const start = this.starts[lo]!;
    if (at > start && this.text.charCodeAt(at - 1) === CR && this.text.charCodeAt(at) === LF) at--;
    return { line: lo, character: at - start };
  }

  /** The offset where line `n` (0-based) ends: its line end's first character, or the text's end. */
  lineEnd(n: number): number {
    if (n + 1 >= this.starts.length) return this.text.length;
    const next = this.starts[n + 1]!;
    return this.text.charCodeAt(next - 1) === LF && this.text.charCodeAt(next - 2) === CR ? next - 2 : next - 1;
  }

  /** Line `n` (0-based) without its line end; "" past the last line. */
  lineText(n: number): string {
    if (n < 0 || n >= this.starts.length) return "";
    return this.text.slice(this.starts[n], this.lineEnd(n));
  }
}

/** The span of [start, end) of `file`, its lines and columns 1-based, as a person reads them. */
export function makeSpan(file: string, lines: LineMap, start: number, end: number): Span {
  end = Math.max(start, end);
  const from = lines.position(start);
  const to = lines.position(end);
  return { file, line: from.line + 1, column: from.character + 1, endLine: to.line + 1, endColumn: to.character + 1, start, end };
}
