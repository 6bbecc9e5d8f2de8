// Every file adainf writes for the user (run metadata, results tables, compiled
// programs, reports, previews) is written atomically: to a temporary file in the same
// folder, then renamed over the target (atomic within a folder on POSIX file systems),
// so an interrupted write never leaves a half-written file behind.
import fs from "node:fs";
import path from "node:path";
import { ensureDir } from "./fs-errors.js";

export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  ensureDir(path.dirname(file));
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

/** Pretty-printed JSON with a final newline, written atomically. */
export function writeJsonAtomic(file: string, value: unknown): void {
  writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`);
}
