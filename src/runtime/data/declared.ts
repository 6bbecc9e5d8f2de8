// A source as the pipeline declares it: a `size` smaller than the data selects its first
// `size` images (`cifar10(..., size = 5_000)`, the data-scarce runs); a larger one is
// refused (E021), by run, eval and data check alike, since no image can be invented.
import type { DataSourceIR } from "../../ir/types.js";
import { diag, type Message } from "../../check/registry.js";
import type { ImageSource } from "./source.js";

/** The first `count` images of a source (the source itself when it holds no more). */
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

/** E021 when the declared `size` asks for more images than the data holds (`held`), else null. */
export function sizeOverData(src: DataSourceIR, held: number): Message | null {
  if (src.size === null || src.size <= held) return null;
  return diag.E021.sizeOverData({ name: src.name, path: src.path ?? src.format, full: fmtInt(held), size: fmtInt(src.size) });
}

/** The opened source as declared: its first `size` images (sizeOverData says when it holds fewer). */
export function asDeclared(src: DataSourceIR, opened: ImageSource): ImageSource {
  return src.size !== null ? firstImages(opened, src.size) : opened;
}

const fmtInt = (n: number): string => n.toLocaleString("en-US");
