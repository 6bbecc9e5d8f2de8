// Between the editor's positions and the compiler's offsets and spans: the one place the
// server converts them. The compiler reads a text without its leading byte order mark
// (syntax/bom.ts), so in a document whose text starts with one, a compiler offset is one
// character before the document's, and so is a column of the first line. Editors show a
// file that is not open without the mark, so a span there converts as it is.

import type { Position, Range } from "vscode-languageserver";
import type { TextDocument } from "vscode-languageserver-textdocument";
import type { Span } from "../ir/types.js";
import { stripBom } from "../syntax/bom.js";

/** How many characters of `text` come before the compiler's first: 1 for a byte order mark, else 0. */
export function bomLength(text: string): number {
  return text.length - stripBom(text).length;
}

/** The range of a compiler span (lines and columns 1-based) in a document with `bom` characters before the compiler's first. */
export function rangeOf(span: Span, bom = 0): Range {
  const at = (line: number, column: number): Position => ({ line: line - 1, character: column - 1 + (line === 1 ? bom : 0) });
  return { start: at(span.line, span.column), end: at(span.endLine, span.endColumn) };
}

/** An open document as the compiler reads it: its text, and its positions as compiler offsets and back. */
export class SourceView {
  /** The text the compiler reads (without a leading byte order mark). */
  readonly text: string;
  readonly bom: number;

  constructor(private readonly doc: TextDocument) {
    const full = doc.getText();
    this.bom = bomLength(full);
    this.text = full.slice(this.bom);
  }

  /** The compiler offset of a document position (the mark itself is offset 0). */
  offsetAt(position: Position): number {
    return Math.max(0, this.doc.offsetAt(position) - this.bom);
  }

  /** The document position of a compiler offset. */
  positionAt(offset: number): Position {
    return this.doc.positionAt(offset + this.bom);
  }

  /** The document range of a compiler span of this text. */
  rangeOf(span: Span): Range {
    return rangeOf(span, this.bom);
  }
}
