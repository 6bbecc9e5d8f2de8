// The one count of lines (src/syntax/lines.ts) against the protocol's own text
// documents, which an editor's positions follow: LF, CRLF and lone CR each end a line,
// on texts of every mix, at every offset (a CRLF's middle included) and past the end.
import { TextDocument } from "vscode-languageserver-textdocument";
import { describe, expect, it } from "vitest";
import { LineMap, makeSpan } from "../../src/syntax/lines.js";

/** Texts of a few characters each, every line end among them, from a fixed seed. */
function texts(): string[] {
  const pieces = ["a", "bc", " ", "\n", "\r", "\r\n", "\r\r", "\n\r", "\u00e9", "\ud83d\ude00"];
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
  const out = ["", "\r", "\n", "\r\n", "x\r", "\r\ny"];
  for (let i = 0; i < 300; i++) out.push(Array.from({ length: 1 + (next() % 12) }, () => pieces[next() % pieces.length]).join(""));
  return out;
}

describe("LineMap", () => {
  it("places every offset where the protocol's text document does", () => {
    for (const text of texts()) {
      const doc = TextDocument.create("file:///t", "adainf", 0, text);
      const lines = new LineMap(text);
      expect(lines.lineCount).toBe(doc.lineCount);
      for (let offset = -1; offset <= text.length + 1; offset++)
        expect(lines.position(offset), JSON.stringify({ text, offset })).toEqual(doc.positionAt(offset));
      for (let n = 0; n < lines.lineCount; n++) {
        const range = doc.getText({ start: { line: n, character: 0 }, end: { line: n, character: Number.MAX_SAFE_INTEGER } });
        expect(lines.lineText(n)).toBe(range);
      }
    }
  });

  it("gives spans 1-based lines and columns, offsets as they are", () => {
    const text = "a\rbc\r\nd\ne";
    expect(makeSpan("f", new LineMap(text), 2, 9)).toEqual({ file: "f", line: 2, column: 1, endLine: 4, endColumn: 2, start: 2, end: 9 });
    expect(makeSpan("f", new LineMap(text), 4, 3)).toMatchObject({ line: 2, column: 3, endLine: 2, endColumn: 3, start: 4, end: 4 });
  });
});
