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
import { fsCauseOrMessage } from "../util/fs-errors.js";

/**
 * A file's text, or its first byte that is not UTF-8: `offset` in bytes, `start` in UTF-16
 * code units of the text before it (BOM dropped, as spans count), `lead` when it is a
 * valid lead byte whose sequence is cut short (by the file's end or a byte after a valid
 * continuation).
 */
export type Decoded = { text: string } | { badByte: { byte: number; offset: number; start: number; lead: boolean; line: number; column: number } };

const strict = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

export function decodeUtf8(bytes: Uint8Array): Decoded {
  try {
    return { text: strict.decode(bytes) };
  } catch {
    const { offset, lead } = firstInvalid(bytes);
    // Spans count without the BOM, so the column does too.
    const before = stripBom(strict.decode(bytes.subarray(0, offset)));
    const lines = new LineMap(before);
    const pos = lines.position(before.length);
    return { badByte: { byte: bytes[offset]!, offset, start: before.length, lead, line: pos.line + 1, column: pos.character + 1 } };
  }
}

/** The offset of the first byte that does not start or continue a valid UTF-8 sequence; `lead`: a sequence cut short. */
function firstInvalid(b: Uint8Array): { offset: number; lead: boolean } {
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
    } else return { offset: i, lead: false };
    for (let k = 1; k <= n; k++) {
      const d = b[i + k];
      if (d === undefined) return { offset: i, lead: true };
      if (k === 1 ? d < lo || d > hi : d < 0x80 || d > 0xbf) return { offset: i, lead: k > 1 };
    }
    i += n + 1;
  }
  return { offset: b.length, lead: false };
}

/** E005 for a file's first byte that is not UTF-8, at its line and column (`file` as shown to the user). */
export function notUtf8Diagnostic(file: string, bad: Extract<Decoded, { badByte: unknown }>["badByte"]): Diagnostic {
  const byte = bad.byte.toString(16).toUpperCase().padStart(2, "0");
  const span = { file, line: bad.line, column: bad.column, endLine: bad.line, endColumn: bad.column, start: bad.start, end: bad.start };
  return diagnostic(bad.lead ? diag.E005.notUtf8Sequence({ byte }) : diag.E005.notUtf8({ byte }), span);
}

/** E005 for a pipeline file that cannot be read at all, at its line 1, column 1 (a place for SARIF and editors). */
export function unreadableDiagnostic(file: string, reason: string): Diagnostic {
  return diagnostic(diag.E005.unreadable({ reason }), { file, line: 1, column: 1, endLine: 1, endColumn: 1, start: 0, end: 0 });
}

/** Why a pipeline file cannot be read, in the words every reader uses (`shown`: the file as the user knows it). */
export function cannotRead(shown: string, e: unknown): string {
  return `cannot read ${shown}: ${fsCauseOrMessage(e)}`;
}

/** A pipeline file's text for a command that may rewrite it (fmt, lint --fix), or its E005. */
export function readPipelineText(abs: string, shown: string): { text: string } | { diagnostic: Diagnostic } {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(abs);
  } catch (e) {
    return { diagnostic: unreadableDiagnostic(shown, cannotRead(shown, e)) };
  }
  const d = decodeUtf8(bytes);
  return "text" in d ? d : { diagnostic: notUtf8Diagnostic(shown, d.badByte) };
}
