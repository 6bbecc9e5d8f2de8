// Opens the data sources a run (or an evaluation) needs and honours a declared `size`
// smaller than the file (`cifar10(..., size = 5_000)` = the first 5,000 images, the
// data-scarce runs); a larger one is refused in one line (E021's words, data/declared.ts).
import type { DataSourceIR, PipelineIR } from "../../ir/types.js";
import { openSource, type ImageSource } from "../data/index.js";
import { asDeclared, sizeOverData } from "../data/declared.js";
import { RunSetupError } from "./errors.js";

export interface OpenedSources {
  /** By source name. */
  byName: Map<string, ImageSource>;
  close(): void;
}

/** The sources the training mixture and the evaluation use (unused ones are not opened). */
export function usedSources(ir: PipelineIR): DataSourceIR[] {
  const names = new Set(ir.data.train.map((t) => t.source));
  if (ir.data.eval !== null) names.add(ir.data.eval);
  return ir.data.sources.filter((s) => names.has(s.name));
}

export async function openRunSources(ir: PipelineIR, cwd: string, onProgress?: (task: string, done: number, total: number) => void): Promise<OpenedSources> {
  const byName = new Map<string, ImageSource>();
  const close = (): void => {
    for (const s of byName.values()) s.close();
  };
  try {
    for (const src of usedSources(ir)) {
      const opened = await openSource(src, { cwd, ...(onProgress ? { onProgress } : {}) });
      const over = sizeOverData(src, opened.count);
      if (over) {
        opened.close();
        throw new RunSetupError(`${over.message}: ${over.hint}`);
      }
      byName.set(src.name, asDeclared(src, opened));
    }
  } catch (e) {
    close();
    throw e;
  }
  return { byName, close };
}
