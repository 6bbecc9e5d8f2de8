// The files `adainfc compile` writes (--target ts, --target solo-learn) carry one marker
// line holding a hash of the rest of the file, in the file's own comment syntax (`//` in
// TypeScript, `#` in YAML and shell after the `#!` line, a `"//"` key in JSON, which npm
// and tsc ignore). Compiling again replaces a file silently only while it is that
// unedited output (recompiling is the normal loop); a file edited since, or one compile
// did not write, is refused unless --force (src/cli/commands/compile.ts), and so is
// anything at an output path that is no regular file (a folder, a link, a FIFO), which is
// never read. Writes are atomic, every file checked before any is written.
import { createHash } from "node:crypto";
import fs from "node:fs";
import { extname, join } from "node:path";
import { writeFileAtomic } from "../util/atomic-write.js";

/** A file of a compile target, before it is marked. */
export interface CompiledFile {
  /** Relative to the output folder. */
  path: string;
  text: string;
  executable?: boolean;
}

type Syntax = "slashes" | "hash" | "json";

const SYNTAX: Record<string, Syntax> = { ".ts": "slashes", ".yaml": "hash", ".yml": "hash", ".sh": "hash", ".json": "json" };

/** The marker's words after the hash: what it is for, to a reader of the file. */
const WORDS = "once edited, compiling again refuses to replace it without --force";
const MARKER = /^(?:\/\/ |# | {2}"\/\/": ")adainfc output sha256 ([0-9a-f]{16}): /;

function syntaxOf(path: string): Syntax {
  const syntax = SYNTAX[extname(path)];
  if (syntax === undefined) throw new Error(`no marker syntax for ${path}`);
  return syntax;
}

function digest(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 16);
}

/** The text with its marker line: the first line, or the second after a `#!` line or JSON's `{`. */
export function markedText(path: string, text: string): string {
  const syntax = syntaxOf(path);
  const body = `adainfc output sha256 ${digest(text)}: ${WORDS}`;
  const line = syntax === "json" ? `  "//": ${JSON.stringify(body)},` : `${syntax === "slashes" ? "//" : "#"} ${body}`;
  const afterFirst = syntax === "json" || (syntax === "hash" && text.startsWith("#!"));
  if (!afterFirst) return `${line}\n${text}`;
  const nl = text.indexOf("\n") + 1;
  return `${text.slice(0, nl)}${line}\n${text.slice(nl)}`;
}

/** Whether a file's text is compile's unedited output, edited since, or not compile's at all. */
export function ownership(text: string): "unedited" | "edited" | "foreign" {
  const lines = text.split("\n");
  const at = lines.slice(0, 2).findIndex((l) => MARKER.test(l));
  if (at < 0) return "foreign";
  const hash = MARKER.exec(lines[at]!)![1]!;
  lines.splice(at, 1);
  return digest(lines.join("\n")) === hash ? "unedited" : "edited";
}

/** Why a file stands in the way: edited, not compile's (no marker), or no regular file at all (a folder, a link, a FIFO, ...). */
export type InTheWay = "edited" | "foreign" | "folder" | "link" | "special";

/**
 * The files (absolute paths) that exist and are not compile's unedited output, with why.
 * Only a regular file is read (lstat first): a folder, a symbolic link (dangling or not)
 * or a FIFO is reported as such, never opened (reading a FIFO would wait forever).
 */
export function filesInTheWay(paths: readonly string[]): Array<{ path: string; why: InTheWay }> {
  const out: Array<{ path: string; why: InTheWay }> = [];
  for (const path of paths) {
    let st: fs.Stats;
    try {
      st = fs.lstatSync(path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") continue;
      throw e;
    }
    if (st.isDirectory()) out.push({ path, why: "folder" });
    else if (st.isSymbolicLink()) out.push({ path, why: "link" });
    else if (!st.isFile()) out.push({ path, why: "special" });
    else {
      const state = ownership(fs.readFileSync(path, "utf8"));
      if (state !== "unedited") out.push({ path, why: state });
    }
  }
  return out;
}

/** Writes each file marked, atomically (temp file + rename); returns the absolute paths. */
export function writeCompiledFiles(dir: string, files: readonly CompiledFile[]): string[] {
  return files.map((f) => {
    const path = join(dir, f.path);
    writeFileAtomic(path, markedText(f.path, f.text), { mode: f.executable ? 0o755 : 0o644 });
    return path;
  });
}
