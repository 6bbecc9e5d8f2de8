// File-system failures a user can cause (a path that is a file, a read-only mount, a
// missing folder, a symlink loop, a full disk) become one line naming the path and the
// cause, wherever they surface: the CLI's entry point turns any such error into this
// line and exit 1, never an "internal error". ensureDir creates folders without Node's
// recursive mkdir, which loops forever on some file systems (/proc).
import fs from "node:fs";
import path from "node:path";

const CAUSES: Record<string, string> = {
  ENOENT: "no such file or folder",
  ENOTDIR: "a part of the path is a file, not a folder",
  EISDIR: "it is a folder, not a file",
  EEXIST: "it already exists",
  ENOTEMPTY: "the folder is not empty",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EROFS: "the file system is read-only",
  ELOOP: "too many symbolic links (a loop?)",
  ENOSPC: "no space left on the device",
  EDQUOT: "disk quota exceeded",
  ENAMETOOLONG: "the name is too long",
  EMFILE: "too many open files",
  EBUSY: "the file or folder is busy",
  EXDEV: "it is on another file system",
  EINVAL: "the file system does not allow it",
};

const ACTIONS: Record<string, string> = {
  mkdir: "create the folder",
  open: "open",
  read: "read",
  write: "write",
  rename: "write",
  scandir: "list the folder",
  stat: "read",
  lstat: "read",
  unlink: "remove",
  rmdir: "remove the folder",
  rm: "remove",
  copyfile: "copy to",
};

/** The cause of a file-system error with a known code ("too many symbolic links (a loop?)"), or null. */
export function fsCause(e: unknown): string | null {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  return typeof code === "string" && code in CAUSES ? CAUSES[code]! : null;
}

/** The cause of a file-system error in words, else the error's own message. */
export function fsCauseOrMessage(e: unknown): string {
  return fsCause(e) ?? (e instanceof Error ? e.message : String(e));
}

/**
 * One line for a file-system error with a known cause, or null for anything else.
 * `shown` names the path as the user typed it (the error holds the absolute one).
 */
export function describeFsError(e: unknown, shown?: string): string | null {
  const err = e as NodeJS.ErrnoException | null;
  if (!err || typeof err !== "object" || typeof err.code !== "string" || !(err.code in CAUSES)) return null;
  const where = (err as { dest?: string }).dest ?? err.path;
  if (typeof where !== "string") return null;
  const action = ACTIONS[err.syscall ?? ""] ?? "use";
  // ENOENT with the parent there: the file system (e.g. /proc) refuses new folders or files.
  const refused = err.code === "ENOENT" && fs.existsSync(path.dirname(where));
  const cause =
    refused && err.syscall === "mkdir"
      ? "the file system does not allow a folder there"
      : refused && err.syscall === "write"
        ? "the file system does not allow a new file there"
        : CAUSES[err.code];
  return `cannot ${action} ${shown ?? where}: ${cause} (${err.code})`;
}

/**
 * mkdir -p, one level at a time: errors name the level that failed. Returns the first
 * folder it created (as Node's recursive mkdir does), undefined when all were there.
 */
export function ensureDir(dir: string): string | undefined {
  const missing: string[] = [];
  let cur = path.resolve(dir);
  for (;;) {
    let st: fs.Stats;
    try {
      st = fs.statSync(cur);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "ENOTDIR") throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${dir}'`), { code, syscall: "mkdir", path: path.resolve(dir) });
      if (code !== "ENOENT") throw e;
      missing.push(cur);
      const parent = path.dirname(cur);
      if (parent === cur) break;
      cur = parent;
      continue;
    }
    if (!st.isDirectory()) {
      throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${dir}'`), { code: "ENOTDIR", syscall: "mkdir", path: cur });
    }
    break;
  }
  let first: string | undefined;
  for (const d of missing.reverse()) {
    try {
      fs.mkdirSync(d);
      first ??= d;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "EEXIST" && fs.statSync(d).isDirectory()) continue;
      throw e;
    }
  }
  return first;
}

/**
 * A folder to write into, for a flag like `--dir`: ensureDir, then a check that this
 * process may write there. Returns the first folder created (so a failed command can
 * remove it again). Throws an Error whose message is one line saying what is wrong,
 * without the path (the caller names it as the user typed it).
 */
export function writableDir(dir: string): string | undefined {
  let made: string | undefined;
  try {
    made = ensureDir(dir);
    fs.accessSync(dir, fs.constants.W_OK);
    return made;
  } catch (e) {
    let isFile = false;
    try {
      isFile = !fs.statSync(dir).isDirectory();
    } catch {
      /* not there: described below */
    }
    const why = isFile ? "it is a file, not a folder" : (describeFsError(e) ?? (e instanceof Error ? e.message : String(e)));
    throw new Error(why);
  }
}
