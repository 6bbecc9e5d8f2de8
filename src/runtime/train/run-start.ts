// What a run directory holds decides how a run starts, the same for `adainfc run` and
// the programs `compile --target ts` writes (one decision, shared): a finished run
// (done.json) is skipped when it trained with these settings and refused with others
// (with --resume, and always for a sweep point, unless --overwrite); a sweep point with
// checkpoints resumes without being asked. A finished run is never trained again here.
// The IR is checked first (checked-ir.ts), and resume with overwrite is refused as the
// usage error `adainfc run --resume --overwrite` is (RunOptionsError).
import fs from "node:fs";
import path from "node:path";
import type { PipelineIR } from "../../ir/types.js";
import { readRunIR, runDirOf, runPaths } from "../../formats/run-dir.js";
import { listCheckpoints } from "./checkpoint-store.js";
import { trainingDifferences } from "../../ir/training-differences.js";
import { checkedIR } from "./checked-ir.js";
import { RunOptionsError } from "./errors.js";

export interface RunStartFlags {
  /** Relative output dirs resolve against this (runPipeline's cwd). */
  cwd: string;
  resume?: boolean;
  overwrite?: boolean;
}

export type RunStart =
  /** Train: from the newest checkpoint when `resume`. */
  | { kind: "train"; resume: boolean }
  /** Finished with these settings: skipped; `message` says so (a line for stderr). */
  | { kind: "finished"; message: string }
  /** Finished with other settings: an error; `message` (after `error: `) says what to do. */
  | { kind: "changed"; message: string };

/**
 * Why resume and overwrite cannot go together: `--` for the command-line flags
 * (`adainfc run`, runStart's flags), "" for runPipeline's options.
 */
export function resumeOverwriteMessage(dashes: "--" | ""): string {
  return (
    `${dashes}resume and ${dashes}overwrite contradict each other: ${dashes}resume continues the run in its directory, ` +
    `${dashes}overwrite deletes it and starts over`
  );
}

/** How the run of `given` starts; throws InvalidIRError for a bad IR, RunOptionsError for resume with overwrite. */
export function runStart(given: PipelineIR, flags: RunStartFlags): RunStart {
  if (flags.resume && flags.overwrite) throw new RunOptionsError(resumeOverwriteMessage("--"));
  const ir = checkedIR(given);
  const paths = runPaths(runDirOf(ir.output.dir, flags.cwd));
  const overwrite = Boolean(flags.overwrite);
  if (!overwrite && (ir.sweep !== undefined || flags.resume) && fs.existsSync(paths.done)) {
    const read = readRunIR(paths.ir);
    const diff = "ir" in read ? trainingDifferences(read.ir, ir) : [`ir.json ${read.problem === "json" ? "cannot be read" : "is not a valid IR"}`];
    if (diff.length === 0)
      return { kind: "finished", message: `${ir.name}: already finished (${path.relative(flags.cwd, paths.done) || paths.done}), skipped` };
    return {
      kind: "changed",
      message:
        `${ir.name} already finished in ${ir.output.dir} with other settings (${diff.slice(0, 5).join(", ")}${diff.length > 5 ? ", ..." : ""})\n` +
        "  train it again with these: --overwrite (its checkpoints and metrics are deleted), or set another output.dir",
    };
  }
  const resume = Boolean(flags.resume) || (!overwrite && ir.sweep !== undefined && listCheckpoints(paths.checkpoints).length > 0);
  return { kind: "train", resume };
}
