// What a run directory holds decides how a run starts, the same for `adainfc run` and
// the programs `compile --target ts` writes (one decision, shared): a damaged done.json
// is refused, named (formats/run-outcome.ts); a finished run (done.json) is skipped when
// it trained with these settings and refused with others (with --resume, and always for
// a sweep point, unless --overwrite); a sweep point that diverged (diverged.json) with
// these settings is skipped, as diverged; a run that would resume (--resume, and a sweep
// point with checkpoints without being asked) is refused when its ir.json records other
// settings. A finished run is never trained again here. The IR is checked first
// (checked-ir.ts), and resume with overwrite is refused as the usage error
// `adainfc run --resume --overwrite` is (RunOptionsError).
import fs from "node:fs";
import type { PipelineIR } from "../../ir/types.js";
import { REPORT_FILE } from "../../formats/own-output.js";
import { readRunIR, runDirOf, runPaths } from "../../formats/run-dir.js";
import { damagedDoneLine, type DivergedRecord, divergedText, doneProblem, readDiverged } from "../../formats/run-outcome.js";
import { onlyFlags } from "./sweep-points.js";
import { listCheckpoints } from "./checkpoint-store.js";
import { trainingDifferences } from "../../ir/training-differences.js";
import { checkedIR } from "./checked-ir.js";
import { shownPath } from "../../util/shown-path.js";
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
  /** A sweep point that diverged with these settings: skipped, counted as diverged; `message` says so (a line for stderr). */
  | { kind: "diverged"; message: string; record: DivergedRecord }
  /** Finished, or checkpointed to resume, with other settings, or a damaged done.json: an error; `message` (after `error: `) says what to do. */
  | { kind: "refused"; message: string };

/** What `--overwrite` deletes (the run directory's files of the run it replaces). */
export const OVERWRITE_DELETES = `its checkpoints, metrics, done.json, eval.json and the ${REPORT_FILE} adainfc report wrote are deleted`;

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
  if (flags.overwrite) return { kind: "train", resume: false };
  const shown = (file: string): string => shownPath(flags.cwd, file);
  const damaged = doneProblem(paths.dir);
  if (damaged !== null) return { kind: "refused", message: damagedDoneLine(shown(paths.done), damaged, ir.sweep !== undefined) };
  const settingsDiff = (): string[] => {
    const read = readRunIR(paths.ir);
    return "ir" in read ? trainingDifferences(read.ir, ir) : [`ir.json ${read.problem === "json" ? "cannot be read" : "is not a valid IR"}`];
  };
  /** `what` of this run was made with other settings (`diff`): refused, with the way on. */
  const otherSettings = (what: string, diff: string[]): RunStart => ({
    kind: "refused",
    message:
      `${ir.name} ${what} in ${ir.output.dir} with other settings (${diff.slice(0, 5).join(", ")}${diff.length > 5 ? ", ..." : ""})\n` +
      `  train it again with these: --overwrite${ir.sweep ? ` ${onlyFlags(ir)}` : ""} (${OVERWRITE_DELETES}), or set another output.dir`,
  });
  if ((ir.sweep !== undefined || flags.resume) && fs.existsSync(paths.done)) {
    const diff = settingsDiff();
    if (diff.length === 0) return { kind: "finished", message: `${ir.name}: already finished (${shown(paths.done)}), skipped` };
    return otherSettings("already finished", diff);
  }
  // A sweep point that diverged with these very settings would diverge again: skipped.
  // With other settings it goes on as any point does (below); a single pipeline always
  // does (--resume continues it with these settings).
  const diverged = ir.sweep !== undefined ? readDiverged(paths.dir) : null;
  if (diverged && settingsDiff().length === 0) {
    return {
      kind: "diverged",
      record: diverged,
      message:
        `${ir.name}: ${divergedText(diverged)} in an earlier run with these settings: skipped (it would diverge again); ` +
        `change its settings in the file's sweep, then train it again with --overwrite ${onlyFlags(ir)}`,
    };
  }
  const saved = listCheckpoints(paths.checkpoints);
  const resume = Boolean(flags.resume) || (ir.sweep !== undefined && saved.length > 0);
  // Resuming checkpoints of other settings would train a mix of both: refused here, before
  // a backend loads, not by runPipeline once it has (a sweep's other points still train).
  if (resume && saved.length > 0 && fs.existsSync(paths.ir)) {
    const diff = settingsDiff();
    if (diff.length > 0) return otherSettings(`has an unfinished run (checkpoint at step ${saved.at(-1)!.step})`, diff);
  }
  return { kind: "train", resume };
}
