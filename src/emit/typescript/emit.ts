// `adainfc compile --target ts -o <dir>`: one standalone TypeScript program per pipeline
// (per point of a sweep), plus package.json and tsconfig.json. Pure (returns text);
// ../own-files.ts marks and writes it.
import { relative, sep } from "node:path";
import type { CompiledFile } from "../own-files.js";
import type { PipelineIR } from "../../ir/types.js";
import { programFileNames } from "./names.js";
import { emitProgram } from "./program.js";
import { ownPackage } from "../../util/own-package.js";
import { localDependency, packageJson, tsconfigJson } from "./project-files.js";

export interface TsEmitOptions {
  /** Absolute output folder. */
  outDir: string;
  /** Absolute folder the compile ran in: relative data and output paths are resolved against it. */
  cwd: string;
  /** The command line, shown in each program's header. */
  command: string;
  /** The `adainf` dependency in package.json (default: `file:` this compiler's package). */
  dependency?: string;
}

export function emitTypeScript(irs: PipelineIR[], opts: TsEmitOptions): CompiledFile[] {
  const names = programFileNames(irs);
  const projectDir = relative(opts.outDir, opts.cwd).split(sep).join("/");
  // Each point of a sweep knows every point's run dir, to write the sweep's table.
  const points = new Map<string, string[]>();
  for (const ir of irs) if (ir.sweep) points.set(ir.sweep.base, [...(points.get(ir.sweep.base) ?? []), ir.output.dir]);
  const files: CompiledFile[] = irs.map((ir, i) => ({
    path: `${names[i]!}.ts`,
    text: emitProgram(ir, { fileName: names[i]!, projectDir, command: opts.command, ...(ir.sweep ? { sweepPoints: points.get(ir.sweep.base)! } : {}) }),
  }));
  const own = ownPackage();
  const dependency = opts.dependency ?? localDependency(opts.outDir, own.root);
  files.push({ path: "package.json", text: packageJson({ programs: names, dependency }, own.devDependencies) });
  files.push({ path: "tsconfig.json", text: tsconfigJson() });
  return files;
}
