// The .adainf files below a folder, as every command and the language server see them:
// node_modules and hidden folders skipped, sorted for stable output. Symbolic links are
// followed after the real folders (so a file reached both ways has its own path), but
// each real folder is listed once and each real file is returned once, so a link back up
// the tree (a loop) or a second link to a file adds nothing; a folder link that leads
// back into the walk is not followed, and reported through `onLoop`. The kernel's own
// file systems (/proc, /sys, /dev and the like: no pipeline files, and folders no one
// can list) are not entered. A folder that cannot be listed stops the walk with its
// error, unless `onUnreadable` is given: then it is reported there and skipped.
import { type Dirent, lstatSync, readdirSync, realpathSync, statfsSync, statSync } from "node:fs";
import { basename, dirname, join, sep } from "node:path";

export const PIPELINE_EXTENSION = ".adainf";

/** A folder link not followed: `path` leads to `target`, already walked; `loop` when it is the link's own ancestor. */
export interface FolderLoop {
  path: string;
  target: string;
  loop: boolean;
}

/**
 * The magic numbers (statfs(2) f_type) of the kernel's pseudo file systems: proc, sysfs,
 * devtmpfs/devpts, cgroup and cgroup2, debugfs, tracefs, securityfs, pstore, bpf,
 * configfs, fusectl, mqueue, binfmt_misc, hugetlbfs, autofs.
 */
const PSEUDO_FILE_SYSTEMS = new Set([
  0x9fa0, 0x62656572, 0x1cd1, 0x27e0eb, 0x63677270, 0x64626720, 0x74726163, 0x73636673, 0x6165676c, 0xcafe4a11, 0x62656570, 0x65735543, 0x19800202, 0x42494e4d,
  0x958458f6, 0x0187,
]);

/** Top-level paths of those file systems, skipped without asking (a container may show them otherwise). */
const PSEUDO_PATHS = new Set(["/proc", "/sys", "/dev"]);

/** Whether the folder `p` is on one of the kernel's pseudo file systems. */
function pseudoFileSystem(p: string): boolean {
  if (PSEUDO_PATHS.has(p)) return true;
  try {
    return PSEUDO_FILE_SYSTEMS.has(Number(statfsSync(p).type));
  } catch {
    return false;
  }
}

/** A folder the walk could not list, with the error readdir gave. */
export interface UnreadableFolder {
  path: string;
  error: unknown;
}

export interface WalkOptions {
  /** A folder that cannot be listed is reported here and skipped (without it, its error is thrown). */
  onUnreadable?: (folder: UnreadableFolder) => void;
  /** The most folders listed; the walk stops there and calls `onFolderLimit`. */
  maxFolders?: number;
  onFolderLimit?: () => void;
  /** The folders listed so far, shared by the walks of several roots so that `maxFolders` counts them all (default: this walk's own). */
  listed?: { folders: number };
}

/** Absolute paths of the .adainf files below `dir` (at most `max`). */
export function adainfFilesIn(dir: string, max = Number.POSITIVE_INFINITY, onLoop?: (loop: FolderLoop) => void, walkOptions: WalkOptions = {}): string[] {
  const { onUnreadable, maxFolders = Number.POSITIVE_INFINITY, onFolderLimit } = walkOptions;
  const count = walkOptions.listed ?? { folders: 0 };
  const files: string[] = [];
  /** The device of each folder walked: a folder on another one may be a pseudo file system. */
  const devices = new Map<string, number>();
  const seenFolders = new Set<string>();
  const seenFiles = new Set<string>();
  const real = (p: string): string | null => {
    try {
      return realpathSync(p);
    } catch {
      return null;
    }
  };
  // Symbolic links are followed after the real folders: a file reached both ways is
  // listed under its own path, not the link's, whatever the names' order.
  const links: string[] = [];
  const visit = (p: string, name: string, dirReal: string | null): void => {
    let folder = false;
    let dev = -1;
    try {
      const st = statSync(p);
      folder = st.isDirectory();
      dev = st.dev;
    } catch {
      // a dangling link: a .adainf one is kept, so that reading it says what is wrong
    }
    if (folder) {
      const target = real(p);
      if (target !== null && seenFolders.has(target))
        onLoop?.({ path: p, target, loop: dirReal !== null && (dirReal === target || dirReal.startsWith(target + sep)) });
      // A mount point (another device than its folder's) is asked what file system it is.
      else if (!(dev !== devices.get(dirReal ?? "") && pseudoFileSystem(target ?? p))) walk(p, dev);
    } else if (name.endsWith(PIPELINE_EXTENSION)) {
      const target = real(p) ?? p;
      if (seenFiles.has(target)) return; // a second name of a file already listed
      seenFiles.add(target);
      files.push(p);
    }
  };
  const walk = (d: string, dev: number): void => {
    if (count.folders >= maxFolders) {
      if (count.folders++ === maxFolders) onFolderLimit?.(); // once: the first folder left out
      return;
    }
    count.folders++;
    const r = real(d);
    if (r !== null) seenFolders.add(r);
    if (r !== null) devices.set(r, dev);
    let entries: Dirent[];
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch (error) {
      if (!onUnreadable) throw error;
      onUnreadable({ path: d, error });
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (files.length >= max) return;
      const name = entry.name;
      if (name.startsWith(".") || name === "node_modules") continue;
      // A file of another name is nothing to the walk: no call to the file system for it (a folder of images).
      if (entry.isFile() && !name.endsWith(PIPELINE_EXTENSION)) continue;
      const p = join(d, name);
      let link = entry.isSymbolicLink();
      // The type is not always known from the listing (some file systems): asked then.
      if (!link && !entry.isFile() && !entry.isDirectory())
        try {
          link = lstatSync(p).isSymbolicLink();
        } catch {
          // gone meanwhile: visit says so below
        }
      if (link) links.push(p);
      else visit(p, name, r);
    }
  };
  let rootDev = -1;
  try {
    rootDev = statSync(dir).dev;
  } catch {
    // readdir says what is wrong
  }
  if (!pseudoFileSystem(real(dir) ?? dir)) walk(dir, rootDev);
  for (let i = 0; i < links.length && files.length < max; i++) {
    const p = links[i]!;
    visit(p, basename(p), real(dirname(p)));
  }
  return files;
}
