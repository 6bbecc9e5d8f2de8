// run.lock, the file that marks a run directory as in use (src/runtime/train/run-lock.ts
// takes and releases it): what it records (pid, host, start time), reading it, and
// whether its holder still runs. Plain Node, so that `report` can tell a run that is
// training from one that stopped.
import fs from "node:fs";
import os from "node:os";
import { runPaths } from "./run-dir.js";

export interface LockInfo {
  pid: number;
  host: string;
  /** ISO time the holder took the lock. */
  started: string;
}

/**
 * `alive`: a process of this host with that pid runs (or it is this process);
 * `dead`: this host's, and no such process; `elsewhere`: another host's, which
 * cannot be checked from here.
 */
export type HolderState = "alive" | "dead" | "elsewhere";

/** This process's lock record, as written now. */
export function myLock(): LockInfo {
  return { pid: process.pid, host: os.hostname(), started: new Date().toISOString() };
}

/** The lock file's record, or null when it is missing or unreadable. */
export function readLockFile(file: string): LockInfo | null {
  try {
    const j = JSON.parse(fs.readFileSync(file, "utf8")) as Partial<LockInfo>;
    if (typeof j.pid === "number" && typeof j.host === "string" && typeof j.started === "string") return j as LockInfo;
  } catch {
    // missing or unreadable
  }
  return null;
}

export function holderState(l: LockInfo): HolderState {
  if (l.host !== os.hostname()) return "elsewhere";
  if (l.pid === process.pid) return "alive";
  try {
    process.kill(l.pid, 0);
    return "alive";
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM" ? "alive" : "dead";
  }
}

/** Who holds the run directory's lock and whether it still runs; null when there is no readable lock. */
export function runLockOf(dir: string): { holder: LockInfo; state: HolderState } | null {
  const holder = readLockFile(runPaths(dir).lock);
  return holder ? { holder, state: holderState(holder) } : null;
}
