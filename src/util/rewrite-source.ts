// Rewriting a user's own source file (`adainfc fmt --write`, `adainfc lint --fix`), as an
// editor saves it: a symlink is followed and its target rewritten, the file keeps its
// mode (and owner, where the process may set it), a file without any write permission
// (mode bits, checked even as root) or one the user may not write is refused, and the
// write is atomic: a temporary file beside the target, given the target's mode, renamed
// over it. A file with other hard links is replaced, so the other names keep the old
// text (docs/lint.md). A failure is a RewriteRefused whose message is the plain cause,
// never the temporary file.
import fs from "node:fs";
import path from "node:path";
import { fsCause } from "./fs-errors.js";

/** Why a source file was not rewritten, in words for "not fixed <file>: <why>". */
export class RewriteRefused extends Error {}

export function rewriteSourceFile(file: string, text: string): void {
  let target: string;
  let st: fs.Stats;
  try {
    target = fs.realpathSync(file);
    st = fs.statSync(target);
  } catch (e) {
    throw new RewriteRefused(`cannot read it: ${cause(e)}`);
  }
  if (!st.isFile()) throw new RewriteRefused("not a regular file");
  const mode = st.mode & 0o7777;
  // The mode bits first: root may write anything, but a file made read-only stays so.
  if ((mode & 0o222) === 0) throw new RewriteRefused(`it is read-only (mode ${mode.toString(8).padStart(4, "0")}): not rewritten`);
  try {
    fs.accessSync(target, fs.constants.W_OK);
  } catch (e) {
    throw new RewriteRefused(`you may not write it: ${cause(e)}`);
  }
  const dir = path.dirname(target);
  const tmp = path.join(dir, `.${path.basename(target)}.${process.pid}.tmp`);
  let fd: number | null = null;
  try {
    try {
      fd = fs.openSync(tmp, "wx", 0o600);
    } catch (e) {
      throw new RewriteRefused(`cannot write its folder: ${cause(e)}`);
    }
    try {
      fs.writeSync(fd, text);
      fs.fchmodSync(fd, mode);
      if (st.uid !== process.getuid?.() || st.gid !== process.getgid?.()) {
        try {
          fs.fchownSync(fd, st.uid, st.gid);
        } catch {
          // Only root may give a file away: the rewritten file is then the user's own.
        }
      }
      fs.fsyncSync(fd);
    } catch (e) {
      throw new RewriteRefused(`cannot write it: ${cause(e)}`);
    } finally {
      fs.closeSync(fd);
    }
    try {
      fs.renameSync(tmp, target);
    } catch (e) {
      throw new RewriteRefused(`cannot replace it: ${cause(e)}`);
    }
  } catch (e) {
    if (fd !== null) fs.rmSync(tmp, { force: true });
    throw e;
  }
}

function cause(e: unknown): string {
  return fsCause(e) ?? (e instanceof Error ? e.message : String(e));
}
