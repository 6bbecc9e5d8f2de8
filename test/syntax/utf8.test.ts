// decodeUtf8: valid UTF-8 (a BOM kept) decodes as Node does; the first byte that is not
// UTF-8 (a Latin-1 é, a lone continuation byte, an overlong form, a surrogate) is placed
// at its line and column, columns counting UTF-16 units of the text before it, after a BOM.
import { describe, expect, it } from "vitest";
import { decodeUtf8 } from "../../src/syntax/utf8.js";

const bytes = (...parts: (string | number[])[]) => Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p, "utf8") : Buffer.from(p))));

describe("decodeUtf8", () => {
  it("decodes valid text and keeps a BOM", () => {
    expect(decodeUtf8(bytes("\uFEFFpipeline 😀\r\n"))).toEqual({ text: "\uFEFFpipeline 😀\r\n" });
  });
  it.each([
    ["a Latin-1 byte", bytes("ab\ncd ", [0xe9], "\n"), { byte: 0xe9, offset: 6, line: 2, column: 4 }],
    ["after a BOM, CRLF and an emoji", bytes("\uFEFFx\r\n😀", [0x80]), { byte: 0x80, offset: 10, line: 2, column: 3 }],
    ["an overlong form", bytes("a", [0xc0, 0xaf]), { byte: 0xc0, offset: 1, line: 1, column: 2 }],
    ["a surrogate", bytes("a", [0xed, 0xa0, 0x80]), { byte: 0xed, offset: 1, line: 1, column: 2 }],
    ["a sequence cut short at the end", bytes("a", [0xe2, 0x82]), { byte: 0xe2, offset: 1, line: 1, column: 2 }],
  ])("places %s", (_name, input, badByte) => {
    expect(decodeUtf8(input)).toEqual({ badByte });
  });
});
