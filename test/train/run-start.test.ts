// runStart (src/runtime/train/run-start.ts), the decision `adainfc run` and the
// TypeScript target's programs share, on run directories made by hand (nothing trains):
// a damaged done.json is refused, named, whatever the flags (never skipped as finished);
// a diverged.json skips a sweep point only when its recorded ir.json has these settings,
// and never a single pipeline (--resume continues it); checkpoints recorded with other
// settings are refused, not resumed; --overwrite trains.
import fs from "node:fs";
import path from "node:path";
import { beforeAll, expect, test } from "vitest";
import { compileFileSync } from "../../src/driver.js";
import { writeDiverged } from "../../src/formats/run-outcome.js";
import type { PipelineIR } from "../../src/ir/types.js";
import { runPaths, runStart } from "../../src/runtime/train/index.js";
import { tinyProject } from "./fixtures.js";

let dir: string;
let single: PipelineIR;
let point: PipelineIR;
beforeAll(() => {
  dir = tinyProject({ steps: 2, checkpointEvery: null, extraBody: "" });
  single = compileFileSync("tiny.adainf", { cwd: dir }).pipelines[0]!.ir;
  const sweepDir = tinyProject({ steps: 2, checkpointEvery: null, extraBody: "sweep {\n    seed = [0, 1]\n  }" });
  fs.copyFileSync(path.join(sweepDir, "tiny.adainf"), path.join(dir, "sweep.adainf"));
  point = compileFileSync("sweep.adainf", { cwd: dir }).pipelines[0]!.ir;
});

/** A run directory of `ir` holding its ir.json (with `edit` applied) and the given files. */
function runDir(ir: PipelineIR, files: { done?: string; diverged?: boolean; edit?: (ir: PipelineIR) => void }): string {
  const p = runPaths(path.join(dir, ir.output.dir));
  fs.rmSync(p.dir, { recursive: true, force: true });
  fs.mkdirSync(p.dir, { recursive: true });
  const recorded = structuredClone(ir);
  files.edit?.(recorded);
  fs.writeFileSync(p.ir, JSON.stringify(recorded));
  if (files.done !== undefined) fs.writeFileSync(p.done, files.done);
  if (files.diverged) writeDiverged(p.dir, { step: 1, loss: "Infinity", lr: 1e30, checkpoint: null });
  return p.dir;
}

test("a damaged done.json is refused with its one line, with and without --resume, never skipped as finished", () => {
  runDir(single, { done: '{"final":' });
  const line =
    "runs/tiny/done.json is damaged (is not valid JSON (cut short?)), so the run counts as neither finished nor unfinished: " +
    "delete it and run again with --resume (the run resumes from its newest checkpoint and evaluates again), or train it again with --overwrite";
  expect(runStart(single, { cwd: dir, resume: true })).toEqual({ kind: "refused", message: line });
  expect(runStart(single, { cwd: dir })).toEqual({ kind: "refused", message: line });
  runDir(point, { done: "" });
  expect(runStart(point, { cwd: dir })).toMatchObject({ kind: "refused", message: expect.stringContaining("done.json is damaged (is empty)") });
  expect(runStart(point, { cwd: dir, overwrite: true })).toEqual({ kind: "train", resume: false });
});

test("a diverged sweep point is skipped with these settings only; a single pipeline never is", () => {
  runDir(point, { diverged: true });
  const skipped = runStart(point, { cwd: dir });
  expect(skipped).toMatchObject({ kind: "diverged", record: { step: 1, loss: "Infinity" } });
  expect((skipped as { message: string }).message).toBe(
    `${point.name}: diverged at step 1 (loss Infinity) in an earlier run with these settings: skipped (it would diverge again); ` +
      "change its settings in the file's sweep, then train it again with --overwrite --only seed=0",
  );
  expect(runStart(point, { cwd: dir, overwrite: true })).toEqual({ kind: "train", resume: false });
  // recorded with another learning rate: these settings go on (runPipeline clears the record)
  runDir(point, { diverged: true, edit: (ir) => (ir.train.optimizer.lr = 1e30) });
  expect(runStart(point, { cwd: dir })).toEqual({ kind: "train", resume: false });
  // ... but not when it has checkpoints: resuming them would mix settings, refused here
  // (before a backend loads), naming the change and the way on
  fs.mkdirSync(runPaths(runDir(point, { diverged: true, edit: (ir) => (ir.train.optimizer.lr = 1e30) })).checkpoints);
  fs.writeFileSync(path.join(runPaths(path.join(dir, point.output.dir)).checkpoints, "step-00000001.ckpt"), "");
  expect(runStart(point, { cwd: dir })).toEqual({
    kind: "refused",
    message:
      `${point.name} has an unfinished run (checkpoint at step 1) in ${point.output.dir} with other settings (/train/optimizer)\n` +
      "  train it again with these: --overwrite --only seed=0 (its checkpoints, metrics, done.json, eval.json and the report.html adainfc report wrote are deleted), or set another output.dir",
  });
  // a single pipeline: --resume continues it from its checkpoint, as docs/run.md says
  runDir(single, { diverged: true });
  expect(runStart(single, { cwd: dir, resume: true })).toEqual({ kind: "train", resume: true });
  expect(runStart(single, { cwd: dir })).toEqual({ kind: "train", resume: false });
});
