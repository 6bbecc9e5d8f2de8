// The UTF-8 byte order mark that some editors (on Windows) write at the start of a
// file. Every reader of pipeline text drops it first, so spans and columns count from
// the first real character; a command that rewrites a file (fmt --write, lint --fix)
// puts it back when the file had it, as an editor saves (its own module: lint --fix
// uses it without the parser).

const BOM = "\uFEFF";

/** The text without a leading byte order mark. */
export function stripBom(text: string): string {
  return text.startsWith(BOM) ? text.slice(1) : text;
}

/** `text` (without a BOM) to be saved over `original`: with a BOM when the original had one. */
export function withBomOf(original: string, text: string): string {
  return original.startsWith(BOM) ? BOM + stripBom(text) : text;
}
