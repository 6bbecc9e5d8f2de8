// Opens the data sources a run needs and honours a declared `size` smaller than the
// file (`cifar10(..., size = 5_000)` = the first 5,000 images, the data-scarce runs).
import type { DataSourceIR, PipelineIR } from "../../ir/types.js";
import { openSource, type ImageSource } from "../data/index.js";

export interface OpenedSources {
  /** By source name. */
  byName: Map<string, ImageSource>;
  close(): void;
}

/** The first `count` images of a source. */
export function firstImages(source: ImageSource, count: number): ImageSource {
  if (count >= source.count) return source;
  return {
    name: source.name,
    format: source.format,
    origin: source.origin,
    count,
    shape: source.shape,
    classes: source.classes,
    readBatch(indices) {
      for (let i = 0; i < indices.length; i++) {
        const k = indices[i]!;
        if (k < 0 || k >= count) throw new RangeError(`source ${source.name}: index ${k} outside its first ${count} images`);
      }
      return source.readBatch(indices);
    },
    close: () => source.close(),
  };
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
      byName.set(src.name, src.size !== null ? firstImages(opened, src.size) : opened);
    }
  } catch (e) {
    close();
    throw e;
  }
  return { byName, close };
}
