// Every file adainf writes for the user (run metadata, results tables, compiled
// programs, reports, previews, and a user's own source under fmt --write / lint --fix)
// is written atomically: to a temporary file in the same folder (tempBeside: created
// new, never reusing one a killed run left behind), then renamed over the target
// (atomic within a folder on POSIX file systems), so an interrupted write never leaves a
// half-written file behind. A failure names the target, never the temporary file the
// user has not heard of.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { ensureDir } from "./fs-errors.js";
import { removeStaleTemps } from "./stale-temps.js";

export interface AtomicWriteOptions {
  /** File mode of a new file (e.g. 0o755 for a script); default 0o666 less the umask. */
  mode?: number;
  /** Give the file exactly `mode`, not less the umask (a rewritten file keeps its mode). */
  exactMode?: boolean;
  /** Owner to give the file, where this process may (only root may give a file away). */
  owner?: { uid: number; gid: number };
  /** Flush the data to the disk before the rename. */
  fsync?: boolean;
}

/** Which step failed: creating the temporary file, writing it, or renaming it over the target. */
export type AtomicWriteStep = "create" | "write" | "replace";

/** A temporary file's name beside `file`: `.<name>.<pid>.<random>.tmp` (src/util/stale-temps.ts removes a dead process's). */
export function tempBeside(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
}

export function writeFileAtomic(file: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): void {
  ensureDir(path.dirname(file));
  removeStaleTemps(path.dirname(file), `.${path.basename(file)}.`);
  const tmp = tempBeside(file);
  let fd: number;
  try {
    fd = fs.openSync(tmp, "wx", options.mode ?? 0o666);
  } catch (e) {
    throw asTargetError(e, file, "create");
  }
  try {
    try {
      fs.writeFileSync(fd, data); // all of it (writeSync may write part)
      const { owner } = options;
      // The owner before the mode: a chown by root clears setuid and setgid.
      if (owner && (owner.uid !== process.getuid?.() || owner.gid !== process.getgid?.())) {
        try {
          fs.fchownSync(fd, owner.uid, owner.gid);
        } catch {
          // Only root may give a file away: the file is then this user's own.
        }
      }
      if (options.exactMode && options.mode !== undefined) fs.fchmodSync(fd, options.mode);
      if (options.fsync) fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw asTargetError(e, file, "write");
  }
  try {
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw asTargetError(e, file, "replace");
  }
}

/** Pretty-printed JSON with a final newline, written atomically. */
export function writeJsonAtomic(file: string, value: unknown): void {
  writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`);
}

/** A Node file-system error of the temporary file, restated as writing `file` (same code), with the step that failed. */
function asTargetError(e: unknown, file: string, step: AtomicWriteStep): unknown {
  const err = e as NodeJS.ErrnoException | null;
  if (!err || typeof err !== "object" || typeof err.code !== "string") return Object.assign(e instanceof Error ? e : new Error(String(e)), { step });
  return Object.assign(new Error(`${err.code}: cannot write '${file}'`), { code: err.code, errno: err.errno, syscall: "write", path: file, step });
}

/** The step of a writeFileAtomic failure, or null for another error. */
export function atomicWriteStep(e: unknown): AtomicWriteStep | null {
  const step = (e as { step?: unknown } | null)?.step;
  return step === "create" || step === "write" || step === "replace" ? step : null;
}
