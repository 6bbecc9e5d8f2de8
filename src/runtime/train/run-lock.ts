// One run at a time per run directory. `<dir>/run.lock` is created exclusively (O_EXCL)
// and holds the owner's pid, host and start time (src/formats/run-lock-file.ts). A
// second run into the same directory is refused naming the holder and what to do: a
// lock of another host cannot be checked, so the message says which host and pid hold
// it and that run.lock may be deleted once that run is no longer running. A lock whose
// process is gone (same host, pid not alive) is stale: it is taken over, with a note.
// Released when the run ends, however it ends: also when the process exits at once (a
// second Ctrl-C calls process.exit), through an `exit` listener held while locked.
import fs from "node:fs";
import os from "node:os";
import { RunSetupError } from "./errors.js";
import { runPaths } from "../../formats/run-dir.js";
import { holderState, myLock, readLockFile } from "../../formats/run-lock-file.js";
import { ensureDir } from "../../util/fs-errors.js";

export interface RunLock {
  /** Set when a stale lock was taken over: what to tell the user. */
  note: string | null;
  release(): void;
}

export function lockRunDir(dir: string): RunLock {
  ensureDir(dir);
  const file = runPaths(dir).lock;
  const mine = myLock();
  let note: string | null = null;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, `${JSON.stringify(mine)}\n`, { flag: "wx" });
      const onExit = (): void => releaseIfMine(file);
      process.on("exit", onExit);
      return {
        note,
        release: () => {
          process.removeListener("exit", onExit);
          releaseIfMine(file);
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    const held = readLockFile(file);
    const state = held ? holderState(held) : "dead";
    if (held && state === "elsewhere") {
      throw new RunSetupError(
        `${dir} is in use by a run on another host (pid ${held.pid} on ${held.host}, started ${held.started}), which cannot be checked from here: ` +
          `wait for it to finish, or set another output.dir; if that run is no longer running, delete ${file} and run again`,
      );
    }
    if (held && state === "alive") {
      throw new RunSetupError(
        `${dir} is in use by another run (pid ${held.pid} on ${held.host}, started ${held.started}); wait for it to finish, or set another output.dir ` +
          `(if pid ${held.pid} is not an adainfc run, the lock was left behind: delete ${file})`,
      );
    }
    note = held
      ? `took over a stale lock in ${dir} (pid ${held.pid} on ${held.host}, started ${held.started}, is no longer running)`
      : `replaced an unreadable lock file ${file}`;
    fs.rmSync(file, { force: true });
  }
  throw new RunSetupError(`could not lock ${dir}: another run took it at the same moment; try again`);
}

function releaseIfMine(file: string): void {
  const held = readLockFile(file);
  if (held && held.pid === process.pid && held.host === os.hostname()) fs.rmSync(file, { force: true });
}
