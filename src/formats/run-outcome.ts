// Two outcomes of a run besides its summary, read alike by `run` and the TypeScript
// target's programs (both through the runtime's runStart and sweep table) and by
// `report`: a damaged done.json (there, but not a finished run's summary: it is named,
// never read as finished or as unfinished), and diverged.json (runPaths' `diverged`),
// written when the loss became NaN or infinite (the step, loss and learning rate, the
// last good checkpoint); a later start of training removes it.
import fs from "node:fs";
import { writeJsonAtomic } from "../util/atomic-write.js";
import { readRunSummary, runPaths } from "./run-dir.js";

export interface DivergedRecord {
  /** The step whose loss was not finite. */
  step: number;
  /** "NaN", "Infinity" or "-Infinity" (JSON has no such numbers). */
  loss: string;
  lr: number;
  /** The newest checkpoint (before that step), or null. */
  checkpoint: string | null;
  /** When (ISO time). */
  at: string;
}

export function writeDiverged(dir: string, record: Omit<DivergedRecord, "at">): void {
  writeJsonAtomic(runPaths(dir).diverged, { ...record, at: new Date().toISOString() });
}

/** The record, or null when the run has not diverged (a damaged record reads as diverged at an unknown step). */
export function readDiverged(dir: string): DivergedRecord | null {
  let text: string;
  try {
    text = fs.readFileSync(runPaths(dir).diverged, "utf8");
  } catch {
    return null;
  }
  try {
    const r = JSON.parse(text) as DivergedRecord;
    if (typeof r === "object" && r !== null && typeof r.step === "number") return r;
  } catch {
    // below
  }
  return { step: -1, loss: "NaN", lr: Number.NaN, checkpoint: null, at: "" };
}

export function clearDiverged(dir: string): void {
  fs.rmSync(runPaths(dir).diverged, { force: true });
}

/** "diverged at step 4 (loss NaN)": the run's status in tables and messages. */
export function divergedText(r: DivergedRecord): string {
  return r.step >= 0 ? `diverged at step ${r.step} (loss ${r.loss})` : "diverged";
}

/** Why the run's done.json is no finished run's summary, or null when it is one or is absent. */
export function doneProblem(dir: string): string | null {
  const file = runPaths(dir).done;
  if (!fs.existsSync(file) || readRunSummary(dir) !== null) return null;
  let text = "";
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    return `cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})`;
  }
  if (text.trim() === "") return "is empty";
  try {
    JSON.parse(text);
  } catch {
    return "is not valid JSON (cut short?)";
  }
  return "holds no final metrics";
}

/**
 * The one line that names a damaged done.json and what to do (`shown`: the file as the
 * user sees it; `sweepPoint`: a sweep's point resumes unasked, a single pipeline with --resume).
 */
export function damagedDoneLine(shown: string, problem: string, sweepPoint: boolean): string {
  return (
    `${shown} is damaged (${problem}), so the run counts as neither finished nor unfinished: ` +
    `delete it and run again${sweepPoint ? "" : " with --resume"} (the run resumes from its newest checkpoint and evaluates again), or train it again with --overwrite`
  );
}
