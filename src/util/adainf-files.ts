// The .adainf files below a folder, as every command and the language server see them:
// node_modules and hidden folders skipped, sorted for stable output.
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

export const PIPELINE_EXTENSION = ".adainf";

/** Absolute paths of the .adainf files below `dir` (at most `max`). */
export function adainfFilesIn(dir: string, max = Number.POSITIVE_INFINITY): string[] {
  const files: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      if (files.length >= max) return;
      if (name.startsWith(".") || name === "node_modules") continue;
      const p = join(d, name);
      let folder = false;
      try {
        folder = statSync(p).isDirectory();
      } catch {
        // a dangling link: a .adainf one is kept, so that reading it says what is wrong
      }
      if (folder) walk(p);
      else if (name.endsWith(PIPELINE_EXTENSION)) files.push(p);
    }
  };
  walk(dir);
  return files;
}
