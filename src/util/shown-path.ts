// A file as a message names it: relative to the working directory when it is under it,
// else as given (absolute). Used by every CLI message that names a user's file.
import path from "node:path";

export function shownPath(cwd: string, file: string): string {
  const rel = path.relative(cwd, path.resolve(cwd, file));
  return rel && !rel.startsWith("..") && !path.isAbsolute(rel) ? rel : file;
}
