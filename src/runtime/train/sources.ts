// Opens the data sources a run (or an evaluation) needs and honours a declared `size`
// smaller than the file (`cifar10(..., size = 5_000)` = the first 5,000 images, the
// data-scarce runs); a larger one is refused in one line (E021's words, data/declared.ts),
// and so is a source whose images are not of the shape the IR gives it (an image folder
// of another size than the real data, a file changed since the run that `eval` reads).
import type { DataSourceIR, PipelineIR } from "../../ir/types.js";
import { usedSources } from "../../ir/stand-in-plan.js";
import { openSource, type ImageSource } from "../data/index.js";
import { asDeclared, sizeOverData } from "../data/declared.js";
import { RunSetupError } from "./errors.js";

export interface OpenedSources {
  /** By source name. */
  byName: Map<string, ImageSource>;
  close(): void;
}

/**
 * `purpose` words the shape error: a run's IR is the pipeline's (its sources share the
 * real data's shape unless they declare one); an evaluation's is the run's ir.json.
 */
export async function openRunSources(
  ir: PipelineIR,
  cwd: string,
  onProgress?: (task: string, done: number, total: number) => void,
  purpose: "run" | "eval" = "run",
): Promise<OpenedSources> {
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
      const wrong = shapeProblem(ir, src, opened, purpose);
      if (wrong !== null) {
        opened.close();
        throw new RunSetupError(wrong);
      }
      byName.set(src.name, asDeclared(src, opened));
    }
  } catch (e) {
    close();
    throw e;
  }
  return { byName, close };
}

const fmtShape = (s: readonly number[]): string => s.join("x");

/** Why `opened` cannot be used where the IR says `src` holds images of its shape; null when it can. */
function shapeProblem(ir: PipelineIR, src: DataSourceIR, opened: ImageSource, purpose: "run" | "eval"): string | null {
  const [found, expected] = [fmtShape(opened.shape), fmtShape(src.shape)];
  if (found === expected) return null;
  const what = `source '${src.name}' (${src.path ?? src.format}) holds ${found} images`;
  if (purpose === "eval") {
    return `${what}, but the run was trained with ${expected} (its ir.json): the data changed since the run; restore the data it used, or train again`;
  }
  // Which training source the shape came from, when another gave it (a folder declares none).
  const ref = ir.data.sources.find((s) => s !== src && s.origin === "real" && fmtShape(s.shape) === expected && ir.data.train.some((t) => t.source === s.name));
  const [h, w] = opened.shape;
  const fix =
    src.format === "folder"
      ? `convert it to that size (adainfc data convert ${src.path} -o <file>.npz --resize ${src.shape[0]}x${src.shape[1]}) and read npz("<file>.npz") instead`
      : `declare its shape = (${opened.shape.join(", ")}), or make its images ${src.shape[0]}x${src.shape[1]}`;
  const other = ref ? ` the pipeline's images are ${expected} (those of '${ref.name}')` : ` the pipeline expects ${expected}`;
  return h === src.shape[0] && w === src.shape[1] && opened.shape[2] !== src.shape[2]
    ? `${what}, but${other}: ${src.shape[2]} channels, not ${opened.shape[2]}; convert the data of '${src.name}'`
    : `${what}, but${other}: one batch holds images of one size; ${fix}`;
}
