// The .adainf files below a folder, as every command and the language server see them:
// node_modules and hidden folders skipped, sorted for stable output. Symbolic links are
// followed after the real folders (so a file reached both ways has its own path), but
// each real folder is listed once and each real file is returned once, so a link back up
// the tree (a loop) or a second link to a file adds nothing; a folder link that leads
// back into the walk is not followed, and reported through `onLoop`.
import { lstatSync, readdirSync, realpathSync, statSync } from "node:fs";
import { basename, dirname, join, sep } from "node:path";

export const PIPELINE_EXTENSION = ".adainf";

/** A folder link not followed: `path` leads to `target`, already walked; `loop` when it is the link's own ancestor. */
export interface FolderLoop {
  path: string;
  target: string;
  loop: boolean;
}

/** Absolute paths of the .adainf files below `dir` (at most `max`). */
export function adainfFilesIn(dir: string, max = Number.POSITIVE_INFINITY, onLoop?: (loop: FolderLoop) => void): string[] {
  const files: string[] = [];
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
    try {
      folder = statSync(p).isDirectory();
    } catch {
      // a dangling link: a .adainf one is kept, so that reading it says what is wrong
    }
    if (folder) {
      const target = real(p);
      if (target !== null && seenFolders.has(target))
        onLoop?.({ path: p, target, loop: dirReal !== null && (dirReal === target || dirReal.startsWith(target + sep)) });
      else walk(p);
    } else if (name.endsWith(PIPELINE_EXTENSION)) {
      const target = real(p) ?? p;
      if (seenFiles.has(target)) return; // a second name of a file already listed
      seenFiles.add(target);
      files.push(p);
    }
  };
  const walk = (d: string): void => {
    const r = real(d);
    if (r !== null) seenFolders.add(r);
    for (const name of readdirSync(d).sort()) {
      if (files.length >= max) return;
      if (name.startsWith(".") || name === "node_modules") continue;
      const p = join(d, name);
      let link = false;
      try {
        link = lstatSync(p).isSymbolicLink();
      } catch {
        // gone meanwhile: visit says so below
      }
      if (link) links.push(p);
      else visit(p, name, r);
    }
  };
  walk(dir);
  for (let i = 0; i < links.length && files.length < max; i++) {
    const p = links[i]!;
    visit(p, basename(p), real(dirname(p)));
  }
  return files;
}
