// Between the editor's positions and the compiler's offsets and spans: the one place the
// server converts them. The compiler reads a text without its leading byte order mark
// (syntax/bom.ts), so in a document whose text starts with one, a compiler offset is one
// character before the document's, and so is a column of the first line. Editors show a
// file that is not open without the mark, so a span there converts as it is. The editor
// ends a line at CR, LF or CRLF (the protocol's rule), and so do the compiler's spans
// (syntax/lines.ts, the one place lines are counted): spans convert by their offsets.

import type { Position, Range } from "vscode-languageserver";
import type { TextDocument } from "vscode-languageserver-textdocument";
import type { Span } from "../ir/types.js";
import type { SourceFile } from "../syntax/ast.js";
import { stripBom } from "../syntax/bom.js";
import { LineMap } from "../syntax/lines.js";

/** How many characters of `text` come before the compiler's first: 1 for a byte order mark, else 0. */
export function bomLength(text: string): number {
  return text.length - stripBom(text).length;
}

/**
 * The editor's positions of a compiler text's offsets (`text`: as the compiler reads it),
 * for a file that may not be open: its lines counted as the protocol counts an open
 * one's (SourceView). `bom`: the document's characters before the compiler's first,
 * which shift the first line.
 */
export class EditorPositions {
  private readonly lines: LineMap;

  constructor(text: string) {
    this.lines = new LineMap(text);
  }

  positionAt(offset: number, bom = 0): Position {
    const p = this.lines.position(offset);
    return p.line === 0 ? { line: 0, character: p.character + bom } : p;
  }

  rangeOf(span: Span, bom = 0): Range {
    return { start: this.positionAt(span.start, bom), end: this.positionAt(span.end, bom) };
  }
}

const filePositions = new WeakMap<SourceFile, EditorPositions>();

/** The editor's positions of a parsed file's text, made once per parse. */
export function positionsOf(ast: SourceFile): EditorPositions {
  let known = filePositions.get(ast);
  if (!known) filePositions.set(ast, (known = new EditorPositions(ast.text)));
  return known;
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
    return { start: this.positionAt(span.start), end: this.positionAt(span.end) };
  }
}
