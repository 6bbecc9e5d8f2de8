// Source values as TypeScript text. Every string, number and object key that came
// from a .adainf file reaches the emitted program through here, so a value holding
// quotes, backslashes, line breaks, `${...}`, `*/` or bidi controls stays one inert
// literal (or one comment line) and can never become code.

/** A double-quoted string literal that the TypeScript parser reads back as `s`. */
export function stringLiteral(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    const c = s.charCodeAt(i);
    if (ch === "\\") out += "\\\\";
    else if (ch === '"') out += '\\"';
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (c >= 0xd800 && c <= 0xdbff && isLow(s.charCodeAt(i + 1))) {
      // A well-formed surrogate pair is an ordinary character (emoji, CJK extension).
      out += ch + s[i + 1]!;
      i++;
    } else if (needsEscape(c)) out += unicodeEscape(c);
    else out += ch;
  }
  return out + '"';
}

/**
 * Code units that are escaped even inside a string literal: control characters (C0,
 * DEL, C1), the line separators U+2028/U+2029 (line terminators for many tools), the
 * byte-order mark, bidirectional overrides and isolates (which can make a reader see
 * code that is not there, "Trojan Source"), and lone surrogates (not valid UTF-8).
 */
function needsEscape(c: number): boolean {
  return (
    c < 0x20 ||
    (c >= 0x7f && c < 0xa0) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0xfeff ||
    (c >= 0x202a && c <= 0x202e) ||
    (c >= 0x2066 && c <= 0x2069) ||
    c === 0x200e ||
    c === 0x200f ||
    c === 0x061c ||
    (c >= 0xd800 && c <= 0xdfff)
  );
}

const isLow = (c: number): boolean => c >= 0xdc00 && c <= 0xdfff;
const unicodeEscape = (c: number): string => `\\u${c.toString(16).padStart(4, "0")}`;

/** A number literal: the shortest text that reads back as the same double; `_` groups long integers. */
export function numberLiteral(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`cannot write ${n} as a TypeScript literal`);
  if (Object.is(n, -0)) return "-0";
  if (Number.isInteger(n) && Math.abs(n) >= 10_000 && Math.abs(n) < 1e21) return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, "_");
  return String(n);
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * An object key: bare when it is a plain identifier, else a string literal. `__proto__`
 * is written as a computed key, the only form that makes an own property rather than
 * setting the object's prototype.
 */
export function propertyKey(key: string): string {
  if (key === "__proto__") return `[${stringLiteral(key)}]`;
  return IDENTIFIER.test(key) ? key : stringLiteral(key);
}

/**
 * Text for inside a `//` comment: one line, whatever the value holds. Line breaks and
 * the other characters stringLiteral escapes are shown as escapes, so the comment can
 * neither end early nor hide text; `*\/` cannot close a block comment either.
 */
export function commentText(s: string): string {
  const escaped = stringLiteral(s).slice(1, -1).replace(/\\"/g, '"');
  return escaped.replace(/\*\//g, "*\\/");
}
