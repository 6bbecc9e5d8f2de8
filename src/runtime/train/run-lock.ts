// One run at a time per run directory. `<dir>/run.lock` is created exclusively (O_EXCL)
// and holds the owner's pid, host and start time; a second run into the same directory is
// refused naming the holder. A lock whose process is gone (same host, pid not alive) is
// stale: it is taken over, with a note. Released when the run ends, however it ends.
import fs from "node:fs";
import os from "node:os";
import { RunSetupError } from "./errors.js";
import { runPaths } from "../../formats/run-dir.js";
import { ensureDir } from "../../util/fs-errors.js";

interface LockInfo {
  pid: number;
  host: string;
  started: string;
}

export interface RunLock {
  /** Set when a stale lock was taken over: what to tell the user. */
  note: string | null;
  release(): void;
}

export function lockRunDir(dir: string): RunLock {
  ensureDir(dir);
  const file = runPaths(dir).lock;
  const mine: LockInfo = { pid: process.pid, host: os.hostname(), started: new Date().toISOString() };
  let note: string | null = null;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, `${JSON.stringify(mine)}\n`, { flag: "wx" });
      return { note, release: () => releaseIfMine(file) };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    const held = readLock(file);
    if (held && isAlive(held)) {
      throw new RunSetupError(
        `${dir} is in use by another run (pid ${held.pid} on ${held.host}, started ${held.started}); ` + "wait for it to finish, or set another output.dir",
      );
    }
    note = held
      ? `took over a stale lock in ${dir} (pid ${held.pid} on ${held.host}, started ${held.started}, is no longer running)`
      : `replaced an unreadable lock file ${file}`;
    fs.rmSync(file, { force: true });
  }
  throw new RunSetupError(`could not lock ${dir}: another run took it at the same moment; try again`);
}

function readLock(file: string): LockInfo | null {
  try {
    const j = JSON.parse(fs.readFileSync(file, "utf8")) as Partial<LockInfo>;
    if (typeof j.pid === "number" && typeof j.host === "string" && typeof j.started === "string") return j as LockInfo;
  } catch {
    // unreadable: treated as stale
  }
  return null;
}

/** A lock from another host cannot be checked: it counts as held. */
function isAlive(l: LockInfo): boolean {
  if (l.host !== os.hostname()) return true;
  if (l.pid === process.pid) return true;
  try {
    process.kill(l.pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

function releaseIfMine(file: string): void {
  const held = readLock(file);
  if (held && held.pid === process.pid && held.host === os.hostname()) fs.rmSync(file, { force: true });
}
