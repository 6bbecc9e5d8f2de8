// Temp files named `<prefix><pid>.<stamp>.tmp` (or `<prefix><pid>.tmp`) that a writer
// killed before its rename left behind (Ctrl-C or SIGKILL during a long write: a
// generation, a cache inflation): the next writer of the same file removes those whose
// process is gone, so interrupted runs do not pile up hidden gigabytes.
import fs from "node:fs";
import path from "node:path";

/** Removes the temp files in `dir` starting with `prefix` whose process is gone; returns their names. */
export function removeStaleTemps(dir: string, prefix: string): string[] {
  const removed: string[] = [];
  let entries: string[];
  try {
    entries = fs.readdirSync(dir);
  } catch {
    return removed;
  }
  for (const entry of entries) {
    if (!entry.startsWith(prefix)) continue;
    const m = /^(\d+)(\.[0-9a-z]+)?\.tmp$/.exec(entry.slice(prefix.length));
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid === process.pid || processAlive(pid)) continue;
    try {
      fs.rmSync(path.join(dir, entry), { force: true });
      removed.push(entry);
    } catch {
      // Not ours to remove (permissions): leave it.
    }
  }
  return removed;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}
