import fs from "node:fs";
import path from "node:path";
import type { DataSourceIR, PipelineIR } from "../ir/types.js";

// Sizes of npz sources whose IR size is unknown, read from the file's zip directory and
// .npy header only (src/runtime/data/npz.ts `inspectNpz`), never its pixels. The reader
// is imported on first use, so a lint of pipelines whose sizes are all known loads none
// of it; any failure (no file, a broken header, no reader) leaves the size unknown and
// the `unknown-size` rule says so.

export type SizeOf = (source: DataSourceIR, ir: PipelineIR) => Promise<number | null>;

type Inspect = (file: string) => { count: number };

export function npzSizeOf(cwd: string): SizeOf {
  let inspect: Promise<Inspect | null> | null = null;
  const cache = new Map<string, number | null>();
  return async (source, ir) => {
    if (source.format !== "npz" || source.path === null) return null;
    const file = locate(source.path, cwd, ir.file);
    if (file === null) return null;
    if (cache.has(file)) return cache.get(file)!;
    inspect ??= import("../runtime/data/npz.js").then(
      (m) => m.inspectNpz as Inspect,
      () => null,
    );
    const fn = await inspect;
    let n: number | null = null;
    try {
      n = fn ? fn(file).count : null;
    } catch {
      n = null; // unreadable: reported as an unknown size, not as a crash of the lint
    }
    cache.set(file, n);
    return n;
  };
}

/** The file as written (relative to the working directory), else beside the pipeline file. */
function locate(p: string, cwd: string, pipelineFile: string): string | null {
  const candidates = path.isAbsolute(p)
    ? [p]
    : [path.resolve(cwd, p), path.resolve(cwd, path.dirname(pipelineFile), p)];
  return candidates.find((c) => fs.existsSync(c)) ?? null;
}
