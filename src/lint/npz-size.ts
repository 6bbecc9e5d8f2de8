// Sizes of npz sources whose IR size is unknown, read from the file's zip directory and
// .npy header only (src/formats/npz-header.ts), never its pixels. The path resolves as
// every data path does (src/formats/data-path.ts: against the project directory: for
// the report, the run's). Used by the report, which lints a run's ir.json (the compiler
// fills sizes itself when it finds the file, so `lint` and the language server need no
// second read). The reader is imported on first use; any failure (no file, a broken
// header) leaves the size unknown and the `unknown-size` rule says so.
import type { DataSourceIR, PipelineIR } from "../ir/types.js";

export type SizeOf = (source: DataSourceIR, ir: PipelineIR) => Promise<number | null>;

export function npzSizeOf(projectDir: string): SizeOf {
  let reader: Promise<typeof import("../formats/npz-header.js")> | null = null;
  const cache = new Map<string, number | null>();
  return async (source) => {
    if (source.format !== "npz" || source.path === null) return null;
    if (cache.has(source.path)) return cache.get(source.path)!;
    reader ??= import("../formats/npz-header.js");
    const { npzHeaderAt } = await reader;
    let n: number | null = null;
    try {
      n = npzHeaderAt(projectDir, source.path)?.count ?? null;
    } catch {
      n = null; // unreadable: reported as an unknown size, not as a crash of the lint
    }
    cache.set(source.path, n);
    return n;
  };
}
