// How run and eval report what a user can cause while training or evaluating (bad data,
// a diverged run, a run directory that does not fit): one line and exit 1. A data file's
// problem names the file (relative to the working directory when under it) and the data
// source it belongs to, with that source's place in the pipeline file when run has it.
import path from "node:path";
import { DataError } from "../../formats/data-error.js";
import type { PipelineIR, SpanMap } from "../../ir/types.js";
import { EXIT_ERRORS, type CliContext } from "../context.js";
import { shownPath } from "../../util/shown-path.js";

type TrainModule = typeof import("../../runtime/train/index.js");

/** The pipeline being run or evaluated, and its spans when compiled from source (run; eval has the run's ir.json only). */
export interface FailureOrigin {
  ir: PipelineIR;
  spans?: SpanMap;
}

/**
 * The errors a user can cause while a run or an evaluation works (bad data, a diverged
 * run, a run directory that does not fit) as one line and exit 1; anything else is a
 * bug and is rethrown. `train` is passed in because the train module loads lazily.
 */
export function reportRuntimeFailure(ctx: CliContext, e: unknown, train: TrainModule, origin?: FailureOrigin): number {
  if (e instanceof train.TrainingDivergedError || e instanceof train.RunSetupError) {
    ctx.err(`error: ${e.message}\n`);
    return EXIT_ERRORS;
  }
  if (e instanceof DataError) {
    const source = origin ? sourceOf(ctx.cwd, e.path, origin) : null;
    ctx.err(`error: ${shownPath(ctx.cwd, e.path)}: ${e.what}${source ? ` (${source})` : ""}\n`);
    return EXIT_ERRORS;
  }
  throw e;
}

/** The source whose file or folder holds `file`: "source 'gen' at p.adainf:5:17", or null when none does. */
function sourceOf(cwd: string, file: string, { ir, spans }: FailureOrigin): string | null {
  const abs = path.resolve(cwd, file);
  const i = ir.data.sources.findIndex((s) => {
    if (typeof s.path !== "string") return false;
    const own = path.resolve(cwd, s.path);
    return abs === own || abs.startsWith(own + path.sep);
  });
  if (i < 0) return null;
  const name = `source '${ir.data.sources[i]!.name}'`;
  const span = spans?.[`/data/sources/${i}/path`] ?? spans?.[`/data/sources/${i}`];
  return span ? `${name} at ${span.file}:${span.line}:${span.column}` : `${name} of pipeline ${ir.name}`;
}
