import { existsSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { UserError, EXIT_USAGE } from "./context.js";
import { sourceFileProblem } from "../resolve/program.js";

// Turns command-line paths into .adainf files: a folder means every .adainf file
// below it (node_modules and hidden folders skipped), sorted for stable output.

export function expandInputs(inputs: readonly string[], cwd: string): string[] {
  if (inputs.length === 0) throw new UserError("no input files (give .adainf files or folders)", EXIT_USAGE);
  const out: string[] = [];
  for (const input of inputs) {
    const abs = resolve(cwd, input);
    if (!existsSync(abs)) throw new UserError(`${input}: no such file or folder`);
    const st = statSync(abs);
    if (st.isDirectory()) {
      const found = walk(abs).map((f) => join(input, f.slice(abs.length + 1)));
      if (found.length === 0) throw new UserError(`${input}: no .adainf files in this folder`);
      out.push(...found);
    } else {
      const problem = sourceFileProblem(st);
      if (problem) throw new UserError(`${input}: ${problem}`);
      out.push(input);
    }
  }
  return [...new Set(out)];
}

function walk(dir: string): string[] {
  const files: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (name.startsWith(".") || name === "node_modules") continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) files.push(...walk(p));
    else if (name.endsWith(".adainf")) files.push(p);
  }
  return files;
}
