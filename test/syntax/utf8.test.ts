// decodeUtf8: valid UTF-8 (a BOM kept) decodes as Node does; the first byte that is not
// UTF-8 (a Latin-1 é, a lone continuation byte, an overlong form, a surrogate) is placed
// at its line and column, columns counting UTF-16 units of the text before it, after a BOM;
// its E005 span's start is in those units too, and a valid lead byte whose sequence is cut
// short (after a valid continuation, or by the file's end) is named as such.
import { describe, expect, it } from "vitest";
import { decodeUtf8, notUtf8Diagnostic } from "../../src/syntax/utf8.js";

const bytes = (...parts: (string | number[])[]) => Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p, "utf8") : Buffer.from(p))));

describe("decodeUtf8", () => {
  it("decodes valid text and keeps a BOM", () => {
    expect(decodeUtf8(bytes("\uFEFFpipeline 😀\r\n"))).toEqual({ text: "\uFEFFpipeline 😀\r\n" });
  });
  it.each([
    ["a Latin-1 byte", bytes("ab\ncd ", [0xe9], "\n"), { byte: 0xe9, offset: 6, start: 6, lead: false, line: 2, column: 4 }],
    ["after a BOM, CRLF and an emoji", bytes("\uFEFFx\r\n😀", [0x80]), { byte: 0x80, offset: 10, start: 5, lead: false, line: 2, column: 3 }],
    ["an overlong form", bytes("a", [0xc0, 0xaf]), { byte: 0xc0, offset: 1, start: 1, lead: false, line: 1, column: 2 }],
    ["a surrogate", bytes("a", [0xed, 0xa0, 0x80]), { byte: 0xed, offset: 1, start: 1, lead: false, line: 1, column: 2 }],
    ["a sequence cut short at the end", bytes("a", [0xe2, 0x82]), { byte: 0xe2, offset: 1, start: 1, lead: true, line: 1, column: 2 }],
  ])("places %s", (_name, input, badByte) => {
    expect(decodeUtf8(input)).toEqual({ badByte });
  });
});

describe("E005 for a file that is not UTF-8", () => {
  const diagnosticOf = (input: Buffer) => {
    const d = decodeUtf8(input);
    if (!("badByte" in d)) throw new Error("decoded");
    return notUtf8Diagnostic("p.adainf", d.badByte);
  };
  it("spans a character offset (after a BOM and an emoji), not a byte offset", () => {
    const d = diagnosticOf(bytes("\uFEFF😀é", [0xe9], "\n"));
    // BOM (3 bytes) + emoji (4) + é (2) = byte 9; without the BOM: 2 + 1 = 3 UTF-16 units.
    expect(d.span).toMatchObject({ start: 3, end: 3, line: 1, column: 4 });
    expect(d.message).toBe("byte 0xE9 is not UTF-8");
  });
  it("names a sequence cut short by its lead byte, which is itself valid", () => {
    expect(diagnosticOf(bytes("a = 1 ", [0xe2, 0x82], "\n")).message).toBe("the bytes starting with 0xE2 are not a complete UTF-8 character");
    expect(diagnosticOf(bytes("a = 1 ", [0xe2, 0x82])).message).toBe("the bytes starting with 0xE2 are not a complete UTF-8 character");
  });
});
