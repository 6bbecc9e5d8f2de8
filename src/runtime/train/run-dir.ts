// The layout of a run directory (ir.output.dir), in one place so the trainer, `run`,
// `eval` and the sweep summary agree on it:
//   <dir>/ir.json            the resolved IR the run was started with
//   <dir>/metrics.jsonl      one JSON object per optimisation step
//   <dir>/checkpoints/       step-<8 digits>.ckpt, newest `output.keep` kept
//   <dir>/done.json          written last: the run finished; final metrics
//   <dir>/eval.json          written by `adainfc eval <dir>`
import path from "node:path";

export interface RunPaths {
  dir: string;
  ir: string;
  metrics: string;
  checkpoints: string;
  done: string;
  eval: string;
}

export function runPaths(dir: string): RunPaths {
  return {
    dir,
    ir: path.join(dir, "ir.json"),
    metrics: path.join(dir, "metrics.jsonl"),
    checkpoints: path.join(dir, "checkpoints"),
    done: path.join(dir, "done.json"),
    eval: path.join(dir, "eval.json"),
  };
}

/** The run directory of a pipeline, resolved against the working directory. */
export function runDirOf(outputDir: string, cwd: string): string {
  return path.resolve(cwd, outputDir);
}
