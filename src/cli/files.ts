// Turns command-line paths into .adainf files: expandInputs for the commands that take
// files or folders (check, fmt, lint), pipelineFile for those that take one pipeline
// file (compile, run, preview, data check). A folder means every .adainf file below it
// (node_modules and hidden folders skipped), sorted for stable output. One contract: no
// path at all is a usage error (exit 2); a path that does not exist or cannot be reached
// (named by its cause: a symlink loop, a path through a file, no permission), a folder
// without .adainf files (or any folder, where one file is wanted), a file that is not a
// regular file of at most 4 MiB, or one that is not named .adainf is one line
// `<path>: <why>`, exit 1 (a file-system mistake, as elsewhere). Each real file is taken
// once, however many names reach it; a folder link looping back up is one note, not followed.
// An empty path ("") is a usage error (args.ts nonEmptyPath), never the current folder.
import { realpathSync, statSync, type Stats } from "node:fs";
import { join, relative, resolve } from "node:path";
import { nonEmptyPath } from "./args.js";
import { EXIT_USAGE, UserError } from "./context.js";
import { sourceFileProblem } from "../resolve/program.js";
import { fsCauseOrMessage } from "../util/fs-errors.js";
import { adainfFilesIn, PIPELINE_EXTENSION } from "../util/adainf-files.js";

export function expandInputs(inputs: readonly string[], cwd: string, note: (line: string) => void = () => {}): string[] {
  if (inputs.length === 0) throw new UserError("no input files (give .adainf files or folders)", EXIT_USAGE);
  for (const input of inputs) nonEmptyPath(input, "<paths>", "file or folder");
  const out: string[] = [];
  const seen = new Set<string>();
  // One file named twice (`e.adainf ./e.adainf`, a file and its folder, a link) is taken once.
  const add = (shown: string) => {
    const abs = resolve(cwd, shown);
    let key = abs;
    try {
      key = realpathSync(abs);
    } catch {
      // a dangling link: kept under its own name, so that reading it says what is wrong
    }
    if (seen.has(key)) return;
    seen.add(key);
    out.push(shown);
  };
  for (const input of inputs) {
    const abs = resolve(cwd, input);
    const st = statInput(input, abs);
    if (st.isDirectory()) {
      const shown = (f: string) => join(input, f.slice(abs.length + 1));
      const found = adainfFilesIn(abs, undefined, (l) => {
        if (l.loop) note(`note: ${shown(l.path)}: a symlink loop (it leads back to ${relative(cwd, l.target) || "."}), not followed`);
      }).map(shown);
      if (found.length === 0) throw new UserError(`${input}: no .adainf files in this folder`);
      found.forEach(add);
    } else add(checkedFile(input, st, "give .adainf files or folders"));
  }
  return out;
}

/** The one pipeline file a command was given, checked as expandInputs checks each file. */
export function pipelineFile(input: string, cwd: string, name = "<pipeline>"): string {
  nonEmptyPath(input, name, "file");
  const st = statInput(input, resolve(cwd, input));
  if (st.isDirectory()) throw new UserError(`${input}: a folder, not a .adainf file (give one pipeline file)`);
  return checkedFile(input, st, "give one pipeline file");
}

function statInput(input: string, abs: string): Stats {
  try {
    return statSync(abs);
  } catch (e) {
    // The real cause (a symlink loop, a path through a file, no permission), not always "missing".
    throw new UserError(`${input}: ${fsCauseOrMessage(e)}`);
  }
}

/** `input` when it is a regular file of at most 4 MiB named .adainf; `wanted` says what the command takes. */
function checkedFile(input: string, st: Stats, wanted: string): string {
  const problem = sourceFileProblem(st);
  if (problem) throw new UserError(`${input}: ${problem}`);
  if (!input.endsWith(PIPELINE_EXTENSION)) throw new UserError(`${input}: not a .adainf file (${wanted})`);
  return input;
}
