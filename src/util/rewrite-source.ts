// Rewriting a user's own source file (`adainfc fmt --write`, `adainfc lint --fix`), as an
// editor saves it: a symlink is followed and its target rewritten, the file keeps its
// mode (and owner, where the process may set it), a file without any write permission
// (mode bits, checked even as root) or one the user may not write is refused, and the
// write is atomic (src/util/atomic-write.ts: a temporary file beside the target, renamed
// over it). A file with other hard links is replaced, so the other names keep the old
// text (docs/lint.md). A failure is a RewriteRefused whose message is the plain cause,
// never the temporary file; a file that cannot be renamed over (a single bind-mounted
// file: EBUSY, EXDEV) is refused in those words, and left as it was.
import fs from "node:fs";
import { atomicWriteStep, writeFileAtomic } from "./atomic-write.js";
import { fsCauseOrMessage } from "./fs-errors.js";

/** Why a source file was not rewritten, in words for "not fixed <file>: <why>". */
export class RewriteRefused extends Error {}

export function rewriteSourceFile(file: string, text: string): void {
  let target: string;
  let st: fs.Stats;
  try {
    target = fs.realpathSync(file);
    st = fs.statSync(target);
  } catch (e) {
    throw new RewriteRefused(`cannot read it: ${fsCauseOrMessage(e)}`);
  }
  if (!st.isFile()) throw new RewriteRefused("not a regular file");
  const mode = st.mode & 0o7777;
  // The mode bits first: root may write anything, but a file made read-only stays so.
  if ((mode & 0o222) === 0) throw new RewriteRefused(`it is read-only (mode ${mode.toString(8).padStart(4, "0")})`);
  try {
    fs.accessSync(target, fs.constants.W_OK);
  } catch (e) {
    throw new RewriteRefused(`you may not write it: ${fsCauseOrMessage(e)}`);
  }
  try {
    writeFileAtomic(target, text, { mode, exactMode: true, owner: { uid: st.uid, gid: st.gid }, fsync: true });
  } catch (e) {
    const cause = fsCauseOrMessage(e);
    const code = (e as NodeJS.ErrnoException).code;
    switch (atomicWriteStep(e)) {
      case "create":
        throw new RewriteRefused(`cannot write its folder: ${cause}`);
      case "replace":
        if (code === "EBUSY" || code === "EXDEV")
          throw new RewriteRefused(
            `cannot replace it: ${cause} (a file mounted on its own, as docker -v does, cannot be replaced: run this where it is mounted from)`,
          );
        throw new RewriteRefused(`cannot replace it: ${cause}`);
      default:
        throw new RewriteRefused(`cannot write it: ${cause}`);
    }
  }
}
