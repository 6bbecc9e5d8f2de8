// Every file adainf writes for the user (run metadata, results tables, compiled
// programs, reports, previews) is written atomically: to a temporary file in the same
// folder, then renamed over the target (atomic within a folder on POSIX file systems),
// so an interrupted write never leaves a half-written file behind. A failure names the
// target, never the temporary file the user has not heard of.
import fs from "node:fs";
import path from "node:path";
import { ensureDir } from "./fs-errors.js";

export interface AtomicWriteOptions {
  /** File mode of a new file (e.g. 0o755 for a script); default 0o666 less the umask. */
  mode?: number;
}

export function writeFileAtomic(file: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): void {
  ensureDir(path.dirname(file));
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    fs.writeFileSync(tmp, data, options.mode === undefined ? {} : { mode: options.mode });
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw asTargetError(e, file);
  }
}

/** Pretty-printed JSON with a final newline, written atomically. */
export function writeJsonAtomic(file: string, value: unknown): void {
  writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`);
}

/** A Node file-system error of the temporary file, restated as writing `file` (same code). */
function asTargetError(e: unknown, file: string): unknown {
  const err = e as NodeJS.ErrnoException | null;
  if (!err || typeof err !== "object" || typeof err.code !== "string") return e;
  return Object.assign(new Error(`${err.code}: cannot write '${file}'`), { code: err.code, errno: err.errno, syscall: "write", path: file });
}
