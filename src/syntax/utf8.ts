// Pipeline files are UTF-8 (docs/language.md). Every reader of a pipeline file on disk
// (the compiler, fmt, lint --fix) decodes it here, strictly: a byte that is not part of
// valid UTF-8 is an error placed at its line and column (columns in UTF-16 code units
// of the valid text before it, as every span counts), never replaced by U+FFFD, so a
// file in another encoding is refused rather than silently rewritten. The BOM is kept
// (each reader drops it, src/syntax/bom.ts). A file that cannot be read at all is E005
// too, at its first line.
import { readFileSync } from "node:fs";
import type { Diagnostic } from "../check/diagnostic.js";
import { diag, diagnostic } from "../check/registry.js";
import { stripBom } from "./bom.js";
import { LineMap } from "./lines.js";
import { fsCause } from "../util/fs-errors.js";

export type Decoded = { text: string } | { badByte: { byte: number; offset: number; line: number; column: number } };

const strict = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

export function decodeUtf8(bytes: Uint8Array): Decoded {
  try {
    return { text: strict.decode(bytes) };
  } catch {
    const offset = firstInvalid(bytes);
    // Spans count without the BOM, so the column does too.
    const before = stripBom(strict.decode(bytes.subarray(0, offset)));
    const lines = new LineMap(before);
    const pos = lines.position(before.length);
    return { badByte: { byte: bytes[offset]!, offset, line: pos.line + 1, column: pos.character + 1 } };
  }
}

/** The offset of the first byte that does not start or continue a valid UTF-8 sequence. */
function firstInvalid(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    let n: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c < 0x80) n = 0;
    else if (c >= 0xc2 && c <= 0xdf) n = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      n = 2;
      if (c === 0xe0) lo = 0xa0; // no overlong forms
      if (c === 0xed) hi = 0x9f; // no surrogates
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 3;
      if (c === 0xf0) lo = 0x90;
      if (c === 0xf4) hi = 0x8f; // nothing above U+10FFFF
    } else return i;
    for (let k = 1; k <= n; k++) {
      const d = b[i + k];
      if (d === undefined) return i;
      if (k === 1 ? d < lo || d > hi : d < 0x80 || d > 0xbf) return i;
    }
    i += n + 1;
  }
  return b.length;
}

/** E005 for a file's first byte that is not UTF-8, at its line and column (`file` as shown to the user). */
export function notUtf8Diagnostic(file: string, bad: Extract<Decoded, { badByte: unknown }>["badByte"]): Diagnostic {
  const byte = bad.byte.toString(16).toUpperCase().padStart(2, "0");
  const span = { file, line: bad.line, column: bad.column, endLine: bad.line, endColumn: bad.column, start: bad.offset, end: bad.offset };
  return diagnostic(diag.E005.notUtf8({ byte }), span);
}

/** E005 for a pipeline file that cannot be read at all, at its line 1, column 1 (a place for SARIF and editors). */
export function unreadableDiagnostic(file: string, reason: string): Diagnostic {
  return diagnostic(diag.E005.unreadable({ reason }), { file, line: 1, column: 1, endLine: 1, endColumn: 1, start: 0, end: 0 });
}

/** A pipeline file's text for a command that may rewrite it (fmt, lint --fix), or its E005. */
export function readPipelineText(abs: string, shown: string): { text: string } | { diagnostic: Diagnostic } {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(abs);
  } catch (e) {
    return { diagnostic: unreadableDiagnostic(shown, `cannot read ${shown}: ${fsCause(e) ?? (e instanceof Error ? e.message : String(e))}`) };
  }
  const d = decodeUtf8(bytes);
  return "text" in d ? d : { diagnostic: notUtf8Diagnostic(shown, d.badByte) };
}
